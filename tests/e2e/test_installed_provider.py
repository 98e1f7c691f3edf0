"""The chalk component provider as a user installs it, under the real engine: chalk-policy's wheel (tests/wheel_kit.py)
installed in a fresh virtualenv, `chalk-policy provider path` run from that virtualenv, and `pulumi package get-schema`
of the directory it prints.

The installed package's own copy (site-packages/chalk_policy/pulumi_plugins/chalk) is a template: Pulumi runs a
Python plugin only in a virtualenv, `venv` in the plugin's directory unless a `virtualenv` option says otherwise, so
run as it is it would get a new `venv` inside site-packages without chalk-policy. `provider path` prints a copy bound
to the virtualenv it runs in instead, and the engine runs the provider there, leaving that virtualenv as it is.

The virtualenv has no pip, and the checkout's .venv packages (pulumi, pulumi_aws, azure_native) through a .pth file
(test_language_hosts.make_venv): that .pth file only adds a directory, whose own .pth files (the checkout's editable
install of chalk-policy) Python does not read, so chalk_policy comes from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from engine_kit import REPO, TRACEBACK, Run
from test_language_hosts import make_venv, scratch, snapshot
from wheel_kit import build_wheel

from chalk_policy import __version__

TEMPLATE = Path("chalk_policy", "pulumi_plugins", "chalk")
"""The provider's template, inside the installed package's site-packages."""


@dataclass
class Installed:
    venv: Path
    site: Path
    """The virtualenv's site-packages, where the wheel is installed."""
    cache: Path
    """XDG_CACHE_HOME of `chalk-policy provider path`."""
    provider_path: subprocess.CompletedProcess[str]
    get_schema: Run
    venv_before: dict[str, tuple[int, int]]
    venv_after: dict[str, tuple[int, int]]

    @property
    def printed(self) -> Path:
        return Path(self.provider_path.stdout.removesuffix("\n"))

    @property
    def template(self) -> Path:
        return self.site / TEMPLATE


def python_of(venv: Path, code: str) -> str:
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=venv, check=True, capture_output=True,
                          text=True, env=without_pythonpath())  # not in the checkout: `-c` imports from the cwd first
    return done.stdout.strip()


def without_pythonpath() -> dict[str, str]:
    """This environment, without anything that would add to the new virtualenv's sys.path, and writing no bytecode
    (the virtualenv is compared before and after)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def installed(engine: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed-provider")
    (root / "wheel").mkdir()
    wheel = build_wheel(root / "wheel")
    venv = root / "venv"
    make_venv(venv)
    # Installed as `venv/bin/pip install` would (the console script runs the virtualenv's Python), by the checkout's
    # pip: the virtualenv has none. --ignore-installed: pip sees the checkout's editable chalk-policy through the
    # .pth file and would otherwise take it for this one.
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                              "--quiet", "--disable-pip-version-check", "--no-deps", "--no-compile",
                              "--ignore-installed", str(wheel)], capture_output=True, text=True, timeout=300,
                             check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    site = Path(python_of(venv, "import sysconfig; print(sysconfig.get_paths()['purelib'])"))
    before = snapshot(venv)
    cache = root / "cache"
    provider_path = subprocess.run([str(venv / "bin" / "chalk-policy"), "provider", "path"], cwd=root,
                                   env={**without_pythonpath(), "XDG_CACHE_HOME": str(cache)}, capture_output=True,
                                   text=True, timeout=120, check=False)
    assert provider_path.returncode == 0, provider_path.stderr
    workspace = scratch(root / "get-schema", engine)
    workspace.extra_env["PYTHONDONTWRITEBYTECODE"] = "1"
    get_schema = workspace.pulumi("package", "get-schema", provider_path.stdout.strip(), timeout=300)
    return Installed(venv, site, cache, provider_path, get_schema, before, snapshot(venv))


def test_chalk_policy_in_the_virtualenv_is_the_wheels(installed: Installed) -> None:
    imported = python_of(installed.venv, "import chalk_policy; print(chalk_policy.__file__)")

    assert Path(imported) == installed.site / "chalk_policy" / "__init__.py"
    assert (installed.template / "PulumiPlugin.yaml").is_file()


def test_provider_path_prints_a_directory_bound_to_the_virtualenv(installed: Installed) -> None:
    printed = installed.printed
    bound = yaml.safe_load((printed / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    text = (printed / "PulumiPlugin.yaml").read_text(encoding="utf-8")

    assert installed.provider_path.stderr == ""
    assert printed.parent == installed.cache / "chalk-policy" / "provider"
    assert printed.name.startswith(f"{__version__}-")
    assert bound["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(installed.venv)}}
    assert f"#   {installed.venv}" in text.splitlines()  # the header names where it runs ...
    assert f"# Pulumi to run) at {installed.template}" in text.splitlines()  # ... and the template it is made from
    assert (printed / "__main__.py").read_bytes() == (installed.template / "__main__.py").read_bytes()
    assert sorted(p.name for p in printed.iterdir()) == ["PulumiPlugin.yaml", "__main__.py"]  # no venv/ made here


def test_get_schema_of_it_is_the_checked_in_schema(installed: Installed) -> None:
    run = installed.get_schema

    assert run.returncode == 0, run.output
    assert TRACEBACK not in run.output
    assert run.json() == json.loads((REPO / "sdk" / "schema.json").read_text(encoding="utf-8"))


def test_the_virtualenv_and_the_installed_package_are_left_alone(installed: Installed) -> None:
    output = installed.get_schema.output

    assert installed.venv_after == installed.venv_before
    assert not (installed.template / "venv").exists()  # the failure this prevents: a venv inside site-packages
    assert sorted(p.name for p in installed.template.iterdir()) == ["PulumiPlugin.yaml", "__main__.py"]
    assert "Creating virtual environment" not in output and "Updating pip" not in output, output
    assert f"Using the existing virtualenv {installed.venv} as it is" in output, output
