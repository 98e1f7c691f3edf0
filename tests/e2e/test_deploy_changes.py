"""`pulumi up` of the dev stack, then the changes a platform team makes, previewed by the real engine.

For each change, `pulumi preview --json --show-sames --diff` must show that no security group, NSG or firewall
policy is replaced and that only the rules of the changed ranges are created or deleted, new ones before old ones.
Everything is asserted from the engine's own steps.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_kit import PROJECT_FILES, REPO, Workspace, new_workspace, resource_type, steps

from chalk_policy.planning.intent import INTENT_TYPES

EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
REPLACING = {"replace", "create-replacement", "delete-replaced", "discard-replaced", "import-replacement"}
DE1 = {"52.59.186.0/27", "18.195.48.224/27", "18.156.18.128/25"}
US2 = {"34.216.110.128/27", "54.244.51.0/24", "44.234.69.0/25"}
NEW_JP1 = "13.115.245.0/27"
OPTION_1_PORTS = {(443, 443), (3478, 3478), (10000, 60000)}


@pytest.fixture(scope="module")
def deployed(engine: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = new_workspace(tmp_path_factory.mktemp("deployed"), engine, REPO, PROJECT_FILES, "dev")
    workspace.pulumi("up", "--yes", "--skip-preview", check=True)
    yield workspace


@pytest.fixture
def dev(deployed: Workspace) -> Iterator[Workspace]:
    """The deployed dev stack; the stack file is restored after each test."""
    stack_file = deployed.project / "stacks" / "Pulumi.dev.yaml"
    saved = stack_file.read_text()
    yield deployed
    stack_file.write_text(saved)
    for extra in deployed.project.glob("overlay-*.yaml"):
        extra.unlink()


def preview_steps(workspace: Workspace) -> list[dict[str, Any]]:
    run = workspace.pulumi("preview", "--json", "--show-sames", "--diff")
    assert run.returncode == 0, run.output
    return steps(run.json())


def by_op(all_steps: list[dict[str, Any]], *ops: str) -> list[dict[str, Any]]:
    return [step for step in all_steps if step["op"] in ops]


def egress_rule(step: dict[str, Any]) -> tuple[str, str, int, int]:
    state = step.get("newState") or step.get("oldState") or {}
    inputs = state.get("inputs", {})
    return inputs["cidrIpv4"], inputs["ipProtocol"], int(inputs["fromPort"]), int(inputs["toPort"])


def assert_nothing_replaced(all_steps: list[dict[str, Any]]) -> None:
    replaced = [(step["op"], step["urn"]) for step in all_steps if step["op"] in REPLACING]
    assert not replaced, f"replacements: {replaced}"


def assert_rules_for(changed: list[dict[str, Any]], cidrs: set[str]) -> None:
    assert changed, "no rule steps"
    assert {resource_type(step) for step in changed} == {EGRESS}, [step["urn"] for step in changed]
    rules = {egress_rule(step) for step in changed}
    assert {cidr for cidr, *_ in rules} == cidrs
    assert rules == {(cidr, "udp", low, high) for cidr in cidrs for low, high in OPTION_1_PORTS}


def assert_only_in_place_updates(all_steps: list[dict[str, Any]]) -> None:
    """Region and catalog changes update, in place, the Network Firewall rule groups' contents (host names, IP
    sets) and the catalog version in their description and tags, the shards' `chalk:*` tags, and the component's
    recorded intent; never a rule."""
    for step in by_op(all_steps, "update"):
        changed = set(step.get("detailedDiff") or {})
        kind = resource_type(step)
        if kind == "aws:networkfirewall/ruleGroup:RuleGroup":
            assert changed and changed <= {"ruleGroup", "description", "tags"}, (step["urn"], changed)
        elif kind == "aws:networkfirewall/firewallPolicy:FirewallPolicy":
            assert changed and changed <= {"description", "tags"}, (step["urn"], changed)
        elif kind in INTENT_TYPES:  # the component records what it was asked for (chalkIntent): no cloud resource
            assert step["newState"]["inputs"]["chalkIntent"] != step["oldState"]["inputs"]["chalkIntent"], step["urn"]
        else:
            assert kind == "aws:ec2/securityGroup:SecurityGroup" and changed == {"tags"}, (step["urn"], changed)


def test_deployed_stack_previews_as_unchanged(dev: Workspace) -> None:
    all_steps = preview_steps(dev)
    assert all_steps and {step["op"] for step in all_steps} == {"same"}


def test_adding_a_region_creates_only_its_rules(dev: Workspace) -> None:
    dev.pulumi("config", "set", "--path", "regions[2]", "de1", check=True)
    all_steps = preview_steps(dev)
    assert_nothing_replaced(all_steps)
    assert not by_op(all_steps, "delete")
    assert_rules_for(by_op(all_steps, "create"), DE1)
    assert_only_in_place_updates(all_steps)


def test_removing_a_region_deletes_only_its_rules(dev: Workspace) -> None:
    dev.pulumi("config", "rm", "--path", "regions[1]", check=True)  # us2
    all_steps = preview_steps(dev)
    assert_nothing_replaced(all_steps)
    assert not by_op(all_steps, "create")
    assert_rules_for(by_op(all_steps, "delete"), US2)
    # The groups the catalog needs all stay, even one that holds no rule now.
    assert not [s for s in by_op(all_steps, "delete") if resource_type(s) == "aws:ec2/securityGroup:SecurityGroup"]
    assert_only_in_place_updates(all_steps)


def test_a_cidr_added_and_one_removed_by_overlay_creates_before_deleting(dev: Workspace) -> None:
    overlay = dev.project / "overlay-swap.yaml"
    overlay.write_text(
        'overlay: 1\nversion: "2026120101"\nregions:\n'
        f"  - id: jp1\n    add_cidrs:\n      - {{cidr: {NEW_JP1}, source: ptc-av, evidence: retrieved}}\n"
        "    remove_cidrs: [54.65.63.192/26]\n"
    )
    dev.pulumi("config", "set", "catalogOverlay", overlay.name, check=True)
    all_steps = preview_steps(dev)
    assert_nothing_replaced(all_steps)
    creates, deletes = by_op(all_steps, "create"), by_op(all_steps, "delete")
    assert_rules_for(creates, {NEW_JP1})
    assert_rules_for(deletes, {"54.65.63.192/26"})
    assert_only_in_place_updates(all_steps)
    order = [step["op"] for step in all_steps if step["op"] in ("create", "delete")]
    assert order.index("delete") > max(i for i, op in enumerate(order) if op == "create"), order


def test_reordering_the_catalog_changes_nothing(dev: Workspace) -> None:
    # Removing a range and adding it back moves it to the end of jp1's list: same ranges, another order.
    overlay = dev.project / "overlay-reorder.yaml"
    overlay.write_text(
        'overlay: 1\nversion: "2026120101"\nregions:\n'
        "  - id: jp1\n    add_cidrs:\n      - {cidr: 13.115.244.0/27, source: ptc-av, evidence: seed}\n"
        "    remove_cidrs: [13.115.244.0/27]\n"
        "  - id: us2\n    add_cidrs:\n      - {cidr: 34.216.110.128/27, source: twilio-video-ip, evidence: retrieved}\n"
        "    remove_cidrs: [34.216.110.128/27]\n"
    )
    dev.pulumi("config", "set", "catalogOverlay", overlay.name, check=True)
    dev.pulumi("config", "set", "--path", "regions[0]", "us2", check=True)
    dev.pulumi("config", "set", "--path", "regions[1]", "jp1", check=True)
    all_steps = preview_steps(dev)
    assert {step["op"] for step in all_steps} == {"same"}, sorted({(s["op"], s["urn"]) for s in all_steps
                                                                   if s["op"] != "same"})


@pytest.mark.parametrize("stack", ["prod", "azure-tcp", "proxy"])
def test_up_then_preview_shows_no_change(chalk_network: Callable[[str], Workspace], stack: str) -> None:
    # Whatever the program computes is deterministic: a second run of the same stack changes nothing.
    workspace = chalk_network(stack)
    workspace.pulumi("up", "--yes", "--skip-preview", check=True)
    all_steps = preview_steps(workspace)
    assert len(all_steps) > 1 and {step["op"] for step in all_steps} == {"same"}, sorted(
        {(s["op"], s["urn"]) for s in all_steps if s["op"] != "same"})


def test_the_readme_saved_plan_workflow_on_a_pull_request(dev: Workspace) -> None:
    # README "Policy checks in pull requests", saved-plan job: the exact commands, on a PR that adds a region.
    dev.pulumi("config", "set", "--path", "regions[2]", "de1", check=True)
    chalk_policy = Path(sys.executable).parent / "chalk-policy"
    for flags, code in ((("--json", "--show-sames"), 0), (("--json",), 2)):
        plan = dev.root / "plan.json"
        plan.write_text(dev.pulumi("preview", *flags, check=True).stdout)
        sarif = dev.root / "chalk.sarif"
        sarif.unlink(missing_ok=True)
        result = subprocess.run([str(chalk_policy), "check", str(plan), "--format", "sarif", "--output", str(sarif)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == code, result.stdout + result.stderr
        if code == 0:
            assert json.loads(sarif.read_text())["runs"][0]["results"] == []
        else:
            assert "--show-sames" in result.stderr and not sarif.exists()
