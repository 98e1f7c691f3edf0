"""CrossGuard policies for Chalk egress. The only layer of chalk_policy that imports pulumi_policy.

Importing this package is the pack's start-up (``policy_packs/chalk-media/__main__.py``): it declares the policies
and imports nothing heavier than pulumi_policy. Settings, the runner and the analysis live in their modules
(:mod:`.settings`, :mod:`.runner`, :mod:`.analysis`) and load the coverage engine, the catalog and the planner.
"""

from .pack import CHALK_POLICIES, ChalkPolicy, build_policies, plain, to_resource
from .schema import CONFIG_SCHEMA

POLICIES = build_policies()
POLICY_NAMES = tuple(spec.name for spec in CHALK_POLICIES)

__all__ = [
    "CONFIG_SCHEMA",
    "CHALK_POLICIES",
    "POLICIES",
    "POLICY_NAMES",
    "ChalkPolicy",
    "build_policies",
    "plain",
    "to_resource",
]
