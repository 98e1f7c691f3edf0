"""Build step: put the chalk-media policy pack into the wheel (everything else is in pyproject.toml).

``policy_packs/chalk-media/`` stays the one source of the pack. The wheel gets a copy under
``chalk_policy/policy_packs/chalk-media/`` (``chalk-policy pack path`` prints where it is installed), made for an
installed package instead of a checkout:

- ``PulumiPolicy.yaml`` without the ``virtualenv`` runtime option (``../../.venv`` exists only in a checkout): the pack
  runs on the Python that Pulumi finds, ``python3`` on PATH or ``$PULUMI_PYTHON_CMD``, i.e. the environment that has
  chalk-policy installed;
- ``requirements.txt`` requiring this very chalk-policy version instead of the checkout (``-e ../..``), for
  ``pulumi policy publish`` from the installed copy;
- every other file as it is.

An editable install (``pip install -e``) copies nothing: it finds the checkout's own pack.
"""

from __future__ import annotations

import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "policy_packs" / "chalk-media"
TARGET = ("chalk_policy", "policy_packs", "chalk-media")
SKIPPED = ("__pycache__",)
HEADER = """# CrossGuard policy pack chalk-media, as installed with chalk-policy {version} (made from the repository's
# policy_packs/chalk-media by the build). It runs on the Python Pulumi finds: python3 on PATH (activate the
# environment chalk-policy is installed in) or $PULUMI_PYTHON_CMD (e.g. /opt/chalk/venv/bin/python).
#   pulumi preview --policy-pack "$(chalk-policy pack path)"
"""


def installed_policy_yaml(text: str, version: str) -> str:
    """The checkout's PulumiPolicy.yaml for an installed package: its leading comments replaced, no ``virtualenv``."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    kept = [line for line in lines if not re.match(r"\s+virtualenv\s*:", line)]
    return HEADER.format(version=version) + "".join(kept)


def installed_requirements(text: str, version: str) -> str:
    """The checkout's requirements.txt with the editable checkout (``-e ../..``) replaced by this version."""
    lines = [f"# The chalk-media pack installed with chalk-policy {version}: its logic is that package.\n"]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines.append(f"chalk-policy=={version}\n" if line.lstrip().startswith("-e") else f"{line}\n")
    return "".join(lines)


class BuildPyWithPack(build_py):
    """``build_py``, then the pack's files into the build directory (so into the wheel)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not (SOURCE / "PulumiPolicy.yaml").is_file():
            raise RuntimeError(f"the policy pack is missing from the source tree: {SOURCE} (is MANIFEST.in intact?)")
        version = self.distribution.get_version()
        target = Path(self.build_lib, *TARGET)
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(SOURCE.iterdir()):
            if source.name in SKIPPED or not source.is_file():
                continue
            text = source.read_text(encoding="utf-8")
            if source.name == "PulumiPolicy.yaml":
                text = installed_policy_yaml(text, version)
            elif source.name == "requirements.txt":
                text = installed_requirements(text, version)
            (target / source.name).write_text(text, encoding="utf-8")


setup(cmdclass={"build_py": BuildPyWithPack})
