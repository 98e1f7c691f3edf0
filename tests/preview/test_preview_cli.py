"""`chalk-policy preview` through click's CliRunner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from preview_kit import COMPONENT_URN, RULE_URN, SG_URN, STACK_URN, state_named, states, write

from chalk_policy.cli.main import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["preview", *args])


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("chalk-policy: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in line, line
    return line


def test_json_is_the_preview_digest(project: Path) -> None:
    result = run("--stack", "dev", "--format", "json", "--project-dir", str(project), "--no-policies")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # `pulumi preview --json`'s keys (no diagnostics: the program logged nothing), then the stack outputs; no
    # chalkPolicyViolations without the policies.
    assert list(data) == ["config", "steps", "duration", "changeSummary", "chalkStackOutputs"]
    assert data["config"] == {"aws:region": "eu-west-1", "tiny:awsRulesPerGroup": "60",
                              "tiny:cidrs": '["10.0.0.0/8","172.16.0.0/12"]', "tiny:failWith": "", "tiny:port": "443",
                              "tiny:vpcId": "vpc-123"}
    assert [(s["op"], s["urn"], s["newState"]["type"], s["newState"]["custom"], s["newState"].get("parent"))
            for s in data["steps"]] == [
        ("create", STACK_URN, "pulumi:pulumi:Stack", False, None),
        ("create", COMPONENT_URN, "tiny:index:Egress", False, STACK_URN),
        ("create", SG_URN, "aws:ec2/securityGroup:SecurityGroup", True, COMPONENT_URN),
        ("create", RULE_URN.format(0), "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", True, COMPONENT_URN),
        ("create", RULE_URN.format(1), "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", True, COMPONENT_URN),
    ]
    assert all(list(s) == ["op", "urn", "newState", "detailedDiff"] and s["detailedDiff"] is None
               for s in data["steps"])
    assert states(data)[RULE_URN.format(1)]["inputs"]["cidrIpv4"] == "172.16.0.0/12"
    assert data["changeSummary"] == {"create": 5}
    assert isinstance(data["duration"], int) and data["duration"] > 0
    assert set(data["chalkStackOutputs"]) == {"sgId", "sgArn", "cidrs", "ruleCount", "stack"}


def test_text_and_config_override_and_project_found_from_a_subdirectory(project: Path) -> None:
    sub = project / "stacks"
    old = os.getcwd()
    os.chdir(sub)
    try:
        result = run("--stack", "dev", "--config", "port=3478", "--config", "tiny:cidrs=[\"192.168.0.0/16\"]",
                     "--no-policies")
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert "cidrIpv4=192.168.0.0/16" in result.stdout and "fromPort=3478" in result.stdout
    assert "10.0.0.0/8" not in result.stdout.split("Outputs:")[0]


@pytest.mark.parametrize("name", ["b@d", "a/b", "../dev"])
def test_bad_stack_name(project: Path, name: str) -> None:
    assert_one_line_error(run("--stack", name, "--project-dir", str(project)), f"stack name {name!r} is not valid")


def test_missing_stack_lists_stacks(project: Path) -> None:
    assert_one_line_error(run("--stack", "staging", "--project-dir", str(project)),
                          "Pulumi.staging.yaml: no such stack file", "stacks in", ": dev")


def test_secure_value_is_refused_and_can_be_overridden(project: Path) -> None:
    write(project / "stacks" / "Pulumi.sec.yaml", "config:\n  tiny:vpcId:\n    secure: v1:AAAAB3Nza\n")
    assert_one_line_error(run("--stack", "sec", "--project-dir", str(project)),
                          "tiny:vpcId", "can't be decrypted offline", "--config tiny:vpcId=VALUE")
    result = run("--stack", "sec", "--project-dir", str(project), "--config", "tiny:vpcId=vpc-9", "--format", "json",
                 "--no-policies")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert state_named(data, "main-sg")["inputs"]["vpcId"] == "vpc-9"  # Config.require() of a secret: plain text
    assert data["config"]["tiny:vpcId"] == "[secret]"  # blinded, like the engine's prelude config


def test_missing_required_key(project: Path) -> None:
    write(project / "stacks" / "Pulumi.empty.yaml", "config: {}\n")
    assert_one_line_error(run("--stack", "empty", "--project-dir", str(project)),
                          "Stack 'empty' is missing configuration value 'vpcId'")


def test_program_failure_and_bad_override_and_no_project(project: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("--stack", "dev", "--project-dir", str(project), "--config", "failWith=value"),
                          "__main__.py: ValueError: port must be 1-65535")
    assert_one_line_error(run("--stack", "dev", "--project-dir", str(project), "--config", "novalue"),
                          "--config: 'novalue' is not KEY=VALUE")
    assert_one_line_error(run("--stack", "dev", "--project-dir", str(project), "--config", "port=x"),
                          "configuration key 'port' must be of type 'integer'")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run("--stack", "dev", "--project-dir", str(empty)), "no Pulumi project file")
