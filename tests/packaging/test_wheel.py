"""The wheel, built as `python -m build` builds it (an sdist, then the wheel from the unpacked sdist, tests/
wheel_kit.py) from a copy of this working tree: every module, the catalog, the chalk-media policy pack and the chalk
component provider's template made for an installed package (no checkout virtualenv; the pack pins this version); the
provider SDKs only in their extras. Installed (``pip install --target``, no dependencies: the test's own environment
provides them), ``chalk-policy pack path`` names the installed pack, ``provider path`` refuses a chalk-policy that is
not installed in the virtualenv it runs in, and ``plan`` runs from the installed package. The provider installed in a
virtualenv, run by the real engine: tests/e2e/test_installed_provider.py."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
import yaml
from wheel_kit import build_wheel

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]
PACK = ROOT / "policy_packs" / "chalk-media"
INSTALLED_PACK = "chalk_policy/policy_packs/chalk-media"
PROVIDER = ROOT / "provider"
INSTALLED_PROVIDER = "chalk_policy/pulumi_plugins/chalk"
RUN_CLI = """
import sys
import chalk_policy
print(chalk_policy.__file__, file=sys.stderr)
from chalk_policy.cli.main import main
main(sys.argv[1:])
"""


@dataclass(frozen=True)
class Built:
    wheel: Path
    names: list[str]
    site: Path
    """The wheel installed with ``pip install --target`` (no dependencies)."""

    def read(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(work)
    site = work / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "--no-compile", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return Built(wheel, names, site)


def test_the_wheel_holds_every_module_the_catalog_the_pack_and_the_provider(built: Built) -> None:
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "chalk_policy").rglob("*.py")}
    listed = "\n".join(sorted(built.names))

    assert modules <= set(built.names), listed
    assert {"chalk_policy/py.typed", "chalk_policy/catalog/data/chalk-catalog.yaml",
            f"{INSTALLED_PACK}/PulumiPolicy.yaml", f"{INSTALLED_PACK}/__main__.py",
            f"{INSTALLED_PACK}/requirements.txt", f"{INSTALLED_PROVIDER}/PulumiPlugin.yaml",
            f"{INSTALLED_PROVIDER}/__main__.py"} <= set(built.names), listed
    assert {name.split("/")[0] for name in built.names} == {"chalk_policy", f"chalk_policy-{VERSION}.dist-info"}
    assert [name for name in built.names if "__pycache__" in name or name.endswith(".pyc")] == []


def test_the_installed_pack_is_the_checkouts_without_its_virtualenv(built: Built) -> None:
    source = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    text = built.read(f"{INSTALLED_PACK}/PulumiPolicy.yaml")
    installed = yaml.safe_load(text)

    del source["runtime"]["options"]["virtualenv"]
    assert installed == source
    assert ".venv" not in text and "virtualenv:" not in text
    assert installed["version"] == VERSION  # the pack's version is the package's
    assert built.read(f"{INSTALLED_PACK}/__main__.py") == (PACK / "__main__.py").read_text(encoding="utf-8")


def test_the_installed_packs_requirements_pin_this_version_instead_of_the_checkout(built: Built) -> None:
    lines = [line for line in built.read(f"{INSTALLED_PACK}/requirements.txt").splitlines()
             if line and not line.startswith("#")]

    assert f"chalk-policy=={VERSION}" in lines
    assert [line for line in lines if line.startswith("-e") or ".." in line] == []


def test_the_installed_provider_is_the_checkouts_without_its_virtualenv_a_template(built: Built) -> None:
    source = yaml.safe_load((PROVIDER / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    text = built.read(f"{INSTALLED_PROVIDER}/PulumiPlugin.yaml")
    installed = yaml.safe_load(text)

    del source["runtime"]["options"]["virtualenv"]
    assert installed == source
    assert installed["runtime"]["name"] == "python"
    assert isinstance(installed["runtime"].get("options", {}), dict)  # the options left are still a mapping
    assert ".venv" not in text and "virtualenv:" not in text
    assert 'pulumi package add "$(chalk-policy provider path)"' in text  # the header is the installed package's
    assert "a template, not for Pulumi to run" in text
    assert built.read(f"{INSTALLED_PROVIDER}/__main__.py") == (PROVIDER / "__main__.py").read_text(encoding="utf-8")


def test_the_provider_sdks_are_extras(built: Built) -> None:
    metadata = Parser().parsestr(built.read(f"chalk_policy-{VERSION}.dist-info/METADATA"))
    requires = metadata.get_all("Requires-Dist") or []
    base = [line for line in requires if "extra ==" not in line]

    assert {"aws", "azure", "all", "test"} <= set(metadata.get_all("Provides-Extra") or [])
    assert [line for line in base if line.startswith(("pulumi-aws", "pulumi-azure-native"))] == []
    assert any(line.startswith("pulumi-aws") and 'extra == "aws"' in line for line in requires)
    assert any(line.startswith("pulumi-azure-native") and 'extra == "azure"' in line for line in requires)
    assert any(line.startswith("chalk-policy[aws,azure]") and 'extra == "all"' in line for line in requires)


def run_installed(built: Built, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(built.site), **(env or {})}
    done = subprocess.run([sys.executable, "-c", RUN_CLI, *args], cwd=built.site.parent, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.stderr.splitlines()[0] == str(built.site / "chalk_policy" / "__init__.py")  # not the checkout's
    return done


def test_pack_path_names_the_installed_pack(built: Built) -> None:
    done = run_installed(built, "pack", "path")

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{built.site / INSTALLED_PACK}\n"
    assert (Path(done.stdout.strip()) / "PulumiPolicy.yaml").is_file()


def test_provider_path_refuses_a_chalk_policy_not_installed_in_its_virtualenv(built: Built, tmp_path: Path) -> None:
    # This test's Python is the checkout's .venv; the wheel is found through PYTHONPATH, which Pulumi's run of the
    # provider in that virtualenv would not have: a provider bound to it would not run this chalk-policy.
    done = run_installed(built, "provider", "path", env={"XDG_CACHE_HOME": str(tmp_path / "cache")})

    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[1:] == [
        f"chalk-policy: error: chalk-policy runs from {built.site.resolve()}, which is not a site-packages directory "
        f"of the virtualenv it runs in ({Path(sys.prefix).absolute()}), so the provider, run in that virtualenv, "
        f"would not find it; allowed: chalk-policy installed in that virtualenv ({Path(sys.prefix).absolute()}/bin/"
        "pip install 'chalk-policy[aws]')"]
    assert not (tmp_path / "cache").exists()


def test_plan_runs_from_the_installed_package(built: Built) -> None:
    done = run_installed(built, "plan", "--regions", "jp1", "--option", "1")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Chalk egress plan -- catalog ")
