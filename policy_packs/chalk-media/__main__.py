"""The chalk-media CrossGuard policy pack. All logic lives in chalk_policy.policies."""

from pulumi_policy import EnforcementLevel, PolicyPack

from chalk_policy.gc_tuning import tune_gc
from chalk_policy.policies import POLICIES

tune_gc()  # the SDK's per-policy copies of every resource made the cyclic GC ~40% of an AnalyzeStack

PolicyPack(
    name="chalk-media",
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,  # each policy sets its own level; this is the fallback
    description="Vuforia Chalk network guardrails: required media egress, signaling hosts, least privilege.",
)
