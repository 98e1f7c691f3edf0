"""Fixtures for the offline-preview tests (pulumi is imported here only, not by the repository conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_kit import make_project

from chalk_policy.preview import PreviewResult, load_stack_config, run_program


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "tiny")


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, PreviewResult]:
    """The tiny program run once in each mode: {preview: result}."""
    root = make_project(tmp_path_factory.mktemp("tiny"))
    config = load_stack_config(root, "dev")
    return {preview: run_program(config, preview=preview) for preview in (False, True)}
