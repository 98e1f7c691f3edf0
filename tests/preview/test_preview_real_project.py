"""`chalk-policy preview` on the repository's own Pulumi project (Pulumi.yaml, __main__.py, stacks/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chalk_policy.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [ROOT / "Pulumi.yaml", ROOT / "__main__.py", ROOT / "stacks" / "Pulumi.dev.yaml",
             ROOT / "stacks" / "Pulumi.prod.yaml"]
MISSING = [str(p.relative_to(ROOT)) for p in REQUIRED if not p.is_file()]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"the real Pulumi project is not there yet: {MISSING}")

COMPONENT = "chalk:index:ChalkAwsEgress"
SG = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
EXPORTS = {"securityGroupIds", "ruleCounts", "firewallPolicyArn", "ruleGroupArns", "catalogVersion", "regions"}


@pytest.fixture(scope="module")
def previews() -> dict[tuple[str, str], str]:
    """stdout of `preview --stack S --format F` for dev and prod, text and json (one run per combination)."""
    outputs = {}
    for stack in ("dev", "prod"):
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
