"""The policy pack started over gRPC, once per stack per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from analyzer import Analyzer, policy_pack
from policy_kit import PACK, ROOT

from chalk_policy.preview import load_stack_config


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, Analyzer]]:
    """One pack process per stack, started lazily, with that stack's config in PULUMI_CONFIG."""
    contexts = []

    class Lazy(dict[str, Analyzer]):
        def __missing__(self, stack: str) -> Analyzer:
            context = policy_pack(PACK, stack=stack, stack_config=load_stack_config(ROOT, stack).config)
            contexts.append(context)
            self[stack] = context.__enter__()
            return self[stack]

    yield Lazy()
    for context in contexts:
        context.__exit__(None, None, None)
