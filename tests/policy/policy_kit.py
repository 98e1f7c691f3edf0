"""Shared helpers for the policy tests: the program's resources under mocks per stack."""

from __future__ import annotations

import functools
from pathlib import Path

from chalk_policy.preview import load_stack_config, run_program
from chalk_policy.preview.engine import PreviewResult

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policy_packs" / "chalk-media"
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@functools.cache
def recorded(stack: str, preview: bool = True) -> PreviewResult:
    """The project's own program under the SDK mocks for ``stack`` (what the engine would send)."""
    return run_program(load_stack_config(ROOT, stack), preview=preview)
