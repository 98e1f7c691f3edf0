"""The program under the mock engine: what is recorded, and how failures come back."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pulumi
import pytest
from preview_kit import make_project, write

from chalk_policy.preview import PreviewResult, ProgramError, load_stack_config, run_program
from chalk_policy.preview.engine import UNKNOWN
from chalk_policy.preview.render import to_dict, to_text

SG = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
COMPONENT = "tiny:index:Egress"
HEAD = "name: tiny\nruntime: python\nstackConfigDir: stacks\n"


def test_records_types_names_parents_and_engine_inputs(tiny_results: dict[bool, PreviewResult]) -> None:
    result = tiny_results[False]
    assert (result.project, result.stack, result.preview) == ("tiny", "dev", False)
    assert [(r.type, r.name, r.parent_type, r.custom) for r in result.resources] == [
        (COMPONENT, "main", "pulumi:pulumi:Stack", False),
        (SG, "main-sg", COMPONENT, True),
        (RULE, "main-egress-0", COMPONENT, True),
        (RULE, "main-egress-1", COMPONENT, True),
    ]
    component, sg, rule0, rule1 = result.resources
    assert result.stack_urn == "urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev"
    assert component.parent_urn == result.stack_urn
    # The engine's URNs: no "pulumi:pulumi:Stack$" for the stack's children (the SDK's MockMonitor adds one).
    assert sg.parent_urn == component.urn == "urn:pulumi:dev::tiny::tiny:index:Egress::main"
    assert sg.urn == "urn:pulumi:dev::tiny::tiny:index:Egress$aws:ec2/securityGroup:SecurityGroup::main-sg"
    # Inputs as the engine receives them: provider camelCase names; protobuf numbers are doubles.
    assert sg.inputs == {"vpcId": "vpc-123", "description": "tiny egress"}
    assert rule0.inputs == {"securityGroupId": "main-sg-id", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "udp",
                            "fromPort": 443.0, "toPort": 443.0}
    assert rule1.inputs["cidrIpv4"] == "172.16.0.0/12"
    assert sg.urn in rule0.dependencies
    assert rule0.property_dependencies["securityGroupId"] == (sg.urn,)
    # Outputs: inputs echoed, a deterministic id and a fake ARN.
    assert sg.id == "main-sg-id"
    assert sg.outputs["arn"] == "arn:aws:ec2:eu-west-1:123456789012:security-group/main-sg"
    assert result.exports == {"sgId": "main-sg-id", "sgArn": sg.outputs["arn"],
                              "cidrs": ["10.0.0.0/8", "172.16.0.0/12"], "ruleCount": 2.0, "stack": "dev"}


def test_preview_leaves_computed_values_unknown(tiny_results: dict[bool, PreviewResult]) -> None:
    result = tiny_results[True]
    assert result.preview is True
    sg = result.by_type(SG)[0]
    rules = result.by_type(RULE)
    assert sg.id is None
    assert [r.inputs["securityGroupId"] for r in rules] == [UNKNOWN, UNKNOWN]
    assert rules[0].property_dependencies["securityGroupId"] == (sg.urn,)
    assert "arn" not in sg.outputs  # computed outputs stay unknown during a preview, as in the engine
    assert result.exports["sgId"] == UNKNOWN and result.exports["sgArn"] == UNKNOWN
    assert result.exports["cidrs"] == ["10.0.0.0/8", "172.16.0.0/12"]


def test_the_run_leaves_the_process_as_it_found_it(project: Path) -> None:
    cwd, path = os.getcwd(), list(sys.path)
    result = run_program(load_stack_config(project, "dev", {"port": "8443"}))
    assert [r.inputs["toPort"] for r in result.by_type(RULE)] == [8443.0, 8443.0]
    assert os.getcwd() == cwd and sys.path == path
    assert "tiny_helpers" not in sys.modules  # the program's own modules are forgotten: the next run is fresh
    assert pulumi.runtime.settings.get_root_resource() is None


def test_the_program_runs_in_its_directory_with_config_and_secrets(tmp_path: Path) -> None:
    program = """\
        import os
        import pulumi
        cfg = pulumi.Config()
        pulumi.export("cwd", os.getcwd())
        pulumi.export("token", cfg.require_secret("token"))
        pulumi.export("isSecret", pulumi.runtime.is_config_secret("tiny:token"))
        pulumi.export("dryRun", pulumi.runtime.is_dry_run())
        pulumi.log.warn("careful")
        """
    root = make_project(tmp_path, f"{HEAD}config:\n  token: {{type: string}}\n",
                        {"dev": "config:\n  tiny:token:\n    secure: v1:xyz\n"}, program=None)
    write(root / "__main__.py", program)
    result = run_program(load_stack_config(root, "dev", {"token": "s3cr3t"}), preview=True)
    assert result.exports["cwd"] == str(root.resolve())
    assert result.exports["isSecret"] is True
    assert result.exports["dryRun"] is True
    assert result.exports["token"] == {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                       "value": "s3cr3t"}
    assert ("warning", "careful") in result.diagnostics
    digest = to_dict(result)
    assert digest["chalkStackOutputs"]["token"] == "[secret]"  # masked like `pulumi preview --json`
    assert digest["config"]["tiny:token"] == "[secret]"
    assert digest["diagnostics"] == [{"message": "warning: careful\n", "severity": "warning"}]
    assert "s3cr3t" not in json.dumps(digest)
    text = to_text(result)
    assert "  token: [secret]" in text and "s3cr3t" not in text
    assert "Diagnostics:\n  warning: careful" in text


def test_urns_of_nested_components_carry_every_parent_type(tmp_path: Path) -> None:
    """The engine qualifies a type with the parent's whole qualified type (Deployment.generateURN); the SDK's
    MockMonitor keeps only the parent's last type, which would make these two security groups one URN."""
    program = """\
        import pulumi
        import pulumi_aws as aws

        class Inner(pulumi.ComponentResource):
            def __init__(self, name, opts):
                super().__init__("tiny:index:Inner", name, None, opts)
                aws.ec2.SecurityGroup("sg", description="d", opts=pulumi.ResourceOptions(parent=self))

        for token, name in (("tiny:index:Left", "a"), ("tiny:index:Right", "b")):
            outer = pulumi.ComponentResource(token, name)
            Inner(f"{name}-inner", pulumi.ResourceOptions(parent=outer))
        """
    root = make_project(tmp_path, HEAD, {"dev": "config: {}\n"}, program=None)
    write(root / "__main__.py", program)
    result = run_program(load_stack_config(root, "dev"), preview=True)
    prefix = "urn:pulumi:dev::tiny::"
    assert {r.urn.removeprefix(prefix) for r in result.by_type(SG)} == {
        "tiny:index:Left$tiny:index:Inner$aws:ec2/securityGroup:SecurityGroup::sg",
        "tiny:index:Right$tiny:index:Inner$aws:ec2/securityGroup:SecurityGroup::sg"}
    inner = {r.name: r for r in result.by_type("tiny:index:Inner")}
    assert inner["a-inner"].urn == f"{prefix}tiny:index:Left$tiny:index:Inner::a-inner"
    assert inner["a-inner"].parent_urn == f"{prefix}tiny:index:Left::a"


def test_duplicate_urn_is_a_clear_one_line_error(project: Path) -> None:
    with pytest.raises(ProgramError) as info:
        run_program(load_stack_config(project, "dev", {"failWith": "duplicate"}))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{project / '__main__.py'}: ValueError: Duplicate resource URN "
                              "'urn:pulumi:dev::tiny::tiny:index:Egress$aws:vpc/securityGroupEgressRule:")
    assert "main-egress-0'" in message


def test_a_program_raising_value_error_gives_one_line(project: Path) -> None:
    with pytest.raises(ProgramError) as info:
        run_program(load_stack_config(project, "dev", {"failWith": "value"}))
    assert str(info.value) == (f"{project / '__main__.py'}: ValueError: port must be 1-65535, got 70000 "
                               "second line of detail")


def test_missing_config_read_by_the_program_gives_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path, HEAD, {"dev": "config: {}"}, program=None)
    write(root / "__main__.py", "import pulumi\npulumi.Config().require('vpcId')\n")
    with pytest.raises(ProgramError) as info:
        run_program(load_stack_config(root, "dev"))
    message = str(info.value)
    assert "\n" not in message
    assert "ConfigMissingError: Missing required configuration variable 'tiny:vpcId'" in message


def test_missing_program_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, f"{HEAD}main: src/\n", {"dev": "config: {}"}, program=None)
    with pytest.raises(ProgramError, match=r"src/__main__\.py: no such program file"):
        run_program(load_stack_config(root, "dev"))
