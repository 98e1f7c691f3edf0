"""Helpers for the offline-preview tests: tiny Pulumi projects written into a temporary directory."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

PROJECT = "tiny"

PULUMI_YAML = """\
name: tiny
runtime: python
stackConfigDir: stacks
config:
  vpcId: {type: string}
  cidrs:
    type: array
    items: {type: string}
    default: [10.0.0.0/8]
  port: {type: integer, default: 443}
  failWith: {type: string, default: ""}
  awsRulesPerGroup: 60
  aws:region: eu-west-1
"""

DEV_YAML = """\
config:
  tiny:vpcId: vpc-123
  tiny:cidrs: [10.0.0.0/8, 172.16.0.0/12]
"""

# A program with a component, a security group, standalone egress rules and exports; it imports a helper
# module that lives next to it (like the real program imports chalk_policy from the project root).
MAIN_PY = '''\
import pulumi
import pulumi_aws as aws

from tiny_helpers import rule_name

cfg = pulumi.Config()
if cfg.get("failWith") == "value":
    raise ValueError("port must be 1-65535, got 70000\\nsecond line of detail")


class Egress(pulumi.ComponentResource):
    def __init__(self, name, cidrs, port, opts=None):
        super().__init__("tiny:index:Egress", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.sg = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=cfg.require("vpcId"), description="tiny egress",
                                        opts=child)
        self.rules = [aws.vpc.SecurityGroupEgressRule(rule_name(name, i), security_group_id=self.sg.id,
                                                      cidr_ipv4=cidr, ip_protocol="udp", from_port=port,
                                                      to_port=port, opts=child)
                      for i, cidr in enumerate(cidrs)]
        if cfg.get("failWith") == "duplicate":
            aws.vpc.SecurityGroupEgressRule(rule_name(name, 0), security_group_id=self.sg.id, cidr_ipv4="1.2.3.4/32",
                                            ip_protocol="tcp", from_port=1, to_port=1, opts=child)
        self.register_outputs({"sgId": self.sg.id})


egress = Egress("main", cfg.require_object("cidrs"), cfg.require_int("port"))
pulumi.export("sgId", egress.sg.id)
pulumi.export("sgArn", egress.sg.arn)
pulumi.export("cidrs", cfg.require_object("cidrs"))
pulumi.export("ruleCount", len(egress.rules))
pulumi.export("stack", pulumi.get_stack())
'''

HELPERS_PY = '''\
def rule_name(name, index):
    return f"{name}-egress-{index}"
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_project(root: Path, pulumi_yaml: str = PULUMI_YAML, stacks: dict[str, str] | None = None,
                 program: str | None = MAIN_PY) -> Path:
    """A project in ``root``: Pulumi.yaml, stacks/Pulumi.<name>.yaml and (unless None) the program."""
    write(root / "Pulumi.yaml", pulumi_yaml)
    for name, text in (stacks if stacks is not None else {"dev": DEV_YAML}).items():
        write(root / "stacks" / f"Pulumi.{name}.yaml", text)
    if program is not None:
        write(root / "__main__.py", program)
        write(root / "tiny_helpers.py", HELPERS_PY)
    return root


STACK_URN = "urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev"
COMPONENT_URN = "urn:pulumi:dev::tiny::tiny:index:Egress::main"
SG_URN = "urn:pulumi:dev::tiny::tiny:index:Egress$aws:ec2/securityGroup:SecurityGroup::main-sg"
RULE_URN = ("urn:pulumi:dev::tiny::tiny:index:Egress$aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
            "::main-egress-{}")


def states(digest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{urn: newState}`` of a preview digest's steps, in step order."""
    return {step["urn"]: step["newState"] for step in digest["steps"]}


def state_named(digest: dict[str, Any], name: str) -> dict[str, Any]:
    """The ``newState`` of the one step whose URN ends with ``::<name>``."""
    (state,) = (s for urn, s in states(digest).items() if urn.endswith(f"::{name}"))
    return state
