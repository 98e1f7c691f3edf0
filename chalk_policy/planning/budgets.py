"""Fit a plan into cloud firewall quotas: AWS security-group shards and Azure NSG rules.

AWS counts one rule per (CIDR, protocol, port range) against a per-group quota (60 by default, for
outbound IPv4), so large plans are sharded over several security groups. Azure NSG rules take lists
of prefixes and ports ("augmented rules"), so one rule per protocol suffices; the limits are per NSG.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from ..catalog.models import SIGNALING_PORT, Catalog, Protocol
from ..text import show
from .plan import Plan, PlanError, PortRange

AWS_DEFAULT_RULES_PER_GROUP = 60
"""AWS quota L-0EA8095F, "Inbound or outbound rules per security group" (adjustable)."""
AWS_RESERVED_RULES = 2
"""Slots kept free in shard 1 for the signaling rule and the E2EE peer rule. The AWS component always
creates shard 1 and puts them there, so switching encryption or signaling mode, or adding a region,
never moves a rule to another group."""

AZURE_PRIORITY_MIN, AZURE_PRIORITY_MAX = 100, 4096
AZURE_MAX_RULES = 1000
AZURE_MAX_ADDRESSES = 4000
"""Destination IP addresses and ranges per NSG (Azure networking limits)."""
AZURE_MAX_NAME, AZURE_MAX_DESCRIPTION = 80, 140


# --- AWS ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class AwsRule:
    """One security-group egress rule: a single CIDR, protocol and port range."""

    cidr: str
    protocol: Protocol
    ports: PortRange
    regions: tuple[str, ...]

    @property
    def key(self) -> str:
        """What the rule is, for stable resource names: ``udp-10000-60000-13.115.244.0-27``."""
        return f"{self.protocol.value}-{self.ports}-{self.cidr.replace('/', '-')}"


@dataclass(frozen=True)
class AwsGroup:
    shard: int
    """1-based shard number; fixed per catalog and quota, whatever regions are selected."""
    rules: tuple[AwsRule, ...]

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({region for rule in self.rules for region in rule.regions}))


@dataclass(frozen=True)
class AwsBudget:
    quota: int
    reserved: int
    groups: tuple[AwsGroup, ...]
    """The shards that hold rules of this plan."""
    shards: int = 1
    """How many groups the whole catalog needs at this quota: the AWS component creates all of them, so the set
    of groups never changes when a stack selects other regions."""

    @property
    def rule_count(self) -> int:
        return sum(len(group.rules) for group in self.groups)


def aws_budget(catalog: Catalog, plan: Plan, quota: int = AWS_DEFAULT_RULES_PER_GROUP) -> AwsBudget:
    """Shard the plan's media rules over the fewest security groups the catalog needs.

    Stability first: each catalog range is assigned to a shard by first-fit over *all* catalog
    ranges (ordered by region id, then address), given the quota and the option's number of port
    rules; a merged destination goes to the shard of its first range. The assignment therefore does
    not depend on which regions a stack selects, so adding a region to a stack never moves an
    existing rule to another group. With the shipped catalog and the default quota, every selection
    fits in at most two groups; a small selection may use both.
    """
    per_range = len(plan.media_rules)
    if isinstance(quota, bool) or not isinstance(quota, int) or quota - AWS_RESERVED_RULES < per_range:
        raise PlanError(f"aws rules per group: {show(quota)} is too small; allowed: an integer of at least "
                        f"{per_range + AWS_RESERVED_RULES} ({per_range} rules per range plus "
                        f"{AWS_RESERVED_RULES} reserved)")
    # Units are the catalog's own ranges; a merged destination costs no more than its first unit.
    units = sorted((region.id, ipaddress.IPv4Network(entry.cidr)) for region in catalog.regions
                   for entry in region.cidrs)
    # First fit: every unit costs the same, so a shard that cannot take one never can again, and the first shard
    # with room is always the last one opened (no scan of every shard per unit).
    free: list[int] = []
    shard_of: list[tuple[int, int, int, int]] = []  # (first address, position in units, last address, shard)
    for position, (_, network) in enumerate(units):
        if not free or free[-1] < per_range:
            free.append(quota - (AWS_RESERVED_RULES if not free else 0))
        free[-1] -= per_range
        shard_of.append((int(network.network_address), position, int(network.broadcast_address), len(free)))
    # A destination goes to the shard of its first unit (in the order above) that lies inside it. Its units start
    # within it: a binary search finds them among the units sorted by address, instead of a scan of all units.
    shard_of.sort()
    starts = [first for first, *_ in shard_of]

    rules: dict[int, list[AwsRule]] = {}
    for destination in plan.destinations:
        network = ipaddress.IPv4Network(destination.cidr)
        low, high = int(network.network_address), int(network.broadcast_address)
        inside = [(position, shard) for _, position, last, shard in
                  shard_of[bisect.bisect_left(starts, low):bisect.bisect_right(starts, high)] if last <= high]
        if not inside:
            raise PlanError(f"aws: {destination.cidr} is not made of ranges of catalog {catalog.version}; allowed: a "
                            "plan of this catalog")
        shard = min(inside)[1]
        rules.setdefault(shard, []).extend(
            AwsRule(destination.cidr, rule.protocol, rule.ports, destination.regions) for rule in plan.media_rules)
    return AwsBudget(quota, AWS_RESERVED_RULES,
                     tuple(AwsGroup(shard, tuple(sorted(rules[shard]))) for shard in sorted(rules)), len(free))


# --- Azure --------------------------------------------------------------------------------------------


class AzureAccess(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class AzureSlot(StrEnum):
    """Each rule role owns a fixed offset in the priority window, so priorities never renumber."""

    MEDIA_UDP = "media-udp"
    MEDIA_TCP = "media-tcp"
    PEER_UDP = "peer-udp"
    PEER_TCP = "peer-tcp"
    SIGNALING = "signaling-https"

    @property
    def offset(self) -> int:
        return list(AzureSlot).index(self)


AZURE_PROTOCOL = {Protocol.UDP: "Udp", Protocol.TCP: "Tcp"}
VIRTUAL_NETWORK, INTERNET = "VirtualNetwork", "Internet"
PEER_PORTS = PortRange(1024, 65535)
"""Ephemeral ports that WebRTC clients pick for direct (host-candidate) media."""


@dataclass(frozen=True)
class AzureRule:
    name: str
    priority: int
    access: AzureAccess
    protocol: str
    """Azure's spelling: ``Udp``, ``Tcp`` or ``*``."""
    destination_prefixes: tuple[str, ...]
    destination_ports: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class AzureBudget:
    window: tuple[int, int]
    rules: tuple[AzureRule, ...]

    @property
    def address_count(self) -> int:
        return sum(len(rule.destination_prefixes) for rule in self.rules)


def azure_budget(plan: Plan, window: tuple[int, int] = (AZURE_PRIORITY_MIN, AZURE_PRIORITY_MAX), *,
                 deny_internet: bool = True, allow_signaling: bool = True) -> AzureBudget:
    """The fewest NSG rules for the plan: one augmented Allow per protocol, then optional extras.

    Priorities: ``window start + slot offset`` for allows (media, E2EE peers, signaling), and the window
    end for the final Deny of other Internet egress, which Azure's default ``AllowInternetOutBound``
    would otherwise let through.
    """
    start, end = window
    if not (AZURE_PRIORITY_MIN <= start <= end <= AZURE_PRIORITY_MAX):
        raise PlanError(f"priority window: {start}-{end} is not a window; allowed: start <= end, both within "
                        f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}")
    tag = f"Chalk catalog {plan.catalog_version}"
    allows: list[tuple[AzureSlot, str, tuple[str, ...], tuple[str, ...], str]] = []
    for protocol in plan.protocols:
        ports = tuple(str(rule.ports) for rule in plan.media_rules if rule.protocol is protocol)
        allows.append((AzureSlot(f"media-{protocol.value}"), AZURE_PROTOCOL[protocol], plan.cidrs, ports,
                       f"Chalk media {protocol.value.upper()} to {', '.join(plan.regions)}"))
        if plan.peer_to_peer:
            allows.append((AzureSlot(f"peer-{protocol.value}"), AZURE_PROTOCOL[protocol], (VIRTUAL_NETWORK,),
                           (str(PEER_PORTS),), f"Chalk E2EE peer-to-peer {protocol.value.upper()} in the network"))
    if allow_signaling:
        allows.append((AzureSlot.SIGNALING, "Tcp", (INTERNET,), (str(SIGNALING_PORT),),
                       "Chalk signaling HTTPS/WSS; host names are filtered by the firewall policy"))
    needed = max(slot.offset for slot, *_ in allows) + 1 + (1 if deny_internet else 0)
    if end - start + 1 < needed:
        raise PlanError(f"priority window: {start}-{end} is too small for the plan; allowed: a window of at "
                        f"least {needed} priorities, e.g. {start}-{start + needed - 1}")
    rules = [AzureRule(f"chalk-{slot.value}", start + slot.offset, AzureAccess.ALLOW, protocol, prefixes, ports,
                       f"{text} ({tag})"[:AZURE_MAX_DESCRIPTION])
             for slot, protocol, prefixes, ports, text in allows]
    if deny_internet:
        rules.append(AzureRule("chalk-deny-internet", end, AzureAccess.DENY, "*", (INTERNET,), ("*",),
                               f"Deny other Internet egress (after the Chalk allows; {tag})"[:AZURE_MAX_DESCRIPTION]))
    budget = AzureBudget(window, tuple(sorted(rules, key=lambda rule: rule.priority)))
    if budget.address_count > AZURE_MAX_ADDRESSES:
        raise PlanError(f"azure: {budget.address_count} destination prefixes exceed the NSG limit; allowed: at "
                        f"most {AZURE_MAX_ADDRESSES} per NSG (select fewer regions)")
    return budget
