"""Where the requirement comes from, in order (chalk_policy.policies.settings), and the new-user scenario: a program
of a user's own (tests/e2e/programs/user-component: only ChalkAwsEgress for de1 and ie1, no Chalk config key)
passes under the SDK mock engine and through the pack over gRPC; the real engine runs it in tests/e2e."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analyzer import policy_pack, struct
from click.testing import CliRunner
from policy_kit import PACK, ROOT
from pulumi.runtime.proto import analyzer_pb2

from chalk_policy.cli.main import cli
from chalk_policy.planning.intent import Intent
from chalk_policy.policies import CONFIG_SCHEMA
from chalk_policy.policies.settings import NO_REQUIREMENT, read_settings
from chalk_policy.preview import load_stack_config, run_program

USER = ROOT / "tests" / "e2e" / "programs" / "user-component"
AWS = Intent("ChalkAwsEgress 'chalk'", ("de1", "ie1"), 1, "standard")
AZURE = Intent("ChalkAzureEgress 'nsg'", ("us2",), 1, "standard")
STACK = {"proj:regions": '["jp1"]', "proj:option": "3"}
SCHEMA = {key: spec["default"] for key, spec in CONFIG_SCHEMA.items() if "default" in spec}  # what the engine adds


def test_1_the_policy_config_wins_when_it_sets_regions() -> None:
    settings = read_settings({**SCHEMA, "regions": ["de1", "jp1"]}, STACK, "proj", components=[AWS])
    assert (settings.regions, settings.option, settings.source) == (("de1", "jp1"), 1, "policy config")


def test_2_else_the_components_with_the_union_of_their_regions() -> None:
    settings = read_settings(SCHEMA, STACK, "proj", components=[AWS, AZURE])
    assert (settings.regions, settings.option, settings.encryption) == (("de1", "ie1", "us2"), 1, "standard")
    assert settings.source == "components (ChalkAwsEgress 'chalk', ChalkAzureEgress 'nsg')"


def test_3_else_the_stack_config() -> None:
    settings = read_settings(SCHEMA, STACK, "proj")
    assert (settings.regions, settings.option, settings.source) == (("jp1",), 3, "stack config (proj:regions)")


def test_4_else_no_requirement() -> None:
    settings = read_settings(SCHEMA, {}, "proj")
    assert (settings.required, settings.source) == (False, "no requirement")


def test_from_stack_config_false_leaves_only_the_policy_config() -> None:
    settings = read_settings({**SCHEMA, "fromStackConfig": False}, STACK, "proj", components=[AWS])
    assert settings.source == "no requirement"


def test_option_in_the_policy_config_replaces_the_sources_option() -> None:
    settings = read_settings({**SCHEMA, "option": 3}, STACK, "proj", components=[AWS])
    assert (settings.regions, settings.option, settings.source) == (("de1", "ie1"), 3, "components "
                                                                    "(ChalkAwsEgress 'chalk')")


def test_a_component_asking_for_less_than_the_policy_config_is_named_with_it() -> None:
    settings = read_settings({**SCHEMA, "regions": ["de1", "ie1", "jp1"], "option": 2}, {}, None, components=[AWS])
    assert settings.disagreements(settings.resolve()[1]) == [
        "The policy config requires regions de1, ie1, jp1 (option 2, standard), but ChalkAwsEgress 'chalk' (regions "
        "de1, ie1; option 1; standard) was asked for less: it lacks region jp1; option 1 instead of 2. Give the "
        "component the organisation's regions and option, or change the policy config if this stack is an agreed "
        "exception."]
    agreeing = read_settings({**SCHEMA, "regions": ["de1"]}, {}, None, components=[AWS])
    assert agreeing.disagreements(agreeing.resolve()[1]) == []


def _user_preview(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["preview", "--project-dir", str(USER), "--stack", "e2e", "--format", "json",
                                      *args])
    return result.exit_code, json.loads(result.output)


def test_the_users_own_program_passes_under_the_mock_engine_with_no_config() -> None:
    code, report = _user_preview()
    assert code == 0, report
    assert report["chalkPolicyViolations"] == []


def test_the_users_own_program_fails_an_organisation_requirement_once(tmp_path: Path) -> None:
    config = tmp_path / "org.json"
    config.write_text(json.dumps({"chalk-media-egress-required": {"regions": ["de1", "ie1", "jp1"]}}))
    code, report = _user_preview("--policy-config", str(config))
    assert code == 1
    named = [v for v in report["chalkPolicyViolations"] if v["message"].startswith("The policy config requires")]
    assert len(named) == 1 and "ChalkAwsEgress 'chalk'" in named[0]["message"]


def test_the_users_own_program_passes_the_pack_over_grpc() -> None:
    """AnalyzeStack gets every resource with its outputs, the component's registered chalkIntent included."""
    result = run_program(load_stack_config(USER, "e2e"), preview=True)
    resources = [analyzer_pb2.AnalyzerResource(type=r.type, urn=r.urn, name=r.name,
                                                properties=struct(r.outputs or r.inputs)) for r in result.resources]
    with policy_pack(PACK, stack="e2e", stack_config={}) as pack:
        pack.configure()
        diagnostics = pack.analyze_stack(resources)
    assert [d for d in diagnostics if d["level"] == "mandatory"] == []
    without_component = [r for r in resources if not r.type.startswith("chalk:index:")]
    with policy_pack(PACK, stack="e2e", stack_config={}) as pack:
        pack.configure()
        diagnostics = pack.analyze_stack(without_component)
    assert [d["message"].split("\n", 1)[1] for d in diagnostics] == [NO_REQUIREMENT]


@pytest.mark.parametrize(("project", "stack", "heading"), [
    ("tests/e2e/programs/user-component", "e2e",
     "Policies (chalk-media; regions de1, ie1, option 1, standard, from components (ChalkAwsEgress 'chalk')): no "
     "violations."),
    (".", "dev", "Policies (chalk-media; regions jp1, us2, option 1, standard, from components (ChalkAwsEgress "
     "'chalk')): no violations."),
    ("tests/e2e/programs/aws-missing-jp1", "e2e", "Policies (chalk-media; regions jp1, option 1, standard, from "
     "stack config (chalk-fixture-aws:regions)): 1 mandatory, 0 advisory"),
])
def test_the_preview_report_says_what_it_checked_against_and_where_that_came_from(
        project: str, stack: str, heading: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # a relative --project-dir, as a user types it
    result = CliRunner().invoke(cli, ["preview", "--project-dir", project, "--stack", stack])
    assert heading in result.output.splitlines(), result.output
