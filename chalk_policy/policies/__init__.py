"""CrossGuard policies for Chalk egress. The only layer of chalk_policy that imports pulumi_policy."""

from .pack import SPECS, build_policies, evaluate, plain, to_resource
from .settings import CONFIG_SCHEMA, PolicySettings, PolicySettingsError, read_settings

POLICIES = build_policies()
POLICY_NAMES = tuple(spec.name for spec in SPECS)

__all__ = [
    "CONFIG_SCHEMA",
    "POLICIES",
    "POLICY_NAMES",
    "SPECS",
    "PolicySettings",
    "PolicySettingsError",
    "build_policies",
    "evaluate",
    "plain",
    "read_settings",
    "to_resource",
]
