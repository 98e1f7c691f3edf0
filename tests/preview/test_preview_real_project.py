"""`chalk-policy preview` on the repository's own Pulumi project (Pulumi.yaml, __main__.py, stacks/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalk_policy.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [ROOT / "Pulumi.yaml", ROOT / "__main__.py", ROOT / "stacks" / "Pulumi.dev.yaml",
            ROOT / "stacks" / "Pulumi.prod.yaml", ROOT / "stacks" / "Pulumi.azure-tcp.yaml"]
MISSING = [str(p.relative_to(ROOT)) for p in REQUIRED if not p.is_file()]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"the real Pulumi project is not there yet: {MISSING}")

COMPONENT = "chalk:index:ChalkAwsEgress"
SG = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
EXPORTS = {"securityGroupIds", "ruleCounts", "firewallPolicyArn", "ruleGroupArns", "catalogVersion", "regions"}
AZ_COMPONENT = "chalk:index:ChalkAzureEgress"
NSG = "azure-native:network:NetworkSecurityGroup"
AZ_POLICY = "azure-native:network:FirewallPolicy"
RCG = "azure-native:network:FirewallPolicyRuleCollectionGroup"
AZURE_EXPORTS = {"nsgId", "nsgName", "nsgRuleCount", "azureFirewallPolicyId", "ruleCollectionGroupId",
                 "catalogVersion", "regions"}
PREFIX = "urn:pulumi:{stack}::chalk-network::"
REAL_PREVIEW = ROOT / "tests" / "fixtures" / "engine" / "dev-preview-create.json"
"""`pulumi preview --json` of the dev stack with nothing deployed, written by the real CLI (v3.274.1)."""


def resources(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The newState of every step but the root stack's."""
    return [step["newState"] for step in data["steps"] if step["newState"]["type"] != "pulumi:pulumi:Stack"]


def name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


@pytest.fixture(scope="module")
def previews() -> dict[tuple[str, str], str]:
    """stdout of `preview --stack S --format F` for every stack, text and json (one run per combination)."""
    outputs = {}
    for stack in ("dev", "prod", "azure-tcp"):
        for fmt in ("json", "text"):
            result = CliRunner().invoke(cli, ["preview", "--stack", stack, "--format", fmt, "--project-dir", str(ROOT)])
            assert result.exit_code == 0, result.output
            outputs[stack, fmt] = result.stdout
    return outputs


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_json(previews: dict[tuple[str, str], str], stack: str) -> None:
    data = json.loads(previews[stack, "json"])
    prefix = PREFIX.format(stack=stack)
    stack_urn = f"{prefix}pulumi:pulumi:Stack::chalk-network-{stack}"
    assert data["steps"][0]["newState"] == {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack"}
    assert data["config"]["chalk-network:option"] == "1" and data["config"]["chalk-network:awsRulesPerGroup"] == "60"
    assert all(isinstance(v, str) for v in data["config"].values())  # the engine's form: every value a string
    states = resources(data)
    types = [r["type"] for r in states]
    assert types.count(COMPONENT) == 1
    (component,) = (r for r in states if r["type"] == COMPONENT)
    intent = component["inputs"]["chalkIntent"]  # what the component was asked for, for the policies
    assert set(intent) == {"regions", "option", "encryption", "catalogVersion"} and intent["option"] == 1
    assert intent["regions"] == json.loads(data["config"]["chalk-network:regions"]) or stack == "prod"
    assert component == {"urn": f"{prefix}{COMPONENT}::chalk", "custom": False, "type": COMPONENT,
                         "parent": stack_urn, "inputs": {"chalkIntent": intent},
                         "propertyDependencies": {"chalkIntent": []}}
    groups = [r for r in states if r["type"] == SG]
    assert groups and all(r["parent"] == component["urn"] and r["custom"] for r in groups)
    assert groups[0]["urn"] == f"{prefix}{COMPONENT}${SG}::chalk-sg-1"
    rules = [r for r in states if r["type"] == RULE]
    assert rules and all(r["parent"] == component["urn"] for r in rules)
    assert all(r["dependencies"] == r["propertyDependencies"]["securityGroupId"] and len(r["dependencies"]) == 1
               and r["dependencies"][0] in {g["urn"] for g in groups} for r in rules)
    cidr_rules = [r for r in rules if "cidrIpv4" in r["inputs"]]
    assert cidr_rules and all("/" in r["inputs"]["cidrIpv4"] for r in cidr_rules)
    assert all(isinstance(r["inputs"]["fromPort"], int) for r in rules)
    assert data["changeSummary"] == {"create": len(data["steps"])}
    outputs = data["chalkStackOutputs"]
    assert set(outputs) >= EXPORTS
    # Each group stays within the default quota of 60 rules, and the counts match the recorded rules.
    assert all(count <= 60 for count in outputs["ruleCounts"].values())
    assert sum(outputs["ruleCounts"].values()) == len(rules)
    assert data["chalkPolicyViolations"] == []


def test_prod_covers_more_regions_than_dev(previews: dict[tuple[str, str], str]) -> None:
    dev, prod = (json.loads(previews[s, "json"]) for s in ("dev", "prod"))
    assert dev["chalkStackOutputs"]["regions"] == ["jp1", "us2"]
    assert set(dev["chalkStackOutputs"]["regions"]) < set(prod["chalkStackOutputs"]["regions"])
    assert sum(r["type"] == RULE for r in resources(prod)) > sum(r["type"] == RULE for r in resources(dev))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_text(previews: dict[tuple[str, str], str], stack: str) -> None:
    text = previews[stack, "text"]
    assert f"stack '{stack}' (project 'chalk-network')" in text.splitlines()[0]
    assert f"pulumi:pulumi:Stack  chalk-network-{stack}" in text
    assert f"  {COMPONENT}  chalk  (component)" in text
    assert "cidrIpv4=" in text
    assert "AWS outbound rules per security group (quota 60" in text
    assert " OVER" not in text
    outputs = text.split("\nOutputs:\n")[1]
    assert all(f"  {name}: " in outputs for name in EXPORTS)


# --- Azure: the azure-tcp stack (Azure only) and prod (both clouds) -----------------------------------


def test_azure_tcp_json(previews: dict[tuple[str, str], str]) -> None:
    data = json.loads(previews["azure-tcp", "json"])
    prefix = PREFIX.format(stack="azure-tcp")
    component_urn = f"{prefix}{AZ_COMPONENT}::chalk-azure"
    assert [(r["type"], r["urn"], r["custom"], r["parent"]) for r in resources(data)] == [
        (AZ_COMPONENT, component_urn, False, f"{prefix}pulumi:pulumi:Stack::chalk-network-azure-tcp"),
        (AZ_POLICY, f"{prefix}{AZ_COMPONENT}${AZ_POLICY}::chalk-azure-firewall-policy", True, component_urn),
        (RCG, f"{prefix}{AZ_COMPONENT}${RCG}::chalk-azure-rule-collection-group", True, component_urn),
        (NSG, f"{prefix}{AZ_COMPONENT}${NSG}::chalk-azure-nsg", True, component_urn),
    ]
    nsg = next(r for r in resources(data) if r["type"] == NSG)
    assert nsg["inputs"]["location"] == "westeurope" and nsg["inputs"]["resourceGroupName"] == "rg-chalk-network-tcp"
    assert [(r["name"], r["priority"], r["protocol"], r["access"]) for r in nsg["inputs"]["securityRules"]] == [
        ("chalk-media-tcp", 101, "Tcp", "Allow"), ("chalk-signaling-https", 104, "Tcp", "Allow"),
        ("chalk-deny-internet", 4096, "*", "Deny")]
    group = next(r for r in resources(data) if r["type"] == RCG)
    assert [c["name"] for c in group["inputs"]["ruleCollections"]] == ["chalk-media", "chalk-signaling"]
    assert set(data["chalkStackOutputs"]) == AZURE_EXPORTS
    assert data["chalkStackOutputs"]["nsgRuleCount"] == 3 and data["chalkStackOutputs"]["regions"] == ["de1", "ie1"]


def test_azure_tcp_text(previews: dict[tuple[str, str], str]) -> None:
    text = previews["azure-tcp", "text"]
    assert "stack 'azure-tcp' (project 'chalk-network')" in text.splitlines()[0]
    assert f"  {AZ_COMPONENT}  chalk-azure  (component)" in text
    assert f"    {NSG}  chalk-azure-nsg  resourceGroupName=rg-chalk-network-tcp location=westeurope" in text
    assert f"    {AZ_POLICY}  chalk-azure-firewall-policy  " in text
    assert f"    {RCG}  chalk-azure-rule-collection-group  " in text
    assert ("      rule chalk-deny-internet  priority=4096 direction=Outbound access=Deny protocol=* "
            "destinationAddressPrefix=Internet destinationPortRange=*") in text
    assert "        rule chalk-media-tcp  ruleType=NetworkRule ipProtocols=[TCP]" in text
    assert "protocols=[Https:443]" in text
    assert "  Azure rules per network security group:\n    chalk-azure-nsg      3/1000   ok" in text
    assert ("  Azure destination IP addresses and ranges per network security group:\n"
            "    chalk-azure-nsg      7/4000   ok") in text
    assert "aws:" not in text and "AWS outbound" not in text and " OVER" not in text
    outputs = text.split("\nOutputs:\n")[1]
    assert all(f"  {name}: " in outputs for name in AZURE_EXPORTS)


def test_prod_previews_both_clouds(previews: dict[tuple[str, str], str]) -> None:
    data = json.loads(previews["prod", "json"])
    types = [r["type"] for r in resources(data)]
    assert types.count(COMPONENT) == 1 and types.count(AZ_COMPONENT) == 1
    assert types.count(NSG) == types.count(AZ_POLICY) == types.count(RCG) == 1
    assert set(data["chalkStackOutputs"]) == EXPORTS | AZURE_EXPORTS
    text = previews["prod", "text"]
    assert "AWS outbound rules per security group (quota 60" in text
    assert "  Azure rules per network security group:\n    chalk-azure-nsg      4/1000   ok" in text
    assert "    chalk-azure-nsg     29/4000 " in text


# --- the same program under the real engine: tests/fixtures/engine/dev-preview-create.json ------------------

DATA_MAPS = {"config", "changeSummary", "chalkStackOutputs", "steps[].newState.inputs",
             "steps[].newState.propertyDependencies"}
"""Maps whose keys are data (config keys, input names, ops), not the document's structure."""
LEFT_OUT = {"steps[].provider", "steps[].newState.provider", "steps[].newState.sourcePosition",
            "steps[].newState.stackTrace", "diagnostics"}
"""What the real digest has and ours does not, as render.to_dict documents: default-provider references, the
registration's source position and stack trace, and -- for this stack -- diagnostics (the real one's only
diagnostic is the engine's own plugin warning; the program logs nothing)."""
EXTENSIONS = {"chalkStackOutputs", "chalkPolicyViolations"}


def key_paths(value: Any, path: str = "") -> set[str]:
    """Every key path of a JSON document (``steps[].newState.inputs``), values ignored; below LEFT_OUT and
    DATA_MAPS paths only the path itself."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            paths.add(sub)
            if sub not in DATA_MAPS and sub not in LEFT_OUT:
                paths |= key_paths(item, sub)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{path}[]")
    return paths


@pytest.fixture(scope="module")
def real_and_ours(previews: dict[tuple[str, str], str]) -> tuple[dict[str, Any], dict[str, Any]]:
    return json.loads(REAL_PREVIEW.read_text(encoding="utf-8")), json.loads(previews["dev", "json"])


def test_json_has_the_real_digests_key_structure(real_and_ours: tuple[dict[str, Any], dict[str, Any]]) -> None:
    real, ours = real_and_ours
    assert key_paths(ours) - EXTENSIONS == key_paths(real) - LEFT_OUT
    assert [k for k in ours if k not in EXTENSIONS] == [k for k in real if k not in LEFT_OUT]
    # Same key order in every step and newState (what the engine's Go structs give), left-out keys aside.
    real_steps = {step["urn"]: step for step in real["steps"]}
    for step in ours["steps"]:
        match = real_steps[step["urn"]]
        assert list(step) == [k for k in match if f"steps[].{k}" not in LEFT_OUT]
        assert list(step["newState"]) == [k for k in match["newState"] if f"steps[].newState.{k}" not in LEFT_OUT]
    # Same value conventions: the engine's config strings, integers, the unknown sentinel.
    assert ours["config"] == real["config"]
    assert ours["changeSummary"] == real["changeSummary"]
    assert isinstance(ours["duration"], int) and isinstance(real["duration"], int)


def test_json_has_the_real_engines_custom_resources(real_and_ours: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The real engine ran the same program: the same URNs, which are made from the types and parents."""
    real, ours = real_and_ours
    assert {(r["type"], r["urn"]) for r in resources(ours) if r["custom"]} == {
        (r["type"], r["urn"]) for r in resources(real) if r["custom"]}
    # Every step (root stack and component too): the same custom flag and parent.
    assert {s["urn"]: (s["newState"]["custom"], s["newState"].get("parent")) for s in ours["steps"]} == {
        s["urn"]: (s["newState"]["custom"], s["newState"].get("parent")) for s in real["steps"]}
    assert ours["steps"][0]["urn"] == real["steps"][0]["urn"]  # the root stack's step first


def test_json_inputs_and_dependencies_are_the_real_engines(
        real_and_ours: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Inputs as the engine records them, except what the provider's Check adds (``__defaults`` and the
    auto-names it lists); dependency lists compared as sets (the SDK sends them from a set)."""
    real, ours = real_and_ours
    real_states = {r["urn"]: r for r in resources(real)}
    for state in resources(ours):
        match = real_states[state["urn"]]
        checked = dict(match.get("inputs", {}))
        for key in checked.pop("__defaults", []):
            del checked[key]
        assert state.get("inputs", {}) == checked, name(state["urn"])
        assert set(state.get("dependencies", [])) == set(match.get("dependencies", [])), name(state["urn"])
        assert {k: set(v) for k, v in state.get("propertyDependencies", {}).items()} == {
            k: set(v) for k, v in match.get("propertyDependencies", {}).items()}, name(state["urn"])
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    rule = real_states[f"{PREFIX.format(stack='dev')}{COMPONENT}${RULE}::chalk-egress-udp-443-13.115.244.0-27"]
    assert rule["inputs"]["securityGroupId"] == unknown and rule["inputs"]["fromPort"] == 443
