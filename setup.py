"""Build step: put the directories Pulumi runs from (the provider's as a template) into the wheel (the rest: pyproject).

:data:`SHIPPED` lists them, one entry each: the repository's directory stays their one source, and the wheel gets a
copy inside ``chalk_policy/`` made for an installed package instead of a checkout (no checkout virtualenv, no path
into the checkout):

- the chalk-media policy pack, ``policy_packs/chalk-media/`` -> ``chalk_policy/policy_packs/chalk-media/``
  (``chalk-policy pack path`` prints where it is installed): ``PulumiPolicy.yaml`` without the ``virtualenv``
  runtime option (``../../.venv`` exists only in a checkout), so the pack runs on the Python that Pulumi finds,
  ``python3`` on PATH or ``$PULUMI_PYTHON_CMD``, i.e. the environment that has chalk-policy installed;
  ``requirements.txt`` requiring this very chalk-policy version instead of the checkout (``-e ../..``), for ``pulumi
  policy publish`` from the installed copy;
- the ``chalk`` component provider, ``provider/`` -> ``chalk_policy/pulumi_plugins/chalk/``: a template, not run
  as it is. ``PulumiPlugin.yaml`` without the ``virtualenv`` runtime option (``../.venv`` exists only in a checkout),
  ``toolchain: pip`` kept. Unlike a policy pack, Pulumi's Python host never runs a plugin on ``python3`` from PATH:
  with no ``virtualenv`` option it uses (and creates) ``venv`` in the plugin's directory, and a file in the wheel
  cannot name the virtualenv it gets installed into. ``chalk-policy provider path`` (chalk_policy/cli/shipped_cmd.py)
  writes a copy with a ``virtualenv`` option naming the virtualenv it runs in into the user's cache and prints that;
  see the header written into the template (:data:`PROVIDER_HEADER`);
- every other file as it is (files only: no subdirectory, no ``__pycache__``).

An editable install (``pip install -e``) copies nothing: ``chalk-policy pack path`` and ``provider path`` find the
checkout's own directories. MANIFEST.in puts the sources into the sdist, from which the wheel is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SKIPPED = ("__pycache__",)
PACK_HEADER = """\
# CrossGuard policy pack chalk-media, as installed with chalk-policy {version} (made from the repository's
# policy_packs/chalk-media by the build). It runs on the Python Pulumi finds: python3 on PATH (activate the
# environment chalk-policy is installed in) or $PULUMI_PYTHON_CMD (e.g. /opt/chalk/venv/bin/python).
#   pulumi preview --policy-pack "$(chalk-policy pack path)"
"""
PROVIDER_HEADER = """\
# The `chalk` component provider (ChalkAwsEgress, ChalkAzureEgress, ChalkSquidProxy), as installed with
# chalk-policy {version} (made from the repository's provider/ by the build): a template, not for Pulumi to run.
# Pulumi runs a Python plugin (unlike a policy pack) only in a virtualenv, never on python3 from PATH; with no
# `virtualenv` option, as here, it would create `venv` in this directory, which lacks chalk-policy. Instead:
#   pulumi package add "$(chalk-policy provider path)"   # a TypeScript, Go, C# or Java program: generates its SDK
# where `chalk-policy provider path`, run from the virtualenv chalk-policy is installed in, writes a copy of this
# directory bound to it (a `virtualenv` option naming it) under $XDG_CACHE_HOME/chalk-policy/provider (by default
# ~/.cache/chalk-policy/provider) and prints that copy's path.
# A YAML program names it in Pulumi.yaml instead:  packages: {{chalk: <the path `chalk-policy provider path` prints>}}
"""

Rewrite = Callable[[str, str], str]
"""A file's text from the source tree and the package version -> the installed copy's text."""


def without_virtualenv(header: str) -> Rewrite:
    """A Pulumi project file (``PulumiPolicy.yaml``, ``PulumiPlugin.yaml``) for an installed package: its leading
    comments replaced by ``header`` (``{version}`` filled in), its ``virtualenv`` runtime option dropped (the other
    options, e.g. ``toolchain: pip``, stay, so ``options:`` remains a mapping)."""

    def rewrite(text: str, version: str) -> str:
        lines = text.splitlines(keepends=True)
        while lines and lines[0].startswith("#"):
            lines.pop(0)
        kept = [line for line in lines if not re.match(r"\s+virtualenv\s*:", line)]
        return header.format(version=version) + "".join(kept)

    return rewrite


def installed_requirements(text: str, version: str) -> str:
    """The checkout's requirements.txt with the editable checkout (``-e ../..``) replaced by this version."""
    lines = [f"# The chalk-media pack installed with chalk-policy {version}: its logic is that package.\n"]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines.append(f"chalk-policy=={version}\n" if line.lstrip().startswith("-e") else f"{line}\n")
    return "".join(lines)


@dataclass(frozen=True)
class Shipped:
    """A directory of the source tree that the wheel carries."""

    source: str
    """Where it is in the source tree (relative to this file)."""
    target: str
    """Where its copy goes in the wheel: a directory inside ``chalk_policy/``."""
    marker: str
    """The file it cannot be without (the build fails when the source tree lacks it)."""
    rewrites: Mapping[str, Rewrite]
    """File name -> how its installed copy is made; every other file is copied as it is."""


SHIPPED = (
    Shipped("policy_packs/chalk-media", "chalk_policy/policy_packs/chalk-media", "PulumiPolicy.yaml",
            {"PulumiPolicy.yaml": without_virtualenv(PACK_HEADER), "requirements.txt": installed_requirements}),
    Shipped("provider", "chalk_policy/pulumi_plugins/chalk", "PulumiPlugin.yaml",
            {"PulumiPlugin.yaml": without_virtualenv(PROVIDER_HEADER)}),
)
"""What the wheel carries besides the package's own modules and data; chalk_policy/cli/shipped_cmd.py finds each."""


class BuildPyShipped(build_py):
    """``build_py``, then each :data:`SHIPPED` directory's files into the build directory (so into the wheel)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        version = self.distribution.get_version()
        for shipped in SHIPPED:
            self.copy_shipped(shipped, version)

    def copy_shipped(self, shipped: Shipped, version: str) -> None:
        source = ROOT / shipped.source
        if not (source / shipped.marker).is_file():
            raise RuntimeError(f"{shipped.source}/{shipped.marker} is missing from the source tree: {source} (is "
                               "MANIFEST.in intact?)")
        target = Path(self.build_lib, *shipped.target.split("/"))
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.iterdir()):
            if path.name in SKIPPED or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            rewrite = shipped.rewrites.get(path.name)
            (target / path.name).write_text(rewrite(text, version) if rewrite else text, encoding="utf-8")


setup(cmdclass={"build_py": BuildPyShipped})
