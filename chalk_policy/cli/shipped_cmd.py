"""``chalk-policy pack`` and ``chalk-policy provider``: where the directories Pulumi runs from that come with
chalk-policy are, the chalk-media policy pack (``pulumi preview --policy-pack``) and the ``chalk`` component provider
(``pulumi package add``).

Each is in the repository once; the wheel carries a copy inside the package made for an installed package (setup.py,
``SHIPPED``). :func:`shipped_dir` finds either the same way: the installed copy first, else the checkout's.

The pack's installed copy is run as it is (Pulumi runs a policy pack on ``python3`` from PATH or
``$PULUMI_PYTHON_CMD``). The provider's is a template: Pulumi runs a Python *plugin* only inside a virtualenv, by
default ``venv`` in the plugin's own directory, and a file in a wheel cannot name the environment it is installed
into. So ``provider path`` writes, from the installed copy, a directory bound to the virtualenv it runs in
(:func:`bound_provider`: a ``virtualenv`` runtime option naming ``sys.prefix``) in the user's cache, and prints that."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from .main import fail


@dataclass(frozen=True)
class Shipped:
    """A directory that comes with chalk-policy (one entry of setup.py's ``SHIPPED``)."""

    what: str
    """What it is, as an error names it."""
    installed: str
    """Its copy inside the installed package, relative to the ``chalk_policy`` directory."""
    checkout: str
    """The repository's own, relative to the checkout (the directory holding ``chalk_policy``)."""
    marker: str
    """The file that makes it one: a directory without it is not found."""


PACK = Shipped("the chalk-media policy pack", "policy_packs/chalk-media", "policy_packs/chalk-media",
               "PulumiPolicy.yaml")
PROVIDER = Shipped("the chalk component provider", "pulumi_plugins/chalk", "provider", "PulumiPlugin.yaml")
PROVIDER_FILES = ("PulumiPlugin.yaml", "__main__.py")
"""The files of the bound provider directory, each made from the installed copy's file of that name."""
BOUND_HEADER = """\
# The `chalk` component provider (ChalkAwsEgress, ChalkAzureEgress, ChalkSquidProxy) of chalk-policy {version}, bound
# to the virtualenv it is installed in: Pulumi runs it with that virtualenv's Python (`virtualenv` below),
#   {prefix}
# Written by `chalk-policy provider path`, run in that virtualenv, from the installed copy (a template, not for
# Pulumi to run) at {template}
# Don't edit it: that command writes it again whenever it is missing or differs; run it again to regenerate it.
# Another chalk-policy version or another virtualenv gets a directory of its own.
#   pulumi package add "$(chalk-policy provider path)"   # a TypeScript, Go, C# or Java program: generates its SDK
# A YAML program names it in Pulumi.yaml instead:  packages: {{chalk: <the path `chalk-policy provider path` prints>}}
"""


def package_dir() -> Path:
    """The ``chalk_policy`` directory this module is in."""
    return Path(__file__).resolve().parent.parent


def shipped_dir(shipped: Shipped, package: Path | None = None) -> Path | None:
    """``shipped``'s directory: the copy inside the installed package (``chalk_policy/<installed>``, put there by the
    wheel's build, see setup.py), else the checkout's own next to the package (an editable install or a source tree);
    None when neither holds its marker file. ``package``: the ``chalk_policy`` directory, this one by default."""
    package = package or package_dir()
    for candidate in (package / shipped.installed, package.parent / shipped.checkout):
        if (candidate / shipped.marker).is_file():
            return candidate
    return None


def found_dir(shipped: Shipped) -> Path:
    """``shipped``'s directory, or stop with one line naming both places looked in."""
    found = shipped_dir(shipped)
    if found is None:
        fail(f"{shipped.what} is not in this installation (looked in chalk_policy/{shipped.installed} and "
             f"{shipped.checkout} next to the package); allowed: chalk-policy installed from its wheel, or a checkout")
    return found


def cache_home() -> Path:
    """The user's cache directory: ``$XDG_CACHE_HOME`` (when it is an absolute path, as the XDG spec requires), else
    ``~/.cache``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg)
    try:
        return Path.home() / ".cache"
    except RuntimeError:  # no HOME and no password entry
        fail("no cache directory for the chalk component provider: neither $XDG_CACHE_HOME (an absolute path) nor a "
             "home directory is set; allowed: XDG_CACHE_HOME=/some/writable/dir chalk-policy provider path")


def site_dirs() -> set[Path]:
    """The site-packages directories of the running Python (its virtualenv's, the base Python's when the virtualenv
    includes them, and the user's when enabled), resolved."""
    import site

    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return {Path(directory).resolve() for directory in dirs}


def virtualenv() -> Path:
    """The virtualenv this chalk-policy runs in and is installed in (``sys.prefix``, absolute), the one the provider
    is bound to; or stop with one line when it runs in none, or is not installed in it (e.g. found through
    PYTHONPATH), as the provider would not find it there."""
    prefix = Path(sys.prefix).absolute()
    if sys.prefix == sys.base_prefix:
        fail(f"the chalk component provider needs chalk-policy installed in a virtualenv, and this Python ({prefix}) "
             "is not one: Pulumi runs a Python plugin only inside a virtualenv; allowed: python -m venv VENV && "
             "VENV/bin/pip install 'chalk-policy[aws]', then VENV/bin/chalk-policy provider path")
    installed_in = package_dir().parent
    if installed_in not in site_dirs():
        fail(f"chalk-policy runs from {installed_in}, which is not a site-packages directory of the virtualenv it runs "
             f"in ({prefix}), so the provider, run in that virtualenv, would not find it; allowed: chalk-policy "
             f"installed in that virtualenv ({prefix}/bin/pip install 'chalk-policy[aws]')")
    return prefix


def broken(template: Path, detail: str) -> NoReturn:
    """Stop with one line: the installed template is not as the wheel made it."""
    fail(f"the chalk component provider's installed copy {template} is broken ({detail}); allowed: chalk-policy "
         "reinstalled from its wheel (pip install --force-reinstall 'chalk-policy[aws]')")


def bound_plugin_yaml(template: Path, prefix: Path, version: str) -> str:
    """The installed copy's ``PulumiPlugin.yaml`` with ``virtualenv: <prefix>`` added to ``runtime.options`` (the
    other options, ``toolchain: pip``, kept) under a header saying where it runs and what wrote it."""
    import yaml

    from ..text import printable

    try:
        data: Any = yaml.safe_load((template / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        broken(template, f"PulumiPlugin.yaml: {getattr(exc, 'strerror', None) or type(exc).__name__}")
    runtime = data.get("runtime") if isinstance(data, dict) else None
    if isinstance(runtime, str):  # `runtime: python`, the short form
        runtime = data["runtime"] = {"name": runtime}
    if not isinstance(runtime, dict) or not isinstance(runtime.setdefault("options", {}), dict):
        broken(template, "PulumiPlugin.yaml has no `runtime` mapping")
    runtime["options"]["virtualenv"] = str(prefix)
    header = BOUND_HEADER.format(version=version, prefix=printable(str(prefix), newlines=False),
                                 template=printable(str(template), newlines=False))
    return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True,
                                   width=1_000_000)


def holds(directory: Path, files: dict[str, bytes]) -> bool:
    """Whether ``directory`` holds exactly these contents in these files (other files are not looked at)."""
    try:
        return all((directory / name).read_bytes() == content for name, content in files.items())
    except OSError:
        return False


def write_dir(target: Path, files: dict[str, bytes]) -> None:
    """Make ``target`` a directory holding ``files``, atomically: they are written into a new directory next to it,
    which is renamed to ``target``; a ``target`` that differs is first moved aside and removed. Another process
    doing the same at the same time is no harm: whichever rename comes first wins, and the other finds its files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.new"
    staging.mkdir()  # not mkdtemp's 0700: the mode any directory gets (the umask's)
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        for _attempt in range(5):
            try:
                staging.rename(target)  # atomic; fails when target exists (and is not an empty directory)
                return
            except OSError:
                if holds(target, files):  # a concurrent writer got there first, with the same files
                    return
                if target.exists() or target.is_symlink():  # an older or changed one: aside, then try again
                    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
                    try:
                        target.rename(aside / target.name)
                    except FileNotFoundError:  # a concurrent writer moved it already
                        pass
                    finally:
                        shutil.rmtree(aside, ignore_errors=True)
        staging.rename(target)  # the last try: its error, if any, is the one reported
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def bound_provider(template: Path, prefix: Path, cache: Path, version: str = __version__) -> Path:
    """The provider directory bound to the virtualenv ``prefix``, made from the installed copy ``template``:
    ``<cache>/chalk-policy/provider/<version>-<sha256 of prefix, first 12 digits>/``, holding ``PulumiPlugin.yaml``
    (:func:`bound_plugin_yaml`) and ``__main__.py`` (the installed copy's). Written when missing or different."""
    try:
        main = (template / "__main__.py").read_bytes()
    except OSError as exc:
        broken(template, f"__main__.py: {exc.strerror or exc}")
    files = {"PulumiPlugin.yaml": bound_plugin_yaml(template, prefix, version).encode("utf-8"), "__main__.py": main}
    digest = hashlib.sha256(str(prefix).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    target = cache / "chalk-policy" / "provider" / f"{version}-{digest}"
    if holds(target, files):
        return target
    try:
        write_dir(target, files)
    except OSError as exc:
        fail(f"cannot write the chalk component provider's directory {target}: {exc.strerror or exc}; allowed: a "
             "writable $XDG_CACHE_HOME (or ~/.cache)")
    return target


@click.group("pack")
def pack_command() -> None:
    """The chalk-media CrossGuard policy pack that comes with chalk-policy.

    pulumi preview --policy-pack "$(chalk-policy pack path)"
    """


@pack_command.command("path")
def pack_path_command() -> None:
    """Print the directory of the chalk-media policy pack.

    Installed from a wheel, the pack runs on the Python that Pulumi finds: `python3` on PATH (activate the
    environment chalk-policy is installed in) or `$PULUMI_PYTHON_CMD`. In a checkout it is policy_packs/chalk-media,
    which runs in the checkout's .venv.
    """
    click.echo(str(found_dir(PACK)))


@click.group("provider")
def provider_command() -> None:
    """The chalk Pulumi component provider that comes with chalk-policy, for programs in any language.

    ChalkAwsEgress, ChalkAzureEgress and ChalkSquidProxy (`chalk-policy provider path --help`: how a program uses it).

    pulumi package add "$(chalk-policy provider path)"
    """


@provider_command.command("path")
def provider_path_command() -> None:
    """Print the directory of the chalk component provider (its PulumiPlugin.yaml).

    A TypeScript, Go, C# or Java program: `pulumi package add` that directory (it generates the program's SDK). A
    YAML program: name it under `packages:` in Pulumi.yaml (`chalk: <the directory>`).

    Installed from a wheel, chalk-policy must be in a virtualenv: Pulumi runs a Python plugin only inside one. The
    copy inside the installed package is a template; this command writes a copy bound to the virtualenv it runs in
    (a `virtualenv` option naming it), again whenever that is missing or differs, and prints its directory:

    \b
    $XDG_CACHE_HOME/chalk-policy/provider/VERSION-HASH   (XDG_CACHE_HOME: by default ~/.cache)

    In a checkout it is provider/, which runs in the checkout's .venv.
    """
    found = found_dir(PROVIDER)
    if found != package_dir() / PROVIDER.installed:  # a checkout's (or an editable install's): used as it is
        click.echo(str(found))
        return
    click.echo(str(bound_provider(found, virtualenv(), cache_home())))
