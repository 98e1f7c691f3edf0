"""Pure coverage engine: does a stack's egress (AWS security groups, Network Firewall, network ACLs, Azure NSGs,
Azure Firewall) allow what a Chalk plan requires? No Pulumi import; used by the CrossGuard policy pack and the
offline checker.

Modules: :mod:`.resources` (input model and safe readers), :mod:`.addresses` (address sets as integer
intervals), :mod:`.boxes` (set math), :mod:`.evaluate` (rules and
first-match with unknowns), :mod:`.sources` (the source side of the 5-tuple: the clients), :mod:`.layers` (one
module per firewall layer and the registry), :mod:`.messages` (shared texts), :mod:`.engine` (scopes and the
media check), :mod:`.hosts` (signaling hosts), :mod:`.advisory` (least privilege, option consistency).
"""

from .addresses import Addresses
from .advisory import check_least_privilege, check_option_consistency
from .checks import check_all
from .engine import check_media, media_report, media_requirement
from .hosts import check_signaling_hosts
from .model import (
    POLICY_HOSTS,
    POLICY_LEAST_PRIVILEGE,
    POLICY_MEDIA,
    POLICY_OPTION,
    POLICY_UNVERIFIED,
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
    "POLICY_HOSTS", "POLICY_LEAST_PRIVILEGE", "POLICY_MEDIA", "POLICY_OPTION", "POLICY_UNVERIFIED", "SECRET_KEY",
    "SECRET_SIG",
    "UNKNOWN_STRING", "Addresses", "CheckResult", "Denial", "Finding", "FindingKind", "Layer", "MediaReport", "Options",
    "PortGap", "RegionGap", "RegionUnverified", "Resource", "ScopeReport", "TagSelector", "check_all",
    "check_least_privilege", "check_media", "check_option_consistency", "check_signaling_hosts", "media_report",
    "media_requirement",
]
