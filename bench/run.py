"""Benchmarks: where the time of a check goes, as ratios measured in this one run.

    make bench        (or: .venv/bin/python bench/run.py [--repeat N])

Prints medians and ratios, never asserts: machines differ, ratios within one run are what compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "policy"))  # the gRPC driver the tests use


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat

    from chalk_policy.catalog import load_catalog
    from chalk_policy.coverage import Resource, check_media
    from chalk_policy.planning import aws_budget, azure_budget, plan
    from chalk_policy.preview import load_stack_config, run_program

    catalog = load_catalog()
    all_plan = plan(catalog, "all", 1, "e2ee")
    one_plan = plan(catalog, "jp1", 1, "e2ee")
    t_plan = median_seconds(lambda: (aws_budget(catalog, p := plan(catalog, "all", 1, "e2ee")), azure_budget(p)),
                            repeat)
    config = load_stack_config(ROOT, "prod")
    t_preview = median_seconds(lambda: run_program(config, preview=True), max(3, repeat // 2))
    records = run_program(config, preview=True).resources
    resources = [Resource(r.type, r.urn, r.name, r.outputs) for r in records if r.custom]
    t_check_all = median_seconds(lambda: check_media(resources, all_plan, catalog), repeat)
    t_check_one = median_seconds(lambda: check_media(resources, one_plan, catalog), repeat)

    from analyzer import policy_pack, struct
    from pulumi.runtime.proto import analyzer_pb2

    request = [analyzer_pb2.AnalyzerResource(type=r.type, urn=r.urn, name=r.name, properties=struct(r.props))
               for r in resources]
    start = time.perf_counter()
    with policy_pack(ROOT / "policy_packs" / "chalk-media", stack="prod", stack_config=config.config) as pack:
        t_start = time.perf_counter() - start
        pack.configure()
        t_grpc = median_seconds(lambda: pack.analyze_stack(request), repeat)

    rows = [
        ("plan + AWS/Azure budgets, all regions", t_plan),
        ("coverage check, 1 region (jp1)", t_check_one),
        ("coverage check, all 9 regions", t_check_all),
        ("policy pack AnalyzeStack over gRPC (5 policies)", t_grpc),
        ("policy pack process start", t_start),
        ("offline preview of prod (mock engine)", t_preview),
    ]
    print(f"chalk-policy benchmarks: prod stack, {len(resources)} resources, median of {repeat} runs")
    for label, seconds in rows:
        print(f"  {label:<50} {seconds * 1000:9.1f} ms")
    print("ratios (same run):")
    print(f"  all regions / one region coverage check:        {t_check_all / t_check_one:6.1f}x")
    print(f"  gRPC pack (5 policies) / one in-process check:  {t_grpc / t_check_all:6.1f}x")
    print(f"  offline preview / coverage check:               {t_preview / t_check_all:6.1f}x")
    print(f"  pack start / one AnalyzeStack:                  {t_start / t_grpc:6.1f}x")


if __name__ == "__main__":
    main()
