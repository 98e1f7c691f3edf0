"""Pure coverage engine: does a stack's egress (AWS security groups, Network Firewall, Azure NSGs, Azure Firewall)
allow what a Chalk plan requires? No Pulumi import; used by the CrossGuard policy pack and the offline checker.

Modules: :mod:`.resources` (input model and safe readers), :mod:`.boxes` (set math), :mod:`.evaluate` (rules and
first-match with unknowns), :mod:`.aws` and :mod:`.azure` (readers and their semantics), :mod:`.messages`
(exact texts), :mod:`.engine` (the checks).
"""

from .engine import (
    check_all,
    check_least_privilege,
    check_media,
    check_option_consistency,
    check_signaling_hosts,
    media_report,
    media_requirement,
)
from .model import (
    POLICY_HOSTS,
    POLICY_LEAST_PRIVILEGE,
    POLICY_MEDIA,
    POLICY_OPTION,
    CheckResult,
    Denial,
    Finding,
    FindingKind,
    Layer,
    MediaReport,
    Options,
    PortGap,
    RegionGap,
    RegionUnverified,
    ScopeReport,
    TagSelector,
)
from .resources import SECRET_KEY, SECRET_SIG, UNKNOWN_STRING, Resource

__all__ = [
    "POLICY_HOSTS", "POLICY_LEAST_PRIVILEGE", "POLICY_MEDIA", "POLICY_OPTION", "SECRET_KEY", "SECRET_SIG",
    "UNKNOWN_STRING", "CheckResult", "Denial", "Finding", "FindingKind", "Layer", "MediaReport", "Options",
    "PortGap", "RegionGap", "RegionUnverified", "Resource", "ScopeReport", "TagSelector", "check_all",
    "check_least_privilege", "check_media", "check_option_consistency", "check_signaling_hosts", "media_report",
    "media_requirement",
]
