"""docs/build.py, the gate of `make docs`: it fails on pdoc's warnings and on broken docstring cross-references, and
lets correct ones through. (`make test` builds the real API reference; this checks the gate on two small packages.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CLEAN = '''
"""A package that documents cleanly: :mod:`.inner`, :func:`helper`, :class:`Config` and :func:`json.dumps`."""

from dataclasses import dataclass


def helper(config: "Config") -> int:
    """The :attr:`Config.size` of ``config``."""
    return config.size


@dataclass
class Config:
    """See :attr:`size`."""

    size: int = 1
    """How big: an attribute docstring."""
'''

BROKEN = '''
"""See :func:`no_such_function` and :mod:`.no_such_module`."""

from dataclasses import dataclass


def helper(x: "NoSuchType") -> None:
    """Uses :class:`~Config`."""


@dataclass
class Config:
    """See :attr:`colour`."""

    size: int = 1
'''


def build(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(source))
    (package / "inner.py").write_text('"""A submodule."""\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, str(REPO / "docs" / "build.py"), "-o", str(tmp_path / "out"), name],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def test_clean_docstrings_build(tmp_path: Path) -> None:
    result = build(tmp_path, "docsclean", CLEAN)
    assert result.returncode == 0, result.stderr
    assert "0 problems" in result.stderr
    page = (tmp_path / "out" / "docsclean.html").read_text()
    assert "How big: an attribute docstring." in page
    assert (tmp_path / "out" / "index.html").is_file()


def test_warnings_and_broken_references_fail(tmp_path: Path) -> None:
    result = build(tmp_path, "docsbroken", BROKEN)
    assert result.returncode == 1, result.stderr
    problems = [line for line in result.stderr.splitlines() if " modules into " not in line]
    assert problems == [
        "docs: UserWarning: Error parsing type annotation NoSuchType for docsbroken.helper. Import of NoSuchType "
        "failed: name 'NoSuchType' is not defined",
        "docs: docsbroken: broken reference :func:`no_such_function` (no such name)",
        "docs: docsbroken: broken reference :mod:`.no_such_module` (no such name)",
        "docs: docsbroken.Config: broken reference :attr:`colour` (no such name)",
        "docs: docsbroken.helper: broken reference :class:`~Config` (pdoc shows the ~ as it is; drop it)",
    ], result.stderr
