"""The pack launcher older CLIs use (engine/bin/pulumi-analyzer-policy-python), started as the engine starts it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "engine" / "bin" / "pulumi-analyzer-policy-python"
PACK = REPO / "policy_packs" / "chalk-media"


def test_launcher_runs_the_pack_in_the_given_virtualenv() -> None:
    venv = Path(sys.executable).parent.parent
    process = subprocess.Popen([str(LAUNCHER), f"-virtualenv={venv}", "127.0.0.1:1", str(PACK)], cwd=PACK,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(empty_pb2.Empty(), timeout=60)
        assert info.name == "chalk-media"
        assert "chalk-media-egress-required" in {policy.name for policy in info.policies}
    finally:
        process.kill()
        process.wait()


def test_launcher_names_a_missing_virtualenv(tmp_path: Path) -> None:
    run = subprocess.run([str(LAUNCHER), f"-virtualenv={tmp_path / 'nope'}", "127.0.0.1:1", str(PACK)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip() == (f"pulumi-analyzer-policy-python: no Python in the virtualenv {tmp_path / 'nope'} "
                                  f"(expected {tmp_path / 'nope'}/bin/python)")
