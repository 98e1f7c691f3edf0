"""Benchmarks: every speed goal of issue 14 as a ratio measured in this one run.

    make bench        (or: .venv/bin/python bench/run.py [--quick] [--fresh-clone-test])

Generates the seeded documents of bench/documents.py (1k, 10k and 50k resources, one NSG of 1,000 rules) into a
temporary directory, times the baselines (``json.loads`` of the same document, no-op policy packs with 1 and with 5
policies, ``python -c pass``) and ours in the same run, and prints each goal with its measured ratio and whether it
is met. Prints and never asserts: machines differ, ratios within one run are what compare (tests never time).
``--fresh-clone-test`` also clones the repository and times ``make test`` there (minutes: the test suite).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@dataclass(frozen=True)
class Goal:
    figure: str
    measured: str
    goal: str
    met: bool | None
    """None: not measured in this run."""

    def line(self) -> str:
        verdict = "met" if self.met else "not measured" if self.met is None else "NOT MET"
        return f"  {self.figure:<58} {self.measured:<30} goal {self.goal:<16} {verdict}"


@dataclass(frozen=True)
class CheckTiming:
    resources: int
    json_loads: float
    read: float
    check: float

    @property
    def ratio(self) -> float:
        return self.check / self.json_loads


def time_check(path: Path, repeat: int) -> CheckTiming:
    """``json.loads`` of the file, ``read_document`` of it, and the in-process check (the five policies, as
    ``chalk-policy check`` runs them, text report included) of what was read."""
    from chalk_policy.cli.check import check_documents
    from chalk_policy.plans import read_document, render_text

    text = path.read_text(encoding="utf-8")
    t_json = median_seconds(lambda: json.loads(text), repeat)
    t_read = median_seconds(lambda: read_document(str(path)), repeat)
    project_dir = path.parent  # no Pulumi project there: annotations point at the file itself
    samples = []
    for _ in range(repeat):
        document = read_document(str(path))  # a new document each time: nothing is reused from a previous check
        start = time.perf_counter()
        render_text(check_documents([document], (str(path),), {}, project_dir, {}))
        samples.append(time.perf_counter() - start)
    return CheckTiming(len(document.resources), t_json, t_read, statistics.median(samples))


def write_documents(directory: Path, sizes: tuple[int, ...]) -> dict[str, Path]:
    from documents import nsg_document, preview_document

    paths = {}
    for size in sizes:
        paths[f"{size}"] = directory / f"preview-{size}.json"
        paths[f"{size}"].write_text(json.dumps(preview_document(size)), encoding="utf-8")
    paths["nsg"] = directory / "nsg-1000-rules.json"
    paths["nsg"].write_text(json.dumps(nsg_document(1000)), encoding="utf-8")
    return paths


def fresh_clone_test() -> float:
    """Wall seconds of ``make test`` in a fresh clone of this repository (caches outside the repo are kept)."""
    with tempfile.TemporaryDirectory() as clone:
        subprocess.run(["git", "clone", "-q", str(ROOT), clone], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "test"], cwd=clone, check=True, env={**os.environ, "CI": "true"},
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Fewer repeats and no 50k document (about a minute).")
    parser.add_argument("--fresh-clone-test", action="store_true", help="Also time `make test` in a fresh clone.")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    sizes = (1000, 10000) if args.quick else (1000, 10000, 50000)

    from pack import GC_BASELINE, pack_analyze, pack_startup
    from startup import PLAN, PYTHON, cli_startup

    import chalk_policy.policies.analysis  # noqa: F401 - imported once here, so no timing below includes it
    from chalk_policy.gc_tuning import tune_gc

    tune_gc()  # the GC setting of a `chalk-policy` process; json.loads (the baseline) runs under it too

    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="chalk-bench-") as tmp:
        paths = write_documents(Path(tmp), sizes)
        checks = {size: time_check(paths[str(size)], repeat if size < 50000 else 2) for size in sizes}
        nsg = time_check(paths["nsg"], repeat * 2)

        ten = checks[10000]
        goals.append(Goal("check of 10k resources (in-process) / json.loads of it",
                          f"{ten.check:.2f} s / {ten.json_loads:.2f} s = {ten.ratio:.2f}x", "<= 2x",
                          ten.ratio <= 2))
        goals.append(Goal("  the same with reading the document: (read + check) / json.loads",
                          f"{(ten.read + ten.check) / ten.json_loads:.2f}x", "(reported)", True))
        one = checks[1000]
        goals.append(Goal("check of 1k resources / json.loads of it",
                          f"{one.check:.3f} s / {one.json_loads:.3f} s = {one.ratio:.2f}x", "(linear)", True))
        if 50000 in checks:
            fifty = checks[50000]
            growth = fifty.check / ten.check
            goals.append(Goal("check of 50k / check of 10k", f"{fifty.check:.1f} s / {ten.check:.1f} s = "
                              f"{growth:.2f}", "<= 5.5", growth <= 5.5))
            baseline_growth = fifty.json_loads / ten.json_loads
            goals.append(Goal("  json.loads of 50k / of 10k, the same run (the machine's own growth)",
                              f"{baseline_growth:.2f}", "(reported)", True))
        else:
            goals.append(Goal("check of 50k / check of 10k", "(--quick)", "<= 5.5", None))
        goals.append(Goal("one NSG with 1,000 rules: read + check", f"{(nsg.read + nsg.check) * 1000:.0f} ms",
                          "<= 100 ms", nsg.read + nsg.check <= 0.1))

        from chalk_policy.plans import read_document

        resources = read_document(str(paths["10000"])).resources
        analyze = pack_analyze(resources, repeat=1 if args.quick else 2, gc_baseline=True)
        ratio5 = analyze["chalk-media"] / analyze["noop-5"]
        ratio1 = analyze["chalk-media"] / analyze["noop-1"]
        goals.append(Goal("pack AnalyzeStack at 10k / no-op pack with 5 policies",
                          f"{analyze['chalk-media']:.2f} s / {analyze['noop-5']:.2f} s = {ratio5:.2f}x", "<= 1.2x",
                          ratio5 <= 1.2))
        same_gc = analyze["chalk-media"] / analyze[GC_BASELINE]
        goals.append(Goal("  the same / no-op pack with 5 policies and the pack's GC setting",
                          f"{analyze['chalk-media']:.2f} s / {analyze[GC_BASELINE]:.2f} s = {same_gc:.2f}x",
                          "(reported)", True))
        goals.append(Goal("  the same / no-op pack with 1 policy",
                          f"{analyze['chalk-media']:.2f} s / {analyze['noop-1']:.2f} s = {ratio1:.2f}x",
                          "(reported)", True))
    started = pack_startup(repeat=repeat)
    start_ratio = started["chalk-media"] / started["noop-5"]
    goals.append(Goal("pack start-up / no-op pack (5 policies) start-up",
                      f"{started['chalk-media']:.2f} s / {started['noop-5']:.2f} s = {start_ratio:.2f}x", "<= 1.1x",
                      start_ratio <= 1.1))
    cli = cli_startup(repeat=max(10, repeat * 2))
    plan_seconds, python_seconds = cli[PLAN], cli[PYTHON]
    goals.append(Goal("`chalk-policy plan --regions jp1,us2 --option 1`, whole process",
                      f"{plan_seconds * 1000:.0f} ms (python -c pass: {python_seconds * 1000:.0f} ms)", "<= 150 ms",
                      plan_seconds <= 0.15))
    if args.fresh_clone_test:
        seconds = fresh_clone_test()
        goals.append(Goal("`make test` on a fresh clone", f"{seconds / 60:.1f} min", "< 5 min", seconds < 300))
    else:
        goals.append(Goal("`make test` on a fresh clone", "(make bench-full)", "< 5 min", None))

    print(f"chalk-policy benchmarks, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; median of {repeat} runs "
          "(50k: 2)")
    for size, timing in checks.items():
        print(f"  {size:>6} resources: json.loads {timing.json_loads * 1000:8.1f} ms, read {timing.read * 1000:8.1f} "
              f"ms, check {timing.check * 1000:8.1f} ms")
    print("  pack AnalyzeStack at 10k: " + ", ".join(f"{k} {v:.2f} s" for k, v in analyze.items()))
    print("  pack start-up: " + ", ".join(f"{k} {v:.2f} s" for k, v in started.items()))
    print("goals (issue 14):")
    for goal in goals:
        print(goal.line())


if __name__ == "__main__":
    main()
