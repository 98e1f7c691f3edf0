"""The cyclic garbage collector's setting for chalk-policy's own processes: the policy pack and ``chalk-policy``.

Both hold one large, acyclic document in memory (the SDK's per-policy copies of every resource in the pack, the
parsed plan in ``check``) while they allocate many short-lived objects. At CPython's default (a young collection
every 700 allocations) the full collections that follow keep re-traversing the whole document: about 40% of an
AnalyzeStack of 10k resources, in a pack whose policies do nothing as well (bench/pack.py). Only the youngest
generation's threshold changes; the older generations keep theirs, so cyclic garbage is still collected, later.
Imports nothing but ``gc``: the pack and the command line call it before anything heavy loads.
"""

from __future__ import annotations

import gc

GC_YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation (CPython's default: 700)."""


def tune_gc() -> None:
    """Apply :data:`GC_YOUNG_THRESHOLD` to this process."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
