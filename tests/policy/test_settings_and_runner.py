"""Policy settings (policy config vs stack config) and the in-process runner used by `chalk-policy preview`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from policy_kit import ROOT

from chalk_policy.cli.main import cli
from chalk_policy.coverage import Resource, TagSelector
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.policies import CONFIG_SCHEMA
from chalk_policy.policies.runner import run_policies
from chalk_policy.policies.settings import NO_REQUIREMENT, PolicySettingsError, read_settings

DEFAULTS = {key: spec["default"] for key, spec in CONFIG_SCHEMA.items() if "default" in spec}
DEV = {"chalk-network:regions": '["jp1", "us2"]', "chalk-network:option": "1", "chalk-network:encryption": "e2ee"}


def test_without_any_source_there_is_no_requirement_not_every_region() -> None:
    # the schema no longer defaults the requirement: an unconfigured check is not "every region, option 1"
    assert not {"regions", "option", "encryption"} & set(DEFAULTS)
    settings = read_settings(DEFAULTS, {}, "chalk-network")
    assert (settings.regions, settings.option, settings.encryption, settings.selector, settings.overlay,
            settings.source, settings.required) == (None, 1, "standard", None, None, "no requirement", False)
    with pytest.raises(PolicySettingsError) as raised:
        settings.resolve()
    assert str(raised.value) == NO_REQUIREMENT


def test_the_stack_config_wins_when_from_stack_config() -> None:
    settings = read_settings(DEFAULTS, DEV, "chalk-network")
    assert (settings.regions, settings.option, settings.encryption) == (("jp1", "us2"), 1, "e2ee")
    assert settings.source == "stack config (chalk-network:regions)"


def test_from_stack_config_false_enforces_the_policy_config() -> None:
    settings = read_settings({**DEFAULTS, "fromStackConfig": False, "regions": ["de1"], "option": 3.0}, DEV,
                             "chalk-network")
    assert (settings.regions, settings.option, settings.source) == (("de1",), 3, "policy config")


def test_another_projects_keys_are_ignored() -> None:
    settings = read_settings(DEFAULTS, DEV, "other-project")
    assert (settings.regions, settings.source) == (None, "no requirement")


def test_plain_string_regions_and_tag_selector_and_relative_overlay(tmp_path: Path) -> None:
    settings = read_settings({**DEFAULTS, "clientTag": {"key": "chalk", "value": "client"},
                              "catalogOverlay": "overlay.yaml"},
                             {"chalk-network:regions": "all"}, "chalk-network", tmp_path)
    assert settings.regions == "all"
    assert settings.selector == TagSelector("chalk", "client")
    assert settings.overlay == str(tmp_path / "overlay.yaml")


def test_client_cidrs_become_the_clients_of_the_checks() -> None:
    settings = read_settings({**DEFAULTS, "clientCidrs": ["10.20.0.0/16", "192.168.1.0/24"]}, {}, None)
    assert settings.options.clients == Addresses.of("10.20.0.0/16", "192.168.1.0/24")
    assert read_settings(DEFAULTS, {}, None).options.clients is None  # not configured: unknown, never "anywhere"


@pytest.mark.parametrize(("value", "shown", "what"), [
    (["10.0.0.0/33"], "'10.0.0.0/33'", "an IPv4 network"),
    (["2001:db8::/32"], "'2001:db8::/32'", "an IPv4 network"),
    ("10.0.0.0/8", "'10.0.0.0/8'", "a list of client networks"),
    ([], "[]", "a list of client networks"),
])
def test_bad_client_cidrs_name_the_key_and_the_allowed_values(value: object, shown: str, what: str) -> None:
    with pytest.raises(PolicySettingsError) as raised:
        read_settings({**DEFAULTS, "clientCidrs": value}, {}, None)
    assert str(raised.value) == (f"policy config: clientCidrs: {shown} is not {what}; allowed: a list of IPv4 "
                                 'networks, e.g. ["10.20.0.0/16"]')


def test_an_unplannable_setting_names_its_source() -> None:
    settings = read_settings(DEFAULTS, {**DEV, "chalk-network:encryption": "rot13"}, "chalk-network")
    with pytest.raises(PolicySettingsError) as raised:
        settings.resolve()
    assert str(raised.value) == ("stack config (chalk-network:regions): encryption: 'rot13' is not an encryption "
                                 "mode; allowed: e2ee, standard")


def _egress(cidr: str, port: int) -> Resource:
    return Resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", f"urn:{cidr}:{port}", "r",
                    {"cidrIpv4": cidr, "ipProtocol": "udp", "fromPort": port, "toPort": port})


def test_runner_levels_follow_the_pack_config() -> None:
    resources = [_egress("13.115.244.0/27", 443)]
    settings = {"fromStackConfig": False, "regions": ["jp1"]}
    default = run_policies(resources, config={"chalk-media-egress-required": settings})
    assert {v.level for v in default if v.policy == "chalk-media-egress-required"} == {"mandatory"}
    relaxed = run_policies(resources, config={"all": "advisory", "chalk-media-egress-required": settings})
    assert {v.level for v in relaxed} == {"advisory"}
    # disabled with a requirement that the rule above does not meet (it would report jp1's other ports)
    disabled = run_policies(resources, config={"chalk-media-egress-required": {"enforcementLevel": "disabled",
                                                                               **settings}})
    assert all(v.policy != "chalk-media-egress-required" for v in disabled)


def test_preview_reports_violations_and_exits_1_on_a_mandatory_one(tmp_path: Path) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"chalk-media-egress-required": {"fromStackConfig": False, "regions": ["de1"]}}))
    runner = CliRunner()
    result = runner.invoke(cli, ["preview", "--stack", "dev", "--project-dir", str(ROOT), "--format", "json",
                                 "--policy-config", str(config)])
    assert result.exit_code == 1, result.output
    violations = json.loads(result.stdout)["chalkPolicyViolations"]
    assert {(v["policy"], v["level"]) for v in violations} == {("chalk-media-egress-required", "mandatory")}
    # the stack's ChalkAwsEgress was asked for jp1 and us2: named once with the requirement, then each gap
    assert [v["message"].split(":", 1)[0] for v in violations] == [
        "The policy config requires regions de1 (option 1, standard), but ChalkAwsEgress 'chalk' (regions jp1, us2; "
        "option 1; standard) was asked for less", "Region de1 (Germany)", "Region de1 (Germany)"]


def test_preview_of_a_compliant_stack_has_no_violations() -> None:
    result = CliRunner().invoke(cli, ["preview", "--stack", "dev", "--project-dir", str(ROOT), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["chalkPolicyViolations"] == []


def test_preview_with_a_bad_policy_config_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "policy.json"
    bad.write_text("[1, 2")
    result = CliRunner().invoke(cli, ["preview", "--stack", "dev", "--project-dir", str(ROOT),
                                      "--policy-config", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"chalk-policy: error: --policy-config: {bad}: not a JSON document")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("config", "message"), [
    ({"regions": 5}, "policy config: regions: 5 is not a region id or a list of region ids; allowed: \"all\", a "
                     "region id such as \"jp1\", or a non-empty list of region ids"),
    ({"regions": ["jp1", 2]}, "policy config: regions: ['jp1', 2] is not a region id or a list of region ids; "
                              "allowed: \"all\", a region id such as \"jp1\", or a non-empty list of region ids"),
    ({"regions": []}, "policy config: regions: [] is not a region id or a list of region ids; allowed: \"all\", a "
                      "region id such as \"jp1\", or a non-empty list of region ids"),
    ({"option": 4}, "policy config: option: 4 is not a port option; allowed: 1, 2, 3"),
    ({"option": "two"}, "policy config: option: 'two' is not a port option; allowed: 1, 2, 3"),
    ({"option": True}, "policy config: option: True is not a port option; allowed: 1, 2, 3"),
    ({"option": [1]}, "policy config: option: [1] is not a port option; allowed: 1, 2, 3"),
    ({"encryption": 1}, "policy config: encryption: 1 is not an encryption mode; allowed: e2ee, standard"),
    ({"clientTag": "chalk"}, "policy config: clientTag: 'chalk' is not a tag selector; allowed: {\"key\": \"<tag "
                             "key>\"} or {\"key\": \"<tag key>\", \"value\": \"<tag value>\"}"),
    ({"clientTag": {"key": ""}}, "policy config: clientTag: {'key': ''} is not a tag selector; allowed: {\"key\": "
                                 "\"<tag key>\"} or {\"key\": \"<tag key>\", \"value\": \"<tag value>\"}"),
    ({"clientTag": {"key": "a", "value": 3}}, "policy config: clientTag: {'key': 'a', 'value': 3} is not a tag "
                                              "selector; allowed: {\"key\": \"<tag key>\"} or {\"key\": \"<tag "
                                              "key>\", \"value\": \"<tag value>\"}"),
])
def test_invalid_settings_name_key_value_and_allowed(config: dict, message: str) -> None:
    with pytest.raises(PolicySettingsError) as raised:
        read_settings({**DEFAULTS, "fromStackConfig": False, **config}, {}, "chalk-network")
    assert str(raised.value) == message


def test_option_as_digit_string_and_stack_config_source() -> None:
    assert read_settings({**DEFAULTS, "fromStackConfig": False, "option": "2"}, {}, None).option == 2
    with pytest.raises(PolicySettingsError) as raised:
        read_settings(DEFAULTS, {**DEV, "chalk-network:option": "9"}, "chalk-network")
    assert str(raised.value) == "stack config (chalk-network:regions): option: 9 is not a port option; allowed: 1, 2, 3"


def test_bad_settings_and_crashing_checks_become_one_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalk_policy.policies.analysis import CHECKS, Analysis, evaluate
    from chalk_policy.policies.pack import CHALK_POLICIES

    media, advisory = CHALK_POLICIES[0], CHALK_POLICIES[2]
    bad = {**DEFAULTS, "fromStackConfig": False, "clientTag": "chalk"}
    [finding] = evaluate(media, Analysis([]), bad, {}, None)
    assert finding.message.startswith("Cannot check Chalk egress: policy config: clientTag: 'chalk' is not")
    assert evaluate(advisory, Analysis([]), bad, {}, None) == []

    def boom(*_: object) -> tuple:
        raise RuntimeError("boom\n  at line 2")

    for check in media.checks + advisory.checks:
        monkeypatch.setitem(CHECKS, check, boom)
    required = {**DEFAULTS, "fromStackConfig": False, "regions": ["jp1"]}
    [finding] = evaluate(media, Analysis([]), required, {}, None)
    assert (finding.kind.value, finding.message) == ("violation", "Cannot check Chalk egress: boom at line 2")
    assert evaluate(advisory, Analysis([]), required, {}, None) == []
    # no requirement: no check runs (so none crashes); only the unverified policy says how to set one
    unset = {**DEFAULTS, "fromStackConfig": False}
    assert evaluate(media, Analysis([]), unset, {}, None) == []
    unverified = next(spec for spec in CHALK_POLICIES if spec.name == "chalk-egress-unverified")
    assert [(f.kind.value, f.message) for f in evaluate(unverified, Analysis([]), unset, {}, None)] == [
        ("note", NO_REQUIREMENT)]
