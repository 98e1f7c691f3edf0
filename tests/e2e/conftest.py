"""End-to-end tests under the real Pulumi engine: see engine_kit.py and the README's "End-to-end tests".

The engine comes from scripts/pulumi-engine (what `make -s engine` runs). Where it can't be had (no Go and no pulumi
on PATH) these tests skip and say why, except with CI=true, where that is a failure: CI never skips them.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_kit import PROJECT_FILES, REPO, EngineUnavailable, Workspace, engine_bin, new_workspace


def engine_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """engine_bin() once per test run. Under pytest-xdist the first worker to get here builds or links the engine
    (the slow part, on a machine without the cache) while the others wait, then reuse its answer: no second build,
    and no worker relinks <repo>/.engine/bin while another worker's pulumi runs from it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return engine_bin()[0]
    shared = tmp_path_factory.getbasetemp().parent  # one directory per run, common to its workers
    answer = shared / "engine.json"
    with (shared / "engine.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if answer.exists():
            return Path(json.loads(answer.read_text())["bin"])
        bin_dir, _home = engine_bin()
        answer.write_text(json.dumps({"bin": str(bin_dir)}))
        return bin_dir


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return engine_once(tmp_path_factory)
    except EngineUnavailable as reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the real Pulumi engine is unavailable: {reason}")
        pytest.skip(f"end-to-end tests skipped: {reason} (install Go >= 1.26, then `make e2e`)")


@pytest.fixture
def chalk_network(engine: Path, tmp_path: Path) -> Callable[[str], Workspace]:
    """The chalk-network project (the repo's Pulumi.yaml, __main__.py and stacks/) with one stack initialised."""

    def make(stack: str) -> Workspace:
        return new_workspace(tmp_path, engine, REPO, PROJECT_FILES, stack)

    return make
