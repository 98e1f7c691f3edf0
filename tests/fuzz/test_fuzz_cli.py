"""Fuzzing the command line (issue 15, point 5): every user-facing input, hostile or broken, gets exit 0, 1 or 2,
never a traceback, within 10 s and 2 GiB, and on exit 2 a short message.

Two budgets, one set of tests:

* CI (default, part of ``make test``): each kind runs a fixed number of derandomized examples (the same cases on
  every run), every failure is recorded, none is shrunk; the test fails listing each distinct failure.
* Long (``CHALK_FUZZ_SECONDS=600``, ``make fuzz``): the seconds are shared by the kinds (times the number of xdist
  workers); each kind runs rounds of random examples until its share is spent. A failure with a new signature is
  shrunk by Hypothesis (up to 60 s each); repeats of a known one are only counted.

Every failure is confirmed in a real ``python -m chalk_policy`` process and reported with its smallest case's
directory and a repro command. See tests/fuzz/README.md.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from fuzz_cases import KINDS, REFUSED_PLANS, seed_cases
from fuzz_runner import Campaign, Case, FuzzFailure, Runner, problems
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import HypothesisException
from hypothesis.internal.conjecture import engine

CI_EXAMPLES = {
    # About 75 s of wall time with -n 2 on the shared 2-core machine, fork-server warm-up included (a case takes
    # ~0.05 s for plan/catalog/render, ~0.1-0.3 s for check, ~0.45 s for preview; a timeout 10 s).
    "catalog-structure": 60,
    "catalog-mutation": 60,
    "overlay-structure": 50,
    "overlay-mutation": 50,
    "stack-structure": 35,
    "stack-mutation": 35,
    "plan-structure": 50,
    "plan-mutation": 40,
    "policy-config": 40,
    "cli-values": 60,
}
LONG_SECONDS = float(os.environ.get("CHALK_FUZZ_SECONDS") or 0)
ROUND_EXAMPLES = 50
SHRINK_SECONDS = 60.0
"""Long budget: how long Hypothesis may shrink a new failure."""
CONFIRM_SECONDS = 60.0
"""How long the failures of one kind may take to run again in real processes (in the long budget, at most a quarter
of the kind's share more)."""

COMMON = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=False,
                  verbosity=Verbosity.quiet)


def _share_of_time() -> float:
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1), 1)
    return LONG_SECONDS * min(workers, len(KINDS)) / len(KINDS)


def _only_fuzz_failures(exc: BaseException) -> bool:
    """Raised by Hypothesis for our own failures (one, several, or flaky on replay): the campaign has them."""
    if isinstance(exc, FuzzFailure | HypothesisException):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_fuzz_failures(inner) for inner in exc.exceptions)
    return False


def _fuzz(kind: str, campaign: Campaign) -> None:
    strategy = KINDS[kind]()

    def body(case: Case) -> None:
        campaign.run(case)

    if not LONG_SECONDS:
        ci = settings(COMMON, max_examples=CI_EXAMPLES[kind], derandomize=True,
                      phases=(Phase.explicit, Phase.generate))
        ci(given(case=strategy)(body))()
        return
    rounds = settings(COMMON, max_examples=ROUND_EXAMPLES, derandomize=False,
                      phases=(Phase.explicit, Phase.generate, Phase.shrink))
    default_shrinking = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    try:
        while not campaign.over_time:
            if default_shrinking is not None:  # Hypothesis shrinks up to 300 s, no setting for it: keep to the share
                engine.MAX_SHRINKING_SECONDS = max(1, int(min(SHRINK_SECONDS, campaign.deadline - time.monotonic())))
            try:
                rounds(given(case=strategy)(body))()
            except Exception as exc:
                if not _only_fuzz_failures(exc):
                    raise
    finally:
        if default_shrinking is not None:
            engine.MAX_SHRINKING_SECONDS = default_shrinking


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fuzz(kind: str, fuzz_runner: Runner, fuzz_keep: Path) -> None:
    campaign = Campaign(fuzz_runner, fuzz_keep / kind, raise_new=bool(LONG_SECONDS), shrink_seconds=SHRINK_SECONDS)
    if LONG_SECONDS:
        campaign.deadline = time.monotonic() + _share_of_time()
    _fuzz(kind, campaign)
    if campaign.failures:
        campaign.confirm(min(CONFIRM_SECONDS, _share_of_time() / 4) if LONG_SECONDS else CONFIRM_SECONDS)
    summary = campaign.summary(kind)
    print(summary)
    assert not campaign.failures, summary


SEEDS = seed_cases()


@pytest.mark.parametrize("kind", sorted({case.kind for case in SEEDS}))
def test_the_seeds_are_valid_inputs(kind: str, fuzz_runner: Runner) -> None:
    """The documents the strategies start from are accepted by every command that reads them: a fuzz case then
    differs from a valid input by what was drawn, not by a broken seed."""
    refused = []
    for case in (c for c in SEEDS if c.kind == kind):
        directory = fuzz_runner.new_dir(case.kind)
        result = fuzz_runner.run_in(directory, case)
        refused_by_design = case.kind == "seed-plan" and case.argv[1] in REFUSED_PLANS
        if result.exit not in ((2,) if refused_by_design else (0, 1)) or problems(result):
            refused.append(f"{' '.join(case.argv)}: {result.describe()}: {result.stderr.strip()[-500:]} "
                           f"(in {directory})")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    assert not refused, "\n".join(refused)
