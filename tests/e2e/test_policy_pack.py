"""The chalk-media pack under the real engine: `pulumi preview --policy-pack` on the repo's stacks and on two
non-compliant programs of a user's own, and `--policy-pack-config` with a good and a bad file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_kit import PACK, PROGRAMS, REPO, TRACEBACK, Workspace, new_workspace

STACKS = ("dev", "prod", "azure-tcp", "proxy")
POLICY_NAMES = ("chalk-media-egress-required", "chalk-signaling-hosts-required", "chalk-media-egress-least-privilege",
                "chalk-option-consistency", "chalk-egress-unverified")


def fixture_program(engine: Path, tmp_path: Path, name: str) -> Workspace:
    return new_workspace(tmp_path, engine, PROGRAMS / name, stack="e2e")


@pytest.mark.parametrize("stack", STACKS)
def test_repo_stacks_pass_the_pack(chalk_network: Callable[[str], Workspace], stack: str) -> None:
    workspace = chalk_network(stack)
    run = workspace.pulumi("preview", "--policy-pack", str(PACK))
    assert run.returncode == 0, run.output
    # The engine's own summary names the pack it ran.
    assert "chalk-media@v0.1.0" in run.output, run.output
    assert "mandatory" not in run.output.lower(), run.output
    assert TRACEBACK not in run.output


def test_aws_program_missing_a_jp1_range_fails(engine: Path, tmp_path: Path) -> None:
    workspace = fixture_program(engine, tmp_path, "aws-missing-jp1")
    run = workspace.pulumi("preview", "--policy-pack", str(PACK))
    assert run.returncode != 0, run.output
    for expected in ("chalk-media-egress-required", "mandatory", "jp1", "18.180.220.128/25", "UDP"):
        assert expected in run.output, f"{expected!r} not in the engine's output:\n{run.output}"
    assert TRACEBACK not in run.output


def test_azure_program_with_a_higher_priority_deny_fails(engine: Path, tmp_path: Path) -> None:
    workspace = fixture_program(engine, tmp_path, "azure-deny")
    run = workspace.pulumi("preview", "--policy-pack", str(PACK))
    assert run.returncode != 0, run.output
    for expected in ("chalk-media-egress-required", "mandatory", "de1", "18.156.18.128/25", "3478", "deny-turn-de1"):
        assert expected in run.output, f"{expected!r} not in the engine's output:\n{run.output}"
    assert TRACEBACK not in run.output


def test_policy_pack_config_file_sets_the_requirement(engine: Path, tmp_path: Path) -> None:
    # The fixture stack asks for jp1 only; the organisation requires de1 too, through the real flag.
    workspace = fixture_program(engine, tmp_path, "aws-missing-jp1")
    config = tmp_path / "chalk-media.json"
    config.write_text(json.dumps({"chalk-media-egress-required": {"regions": ["de1"], "fromStackConfig": False}}))
    run = workspace.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config))
    assert run.returncode != 0, run.output
    assert "de1" in run.output and "52.59.186.0/27" in run.output, run.output


def test_policy_pack_config_of_the_wrong_type_is_one_clear_error(engine: Path, tmp_path: Path) -> None:
    workspace = fixture_program(engine, tmp_path, "aws-missing-jp1")
    config = tmp_path / "chalk-media.json"
    config.write_text(json.dumps({"chalk-media-egress-required": {"option": "four"}}))
    run = workspace.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config))
    assert run.returncode != 0, run.output
    # The engine checks the file against the pack's config schema before any policy runs.
    assert "chalk-media-egress-required: option: Invalid type. Expected: integer, given: string" in run.output, \
        run.output
    assert TRACEBACK not in run.output


def test_a_pack_that_cannot_load_fails_the_preview(chalk_network: Callable[[str], Workspace], tmp_path: Path) -> None:
    # The harness would notice a pack that stopped loading: a copy of ours with a broken import.
    broken = tmp_path / "broken-pack"
    shutil.copytree(PACK, broken)
    yaml_file = broken / "PulumiPolicy.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("../../.venv", str(REPO / ".venv")))
    main = broken / "__main__.py"
    main.write_text(main.read_text().replace("from chalk_policy.policies import POLICIES",
                                             "from chalk_policy.policies import NO_SUCH_NAME as POLICIES"))
    workspace = chalk_network("dev")
    run = workspace.pulumi("preview", "--policy-pack", str(broken))
    assert run.returncode != 0, run.output
    assert "NO_SUCH_NAME" in run.output, run.output


def test_a_users_own_program_with_only_the_component_passes_with_no_config(engine: Path, tmp_path: Path) -> None:
    """The new-user scenario: ChalkAwsEgress(regions=[de1, ie1]) and no Chalk config key; the pack follows what the
    component was asked for (its chalkIntent in AnalyzeStack), not every region of the catalog."""
    workspace = fixture_program(engine, tmp_path, "user-component")
    run = workspace.pulumi("preview", "--policy-pack", str(PACK))
    assert run.returncode == 0, run.output
    assert "mandatory" not in run.output and TRACEBACK not in run.output, run.output


def test_an_organisation_requirement_the_component_lacks_is_one_finding(engine: Path, tmp_path: Path) -> None:
    """The policy config requires jp1 too; the component was asked for de1 and ie1: one mandatory finding names
    both sources (the media rules the component did not create for jp1 are reported as well)."""
    workspace = fixture_program(engine, tmp_path, "user-component")
    config = tmp_path / "chalk-media.json"
    config.write_text(json.dumps({"chalk-media-egress-required": {"regions": ["de1", "ie1", "jp1"]}}))
    run = workspace.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config))
    assert run.returncode != 0, run.output
    assert run.output.count("The policy config requires regions de1, ie1, jp1") == 1, run.output
    assert "but ChalkAwsEgress 'chalk' (regions de1, ie1; option 1; standard) was asked for less: it lacks " \
           "region jp1" in " ".join(run.output.split()), run.output
