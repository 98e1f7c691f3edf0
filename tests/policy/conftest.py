"""Shared fixtures: the program's resources under mocks per stack, and the pack started over gRPC."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from analyzer import Analyzer, policy_pack

from chalk_policy.preview import load_stack_config, run_program
from chalk_policy.preview.engine import PreviewResult

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policy_packs" / "chalk-media"
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@functools.cache
def recorded(stack: str, preview: bool = True) -> PreviewResult:
    """The project's own program under the SDK mocks for ``stack`` (what the engine would send)."""
    return run_program(load_stack_config(ROOT, stack), preview=preview)


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, Analyzer]]:
    """One pack process per stack, started lazily, with that stack's config in PULUMI_CONFIG."""
    started: dict[str, Analyzer] = {}
    contexts = []

    class Lazy(dict[str, Analyzer]):
        def __missing__(self, stack: str) -> Analyzer:
            context = policy_pack(PACK, stack=stack, stack_config=load_stack_config(ROOT, stack).config)
            contexts.append(context)
            self[stack] = context.__enter__()
            return self[stack]

    lazy = Lazy(started)
    yield lazy
    for context in contexts:
        context.__exit__(None, None, None)
