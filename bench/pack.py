"""The policy pack's overhead over gRPC, against no-op packs with 1 and with 5 stack policies (issue 14).

    .venv/bin/python bench/pack.py /tmp/bench/p10000.json [--repeat 3]

``bench/run.py`` calls :func:`pack_startup` and :func:`pack_analyze`. Every pack is started the way the engine starts
it (``python -u -m pulumi.policy <engine> <pack-dir>``, cwd = the pack, tests/policy/analyzer.py) and sent what the
engine sends: each resource's properties (outputs, else inputs) as an ``AnalyzerResource``.

The baselines (bench/noop_packs/) import pulumi_policy only and their policies return at once: what they cost is the
SDK's. The SDK turns every resource of the request into a ``PolicyResource`` (``MessageToDict``, deserialization and
an unknown-checking proxy of its properties) once per policy, so a no-op pack's AnalyzeStack grows with the number
of policies (faster than linearly: the cyclic GC re-traverses the objects of the policies built so far); chalk-media
has 5, and is compared with the 5-policy no-op pack. Unlike the baselines, chalk-media raises the GC's young
generation threshold in its process (policy_packs/chalk-media/__main__.py), which takes most of that GC cost away
from the SDK's part of its AnalyzeStack as well.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "tests" / "policy", ROOT / "bench"):  # the tests' gRPC driver; the documents' generator
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
from documents import OPTION, PROJECT, REGIONS, STACK  # noqa: E402

PACKS: dict[str, Path] = {
    "noop-1": ROOT / "bench" / "noop_packs" / "one",
    "noop-5": ROOT / "bench" / "noop_packs" / "five",
    "chalk-media": ROOT / "policy_packs" / "chalk-media",
}
STACK_CONFIG = {f"{PROJECT}:regions": json.dumps(list(REGIONS)), f"{PROJECT}:option": str(OPTION),
                f"{PROJECT}:encryption": "standard"}
"""The stack config of bench/documents.py's documents (what the engine passes a pack as PULUMI_CONFIG): without it
chalk-media would find no requirement and check nothing."""


GC_BASELINE = "noop-5-gc"
"""The 5-policy no-op pack with chalk-media's GC setting (``pack_analyze(..., gc_baseline=True)``)."""


@contextmanager
def _started(name: str, project: str, stack_config: Mapping[str, str]) -> Iterator[Any]:
    from analyzer import policy_pack

    env = {}
    if name == GC_BASELINE:
        from chalk_policy.gc_tuning import GC_YOUNG_THRESHOLD

        env["BENCH_GC_YOUNG_THRESHOLD"] = str(GC_YOUNG_THRESHOLD)
    pack_dir = PACKS["noop-5" if name == GC_BASELINE else name]
    with policy_pack(pack_dir, stack=STACK, project=project, stack_config=stack_config, env=env) as pack:
        yield pack


def pack_startup(repeat: int) -> dict[str, float]:
    """Median seconds from starting each pack's process until its port is printed and GetAnalyzerInfo answers
    (the pack's imports and policy declarations; the process exit is not counted). The packs take turns, so a
    slower moment of the machine falls on each of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in PACKS}
    for _ in range(repeat):
        for name in PACKS:
            start = time.perf_counter()
            with _started(name, PROJECT, STACK_CONFIG):
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def analyzer_resources(resources: Sequence[Any]) -> list[Any]:
    """Our resources (``chalk_policy.coverage.Resource``, e.g. ``read_document(...).resources``) as AnalyzeStack
    carries them: type, urn, name and the properties in engine form."""
    from analyzer import struct
    from pulumi.runtime.proto import analyzer_pb2

    return [analyzer_pb2.AnalyzerResource(type=r.type, urn=r.urn, name=r.name, properties=struct(r.props))
            for r in resources]


def pack_analyze(resources: list[Any], repeat: int, *, project: str = PROJECT,
                 stack_config: Mapping[str, str] | None = None, gc_baseline: bool = False) -> dict[str, float]:
    """Median seconds of each pack's AnalyzeStack of ``resources`` (client to response, over gRPC), each sample the
    first call of a freshly started pack after Configure with the schema defaults: what the engine does once per
    preview, so whatever a pack loads on its first analysis is counted (chalk-media imports the coverage engine
    then, not at start-up). The packs take turns. ``stack_config`` defaults to :data:`STACK_CONFIG`.
    ``gc_baseline``: also the 5-policy no-op pack with chalk-media's GC setting (:data:`GC_BASELINE`), which tells
    chalk-media's own share apart from what its GC setting saves on the SDK's."""
    request = analyzer_resources(resources)
    config = STACK_CONFIG if stack_config is None else stack_config
    names = [*PACKS, *([GC_BASELINE] if gc_baseline else [])]
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            with _started(name, project, config) as pack:
                pack.configure()
                start = time.perf_counter()
                pack.analyze_stack(request)
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("documents", nargs="*", help="pulumi preview --json documents (bench/documents.py)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from chalk_policy.plans.reader import read_document

    startup = pack_startup(max(args.repeat, 5))
    print("pack start-up (median): " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in startup.items())
          + f"; chalk-media / noop-5 {startup['chalk-media'] / startup['noop-5']:.2f}x")
    for path in args.documents:
        resources = read_document(path).resources
        times = pack_analyze(resources, args.repeat, gc_baseline=True)
        print(f"AnalyzeStack {Path(path).name} ({len(resources)} resources, median): "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items())
              + f"; chalk-media / noop-5 {times['chalk-media'] / times['noop-5']:.2f}x,"
              f" / noop-1 {times['chalk-media'] / times['noop-1']:.2f}x,"
              f" / {GC_BASELINE} {times['chalk-media'] / times[GC_BASELINE]:.2f}x")


if __name__ == "__main__":
    main()
