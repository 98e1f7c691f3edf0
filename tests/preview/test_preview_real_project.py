"""`chalk-policy preview` on the repository's own Pulumi project (Pulumi.yaml, __main__.py, stacks/)."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert data["stack"] == stack and data["project"] == "chalk-network"
    types = [r["type"] for r in data["resources"]]
    assert types.count(COMPONENT) == 1
    assert types.count(SG) >= 1
    rules = [r for r in data["resources"] if r["type"] == RULE]
    assert rules and all(r["parent"] == COMPONENT for r in rules)
    cidr_rules = [r for r in rules if "cidrIpv4" in r["inputs"]]
    assert cidr_rules and all("/" in r["inputs"]["cidrIpv4"] for r in cidr_rules)
    assert all(isinstance(r["inputs"]["fromPort"], int) for r in rules)
    assert set(data["outputs"]) >= EXPORTS
    # Each group stays within the default quota of 60 rules, and the counts match the recorded rules.
    assert all(count <= 60 for count in data["outputs"]["ruleCounts"].values())
    assert sum(data["outputs"]["ruleCounts"].values()) == len(rules)


def test_prod_covers_more_regions_than_dev(previews: dict[tuple[str, str], str]) -> None:
    dev, prod = (json.loads(previews[s, "json"]) for s in ("dev", "prod"))
    assert dev["outputs"]["regions"] == ["jp1", "us2"]
    assert set(dev["outputs"]["regions"]) < set(prod["outputs"]["regions"])
    assert sum(r["type"] == RULE for r in prod["resources"]) > sum(r["type"] == RULE for r in dev["resources"])


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
    assert data["stack"] == "azure-tcp"
    assert [(r["type"], r["name"], r["parent"]) for r in data["resources"]] == [
        (AZ_COMPONENT, "chalk-azure", None),
        (AZ_POLICY, "chalk-azure-firewall-policy", AZ_COMPONENT),
        (RCG, "chalk-azure-rule-collection-group", AZ_COMPONENT),
        (NSG, "chalk-azure-nsg", AZ_COMPONENT),
    ]
    nsg = next(r for r in data["resources"] if r["type"] == NSG)
    assert nsg["inputs"]["location"] == "westeurope" and nsg["inputs"]["resourceGroupName"] == "rg-chalk-network-tcp"
    assert [(r["name"], r["priority"], r["protocol"], r["access"]) for r in nsg["inputs"]["securityRules"]] == [
        ("chalk-media-tcp", 101, "Tcp", "Allow"), ("chalk-signaling-https", 104, "Tcp", "Allow"),
        ("chalk-deny-internet", 4096, "*", "Deny")]
    group = next(r for r in data["resources"] if r["type"] == RCG)
    assert [c["name"] for c in group["inputs"]["ruleCollections"]] == ["chalk-media", "chalk-signaling"]
    assert set(data["outputs"]) == AZURE_EXPORTS
    assert data["outputs"]["nsgRuleCount"] == 3 and data["outputs"]["regions"] == ["de1", "ie1"]


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
    types = [r["type"] for r in data["resources"]]
    assert types.count(COMPONENT) == 1 and types.count(AZ_COMPONENT) == 1
    assert types.count(NSG) == types.count(AZ_POLICY) == types.count(RCG) == 1
    assert set(data["outputs"]) == EXPORTS | AZURE_EXPORTS
    text = previews["prod", "text"]
    assert "AWS outbound rules per security group (quota 60" in text
    assert "  Azure rules per network security group:\n    chalk-azure-nsg      4/1000   ok" in text
    assert "    chalk-azure-nsg     29/4000 " in text
