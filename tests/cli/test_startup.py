"""Start-up: each command imports only what it uses (bench/startup.py measures the time)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from chalk_policy.cli.main import COMMANDS, cli

RUN_AND_LIST_MODULES = """
import sys
from chalk_policy.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(" ".join(sorted(sys.modules)), file=sys.stderr)
"""
LIBRARIES = ("pydantic", "pydantic_core", "netaddr", "yaml", "grpc", "pulumi", "pulumi_aws", "pulumi_azure_native",
             "pulumi_policy", "importlib.metadata")
OTHER_LAYERS = ("chalk_policy.catalog.validation", "chalk_policy.coverage", "chalk_policy.plans",
                "chalk_policy.policies", "chalk_policy.preview", "chalk_policy.components", "chalk_policy.proxy")


def imported_by(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def loaded(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


@pytest.mark.parametrize("args", [
    pytest.param(["plan", "--regions", "jp1,us2", "--option", "1"], id="plan"),
    pytest.param(["plan", "--regions", "all", "--option", "3", "--format", "csv"], id="plan-csv"),
    pytest.param(["catalog", "show"], id="catalog-show"),
])
def test_the_packaged_catalog_and_the_planner_need_no_validation_libraries(args: list[str]) -> None:
    modules = imported_by(*args)

    assert "chalk_policy.catalog.packaged" in modules
    assert loaded(modules, *LIBRARIES, *OTHER_LAYERS) == []


def test_help_imports_no_command() -> None:
    modules = imported_by("--help")

    assert loaded(modules, "chalk_policy.catalog", "chalk_policy.planning", *LIBRARIES, *OTHER_LAYERS) == []
    assert [m for m in modules if m.startswith("chalk_policy.cli.")] == ["chalk_policy.cli.main"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_lists_each_command_by_its_own_summary(name: str) -> None:
    where, summary = COMMANDS[name]
    module, attribute = where.split(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    listed = click.Command(name, help=summary)

    assert command.help is not None
    first_paragraph = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
    assert " ".join(summary.split()) == first_paragraph, f"update COMMANDS[{name!r}] in chalk_policy/cli/main.py"
    for limit in (40, 60, 80, 120, 200):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])

    assert result.exit_code == 0
    commands = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands if line.startswith("  ") and not line.startswith("   ")] == sorted(
        COMMANDS)
