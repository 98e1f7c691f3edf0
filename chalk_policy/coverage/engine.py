"""Entry points: the four Chalk checks over a stack's resources and a :class:`~chalk_policy.planning.Plan`.

Pure (no Pulumi): a CrossGuard stack policy turns its ``PolicyResource`` list into :class:`Resource` values and
reports each :class:`Finding`; an offline checker does the same from ``pulumi stack export`` or
``pulumi preview --json``.

Layers and scopes. Per cloud, every present layer must allow the requirement: AWS = the security groups
(one scope, their union) AND each Network Firewall policy AND each network ACL (its egress rules the requirement,
its ingress rules the replies; media check only); Azure = each NSG AND each Azure Firewall policy
AND each classic Azure Firewall.
A cloud with none of these resources is not checked; a stack with none at all is "not applicable".

Requirement. For each media rule of the plan: its protocol and port range to every destination CIDR. Gaps are
reported per scope and per region (the region's catalog ranges), one finding each; parts that may be allowed
but depend on unknown values or on resources outside the stack are *unverified* findings, never violations.
Shapes the readers do not understand are skipped with a *note* finding; nothing raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import netaddr

from ..catalog.models import SIGNALING_PORT, Catalog, Protocol
from ..planning.plan import Plan, PortRange
from . import aws, azure
from .boxes import ANYWHERE, EMPTY, PROTOCOLS, PUBLIC, BoxSet, cidr_texts, shortest_prefix
from .evaluate import Access, Doubt, Outcome, Rule, best_allowed_by, doubts_for, evaluate
from .messages import (
    AWS_COMPONENT,
    AZURE_COMPONENT,
    default_allow_message,
    gap_message,
    hosts_message,
    hosts_unverified_message,
    other_option_message,
    partial_option_message,
    ports_text,
    untagged_message,
    unverified_message,
    wide_message,
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
    HostAllow,
    Layer,
    MediaReport,
    Options,
    PortGap,
    RegionGap,
    RegionUnverified,
    Scope,
    ScopeReport,
)
from .resources import Resource

NOT_APPLICABLE = "the stack has no security groups, NSGs or firewall policies"


def collect_scopes(resources: Sequence[Resource], options: Options, notes: list[str]) -> list[Scope]:
    """Every scope of the stack, in a fixed order: AWS security groups, Network Firewall, network ACLs, NSGs,
    Azure Firewall."""
    scopes: list[Scope] = []
    group_scope = aws.security_group_scope(resources, options.selector, notes)
    if group_scope is not None:
        if options.selector is not None:
            group_scope = Scope(group_scope.layer, f"AWS security groups tagged {options.selector}", None,
                                group_scope.rules, empty=aws.selects_no_group(resources, options.selector))
        scopes.append(group_scope)
    scopes.extend(aws.network_firewall_scopes(resources, notes))
    scopes.extend(aws.network_acl_scopes(resources, options.selector, notes))
    scopes.extend(azure.nsg_scopes(resources, options.selector, notes))
    scopes.extend(azure.firewall_scopes(resources, notes))
    return scopes


def _advisory_scopes(resources: Sequence[Resource], options: Options) -> list[Scope]:
    """The scopes the advisory checks look at: network ACLs count for the media check only."""
    return [scope for scope in collect_scopes(resources, options, []) if scope.layer is not Layer.AWS_NETWORK_ACL]


def media_box(protocol_ports: Sequence[tuple[Protocol, PortRange]], addresses: netaddr.IPSet) -> BoxSet:
    result = EMPTY
    for protocol, ports in protocol_ports:
        result = result | BoxSet.of((protocol.value,), ((ports.from_port, ports.to_port),), addresses)
    return result


def media_requirement(plan: Plan) -> BoxSet:
    """Every (protocol, port, address) the plan's media rules need."""
    return media_box([(rule.protocol, rule.ports) for rule in plan.media_rules], netaddr.IPSet(plan.cidrs))


def port_gaps(box: BoxSet, addresses: netaddr.IPSet) -> tuple[PortGap, ...]:
    """``box`` within ``addresses`` as (protocol, port ranges, CIDRs) items, ports grouped by equal CIDR sets."""
    gaps: list[PortGap] = []
    restricted = box.restrict(addresses)
    for protocol in PROTOCOLS:
        groups: dict[tuple[str, ...], list[PortRange]] = {}
        for low, high, found in restricted.segments(protocol):
            groups.setdefault(cidr_texts(found), []).append(PortRange(low, high))
        gaps.extend(PortGap(Protocol(protocol), tuple(ports), cidrs) for cidrs, ports in groups.items())
    return tuple(sorted(gaps, key=lambda gap: (gap.protocol.value, gap.ports)))


def _region_sets(plan: Plan, catalog: Catalog) -> list[tuple[str, str, netaddr.IPSet]]:
    result = []
    for region_id in plan.regions:
        region = next((region for region in catalog.regions if region.id == region_id), None)
        if region is not None:
            result.append((region_id, region.name, netaddr.IPSet(cidr.cidr for cidr in region.cidrs)))
        else:  # a plan from another catalog: fall back to the plan's own destinations
            cidrs = [d.cidr for d in plan.destinations if region_id in d.regions]
            result.append((region_id, region_id, netaddr.IPSet(cidrs)))
    return result


def reply_requirement(requirement: BoxSet) -> BoxSet:
    """The replies of ``requirement`` as a stateless filter sees them inbound: each protocol on the client's
    ephemeral ports (1024-65535) from every address the requirement reaches with that protocol."""
    result = EMPTY
    for protocol in requirement.protocols:
        addresses = BoxSet({protocol: requirement.segments(protocol)}).addresses()
        result = result | BoxSet.of((protocol,), (aws.EPHEMERAL_PORTS,), addresses)
    return result


def scope_report(scope: Scope, requirement: BoxSet, regions: Sequence[tuple[str, str, netaddr.IPSet]]
                 ) -> ScopeReport:
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
    return ScopeReport(scope.layer, scope.label, scope.urn, tuple(gaps), tuple(unverified), scope.empty,
                       scope.replies)


def media_report(resources: Sequence[Resource], plan: Plan, catalog: Catalog, options: Options | None = None
                 ) -> MediaReport:
    """Which media requirements each scope misses, per region, and what cannot be verified yet."""
    options = options or Options()
    notes: list[str] = []
    scopes = collect_scopes(resources, options, notes)
    untagged: tuple[str, ...] = ()
    if options.selector is not None and azure.nsgs_declared(resources) and not any(
            scope.layer is Layer.AZURE_NSG for scope in scopes):  # the clients' NSG is not checked at all
        untagged = (untagged_message(["NSG"], str(options.selector)),)
    if not scopes and not untagged:
        reason = NOT_APPLICABLE if options.selector is None or not _has_firewall(resources) else (
            f"no security group or NSG of the stack carries the tag {options.selector}")
        return MediaReport(False, reason, (), tuple(notes))
    requirement = media_requirement(plan)
    regions = _region_sets(plan, catalog)
    return MediaReport(True, "", tuple(scope_report(scope, requirement, regions) for scope in scopes), tuple(notes),
                       untagged)


def _has_firewall(resources: Sequence[Resource]) -> bool:
    kinds = {*aws.SECURITY_GROUP_TYPES, aws.FIREWALL_POLICY, azure.NSG, azure.SECURITY_RULE,
             azure.RULE_COLLECTION_GROUP, azure.FIREWALL_POLICY, azure.AZURE_FIREWALL}
    return any(resource.type in kinds for resource in resources)


def media_findings(report: MediaReport) -> tuple[Finding, ...]:
    violations = [Finding(POLICY_MEDIA, FindingKind.VIOLATION, message) for message in report.untagged]
    unverified = []
    for scope in report.scopes:
        for gap in scope.gaps:
            violations.append(Finding(POLICY_MEDIA, FindingKind.VIOLATION,
                                      gap_message(scope.layer, scope.scope, gap, empty=scope.empty,
                                                  replies=scope.replies),
                                      scope.urn, gap.region))
        for item in scope.unverified:
            unverified.append(Finding(POLICY_MEDIA, FindingKind.UNVERIFIED, unverified_message(scope.scope, item,
                                                                                         replies=scope.replies),
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


# --- signaling hosts -----------------------------------------------------------------------------------


def _aws_matches(pattern: str, host: str) -> bool:
    if pattern == "*":  # not an AWS domain-list pattern: a policy that passes HTTPS before its host filter
        return True
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


def _azure_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


Matcher = Callable[[str, str], bool]


def _host_outcome(host: str, rules: Sequence[HostAllow], match: Matcher, best: bool) -> HostAllow | None:
    """The first rule that decides ``host`` (best or worst case); None when none does."""

    def hits(rule: HostAllow, wide: bool) -> bool:
        patterns = rule.maybe if wide else rule.sure
        return patterns is None or any(match(pattern, host) for pattern in patterns)

    known = sorted((rule for rule in rules if rule.order is not None), key=lambda rule: rule.order or ())
    floating = [rule for rule in rules if rule.order is None]
    allows_first = best
    first = [rule for rule in floating if (rule.access is Access.ALLOW) == allows_first]
    last = [rule for rule in floating if (rule.access is Access.ALLOW) != allows_first]
    for rule in (*first, *known, *last):
        wide = (rule.access is Access.ALLOW) == best
        if hits(rule, wide):
            return rule
    return None


def _hosts_scope(layer: Layer, label: str, urn: str | None, rules: Sequence[HostAllow], hosts: Sequence[str],
                 matches: Matcher) -> list[Finding]:
    missing: list[str] = []
    denied: list[tuple[str, str]] = []
    pending: list[str] = []
    doubts: set[Doubt] = set()
    for host in hosts:
        best = _host_outcome(host, rules, matches, True)
        worst = _host_outcome(host, rules, matches, False)
        if best is None or best.access is Access.DENY:
            missing.append(host)
            if best is not None:
                denied.append((host, best.label))
        elif worst is None or worst.access is Access.DENY:
            pending.append(host)
            doubts.update(doubt for rule in rules for doubt in rule.doubts)
    findings = []
    if missing:
        findings.append(Finding(POLICY_HOSTS, FindingKind.VIOLATION, hosts_message(layer, label, missing, denied), urn))
    if pending:
        findings.append(Finding(POLICY_HOSTS, FindingKind.UNVERIFIED,
                                hosts_unverified_message(label, pending, sorted(doubts)), urn))
    return findings


def check_signaling_hosts(resources: Sequence[Resource], plan: Plan) -> CheckResult:
    """``chalk-signaling-hosts-required``: when the stack filters host names, every plan host is allowed."""
    notes: list[str] = []
    hosts = plan.host_names
    findings: list[Finding] = []
    lists = aws.domain_allowlists(resources, notes)
    if lists:
        findings.extend(_hosts_scope(Layer.AWS_NETWORK_FIREWALL, "AWS Network Firewall domain allowlists", None,
                                     lists, hosts, _aws_matches))
    policies = azure.application_rules(resources, notes)
    for label, group, rules in policies:
        findings.extend(_hosts_scope(Layer.AZURE_FIREWALL, label, group.urn, rules, hosts, _azure_matches))
    findings.extend(Finding(POLICY_HOSTS, FindingKind.NOTE, note) for note in notes)
    if not lists and not policies:
        return CheckResult(POLICY_HOSTS, False, "the stack holds no host-name allowlist (Network Firewall "
                           "ALLOWLIST rule group or Azure Firewall application rule)", tuple(findings))
    return CheckResult(POLICY_HOSTS, True, "", tuple(findings))


# --- least privilege -----------------------------------------------------------------------------------


def services_text(box: BoxSet) -> str:
    return ", ".join(f"{protocol.upper()} {ports_text([PortRange(lo, hi) for lo, hi in box.ports(protocol)])}"
                     for protocol in box.protocols)


def _catalog_networks(catalog: Catalog) -> list[netaddr.IPNetwork]:
    return [cidr.network for region in catalog.regions for cidr in region.cidrs]


def _is_wide(addresses: netaddr.IPSet, networks: Sequence[netaddr.IPNetwork], catalog_set: netaddr.IPSet) -> bool:
    prefix = shortest_prefix(addresses)
    if prefix is not None and prefix < 8:
        return True
    return any(network in addresses for network in networks) and not addresses.issubset(catalog_set)


def _who(scope: Scope, rule: Rule) -> str:
    if scope.layer is Layer.AWS_SECURITY_GROUPS:
        return rule.label
    if scope.layer is Layer.AWS_NETWORK_FIREWALL:
        return f"AWS Network Firewall {rule.label}"
    return f"{scope.label} {rule.label}"


def check_least_privilege(resources: Sequence[Resource], plan: Plan, catalog: Catalog,
                          options: Options | None = None) -> CheckResult:
    """``chalk-media-egress-least-privilege`` (advisory): no allow on the option's media ports reaches wider than
    the catalog. TCP 443 to anywhere is never flagged, even where option 3 makes it a media port: signaling
    (HTTPS/WSS to host names) needs it, and host names are filtered by a firewall or proxy, not by address."""
    options = options or Options()
    scopes = _advisory_scopes(resources, options)
    if not scopes:
        return CheckResult(POLICY_LEAST_PRIVILEGE, False, NOT_APPLICABLE)
    signaling = BoxSet.of([Protocol.TCP.value], [(SIGNALING_PORT, SIGNALING_PORT)], ANYWHERE)
    media = media_box([(rule.protocol, rule.ports) for rule in plan.media_rules], ANYWHERE) - signaling
    networks = _catalog_networks(catalog)
    catalog_set = netaddr.IPSet(networks)
    probe = media.restrict(PUBLIC - catalog_set)  # what AllowInternetOutBound must not let out
    findings: dict[tuple[str | None, str], Finding] = {}
    for scope in scopes:
        component = AWS_COMPONENT if scope.layer.cloud == "aws" else AZURE_COMPONENT
        for rule in scope.rules:
            if rule.access is not Access.ALLOW or rule.builtin or rule.resource is None:
                continue
            overlap = rule.services & media
            wide = [dest.text for dest in rule.dests if _is_wide(dest.addresses, networks, catalog_set)]
            if overlap and wide:
                who = _who(scope, rule)
                message = wide_message(who, services_text(overlap), wide, plan.option, plan.regions, component)
                findings.setdefault((rule.resource.urn, who), Finding(
                    POLICY_LEAST_PRIVILEGE, FindingKind.VIOLATION, message, rule.resource.urn))
        if scope.layer is Layer.AZURE_NSG:
            reached = default_allow_reach(scope.rules, probe, catalog_set)
            if reached:
                services = services_text(BoxSet.of(reached.protocols, (), ANYWHERE) | _services_of(reached))
                findings.setdefault((scope.urn, scope.label), Finding(
                    POLICY_LEAST_PRIVILEGE, FindingKind.VIOLATION, default_allow_message(scope.label, services),
                    scope.urn))
    return CheckResult(POLICY_LEAST_PRIVILEGE, True, "", tuple(findings.values()))


def default_allow_reach(rules: Sequence[Rule], probe: BoxSet, catalog_set: netaddr.IPSet) -> BoxSet:
    """What of ``probe`` (the media ports to public addresses outside the catalog) Azure's default
    AllowInternetOutBound lets out (best case). Rules whose addresses all lie in the catalog cannot match the
    probe, so they are dropped before evaluation: the same result, much faster for large NSGs."""
    relevant = [rule for rule in rules if not all(addresses.issubset(catalog_set) for protocol in rule.maybe.protocols
                                                  for _, _, addresses in rule.maybe.segments(protocol))]
    allowed_by = best_allowed_by(relevant, probe)  # the best case is all that Outcome.allowed_by holds
    return next((box for rule, box in allowed_by if rule is azure.ALLOW_INTERNET_DEFAULT), EMPTY)


def _services_of(box: BoxSet) -> BoxSet:
    result = EMPTY
    for protocol in box.protocols:
        result = result | BoxSet.of((protocol,), box.ports(protocol), ANYWHERE)
    return result


# --- option consistency --------------------------------------------------------------------------------


def _option_text(rules: Sequence[tuple[Protocol, PortRange]]) -> str:
    by_protocol: dict[Protocol, list[PortRange]] = {}
    for protocol, ports in rules:
        by_protocol.setdefault(protocol, []).append(ports)
    return "; ".join(f"{protocol.value.upper()} {ports_text(sorted(ports))}"
                     for protocol, ports in sorted(by_protocol.items(), key=lambda item: item[0].value))


def effective_allowed(scopes: Sequence[Scope], requirement: BoxSet) -> BoxSet:
    """What every scope may allow (best case) within ``requirement``."""
    allowed = requirement
    for scope in scopes:
        outcome: Outcome = evaluate(scope.rules, requirement)
        allowed = allowed & (requirement if scope.doubts else outcome.best)
    return allowed


def check_option_consistency(resources: Sequence[Resource], plan: Plan, catalog: Catalog,
                             options: Options | None = None) -> CheckResult:
    """``chalk-option-consistency`` (advisory): the stack's allows toward the selected regions match the
    configured port option rather than another one, and no entry of the option is missing entirely."""
    options = options or Options()
    scopes = _advisory_scopes(resources, options)
    if not scopes:
        return CheckResult(POLICY_OPTION, False, NOT_APPLICABLE)
    addresses = netaddr.IPSet(plan.cidrs)
    entries = {option.id: [(rule.protocol, PortRange(rule.from_port, rule.to_port)) for rule in option.rules]
               for option in catalog.port_options}
    if plan.option not in entries:
        entries[plan.option] = [(rule.protocol, rule.ports) for rule in plan.media_rules]
    boxes = {option: media_box(rules, addresses) for option, rules in entries.items()}
    everything = EMPTY
    for box in boxes.values():
        everything = everything | box
    allowed = effective_allowed(scopes, everything)
    expected = plan.option
    if not boxes[expected] - allowed:
        return CheckResult(POLICY_OPTION, True, "")
    others = [(option, _option_text(entries[option])) for option in sorted(boxes)
              if option != expected and not boxes[option] - allowed]
    text = _option_text(entries[expected])
    if others:
        message = other_option_message(others, expected, text, plan.regions)
    else:
        if not boxes[expected] & allowed:
            return CheckResult(POLICY_OPTION, True, "")
        missing = [f"{protocol.value.upper()} {ports}" for protocol, ports in entries[expected]
                   if not media_box([(protocol, ports)], addresses) & allowed]
        if not missing:
            return CheckResult(POLICY_OPTION, True, "")
        message = partial_option_message(expected, text, missing, plan.regions)
    return CheckResult(POLICY_OPTION, True, "", (Finding(POLICY_OPTION, FindingKind.VIOLATION, message),))


def check_all(resources: Sequence[Resource], plan: Plan, catalog: Catalog, options: Options | None = None
              ) -> tuple[CheckResult, ...]:
    return (check_media(resources, plan, catalog, options), check_signaling_hosts(resources, plan),
            check_least_privilege(resources, plan, catalog, options),
            check_option_consistency(resources, plan, catalog, options))


__all__ = [
    "NOT_APPLICABLE", "Doubt", "check_all", "check_least_privilege", "check_media", "check_option_consistency",
    "check_signaling_hosts", "collect_scopes", "effective_allowed", "media_findings", "media_report",
    "media_requirement", "port_gaps", "scope_report", "services_text",
]
