"""No-op baseline: as many stack policies as chalk-media has (5), each doing nothing, with a config schema of the same
shape as chalk-media's (bench/pack.py). Imports only pulumi_policy.

With BENCH_GC_YOUNG_THRESHOLD set, it runs with the GC setting chalk-media's process uses (chalk_policy.gc_tuning.
tune_gc): the like-for-like baseline of ``pack_analyze(..., gc_baseline=True)``."""

import gc
import os

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

SCHEMA = {
    "regions": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "option": {"type": "integer", "enum": [1, 2, 3]},
    "encryption": {"type": "string", "enum": ["standard", "e2ee"]},
    "clientTag": {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "string"}}},
    "clientCidrs": {"type": "array", "items": {"type": "string"}},
    "catalogOverlay": {"type": "string", "default": ""},
    "fromStackConfig": {"type": "boolean", "default": True},
}


if os.environ.get("BENCH_GC_YOUNG_THRESHOLD"):
    gc.set_threshold(int(os.environ["BENCH_GC_YOUNG_THRESHOLD"]), *gc.get_threshold()[1:])


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Nothing: what remains is the SDK's own cost of an AnalyzeStack."""


PolicyPack(
    name="noop-five",
    policies=[StackValidationPolicy(name=f"noop-{index}", description="Does nothing.", validate=validate,
                                    enforcement_level=EnforcementLevel.ADVISORY,
                                    config_schema=PolicyConfigSchema(properties=SCHEMA))
              for index in range(5)],
)
