"""Drive the real Pulumi CLI (scripts/pulumi-engine) on throw-away local backends for the end-to-end tests.

Every command runs with a file backend and a PULUMI_HOME in the test's temp dir, the passphrase secrets provider,
no update check and no plugin downloads; the recording provider (engine/recorder) stands in for aws and
azure-native and appends each call it gets to ``calls.jsonl``. Nothing here talks to a cloud.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalk_policy.preview.engine import type_of_urn

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policy_packs" / "chalk-media"
PROGRAMS = Path(__file__).resolve().parent / "programs"
EXPORT_LINE = re.compile(r'^export PATH="(?P<bin>[^"]+):\$PATH" PULUMI_HOME="(?P<home>[^"]+)"$')
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "requirements.txt")
TRACEBACK = "Traceback (most recent call last)"


class EngineUnavailable(Exception):
    """Neither Go nor a pulumi on PATH: the engine can't be had on this machine."""


def engine_bin() -> tuple[Path, Path]:
    """Build or reuse the engine exactly as `make -s engine` does; return (bin dir, PULUMI_HOME)."""
    if shutil.which("go") is None and shutil.which("pulumi") is None:
        raise EngineUnavailable("neither Go nor a pulumi CLI is on PATH, so the real engine can't be built or used")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "pulumi-engine")], capture_output=True,
                            text=True, timeout=3000)
    lines = result.stdout.strip().splitlines()
    match = EXPORT_LINE.match(lines[-1]) if lines else None
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"scripts/pulumi-engine failed (exit {result.returncode}):\n{result.stderr}")
    return Path(match["bin"]), Path(match["home"])


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Workspace:
    """One project directory with its own backend, PULUMI_HOME and recorder log."""

    root: Path
    project: Path
    bin_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def calls_log(self) -> Path:
        return self.root / "calls.jsonl"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "CHALK_RECORDER"))}
        env.update({
            "PATH": f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}",
            "PULUMI_HOME": str(self.root / "home"),
            "PULUMI_BACKEND_URL": (self.root / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "e2e-tests-only",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "CHALK_RECORDER_LOG": str(self.calls_log),
            "NO_COLOR": "1",
        })
        env.update(self.extra_env)
        return env

    def pulumi(self, *args: str, check: bool = False, timeout: float = 600) -> Run:
        command = ["pulumi", *args, "--non-interactive", "--color", "never"]
        result = subprocess.run(command, cwd=self.project, env=self.env(), capture_output=True, text=True,
                                timeout=timeout)
        run = Run(command, result.returncode, result.stdout, result.stderr)
        if check and run.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {run.returncode}:\n{run.output}")
        return run

    def calls(self) -> list[dict[str, Any]]:
        if not self.calls_log.exists():
            return []
        return [json.loads(line) for line in self.calls_log.read_text().splitlines() if line.strip()]


def new_workspace(root: Path, bin_dir: Path, source: Path, files: tuple[str, ...] | None = None,
                  stack: str | None = None) -> Workspace:
    """Copy a project (the repo's real files, byte for byte) into root/project, link the repo's .venv and, given a
    name, initialise that stack."""
    project = root / "project"
    project.mkdir(parents=True)
    names = files if files is not None else tuple(p.name for p in source.iterdir() if p.is_file())
    for name in names:
        shutil.copy2(source / name, project / name)
    if (source / "stacks").is_dir():
        shutil.copytree(source / "stacks", project / "stacks")
    (project / ".venv").symlink_to(REPO / ".venv")
    (root / "state").mkdir()
    (root / "home").mkdir()
    workspace = Workspace(root=root, project=project, bin_dir=bin_dir)
    if stack is not None:
        workspace.pulumi("stack", "init", stack, check=True)
    return workspace


def steps(preview: dict[str, Any]) -> list[dict[str, Any]]:
    return list(preview.get("steps") or [])


def resource_type(step: dict[str, Any]) -> str:
    return type_of_urn(str(step["urn"]))
