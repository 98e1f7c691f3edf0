"""Drive a policy pack the way the Pulumi engine does: a subprocess speaking the analyzer gRPC protocol.

The engine starts ``python -u -m pulumi.policy <engine-address> <pack-dir>`` with cwd = the pack dir,
reads the port from the first stdout line, then calls Handshake, ConfigureStack, GetAnalyzerInfo,
Configure (after reconciling the policy config with the schema defaults), and AnalyzeStack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

LEVEL = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
         "remediate": analyzer_pb2.REMEDIATE, "disabled": analyzer_pb2.DISABLED}
LEVEL_NAME = {value: key for key, value in LEVEL.items()}
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024),
                   ("grpc.max_send_message_length", 400 * 1024 * 1024)]
"""The engine's limits for plugin messages (400 MB, as pulumi_policy's server): a large stack's diagnostics exceed
gRPC's default 4 MB."""


def struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(dict(data), message)
    return message


@dataclass
class Analyzer:
    stub: analyzer_pb2_grpc.AnalyzerStub
    info: analyzer_pb2.AnalyzerInfo

    def configure(self, overrides: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        """Like the engine's ReconcilePolicyPackConfig: levels + schema defaults, then overrides -> Configure."""
        config: dict[str, dict[str, Any]] = {}
        for policy in self.info.policies:
            props = json_format.MessageToDict(policy.configSchema.properties)
            defaults = {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
            config[policy.name] = {"enforcementLevel": LEVEL_NAME[policy.enforcementLevel], **defaults}
        for name, value in (overrides or {}).items():
            config.setdefault(name, {}).update({"enforcementLevel": value} if isinstance(value, str) else value)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, value in config.items():
            value = dict(value)
            level = LEVEL[value.pop("enforcementLevel", "advisory")]
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(enforcementLevel=level,
                                                                          properties=struct(value)))
        self.stub.Configure(request)
        return config

    def analyze_stack(self, resources: list[analyzer_pb2.AnalyzerResource]) -> list[dict[str, str]]:
        response = self.stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
        return [{"policy": d.policyName, "level": LEVEL_NAME[d.enforcementLevel], "message": d.message}
                for d in response.diagnostics]


@contextmanager
def policy_pack(pack_dir: Path, *, stack: str = "dev", project: str = "chalk-network", dry_run: bool = True,
                stack_config: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None
                ) -> Iterator[Analyzer]:
    """Start the pack like the language host does: env from ConfigureStack, cwd = the pack directory. ``env``: more
    environment variables for the pack's process."""
    environment = dict(os.environ, **(env or {}), PULUMI_PROJECT=project, PULUMI_STACK=stack,
                       PULUMI_ORGANIZATION="organization", PULUMI_DRY_RUN="true" if dry_run else "false",
                       PULUMI_CONFIG=json.dumps(dict(stack_config or {})))
    process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack_dir)],
                               cwd=pack_dir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.strip().isdigit():
            process.kill()
            error = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"policy pack failed to start: {line!r} {error}")
        channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}", options=CHANNEL_OPTIONS)
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(stack=stack, project=project,
                                                                       organization="organization",
                                                                       dry_run=dry_run))
        yield Analyzer(stub, stub.GetAnalyzerInfo(empty_pb2.Empty()))
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
