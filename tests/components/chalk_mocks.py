"""Mock engine for the component and program tests (pulumi-tech.md sections 1 and 2).

RecordingMocks records every resource the SDK registers (inputs in camelCase, numbers as floats);
StrictMonitor rejects duplicate URNs like the engine and keeps the raw RegisterResource requests,
which carry the resource options (e.g. deleteBeforeReplace) that MockResourceArgs lacks.
"""

from __future__ import annotations

import asyncio
import runpy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor

from chalk_policy.preview import load_stack_config as preview_stack_config

PROJECT_DIR = Path(__file__).resolve().parents[2]
SG = "aws:ec2/securityGroup:SecurityGroup"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
COMPONENT = "chalk:index:ChalkAwsEgress"
NSG = "azure-native:network:NetworkSecurityGroup"
AZ_POLICY = "azure-native:network:FirewallPolicy"
RCG = "azure-native:network:FirewallPolicyRuleCollectionGroup"
AZ_COMPONENT = "chalk:index:ChalkAzureEgress"
PROXY_COMPONENT = "chalk:index:ChalkSquidProxy"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
NLB = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, preview: bool = False) -> None:
        self.preview = preview
        self.calls: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.calls.append(args)
        state = dict(args.inputs)
        if args.typ in (RULE_GROUP, POLICY):
            kind = "stateful-rulegroup" if args.typ == RULE_GROUP else "firewall-policy"
            state["arn"] = f"arn:aws:network-firewall:us-west-2:123456789012:{kind}/{args.name}"
        if args.typ.startswith("azure-native:"):
            state.setdefault("name", args.name)  # the provider's auto-name; here the logical name
        if args.typ in (ASG, NLB, TARGET_GROUP):
            state.setdefault("name", args.name)
            state["arn"] = f"arn:aws:elasticloadbalancing:us-west-2:123456789012:{args.name}"
        if args.typ == NLB:
            state["dnsName"] = f"{args.name}-0123456789abcdef.elb.us-west-2.amazonaws.com"
        if args.typ == LAUNCH_TEMPLATE:
            state["latestVersion"] = 1
        return ("" if self.preview else f"{args.name}-id"), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


class StrictMonitor(MockMonitor):
    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self.requests: dict[str, dict[str, Any]] = {}
        """Raw RegisterResource requests by logical name."""

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            if urn in self._seen:
                raise ValueError(f"Duplicate resource URN '{urn}'")
            self._seen.add(urn)
            self.requests[request.name] = json_format.MessageToDict(request, preserving_proto_field_name=False)
        return super().RegisterResource(request)


@dataclass
class Run:
    mocks: RecordingMocks
    monitor: StrictMonitor
    value: Any = None
    exports: dict[str, Any] = field(default_factory=dict)

    def of(self, typ: str) -> list[pulumi.runtime.MockResourceArgs]:
        return [call for call in self.mocks.calls if call.typ == typ]

    def by_name(self) -> dict[str, pulumi.runtime.MockResourceArgs]:
        return {call.name: call for call in self.mocks.calls}

    def inventory(self) -> set[tuple[str, str]]:
        return {(call.typ, call.name) for call in self.mocks.calls}

    def names(self) -> set[str]:
        return {call.name for call in self.mocks.calls}


@dataclass
class Engine:
    """Fresh mocks for every run: a new event loop, a new root Stack, new RecordingMocks and StrictMonitor."""

    project: str = "chalk-network"
    stack: str = "dev"
    loops: list[asyncio.AbstractEventLoop] = field(default_factory=list)

    def start(self, preview: bool = False) -> Run:
        loop = asyncio.new_event_loop()
        self.loops.append(loop)
        asyncio.set_event_loop(loop)
        pulumi.runtime.settings.ROOT.set(None)
        mocks = RecordingMocks(preview)
        monitor = StrictMonitor(mocks)
        pulumi.runtime.set_mocks(mocks, project=self.project, stack=self.stack, preview=preview, monitor=monitor)
        return Run(mocks, monitor)

    def run(self, build: Callable[[], Any], preview: bool = False) -> Run:
        """Run ``build`` under fresh mocks; resolve the Output it returns (if any) into ``Run.value``."""
        run = self.start(preview)

        def program() -> pulumi.Output[Any] | None:
            result = build()
            if isinstance(result, pulumi.Output):
                return result.apply(lambda value: setattr(run, "value", value))
            run.value = result
            return None

        pulumi.runtime.test(program)()
        return run


    def close(self) -> None:
        for loop in self.loops:
            loop.close()
        asyncio.set_event_loop(None)
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_all_config({}, [])


# --- whole program: Pulumi.yaml defaults + stack file -> set_all_config -> runpy ----------------------


def load_stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> tuple[str, dict[str, str]]:
    """The project name and the config the CLI would pass for ``stack``: the offline preview's loader, which
    mirrors the Pulumi CLI's merge and validation rules (tests/preview pins them)."""
    config = preview_stack_config(project_dir, stack)
    return config.project, dict(config.config)


def run_program(engine: Engine, stack: str, overrides: dict[str, str] | None = None,
                preview: bool = False) -> Run:
    """Run the root __main__.py as the CLI would for ``stack`` (pulumi-tech.md section 2)."""
    name, config = load_stack_config(stack)
    config.update(overrides or {})
    engine.project, engine.stack = name, stack
    run = engine.start(preview)
    pulumi.runtime.set_all_config(config, [])

    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")
        root = pulumi.runtime.settings.get_root_resource()
        keys = list(root.outputs)
        return pulumi.Output.all(*[root.outputs[key] for key in keys]).apply(
            lambda values: run.exports.update(zip(keys, values)))

    pulumi.runtime.test(program)()
    return run
