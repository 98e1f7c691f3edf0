"""No-op baseline: one stack policy that does nothing (bench/pack.py). Imports only pulumi_policy."""

from pulumi_policy import EnforcementLevel, PolicyPack, ReportViolation, StackValidationArgs, StackValidationPolicy


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Nothing: what remains is the SDK's own cost of an AnalyzeStack."""


PolicyPack(
    name="noop-one",
    policies=[StackValidationPolicy(name="noop-0", description="Does nothing.", validate=validate,
                                    enforcement_level=EnforcementLevel.ADVISORY)],
)
