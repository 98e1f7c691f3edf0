"""Entry points: the media check over a stack's resources and a :class:`~chalk_policy.planning.Plan`, and the
scopes every check reads; the other checks are in :mod:`.hosts` and :mod:`.advisory`.

Pure (no Pulumi): a CrossGuard stack policy turns its ``PolicyResource`` list into :class:`Resource` values and
reports each :class:`Finding`; an offline checker does the same from ``pulumi stack export`` or
``pulumi preview --json``.

Layers and scopes. The registry :data:`~chalk_policy.coverage.layers.LAYERS` lists every firewall layer; each
reads its scopes from the stack (all AWS security groups together; each Network Firewall policy; each network
ACL, its egress rules for the requirement and its ingress rules for the replies; each NSG; each Azure Firewall
policy or classic firewall). Every scope must allow the requirement. A stack with none of the layers' resource
types is "not applicable".

Requirement. For each media rule of the plan: its protocol and port range to every destination CIDR, from the
clients (:mod:`.sources`). Gaps are reported per scope and per region (the region's catalog ranges), one finding
each; parts that may be allowed but depend on unknown values, on the clients' addresses or on resources outside
the stack are *unverified* findings, never violations. Shapes the readers do not understand are skipped with a
*note* finding; nothing raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..catalog.models import Catalog, Protocol
from ..planning.plan import Plan, PortRange
from . import layers
from .addresses import EMPTY_ADDRESSES, Addresses
from .boxes import EMPTY, PROTOCOLS, BoxSet, cidr_texts
from .evaluate import doubts_for, evaluate
from .messages import untagged_message, unverified_message
from .model import (
    POLICY_MEDIA,
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
    Scope,
    ScopeContext,
    ScopeReport,
)
from .resources import Resource, has_type
from .sources import Clients

NOT_APPLICABLE = "the stack has no security groups, NSGs or firewall policies"
EPHEMERAL_PORTS = (1024, 65535)
"""The client ports a stateless filter's inbound rules must allow for the replies."""

LayerScope = tuple[Layer, Scope]


def catalog_spans(catalog: Catalog) -> list[tuple[int, int]]:
    """Every media range of the catalog as ``(first, last)`` address integers, in catalog order."""
    return [(network.first, network.last) for network in (cidr.network for region in catalog.regions
                                                         for cidr in region.cidrs)]


def catalog_clients(catalog: Catalog | None, options: Options) -> Clients:
    never = Addresses(catalog_spans(catalog)) if catalog else EMPTY_ADDRESSES
    return Clients(options.clients, never)


@dataclass(frozen=True)
class _Collected:
    resources: Sequence[Resource]
    count: int
    options: Options
    catalog: Catalog | None
    registry: tuple[Layer, ...]
    scopes: tuple[LayerScope, ...]
    notes: tuple[str, ...]

    def holds(self, resources: Sequence[Resource], options: Options, catalog: Catalog | None) -> bool:
        return (resources is self.resources and len(resources) == self.count and options == self.options
                and catalog is self.catalog and layers.LAYERS is self.registry)


_last: list[_Collected] = []
"""The scopes of the last resource sequence read: one analysis runs every check (media, least privilege, option
consistency) over the same sequence object, so its scopes are read once, not once per check. Keyed on the
sequence's identity (held here, so the identity cannot be reused) and length, the options, the catalog and the
layer registry; a caller treats a sequence it passed as read-only, as every caller does."""


def collect_scopes(resources: Sequence[Resource], options: Options, notes: list[str],
                   catalog: Catalog | None = None, *, advisory: bool = False) -> list[LayerScope]:
    """Every scope of the stack, layer by layer in registry order (``advisory``: only the layers the advisory
    checks look at). The readers' notes are appended to ``notes``."""
    if not (_last and _last[0].holds(resources, options, catalog)):
        found: list[str] = []
        context = ScopeContext(resources, options.selector, catalog_clients(catalog, options), found)
        scopes = tuple((layer, scope) for layer in layers.LAYERS for scope in layer.scopes(context))
        _last[:] = [_Collected(resources, len(resources), options, catalog, layers.LAYERS, scopes, tuple(found))]
    notes.extend(_last[0].notes)
    return [(layer, scope) for layer, scope in _last[0].scopes if layer.advisory or not advisory]


def media_box(protocol_ports: Sequence[tuple[Protocol, PortRange]], addresses: Addresses) -> BoxSet:
    result = EMPTY
    for protocol, ports in protocol_ports:
        result = result | BoxSet.of((protocol.value,), ((ports.from_port, ports.to_port),), addresses)
    return result


def media_requirement(plan: Plan) -> BoxSet:
    """Every (protocol, port, address) the plan's media rules need."""
    return media_box([(rule.protocol, rule.ports) for rule in plan.media_rules], Addresses.of(*plan.cidrs))


def port_gaps(box: BoxSet, addresses: Addresses) -> tuple[PortGap, ...]:
    """``box`` within ``addresses`` as (protocol, port ranges, CIDRs) items, ports grouped by equal CIDR sets."""
    gaps: list[PortGap] = []
    restricted = box.restrict(addresses)
    for protocol in PROTOCOLS:
        groups: dict[tuple[str, ...], list[PortRange]] = {}
        for low, high, found in restricted.segments(protocol):
            groups.setdefault(cidr_texts(found), []).append(PortRange(low, high))
        gaps.extend(PortGap(Protocol(protocol), tuple(ports), cidrs) for cidrs, ports in groups.items())
    return tuple(sorted(gaps, key=lambda gap: (gap.protocol.value, gap.ports)))


def _region_sets(plan: Plan, catalog: Catalog) -> list[tuple[str, str, Addresses]]:
    result = []
    for region_id in plan.regions:
        region = next((region for region in catalog.regions if region.id == region_id), None)
        if region is not None:
            result.append((region_id, region.name, Addresses.of(*(cidr.cidr for cidr in region.cidrs))))
        else:  # a plan from another catalog: fall back to the plan's own destinations
            cidrs = [d.cidr for d in plan.destinations if region_id in d.regions]
            result.append((region_id, region_id, Addresses.of(*cidrs)))
    return result


def reply_requirement(requirement: BoxSet) -> BoxSet:
    """The replies of ``requirement`` as a stateless filter sees them inbound: each protocol on the client's
    ephemeral ports (1024-65535) from every address the requirement reaches with that protocol."""
    result = EMPTY
    for protocol in requirement.protocols:
        addresses = BoxSet({protocol: requirement.segments(protocol)}).addresses()
        result = result | BoxSet.of((protocol,), (EPHEMERAL_PORTS,), addresses)
    return result


def scope_report(layer: Layer, scope: Scope, requirement: BoxSet,
                 regions: Sequence[tuple[str, str, Addresses]]) -> ScopeReport:
    if scope.replies:
        requirement = reply_requirement(requirement)
    outcome = evaluate(scope.rules, requirement)
    gap_box, unverified_box = requirement - outcome.best, outcome.unverified
    denials = outcome.denials
    unmatched = outcome.unmatched
    if scope.doubts:  # the scope itself may not apply: nothing it lacks is certain
        unverified_box, gap_box, denials, unmatched = unverified_box | gap_box, EMPTY, (), EMPTY
    gaps, unverified = [], []
    for region, name, addresses in regions:
        if gap_box.restrict(addresses):
            denied = tuple(Denial(rule.label, rule.priority, port_gaps(box, addresses))
                           for rule, box in denials if box.restrict(addresses))
            gaps.append(RegionGap(region, name, port_gaps(unmatched, addresses), denied))
        part = unverified_box.restrict(addresses)
        if part:
            doubts = tuple(sorted({*doubts_for(scope.rules, part), *scope.doubts}))
            unverified.append(RegionUnverified(region, name, port_gaps(part, addresses), doubts))
    return ScopeReport(layer, scope.label, scope.urn, tuple(gaps), tuple(unverified), scope.empty, scope.replies)


def _untagged(resources: Sequence[Resource], options: Options, scopes: Sequence[LayerScope]) -> tuple[str, ...]:
    """The layers whose client resources the stack declares but the tag selector picks none of."""
    if options.selector is None:
        return ()
    present = {layer.id for layer, _ in scopes}
    nouns = [layer.clients_noun for layer in layers.LAYERS if layer.client_types and layer.id not in present
             and has_type(resources, layer.client_types)]
    return (untagged_message(nouns, str(options.selector)),) if nouns else ()


def media_report(resources: Sequence[Resource], plan: Plan, catalog: Catalog, options: Options | None = None
                 ) -> MediaReport:
    """Which media requirements each scope misses, per region, and what cannot be verified yet."""
    options = options or Options()
    notes: list[str] = []
    scopes = collect_scopes(resources, options, notes, catalog)
    untagged = _untagged(resources, options, scopes)
    if not scopes and not untagged:
        return MediaReport(False, _not_applicable(resources, options), (), tuple(notes))
    requirement = media_requirement(plan)
    regions = _region_sets(plan, catalog)
    reports = tuple(scope_report(layer, scope, requirement, regions) for layer, scope in scopes)
    return MediaReport(True, "", reports, tuple(notes), untagged)


def _not_applicable(resources: Sequence[Resource], options: Options) -> str:
    if not has_firewall(resources):
        return NOT_APPLICABLE
    if options.selector is not None and any(has_type(resources, layer.client_types)
                                                    for layer in layers.LAYERS):
        return f"no security group or NSG of the stack carries the tag {options.selector}"
    return "no firewall resource of the stack filters the clients' traffic (see the notes for what was skipped)"


def has_firewall(resources: Sequence[Resource]) -> bool:
    kinds = frozenset().union(*(layer.resource_types for layer in layers.LAYERS))
    return has_type(resources, kinds)


def media_findings(report: MediaReport) -> tuple[Finding, ...]:
    violations = [Finding(POLICY_MEDIA, FindingKind.VIOLATION, message) for message in report.untagged]
    unverified = []
    for scope in report.scopes:
        for gap in scope.gaps:
            violations.append(Finding(POLICY_MEDIA, FindingKind.VIOLATION, scope.layer.gap_message(scope, gap),
                                      scope.urn, gap.region))
        for item in scope.unverified:
            unverified.append(Finding(POLICY_MEDIA, FindingKind.UNVERIFIED,
                                      unverified_message(scope.scope, item, replies=scope.replies),
                                      scope.urn, item.region))
    notes = [Finding(POLICY_MEDIA, FindingKind.NOTE, note) for note in report.notes]
    return (*violations, *unverified, *notes)


def check_media(resources: Sequence[Resource], plan: Plan, catalog: Catalog, options: Options | None = None
                ) -> CheckResult:
    """``chalk-media-egress-required``: every present layer allows every media requirement of the plan."""
    report = media_report(resources, plan, catalog, options)
    if not report.applicable:
        return CheckResult(POLICY_MEDIA, False, report.reason,
                           tuple(Finding(POLICY_MEDIA, FindingKind.NOTE, note) for note in report.notes))
    return CheckResult(POLICY_MEDIA, True, "", media_findings(report))
