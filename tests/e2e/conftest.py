"""End-to-end tests under the real Pulumi engine: see engine_kit.py and the README's "End-to-end tests".

The engine comes from scripts/pulumi-engine (what `make -s engine` runs). Where it can't be had (no Go and no pulumi
on PATH) these tests skip and say why, except with CI=true, where that is a failure: CI never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_kit import PROJECT_FILES, REPO, EngineUnavailable, Workspace, engine_bin, new_workspace


@pytest.fixture(scope="session")
def engine() -> Path:
    try:
        bin_dir, _home = engine_bin()
    except EngineUnavailable as reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the real Pulumi engine is unavailable: {reason}")
        pytest.skip(f"end-to-end tests skipped: {reason} (install Go >= 1.26, then `make e2e`)")
    return bin_dir


@pytest.fixture
def chalk_network(engine: Path, tmp_path: Path) -> Callable[[str], Workspace]:
    """The chalk-network project (the repo's Pulumi.yaml, __main__.py and stacks/) with one stack initialised."""

    def make(stack: str) -> Workspace:
        return new_workspace(tmp_path, engine, REPO, PROJECT_FILES, stack)

    return make
