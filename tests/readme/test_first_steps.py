"""The README's first commands, as a newcomer runs them: `make run` and the network team's section."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def recipe(target: str) -> list[list[str]]:
    """The commands of a Makefile target, with $(BIN) as this virtualenv's bin directory."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{target}:", line))
    commands = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        commands.append(shlex.split(line.strip().replace("$(BIN)", str(BIN))))
    return commands


def test_make_run_prints_the_firewall_plan_a_newcomer_can_use() -> None:
    (command,) = recipe("run")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=REPO)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Chalk egress plan -- catalog ")
    assert "regions de1, ie1, option 2" in result.stdout.splitlines()[0]
    assert "ACTIONS for the network team:" in result.stdout
    assert "aws:ec2/" not in result.stdout  # not another team's Pulumi resources


def test_the_network_team_section_comes_before_the_pulumi_sections_and_its_commands_run(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.index("## For the network team: what to open")
    assert section < readme.index("| Components |") < readme.index("## Installing")  # before any Pulumi section
    block = readme[section:].split("```sh", 1)[1].split("```", 1)[0]
    commands = [" ".join(part.split("#")[0].strip() for part in chunk.split("\\\n"))
                for chunk in re.split(r"\n(?=\.venv/bin/)", block.strip())]
    assert len(commands) >= 5
    for command in commands:
        argv = shlex.split(command.replace(".venv/bin/", f"{BIN}/").replace("chalk-firewall.xlsx",
                                                                             str(tmp_path / "t.xlsx")))
        result = subprocess.run(argv, capture_output=True, timeout=120, check=False, cwd=REPO)
        assert result.returncode == 0, (command, result.stderr)
    assert (tmp_path / "t.xlsx").read_bytes().startswith(b"PK")
