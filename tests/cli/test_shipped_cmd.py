"""``chalk-policy pack path`` and ``chalk-policy provider path``: the directories of the chalk-media policy pack (for
``pulumi preview --policy-pack``) and of the chalk component provider (for ``pulumi package add``), found the same way.
Installed, the provider's copy is a template: ``provider path`` prints a directory it writes, bound to the virtualenv
it runs in. The installed wheel's copies are tested in tests/packaging/test_wheel.py, the bound provider under the
real engine in tests/e2e/test_installed_provider.py."""

from __future__ import annotations

import hashlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import chalk_policy.cli.shipped_cmd as shipped_cmd
from chalk_policy import __version__
from chalk_policy.cli.main import cli
from chalk_policy.cli.shipped_cmd import PACK, PROVIDER, Shipped, bound_provider, shipped_dir

REPO = Path(__file__).resolve().parents[2]
BOTH = pytest.mark.parametrize("shipped", [PACK, PROVIDER], ids=["pack", "provider"])


def make(directory: Path, marker: str) -> Path:
    directory.mkdir(parents=True)
    (directory / marker).write_text("runtime: python\n", encoding="utf-8")
    return directory


@pytest.mark.parametrize(("command", "directory"), [("pack", REPO / "policy_packs" / "chalk-media"),
                                                    ("provider", REPO / "provider")])
def test_in_a_checkout_it_is_the_checkouts_own(command: str, directory: Path) -> None:
    result = CliRunner().invoke(cli, [command, "path"])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{directory}\n"
    assert result.stderr == ""


def test_the_checkouts_provider_is_the_one_with_the_plugin_file() -> None:
    assert shipped_dir(PROVIDER) == REPO / "provider"
    assert (REPO / "provider" / "PulumiPlugin.yaml").is_file()


@BOTH
def test_the_copy_inside_the_package_comes_first(shipped: Shipped, tmp_path: Path) -> None:
    installed = make(tmp_path / "chalk_policy" / shipped.installed, shipped.marker)
    make(tmp_path / shipped.checkout, shipped.marker)

    assert shipped_dir(shipped, tmp_path / "chalk_policy") == installed


@BOTH
def test_next_to_the_package_when_the_package_has_none(shipped: Shipped, tmp_path: Path) -> None:
    (tmp_path / "chalk_policy").mkdir()
    checkout = make(tmp_path / shipped.checkout, shipped.marker)

    assert shipped_dir(shipped, tmp_path / "chalk_policy") == checkout


def test_each_is_found_by_its_own_file(tmp_path: Path) -> None:
    make(tmp_path / "chalk_policy" / PROVIDER.installed, PACK.marker)  # a pack's file does not make a provider

    assert shipped_dir(PROVIDER, tmp_path / "chalk_policy") is None


@pytest.mark.parametrize(("command", "shipped", "message"), [
    ("pack", PACK, "the chalk-media policy pack is not in this installation (looked in "
                   "chalk_policy/policy_packs/chalk-media and policy_packs/chalk-media next to the package); "
                   "allowed: chalk-policy installed from its wheel, or a checkout"),
    ("provider", PROVIDER, "the chalk component provider is not in this installation (looked in "
                           "chalk_policy/pulumi_plugins/chalk and provider next to the package); "
                           "allowed: chalk-policy installed from its wheel, or a checkout"),
], ids=["pack", "provider"])
def test_none_is_exit_2_and_one_line(command: str, shipped: Shipped, message: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chalk_policy" / "cli").mkdir(parents=True)
    (tmp_path / "chalk_policy" / shipped.installed).mkdir(parents=True)  # directories without their file are none
    (tmp_path / shipped.checkout).mkdir(parents=True)
    monkeypatch.setattr(shipped_cmd, "__file__", str(tmp_path / "chalk_policy" / "cli" / "shipped_cmd.py"))

    result = CliRunner().invoke(cli, [command, "path"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"chalk-policy: error: {message}\n"


# The provider installed from a wheel: `provider path` writes a directory bound to the virtualenv it runs in.

TEMPLATE = """\
# The installed copy's header (setup.py's PROVIDER_HEADER).
runtime:
  name: python
  options:
    toolchain: pip
"""
MAIN = '"""The `chalk` component provider."""\n\nfrom chalk_policy.components.provider import serve\n'


def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A chalk_policy package installed in tmp_path/site (a site-packages directory of the running Python) with the
    provider's template; this module runs from it, in a virtualenv, with tmp_path/cache as XDG_CACHE_HOME."""
    package = tmp_path / "site" / "chalk_policy"
    (package / "cli").mkdir(parents=True)
    template = package / PROVIDER.installed
    template.mkdir(parents=True)
    (template / "PulumiPlugin.yaml").write_text(TEMPLATE, encoding="utf-8")
    (template / "__main__.py").write_text(MAIN, encoding="utf-8")
    monkeypatch.setattr(shipped_cmd, "__file__", str(package / "cli" / "shipped_cmd.py"))
    monkeypatch.setattr(shipped_cmd, "site_dirs", lambda: {(tmp_path / "site").resolve()})
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "base-python"))  # sys.prefix is a virtualenv's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return template


def bound_dir(tmp_path: Path, prefix: str = sys.prefix) -> Path:
    digest = hashlib.sha256(str(Path(prefix).absolute()).encode()).hexdigest()[:12]
    return tmp_path / "cache" / "chalk-policy" / "provider" / f"{__version__}-{digest}"


def provider_path() -> str:
    result = CliRunner().invoke(cli, ["provider", "path"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def state(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}


def test_installed_it_is_a_directory_bound_to_the_virtualenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = installed(tmp_path, monkeypatch)

    printed = provider_path()

    bound = bound_dir(tmp_path)
    assert printed == f"{bound}\n"
    assert sorted(p.name for p in bound.iterdir()) == ["PulumiPlugin.yaml", "__main__.py"]
    assert sorted(p.name for p in bound.parent.iterdir()) == [bound.name]  # nothing left of the writing
    text = (bound / "PulumiPlugin.yaml").read_text(encoding="utf-8")
    expected = yaml.safe_load(TEMPLATE)
    expected["runtime"]["options"]["virtualenv"] = str(Path(sys.prefix).absolute())
    assert yaml.safe_load(text) == expected  # the template's, toolchain pip kept, plus the virtualenv
    assert (bound / "__main__.py").read_bytes() == (template / "__main__.py").read_bytes()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header == text.splitlines()[:len(header)]  # comments first, then the YAML
    assert f"#   {Path(sys.prefix).absolute()}" in header  # the virtualenv it runs in
    assert any("Written by `chalk-policy provider path`, run in that virtualenv" in line for line in header)
    assert f"# Pulumi to run) at {template}" in header
    assert any("run it again to regenerate it" in line for line in header)
    assert "The installed copy's header" not in text
    assert (template / "PulumiPlugin.yaml").read_text(encoding="utf-8") == TEMPLATE  # the template as it was
    assert sorted(p.name for p in template.iterdir()) == ["PulumiPlugin.yaml", "__main__.py"]


def test_installed_a_second_time_it_is_left_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    first = provider_path()
    before = state(bound_dir(tmp_path))

    assert provider_path() == first
    assert state(bound_dir(tmp_path)) == before  # not written again
    assert sorted(p.name for p in bound_dir(tmp_path).parent.iterdir()) == [bound_dir(tmp_path).name]


@pytest.mark.parametrize("name", ["PulumiPlugin.yaml", "__main__.py"])
def test_installed_a_directory_that_differs_is_written_again(name: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    provider_path()
    bound = bound_dir(tmp_path)
    written = {p.name: p.read_bytes() for p in bound.iterdir()}
    (bound / name).write_text("runtime: python\n# edited, or from another chalk-policy build\n", encoding="utf-8")
    (bound / "venv").mkdir()  # e.g. what Pulumi made of a stale one

    assert provider_path() == f"{bound}\n"
    assert {p.name: p.read_bytes() for p in bound.iterdir()} == written
    assert sorted(p.name for p in bound.parent.iterdir()) == [bound.name]


def test_installed_a_missing_file_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    provider_path()
    bound = bound_dir(tmp_path)
    written = {p.name: p.read_bytes() for p in bound.iterdir()}
    (bound / "__main__.py").unlink()

    provider_path()
    assert {p.name: p.read_bytes() for p in bound.iterdir()} == written


def test_installed_a_file_where_the_directory_goes_is_replaced(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    bound = bound_dir(tmp_path)
    bound.parent.mkdir(parents=True)
    bound.write_text("not a directory\n", encoding="utf-8")

    assert provider_path() == f"{bound}\n"
    assert sorted(p.name for p in bound.iterdir()) == ["PulumiPlugin.yaml", "__main__.py"]


def test_each_virtualenv_and_version_has_its_own_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = installed(tmp_path, monkeypatch)
    cache = tmp_path / "cache"

    one = bound_provider(template, tmp_path / "venv-one", cache)
    two = bound_provider(template, tmp_path / "venv-two", cache)
    newer = bound_provider(template, tmp_path / "venv-one", cache, "9.9.9")

    assert len({one, two, newer}) == 3
    assert one == bound_dir(tmp_path, str(tmp_path / "venv-one"))
    assert newer.name.startswith("9.9.9-") and newer.name.removeprefix("9.9.9-") == one.name.split("-", 1)[1]
    for directory, prefix in ((one, "venv-one"), (two, "venv-two"), (newer, "venv-one")):
        data = yaml.safe_load((directory / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
        assert data["runtime"]["options"] == {"toolchain": "pip", "virtualenv": str(tmp_path / prefix)}


def test_concurrent_writers_all_get_the_same_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = installed(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    stale = bound_provider(template, tmp_path / "venv", cache)
    (stale / "__main__.py").write_text("stale\n", encoding="utf-8")
    start = threading.Barrier(8)

    def write() -> Path:
        start.wait()
        return bound_provider(template, tmp_path / "venv", cache)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: write(), range(8)))

    assert set(results) == {stale}
    assert (stale / "__main__.py").read_bytes() == (template / "__main__.py").read_bytes()
    assert sorted(p.name for p in stale.parent.iterdir()) == [stale.name]


def test_a_relative_xdg_cache_home_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    assert provider_path().startswith(f"{tmp_path / 'home' / '.cache' / 'chalk-policy' / 'provider'}/")


def test_installed_outside_a_virtualenv_is_exit_2_and_one_line(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)

    result = CliRunner().invoke(cli, ["provider", "path"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "chalk-policy: error: the chalk component provider needs chalk-policy installed in a virtualenv, and this "
        f"Python ({Path(sys.prefix).absolute()}) is not one: Pulumi runs a Python plugin only inside a virtualenv; "
        "allowed: python -m venv VENV && VENV/bin/pip install 'chalk-policy[aws]', then VENV/bin/chalk-policy "
        "provider path\n")
    assert not (tmp_path / "cache").exists()


def test_installed_but_not_in_the_virtualenv_is_exit_2_and_one_line(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    monkeypatch.setattr(shipped_cmd, "site_dirs", lambda: {(tmp_path / "elsewhere").resolve()})  # e.g. PYTHONPATH

    result = CliRunner().invoke(cli, ["provider", "path"])

    prefix = Path(sys.prefix).absolute()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"chalk-policy: error: chalk-policy runs from {(tmp_path / 'site').resolve()}, which is not a site-packages "
        f"directory of the virtualenv it runs in ({prefix}), so the provider, run in that virtualenv, would not find "
        f"it; allowed: chalk-policy installed in that virtualenv ({prefix}/bin/pip install 'chalk-policy[aws]')\n")
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_is_exit_2_and_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, monkeypatch)
    (tmp_path / "cache").write_text("a file, not a directory\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["provider", "path"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("chalk-policy: error: cannot write the chalk component provider's directory "
                                    f"{bound_dir(tmp_path)}: ")
    assert result.stderr.endswith("; allowed: a writable $XDG_CACHE_HOME (or ~/.cache)\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(("name", "content", "detail"), [
    ("__main__.py", None, "__main__.py: No such file or directory"),
    ("PulumiPlugin.yaml", "runtime: [python\n", "PulumiPlugin.yaml: ParserError"),
    ("PulumiPlugin.yaml", "- runtime\n", "PulumiPlugin.yaml has no `runtime` mapping"),
    ("PulumiPlugin.yaml", "runtime:\n  name: python\n  options: pip\n", "PulumiPlugin.yaml has no `runtime` mapping"),
], ids=["no-main", "not-yaml", "not-a-mapping", "options-not-a-mapping"])
def test_a_broken_template_is_exit_2_and_one_line(name: str, content: str | None, detail: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    template = installed(tmp_path, monkeypatch)
    if content is None:
        (template / name).unlink()
    else:
        (template / name).write_text(content, encoding="utf-8")

    result = CliRunner().invoke(cli, ["provider", "path"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"chalk-policy: error: the chalk component provider's installed copy {template.resolve()} is broken "
        f"({detail}); allowed: chalk-policy reinstalled from its wheel (pip install --force-reinstall "
        "'chalk-policy[aws]')\n")


def test_the_real_site_packages_include_the_virtualenvs() -> None:
    import sysconfig

    assert Path(sysconfig.get_paths()["purelib"]).resolve() in shipped_cmd.site_dirs()
