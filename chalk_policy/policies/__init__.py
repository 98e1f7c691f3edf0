"""CrossGuard policies for Chalk egress. The only layer of chalk_policy that imports pulumi_policy."""

from .pack import CHALK_POLICIES, build_policies, evaluate, plain, to_resource
from .settings import CONFIG_SCHEMA, PolicySettings, PolicySettingsError, read_settings

POLICIES = build_policies()
POLICY_NAMES = tuple(spec.name for spec in CHALK_POLICIES)

__all__ = [
    "CONFIG_SCHEMA",
    "POLICIES",
    "POLICY_NAMES",
    "CHALK_POLICIES",
    "PolicySettings",
    "PolicySettingsError",
    "build_policies",
    "evaluate",
    "plain",
    "read_settings",
    "to_resource",
]
