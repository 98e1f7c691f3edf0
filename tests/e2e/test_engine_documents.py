"""The saved real-document corpus (tests/fixtures/engine/) still has the shape the engine writes today."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from engine_documents import FIXTURES, SETS, produce_set


def shape(value: Any, path: str = "") -> set[str]:
    """Every key path in a JSON document ("steps[].newState.inputs.tags"), values ignored."""
    if isinstance(value, dict):
        paths = {path}
        for key, item in value.items():
            paths |= shape(item, f"{path}.{key}" if path else key)
        return paths
    if isinstance(value, list):
        return set().union({path}, *(shape(item, f"{path}[]") for item in value))
    return {path}


def test_every_document_is_listed_with_its_command() -> None:
    listed = {document.file for *_, documents in SETS for document in documents}
    saved = {path.name for path in FIXTURES.glob("*.json")}
    assert listed == saved
    readme = (FIXTURES / "README.md").read_text()
    assert all(f"| {name} |" in readme for name in listed)


# One test per set (each set is its own stack, made from scratch), so that pytest-xdist can run them side by side.
@pytest.mark.parametrize("index", range(len(SETS)), ids=[documents[0].file.removesuffix(".json")
                                                         for *_, documents in SETS])
def test_documents_keep_the_engines_shape(engine: Path, tmp_path: Path, index: int) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    documents = produce_set(index, fresh, engine, tmp_path / "scratch")
    for document in documents:
        now = shape(json.loads((fresh / document.file).read_text()))
        then = shape(json.loads((FIXTURES / document.file).read_text()))
        assert now == then, (f"{document.file} changed shape; regenerate with `python tests/e2e/engine_documents.py`: "
                             f"new {sorted(now - then)[:10]}, gone {sorted(then - now)[:10]}")
