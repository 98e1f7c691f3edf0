"""The chalk-media policy names: the only facts about the policies that the pack needs when it starts.

A module of its own, importing nothing, so that the policy pack declares its policies (and answers the engine's
GetAnalyzerInfo) without importing the coverage engine, the catalog or the planner: those load with the first
analysis. The coverage engine tags its findings with the same names (``chalk_policy.coverage.model``).
"""

from typing import Final

POLICY_MEDIA: Final = "chalk-media-egress-required"
POLICY_HOSTS: Final = "chalk-signaling-hosts-required"
POLICY_LEAST_PRIVILEGE: Final = "chalk-media-egress-least-privilege"
POLICY_OPTION: Final = "chalk-option-consistency"
POLICY_UNVERIFIED: Final = "chalk-egress-unverified"
