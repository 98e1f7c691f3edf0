"""scripts/pulumi-engine's choice of CLI: a recent enough pulumi on PATH is used (and said), an older one is not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_kit import EXPORT_LINE, REPO

SCRIPT = REPO / "scripts" / "pulumi-engine"


def fake_pulumi(directory: Path, version: str) -> Path:
    directory.mkdir(parents=True)
    pulumi = directory / "pulumi"
    pulumi.write_text(f"#!/bin/sh\necho {version}\n")
    (directory / "pulumi-language-python").write_text("#!/bin/sh\nexit 0\n")
    for path in directory.iterdir():
        path.chmod(0o755)
    return pulumi


def run_script(tmp_path: Path, path_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{path_dir}{os.pathsep}{os.environ['PATH']}",
           "CHALK_ENGINE_DIR": str(tmp_path / "engine")}
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=3000)


def test_a_recent_pulumi_on_path_is_used_and_said(tmp_path: Path) -> None:
    fake_pulumi(tmp_path / "installed", "v3.275.2")
    run = run_script(tmp_path, tmp_path / "installed")
    assert run.returncode == 0, run.stderr
    assert f"using the pulumi already on PATH: {tmp_path / 'installed' / 'pulumi'} (v3.275.2)" in run.stderr
    assert "building the pulumi CLI" not in run.stderr
    match = EXPORT_LINE.match(run.stdout.strip())
    assert run.stdout.count("\n") == 1 and match and match["bin"] == str(tmp_path / "engine" / "bin")
    linked = tmp_path / "engine" / "bin"
    assert (linked / "pulumi").read_text() == "#!/bin/sh\necho v3.275.2\n"
    assert {"pulumi-resource-aws", "pulumi-resource-azure-native"} <= {p.name for p in linked.iterdir()}


@pytest.mark.usefixtures("engine")  # the pinned CLI is built and cached, so this run only links it
def test_an_older_pulumi_on_path_is_ignored(tmp_path: Path) -> None:
    fake_pulumi(tmp_path / "old", "v3.186.0")
    run = run_script(tmp_path, tmp_path / "old")
    assert run.returncode == 0, run.stderr
    assert f"ignoring {tmp_path / 'old' / 'pulumi'}: version v3.186.0 is older than v3.274" in run.stderr
    assert "pulumi v3.274.1 in" in run.stderr
