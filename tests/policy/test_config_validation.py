"""A policy config (`--policy-config`) is checked whole before any policy runs: a bad one is a usage error (exit 2,
one line naming the file, the key, the bad value and the allowed values), never silently ignored (exit 0) and
never a mandatory finding (exit 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from chalk_testkit import ALLOWED_REGIONS
from click.testing import CliRunner, Result
from policy_kit import ROOT
from pulumi_policy import EnforcementLevel

from chalk_policy.cli.main import cli
from chalk_policy.policies import CHALK_POLICIES, CONFIG_SCHEMA
from chalk_policy.policies.analysis import Analysis, evaluate
from chalk_policy.policies.config import PolicyConfigError, schema_problem, validate_policy_config

MEDIA = "chalk-media-egress-required"
HOSTS = "chalk-signaling-hosts-required"
CLEAN_PLAN = ROOT / "tests" / "fixtures" / "engine" / "dev-preview-create.json"
"""The dev stack's `pulumi preview --json` (regions jp1, us2): clean under its own requirement."""
LEVELS = "advisory, mandatory, remediate, disabled"
REGIONS = ALLOWED_REGIONS
SETTINGS = "regions, option, encryption, clientTag, clientCidrs, catalogOverlay, fromStackConfig"
NAMES = ("all, chalk-media-egress-required, chalk-signaling-hosts-required, chalk-media-egress-least-privilege, "
         "chalk-option-consistency, chalk-egress-unverified")
TAG = 'an object {"key": a non-empty string (required), "value": a string}'


def check(tmp_path: Path, config: Any, *args: str) -> tuple[Result, Path]:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(config))
    return CliRunner().invoke(cli, ["check", str(CLEAN_PLAN), "--project-dir", str(ROOT), "--policy-config",
                                    str(policy), *args]), policy


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chalk-policy: error: ")
    return lines[0].removeprefix("chalk-policy: error: ")


BAD_CONFIGS = {
    "level very-mandatory": ({MEDIA: "very-mandatory"}, f"{MEDIA} is 'very-mandatory'; allowed: {LEVELS}"),
    "enforcementLevel very-mandatory": ({MEDIA: {"enforcementLevel": "very-mandatory"}},
                                        f"{MEDIA}.enforcementLevel is 'very-mandatory'; allowed: {LEVELS}"),
    "all very-mandatory": ({"all": "very-mandatory"}, f"all is 'very-mandatory'; allowed: {LEVELS}"),
    "entry given as a list": ({MEDIA: ["mandatory"]},
                              f"{MEDIA} is ['mandatory']; allowed: an enforcement level ({LEVELS}) or an object of "
                              f"enforcementLevel and settings ({SETTINGS})"),
    "entry given as null": ({MEDIA: None}, f"{MEDIA} is None; allowed: an enforcement level"),
    "unknown policy": ({"chalk-media-egress": "mandatory"},
                       f"'chalk-media-egress' is not a policy of the chalk-media pack; allowed: {NAMES}"),
    "unknown setting": ({MEDIA: {"region": ["jp1"]}},
                        f"{MEDIA}.region is not a setting of the chalk-media policies; allowed: {SETTINGS}"),
    "settings under all": ({"all": {"regions": ["jp1"]}}, "all.regions is set, but Pulumi applies only the "
                                                          "enforcementLevel of 'all'; allowed: enforcementLevel"),
    "option 7": ({MEDIA: {"option": 7}}, f"{MEDIA}.option: 7 is not a port option; allowed: 1, 2, 3"),
    "option as text": ({MEDIA: {"option": "2"}}, f"{MEDIA}.option is '2'; allowed: 1, 2, 3"),
    "unknown region": ({MEDIA: {"regions": ["xx9"]}}, f"{MEDIA}.regions: unknown region xx9; {REGIONS}"),
    "unknown region of another policy": ({HOSTS: {"regions": ["jp1", "xx9"]}},
                                         f"{HOSTS}.regions: unknown region xx9; {REGIONS}"),
    "all and a region": ({MEDIA: {"regions": ["all", "jp1"]}},
                         f"{MEDIA}.regions: 'all' cannot be combined with other regions; {REGIONS}"),
    "regions as text": ({MEDIA: {"regions": "all"}}, f"{MEDIA}.regions is 'all'; allowed: a non-empty list of strings"),
    "no regions": ({MEDIA: {"regions": []}}, f"{MEDIA}.regions is []; allowed: a non-empty list of strings"),
    "encryption": ({MEDIA: {"encryption": "rot13"}},
                   f"{MEDIA}.encryption: 'rot13' is not an encryption mode; allowed: e2ee, standard"),
    "clientTag as text": ({MEDIA: {"clientTag": "chalk"}}, f"{MEDIA}.clientTag is 'chalk'; allowed: {TAG}"),
    "clientTag without key": ({MEDIA: {"clientTag": {"value": "x"}}},
                              f"{MEDIA}.clientTag is {{'value': 'x'}}, without key; allowed: {TAG}"),
    "clientTag empty key": ({MEDIA: {"clientTag": {"key": ""}}},
                            f"{MEDIA}.clientTag.key is ''; allowed: a non-empty string"),
    "clientTag other key": ({MEDIA: {"clientTag": {"key": "a", "tag": "b"}}},
                            f"{MEDIA}.clientTag.tag is not a key of {MEDIA}.clientTag; allowed: key, value"),
    "clientCidrs": ({MEDIA: {"clientCidrs": ["10.0.0.0/33"]}},
                    f"{MEDIA}.clientCidrs: '10.0.0.0/33' is not an IPv4 network; allowed: a list of IPv4 networks"),
    "fromStackConfig": ({MEDIA: {"fromStackConfig": "no"}}, f"{MEDIA}.fromStackConfig is 'no'; allowed: true or "
                                                            "false"),
    "overlay": ({MEDIA: {"catalogOverlay": "no-such-overlay.yaml"}},
                f"{MEDIA}.catalogOverlay: {Path.cwd() / 'no-such-overlay.yaml'}: file not found; allowed: a valid "
                "catalog overlay file"),
    "version 3": ({"version": 3, "policies": {}}, "version is 3; allowed: 2"),
    "version 2 with a bad level": ({"version": 2, "policies": {MEDIA: "strict"}},
                                   f"{MEDIA} is 'strict'; allowed: {LEVELS}"),
    "environments": ({"environments": ["org/chalk"]},
                     "environments is ['org/chalk']: ESC environments cannot be resolved offline"),
}


@pytest.mark.parametrize(("config", "expected"), list(BAD_CONFIGS.values()), ids=list(BAD_CONFIGS))
def test_a_bad_policy_config_is_a_usage_error_naming_file_key_value_and_allowed(tmp_path: Path, config: Any,
                                                                                 expected: str) -> None:
    result, policy = check(tmp_path, config)
    assert one_line_error(result).startswith(f"--policy-config: {policy}: {expected}")


def test_a_bad_policy_config_is_refused_before_any_plan_is_read(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({MEDIA: {"option": 7}}))
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "no-such-plan.json"), "--policy-config", str(policy)])
    assert one_line_error(result).startswith(f"--policy-config: {policy}: {MEDIA}.option: 7")


def test_a_bad_policy_config_in_a_real_process_is_exactly_one_line(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({MEDIA: "very-mandatory"}))
    done = subprocess.run([sys.executable, "-m", "chalk_policy", "check", str(CLEAN_PLAN), "--project-dir", str(ROOT),
                           "--policy-config", str(policy)], capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"chalk-policy: error: --policy-config: {policy}: {MEDIA} is 'very-mandatory'; allowed: "
                           f"{LEVELS}\n")


GOOD_CONFIGS = {
    "nothing": ({}, 0),
    "levels": ({"all": "advisory", MEDIA: "disabled"}, 0),
    "all as an object": ({"all": {"enforcementLevel": "disabled"}}, 0),
    "remediate": ({MEDIA: "remediate"}, 0),
    "settings": ({MEDIA: {"enforcementLevel": "mandatory", "regions": ["jp1", "us2"], "option": 1.0,
                          "encryption": "standard", "clientTag": {"key": "environment", "value": "dev"},
                          "clientCidrs": ["10.0.0.0/8"], "catalogOverlay": "", "fromStackConfig": True}}, 0),
    "every region": ({MEDIA: {"regions": ["all"]}}, 1),
    "a region the stack lacks": ({MEDIA: {"regions": ["jp1", "us2", "de1"]}}, 1),
    "version 2": ({"version": 2, "policies": {MEDIA: {"regions": ["de1"]}}, "environments": [], "exceptions": []}, 1),
    "empty environments": ({"environments": [], MEDIA: "advisory"}, 0),
}


@pytest.mark.parametrize(("config", "code"), list(GOOD_CONFIGS.values()), ids=list(GOOD_CONFIGS))
def test_a_valid_policy_config_still_checks_as_before(tmp_path: Path, config: Any, code: int) -> None:
    result, _ = check(tmp_path, config, "--format", "json")
    assert result.exit_code == code, result.output
    findings = json.loads(result.stdout)["findings"]
    assert not [f for f in findings if "Cannot check" in f["message"]], findings
    assert bool([f for f in findings if f["level"] == "mandatory"]) == bool(code)


def test_all_as_an_object_sets_every_level_as_pulumi_does(tmp_path: Path) -> None:
    # Pulumi's applyConfig takes the enforcementLevel of an "all" object too: the requirement's gaps become advisory.
    result, _ = check(tmp_path, {"all": {"enforcementLevel": "advisory"}, MEDIA: {"regions": ["de1"]}}, "--format",
                      "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings and {f["level"] for f in findings} == {"advisory"}


def test_the_command_lines_settings_are_still_checked_on_a_valid_policy_config(tmp_path: Path) -> None:
    result, _ = check(tmp_path, {MEDIA: "advisory"}, "--option", "4")
    assert one_line_error(result) == "--option: '4' is not a port option; allowed: 1, 2, 3"


def test_allowed_values_come_from_where_they_are_defined() -> None:
    assert ", ".join(level.value for level in EnforcementLevel) == LEVELS
    assert ", ".join(("all", *(spec.name for spec in CHALK_POLICIES))) == NAMES
    assert ", ".join(CONFIG_SCHEMA) == SETTINGS
    with pytest.raises(PolicyConfigError) as refused:
        validate_policy_config({MEDIA: {"clientTag": 1}})
    assert TAG in str(refused.value)  # from the schema's properties of clientTag


def test_a_validated_config_never_stops_a_policy_at_run_time() -> None:
    """What the CLI accepts, the pack runs: no "Cannot check Chalk egress" from the same properties."""
    for config, _code in GOOD_CONFIGS.values():
        entries = validate_policy_config(config, Path.cwd())
        for spec in CHALK_POLICIES:
            entry = entries.get(spec.name)
            properties = {k: v for k, v in entry.items() if k != "enforcementLevel"} if isinstance(entry, dict) else {}
            messages = [f.message for f in evaluate(spec, Analysis([]), properties, {}, None, Path.cwd())]
            assert not [m for m in messages if m.startswith("Cannot check")], (config, messages)


def test_the_pack_reports_what_the_cli_refuses_with_the_same_words() -> None:
    """The pack (where the engine let a value through) and the CLI read properties with the same functions."""
    media = next(spec for spec in CHALK_POLICIES if spec.name == MEDIA)
    for properties in ({"regions": ["xx9"]}, {"option": 7}, {"clientCidrs": ["10.0.0.0/33"]}):
        [finding] = evaluate(media, Analysis([]), {**properties, "fromStackConfig": False}, {}, None)
        with pytest.raises(PolicyConfigError) as refused:
            validate_policy_config({MEDIA: properties})
        detail = str(refused.value).removeprefix(f"{MEDIA}.")
        assert finding.message == f"Cannot check Chalk egress: policy config: {detail}"


ENGINE_SCHEMA = {"type": "object", "properties": CONFIG_SCHEMA}
"""The schema the engine checks each policy's properties against (analyzer/config.go's convertSchema)."""
VALUES = [None, True, False, 0, 1, 2, 2.0, 2.5, 7, -1, "", "x", "2", "all", "standard", "e2ee", [], ["jp1"], [1],
          ["jp1", ""], {}, {"key": "a"}, {"key": ""}, {"key": "a", "value": 1}, {"value": "b"}, {"key": "a", "x": "y"}]


@pytest.mark.parametrize("key", list(CONFIG_SCHEMA))
def test_the_schema_check_agrees_with_json_schema(key: str) -> None:
    for value in VALUES:
        engine_refuses = not jsonschema.Draft7Validator(ENGINE_SCHEMA).is_valid({key: value})
        assert (schema_problem(CONFIG_SCHEMA[key], value, key) is not None) == engine_refuses, (key, value)
