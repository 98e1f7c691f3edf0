"""Build chalk-policy's wheel as `python -m build` builds it, for the tests that install it (tests/packaging/
test_wheel.py, tests/e2e/test_installed_provider.py): an sdist from a copy of this working tree, then the wheel from
the unpacked sdist. Offline, with this environment's setuptools (``--no-build-isolation``, the `test` extra installs
it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "chalk_policy", "policy_packs", "provider")
"""What the sdist is built from (MANIFEST.in picks from these)."""
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
BUILD = """
import sys
from setuptools import build_meta
print(getattr(build_meta, sys.argv[1])(sys.argv[2]))
"""


def build(step: str, cwd: Path, out: Path) -> Path:
    """Run one PEP 517 hook of setuptools (``build_sdist``, ``build_wheel``) in ``cwd``; the file it made in out."""
    done = subprocess.run([sys.executable, "-c", BUILD, step, str(out)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / done.stdout.split()[-1]


def build_wheel(work: Path) -> Path:
    """The wheel, built in ``work`` (an empty directory): the working tree's sources copied, the sdist built from
    them and unpacked, the wheel built from that."""
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    sdist = build("build_sdist", source, work / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    return build("build_wheel", work / "unpacked" / sdist.name.removesuffix(".tar.gz"), work / "dist")
