"""The fuzz tests' runner (one per pytest process: each xdist worker starts its own fork server) and directories."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_runner import Runner, make_runner


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the cases run (each in a directory of its own, deleted when it passes)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def fuzz_keep() -> Path:
    """Where failing cases are kept: ``$CHALK_FUZZ_KEEP``, else ``<tmp>/chalk-fuzz/<time>-<pid>`` (not under pytest's
    base temporary directory, which later runs delete)."""
    given = os.environ.get("CHALK_FUZZ_KEEP")
    if given:
        return Path(given)
    return Path(tempfile.gettempdir()) / "chalk-fuzz" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


@pytest.fixture(scope="session")
def fuzz_runner(fuzz_dir: Path) -> Iterator[Runner]:
    runner = make_runner(fuzz_dir / "cases")
    runner.start()
    yield runner
    runner.close()
