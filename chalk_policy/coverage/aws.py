"""AWS readers: security groups (one scope), Network Firewall policies and network ACLs (one scope each).

Security groups
    Allow-only and unioned, so the scope "AWS security groups" allows what any considered egress entry allows:
    inline ``egress`` of ``aws:ec2/securityGroup:SecurityGroup``, ``aws:vpc/securityGroupEgressRule``, and
    ``aws:ec2/securityGroupRule`` with ``type: egress``. Protocol ``-1``/``all`` is every protocol and port
    (``fromPort``/``toPort`` ignored); ``tcp``/``6`` and ``udp``/``17`` use ``fromPort..toPort``; other
    protocols (icmp, ...) carry no Chalk traffic. Destinations: ``cidrIpv4``/``cidrBlocks``, and managed prefix
    lists by id (``prefixListId``/``prefixListIds``) resolved against ``aws:ec2/managedPrefixList``
    (``id`` -> ``entries[].cidr``) and ``aws:ec2/managedPrefixListEntry`` (``prefixListId``, ``cidr``).
    Referenced security groups, ``self`` and IPv6 never reach the IPv4 media ranges.

    Without a tag selector every egress entry in the stack counts. With one, only groups whose ``tags`` or
    ``tagsAll`` (which adds the provider's default tags) carry it count, and a standalone rule counts when its
    ``securityGroupId`` is the ``id`` of such a group. Unknown tags, an unknown ``securityGroupId`` (a group
    created in the same preview) or an unknown prefix list id make the rule *uncertain*: what it alone could
    allow is unverified, never a gap. A prefix list id that is not in the stack (e.g. AWS-managed) is uncertain
    too, as "cannot be verified from the stack". A selector that no group carries is reported as such.

Network Firewall
    Each ``aws:networkfirewall/firewallPolicy:FirewallPolicy`` is a scope, evaluated first-match in two layers.

    Stateless engine, ahead of every stateful rule. ``statelessRuleGroupReferences`` (by ``resourceArn``) name
    STATELESS rule groups; their ``statelessRulesAndCustomActions.statelessRules[]`` run by reference priority,
    then rule ``priority``: ``ruleDefinition.actions`` ``aws:pass`` allows, ``aws:drop`` denies,
    ``aws:forward_to_sfe`` hands the traffic to the stateful engine (later stateless rules and the stateless
    default never see it). ``matchAttributes``: ``protocols`` 6/17 (empty: all; others carry no Chalk traffic),
    ``destinations[].addressDefinition`` (empty: any), ``destinationPorts[]`` (empty: all); ``tcpFlags`` make a
    rule uncertain (TCP only, maybe). Then ``statelessDefaultActions``: ``aws:drop`` denies everything left,
    ``aws:pass`` allows it, ``aws:forward_to_sfe`` (or absent) forwards it. Unknown values are uncertain rules.

    Stateful engine. ``statefulRuleGroupReferences[].resourceArn`` are matched to the ``arn`` of the stack's
    ``aws:networkfirewall/ruleGroup:RuleGroup``; if any reference (or the list) is unknown, every rule group
    of the stack that no known arn matched is considered too, at an unknown position (which, in STRICT_ORDER,
    is a doubt; such a rule never decides traffic the stateless engine surely decided). A known arn that is
    not in the stack is an uncertain rule (it may pass or drop anything). Rules: ``ruleGroup.rulesSource
    .statefulRules[]`` (``action`` + ``header{protocol, destination, destinationPort}``) and the Suricata
    lines of ``rulesString`` (``pass udp any any -> 1.2.3.0/24 10000:60000 (sid:1;)``). Protocols ``UDP``,
    ``TCP``, ``IP`` (both); application protocols (``tls``, ``http``, ...) match by content: a PASS of them is
    not counted, a DROP/REJECT of them is an uncertain deny of their transport. Destinations: CIDRs, ``ANY``,
    ``$EXTERNAL_NET`` (anywhere), negation ``!x``, lists ``[a, !b]`` (nested; a list of negations only is
    "any but"). Ports: ``ANY``, ``443``, ``10000:60000``, ``1024:``, ``!53``, ``[443,3478,!5000]``. A
    destination or port that cannot be read (another ``$VARIABLE``, garbage), or a PASS/DROP/REJECT line whose
    header cannot be read, makes the rule uncertain (matches nothing for sure, maybe everything): an
    unreadable DROP yields *unverified*, never a silent pass. Sources and direction are not checked (the rules
    are assumed to apply to the clients).

    ``PASS`` allows, ``DROP``/``REJECT`` deny, ``ALERT`` never decides. ``statefulEngineOptions.ruleOrder``
    absent or ``DEFAULT_ACTION_ORDER`` (the AWS default): every PASS, then every DROP, then every REJECT, and
    traffic no rule matches passes (``statefulDefaultActions`` are only valid with STRICT_ORDER).
    ``STRICT_ORDER`` (or unknown): rules run by group priority then position, first match wins, so an earlier
    DROP shadows a later PASS; traffic no rule matches is dropped when ``statefulDefaultActions`` hold
    ``aws:drop_strict`` or ``aws:drop_established``, and passes otherwise (none, or ``aws:alert_*`` only).

Network ACLs
    ``aws:ec2/networkAcl:NetworkAcl`` and ``aws:ec2/defaultNetworkAcl:DefaultNetworkAcl`` (inline ``egress`` and
    ``ingress``: ``ruleNo``, ``action`` allow/deny, ``protocol``, ``cidrBlock``, ``ipv6CidrBlock``, ``fromPort``,
    ``toPort``) and ``aws:ec2/networkAclRule:NetworkAclRule`` (``networkAclId``, ``ruleNumber``, ``egress``,
    ``protocol``, ``ruleAction``, ``cidrBlock``, ``fromPort``, ``toPort``). A subnet has exactly one network ACL,
    so each ACL is its own scope and the requirement must pass every ACL of the stack (like NSGs); with a tag
    selector only ACLs whose ``tags``/``tagsAll`` carry it count (unknown tags: its gaps are unverified).
    Rules are evaluated per ACL and direction in ascending rule number, first match wins, then the implicit
    final deny. Protocol ``-1``/``all`` is every protocol and port, ``tcp``/``6`` and ``udp``/``17`` use
    ``fromPort..toPort``, others (icmp, ...) carry no Chalk traffic; ``ipv6CidrBlock`` never reaches the IPv4
    media ranges. ACLs are stateless, so each ACL is two scopes: its egress rules must allow the requirement,
    and its ingress rules must allow the replies. Simplification: a reply's destination port is the client's
    ephemeral port, so the ingress rules must allow each protocol of the requirement on 1024-65535 from every
    address of the requirement; source ports are not modelled. A ``NetworkAclRule`` belongs to the ACL whose
    ``id`` equals its ``networkAclId``; an unknown ``networkAclId`` makes it an uncertain rule of every
    considered ACL (what it alone allows or denies is unverified); a known id that is not in the stack is noted
    and skipped. An unknown rule number puts the rule at an unknown position, an unknown action makes it
    uncertain. An allow that cannot be read is skipped with a note (that only allows less); a deny that cannot
    be read is an uncertain deny of its protocols (every address, every port when the ports are unreadable).
    ACLs count for the media check only (the advisory checks look at security groups and firewalls).

Signaling hosts
    Only ALLOWLIST rule groups with target type TLS_SNI that a policy references count (any group no known arn
    matches, when some policy's references are unknown: unverified, never a violation). A policy that surely
    passes TCP 443 to every public address before its host filter lets every host out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import netaddr

from .boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, PORT_MAX, PORT_MIN, PUBLIC, BoxSet, parse_ipv4
from .common import (
    ALL_SERVICES,
    SKIPPED_ERRORS,
    Destinations,
    Services,
    make_rule,
    parse_access,
    skipping,
    unknown,
    unreadable_deny,
)
from .evaluate import Access, Dest, Doubt, DoubtKind, Rule, doubts_for, evaluate
from .model import HostAllow, Layer, Scope, TagSelector
from .resources import (
    UNKNOWN,
    Malformed,
    Resource,
    as_int,
    as_list,
    as_obj,
    as_str,
    field,
    props_of,
)

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
SECURITY_GROUP_TYPES = (SECURITY_GROUP, EGRESS_RULE, SECURITY_GROUP_RULE)
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NETWORK_ACL_TYPES = (NETWORK_ACL, DEFAULT_NETWORK_ACL, NETWORK_ACL_RULE)
EPHEMERAL_PORTS = (1024, 65535)
"""The client ports a network ACL's ingress rules must allow for the replies (the simplification above)."""

_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}
_ANY_PROTOCOL = {"-1", "all"}


# --- security groups -----------------------------------------------------------------------------------


class _PrefixLists:
    def __init__(self, resources: Sequence[Resource], notes: list[str]) -> None:
        self.known: dict[str, Destinations] = {}
        self.floating = Destinations()
        """Entries whose prefix list id is unknown: they may belong to any list."""
        for resource in resources:
            if resource.type == PREFIX_LIST:
                with skipping(notes, resource.label):
                    self._read_list(resource)
            elif resource.type == PREFIX_LIST_ENTRY:
                with skipping(notes, resource.label):
                    self._read_entry(resource)

    def _read_list(self, resource: Resource) -> None:
        props = props_of(resource)
        list_id = as_str(field(props, "id"), "id")
        if not isinstance(list_id, str):
            return  # not yet created: no rule can name it by a known id
        target = self.known.setdefault(list_id, Destinations())
        entries = as_list(field(props, "entries"), "entries")
        if entries is UNKNOWN:
            target.add_doubt(unknown(resource.label, "entries"))
            return
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            cidr = as_str(field(as_obj(entry, f"entries[{index}]"), "cidr"), f"entries[{index}].cidr")
            _add_cidr(target, cidr, f"{resource.label} entries[{index}]", "cidr")

    def _read_entry(self, resource: Resource) -> None:
        props = props_of(resource)
        list_id = as_str(field(props, "prefixListId"), "prefixListId")
        cidr = as_str(field(props, "cidr"), "cidr")
        if list_id is None:
            raise Malformed("prefixListId is missing")
        if list_id is UNKNOWN:
            self.floating.add_doubt(unknown(resource.label, "prefixListId"))
            return
        _add_cidr(self.known.setdefault(str(list_id), Destinations()), cidr, resource.label, "cidr")

    def resolve(self, into: Destinations, list_id: object, where: str) -> None:
        if list_id is UNKNOWN:
            into.add_doubt(unknown(where, "the prefix list id"))
            return
        if not isinstance(list_id, str):
            raise Malformed(f"a prefix list id is {type(list_id).__name__}, not a string")
        found = self.known.get(list_id)
        if found is None:
            into.add_doubt(Doubt(DoubtKind.EXTERNAL, f"{where}: prefix list {list_id} is not in this stack"))
            return
        into.sure = into.sure | found.sure
        into.maybe = into.maybe | found.maybe | self.floating.maybe
        into.dests.append(_dest(f"prefix list {list_id}", found))
        into.doubts.extend([*found.doubts, *self.floating.doubts])


def _dest(text: str, found: Destinations) -> Dest:
    return Dest(text, found.sure)


def _add_cidr(target: Destinations, cidr: object, where: str, name: str) -> None:
    if cidr is UNKNOWN:
        target.add_doubt(unknown(where, name))
        return
    if not isinstance(cidr, str):
        raise Malformed(f"{name} is missing")
    addresses = parse_ipv4(cidr)
    if addresses is not None:
        target.add(cidr, addresses)


def _services(protocol: object, from_port: object, to_port: object, where: str) -> Services:
    if isinstance(protocol, int | float) and not isinstance(protocol, bool):
        protocol = str(int(protocol))
    name = as_str(protocol, "protocol")
    if name is None:
        raise Malformed("protocol is missing")
    if name is UNKNOWN:
        return Services.anything(unknown(where, "protocol"))
    text = str(name).strip().lower()
    if text in _ANY_PROTOCOL:
        return Services.exactly(ALL_SERVICES)
    if text not in _PROTOCOLS:
        return Services()
    protocols = (_PROTOCOLS[text],)
    low, high = as_int(from_port, "fromPort"), as_int(to_port, "toPort")
    if low is None or high is None:
        raise Malformed(f"{'fromPort' if low is None else 'toPort'} is missing")
    if low is UNKNOWN or high is UNKNOWN:
        what = "fromPort" if low is UNKNOWN else "toPort"
        return Services(EMPTY, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [unknown(where, what)])
    assert isinstance(low, int) and isinstance(high, int)
    if not PORT_MIN <= low <= high <= PORT_MAX:
        raise Malformed(f"ports {low}-{high} are not a port range; allowed: 0 <= fromPort <= toPort <= 65535")
    return Services.exactly(BoxSet.of(protocols, ((low, high),), ANYWHERE))


def _destinations(cidrs: object, prefix_lists: object, where: str, cidr_field: str, list_field: str,
                  lists: _PrefixLists) -> Destinations:
    result = Destinations()
    for name, values in ((cidr_field, cidrs), (list_field, prefix_lists)):
        if values is UNKNOWN:
            result.add_doubt(unknown(where, name))
            continue
        items = values if isinstance(values, list) else ([] if values is None else [values])
        for index, value in enumerate(items):
            label = f"{name}[{index}]" if isinstance(values, list) else name
            if name == list_field:
                lists.resolve(result, value, where)
            elif value is UNKNOWN:
                result.add_doubt(unknown(where, label))
            elif isinstance(value, str):
                addresses = parse_ipv4(value)
                if addresses is not None:
                    result.add(value, addresses)
            else:
                raise Malformed(f"{label} is {type(value).__name__}, not a CIDR string")
    return result


class _Membership:
    """Which security groups a tag selector picks."""

    def __init__(self, resources: Sequence[Resource], selector: TagSelector | None) -> None:
        self.selector = selector
        self.by_id: dict[str, tuple[bool, Doubt | None]] = {}
        self.any_candidate = False
        for resource in resources:
            if resource.type != SECURITY_GROUP:
                continue
            try:
                props = props_of(resource)
            except SKIPPED_FOR_MEMBERSHIP:
                continue
            member, doubt = self.of_group(resource, props)
            group_id = field(props, "id")
            if isinstance(group_id, str):
                self.by_id[group_id] = (member, doubt)
            if member or doubt is not None:
                self.any_candidate = True

    def of_group(self, resource: Resource, props: object) -> tuple[bool, Doubt | None]:
        """(counts for sure, doubt when it may or may not count)."""
        if self.selector is None:
            return True, None
        maybe = False
        for name in ("tags", "tagsAll"):  # tagsAll adds the provider's default tags
            tags = field(props, name)  # type: ignore[arg-type]
            value = tags.get(self.selector.key) if isinstance(tags, dict) else (UNKNOWN if tags is UNKNOWN else None)
            if value is UNKNOWN:
                maybe = True
            elif value is not None and (self.selector.value is None or value == self.selector.value):
                return True, None
        if maybe:
            return False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the selector "
                                                   f"{self.selector} may or may not pick it")
        return False, None

    def of_rule(self, resource: Resource, group_id: object) -> tuple[bool, Doubt | None]:
        if self.selector is None:
            return True, None
        if group_id is UNKNOWN:
            if not self.any_candidate:
                return False, None
            return False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: securityGroupId is unknown, so it may or "
                                                   f"may not belong to a group tagged {self.selector}")
        if not isinstance(group_id, str):
            raise Malformed("securityGroupId is missing")
        return self.by_id.get(group_id, (False, None))


SKIPPED_FOR_MEMBERSHIP = (ValueError, TypeError)


def selects_no_group(resources: Sequence[Resource], selector: TagSelector | None) -> bool:
    """A selector that no security group of the stack carries, not even possibly (unknown tags)."""
    return selector is not None and any(resource.type in SECURITY_GROUP_TYPES for resource in resources) and (
        not _Membership(resources, selector).any_candidate)


def security_group_scope(resources: Sequence[Resource], selector: TagSelector | None,
                         notes: list[str]) -> Scope | None:
    """All considered security group egress as one scope; None when the stack has no security group resource."""
    if not any(resource.type in SECURITY_GROUP_TYPES for resource in resources):
        return None
    lists = _PrefixLists(resources, notes)
    membership = _Membership(resources, selector)
    rules: list[Rule] = []
    for resource in resources:
        if resource.type in SECURITY_GROUP_TYPES:
            with skipping(notes, resource.label):
                rules.extend(_security_group_rules(resource, lists, membership, notes))
    return Scope(Layer.AWS_SECURITY_GROUPS, "AWS security groups", None, tuple(rules))


def _security_group_rules(resource: Resource, lists: _PrefixLists, membership: _Membership,
                          notes: list[str]) -> list[Rule]:
    props = props_of(resource)
    if resource.type == SECURITY_GROUP:
        member, doubt = membership.of_group(resource, props)
        if not member and doubt is None:
            return []
        egress = as_list(field(props, "egress"), "egress")
        extra = (doubt,) if doubt else ()
        if egress is UNKNOWN:
            doubts = (unknown(resource.label, "egress"), *extra)
            return [Rule(resource.label, Access.ALLOW, EMPTY, EVERYTHING, None, doubts, resource=resource)]
        rules = []
        for index, entry in enumerate(egress):  # type: ignore[arg-type]
            where = f"{resource.label} egress[{index}]"
            with skipping(notes, where):
                item = as_obj(entry, f"egress[{index}]")
                if item is UNKNOWN:
                    rules.append(Rule(where, Access.ALLOW, EMPTY, EVERYTHING, None,
                                      (unknown(where, "the entry"), *extra), resource=resource))
                    continue
                services = _services(field(item, "protocol"), field(item, "fromPort"), field(item, "toPort"), where)
                destinations = _destinations(field(item, "cidrBlocks"), field(item, "prefixListIds"), where,
                                             "cidrBlocks", "prefixListIds", lists)
                rules.append(make_rule(where, Access.ALLOW, None, services, destinations, resource,
                                       member=doubt is None, extra_doubts=extra))
        return rules
    if props is UNKNOWN:
        return [Rule(resource.label, Access.ALLOW, EMPTY, EVERYTHING, None,
                     (unknown(resource.label, "every property"),), resource=resource)]
    extra_doubts: tuple[Doubt, ...] = ()
    if resource.type == SECURITY_GROUP_RULE:
        kind = as_str(field(props, "type"), "type")
        if kind is None:
            raise Malformed("type is missing")
        if kind is UNKNOWN:
            extra_doubts = (unknown(resource.label, "type (ingress or egress)"),)
        elif str(kind).lower() != "egress":
            return []
    member, doubt = membership.of_rule(resource, field(props, "securityGroupId"))
    if not member and doubt is None:
        return []
    if doubt is not None:
        extra_doubts = (*extra_doubts, doubt)
    if resource.type == EGRESS_RULE:
        services = _services(field(props, "ipProtocol"), field(props, "fromPort"), field(props, "toPort"),
                             resource.label)
        destinations = _destinations(field(props, "cidrIpv4"), field(props, "prefixListId"), resource.label,
                                     "cidrIpv4", "prefixListId", lists)
    else:
        services = _services(field(props, "protocol"), field(props, "fromPort"), field(props, "toPort"),
                             resource.label)
        destinations = _destinations(field(props, "cidrBlocks"), field(props, "prefixListIds"), resource.label,
                                     "cidrBlocks", "prefixListIds", lists)
    return [make_rule(resource.label, Access.ALLOW, None, services, destinations, resource,
                      member=not extra_doubts, extra_doubts=extra_doubts)]


# --- Network Firewall ----------------------------------------------------------------------------------

_ACTIONS = {"PASS": Access.ALLOW, "DROP": Access.DENY, "REJECT": Access.DENY}
_ACTION_RANK = {"PASS": 0, "DROP": 1, "REJECT": 2}
"""Default action order: every PASS, then DROP, then REJECT (ALERT never decides)."""
_FIREWALL_PROTOCOLS = {"UDP": ("udp",), "TCP": ("tcp",), "IP": ("tcp", "udp")}
_APP_TCP = {"TLS", "HTTP", "HTTP2", "SSH", "FTP", "SMTP", "IMAP", "POP3", "SMB", "DCERPC", "RDP", "TCP-PKT",
            "TCP-STREAM"}
_APP_UDP = {"QUIC", "NTP", "DHCP", "TFTP", "SNMP", "SYSLOG"}
_NO_CHALK_TRAFFIC = {"ICMP", "ICMPV6"}
_ANY_ADDRESS = {"ANY", "$EXTERNAL_NET", "0.0.0.0/0"}
_SID = re.compile(r"\bsid\s*:\s*(\d+)")
_TOKENS = re.compile(r"!?\[[^\]]*\]|\S+")
_STATELESS, _STATELESS_DEFAULT, _STATEFUL, _STATEFUL_DEFAULT = 0, 1, 2, 3
"""Bands of the order keys: the stateless engine decides before the stateful one."""
_DROP_DEFAULTS = {"aws:drop_strict", "aws:drop_established"}


class _Unresolved(ValueError):
    """A destination or port the check cannot resolve (a rule variable, garbage): the rule is uncertain."""


def network_firewall_scopes(resources: Sequence[Resource], notes: list[str]) -> list[Scope]:
    return [view.scope for view in policy_views(resources, notes)]


class PolicyView:
    """One firewall policy as read: its scope, and which rule groups it references at which position."""

    def __init__(self, policy: Resource, scope: Scope, strict: bool, references: list[tuple[Resource, int | None]],
                 unresolved: bool) -> None:
        self.policy, self.scope, self.strict = policy, scope, strict
        self.references = references
        """Stateful rule groups of the stack the policy references by a known arn, with their priority."""
        self.unresolved = unresolved
        """Some stateful reference (or the list) is unknown: any other group of the stack may be referenced."""


def policy_views(resources: Sequence[Resource], notes: list[str]) -> list[PolicyView]:
    groups = [resource for resource in resources if resource.type == RULE_GROUP]
    views = []
    for policy in resources:
        if policy.type == FIREWALL_POLICY:
            with skipping(notes, policy.label):
                views.append(_policy_view(policy, groups, notes))
    return views


def _by_arn(groups: Sequence[Resource]) -> dict[str, Resource]:
    by_arn = {}
    for group in groups:
        arn = field(_safe_props(group), "arn")
        if isinstance(arn, str):
            by_arn[arn] = group
    return by_arn


def _is_stateless(group: Resource) -> bool:
    kind = field(_safe_props(group), "type")
    return isinstance(kind, str) and kind.upper() == "STATELESS"


def _references(policy: Resource, body: Any, key: str, groups: Sequence[Resource], notes: list[str]
                ) -> tuple[list[tuple[Resource, int | None]], list[tuple[str, int | None]], bool]:
    """(groups of the stack by known arn, arns not in the stack, whether any reference is unknown)."""
    references = as_list(field(body, key), key)
    by_arn = _by_arn(groups)
    chosen: list[tuple[Resource, int | None]] = []
    outside: list[tuple[str, int | None]] = []
    unresolved = references is UNKNOWN
    for index, reference in enumerate(references if isinstance(references, list) else []):
        with skipping(notes, f"{policy.label} {key}[{index}]"):
            item = as_obj(reference, "the reference")
            arn = as_str(field(item, "resourceArn"), "resourceArn")
            priority = as_int(field(item, "priority"), "priority")
            known_priority = priority if isinstance(priority, int) else None
            if arn is UNKNOWN:
                unresolved = True
            elif arn is None:
                raise Malformed("resourceArn is missing")
            elif arn in by_arn:
                chosen.append((by_arn[str(arn)], known_priority))
            else:
                outside.append((str(arn), known_priority))
    return chosen, outside, unresolved


def _policy_view(policy: Resource, groups: Sequence[Resource], notes: list[str]) -> PolicyView:
    label = f"AWS Network Firewall policy '{policy.name}'"
    props = props_of(policy)
    body = as_obj(field(props, "firewallPolicy"), "firewallPolicy")
    mode = field(field(body, "statefulEngineOptions"), "ruleOrder") if isinstance(body, dict) else UNKNOWN
    strict = mode is UNKNOWN or mode == "STRICT_ORDER"
    stateless_rules, decided_sure, decided_maybe = _stateless_layer(
        policy, label, body, [group for group in groups if _is_stateless(group)], notes)
    stateful_groups = [group for group in groups if not _is_stateless(group)]
    chosen, outside, unresolved = _references(policy, body, "statefulRuleGroupReferences", stateful_groups, notes)
    rules: list[Rule] = []
    for arn, priority in outside:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{label}: rule group {arn} is not in this stack")
        order = (_STATEFUL, priority) if strict and priority is not None else None
        rules.append(Rule(f"rule group {arn}", None, EMPTY, EVERYTHING, order, (doubt,)))
    placed = list(chosen)
    if unresolved:
        taken = {id(group) for group, _ in chosen}
        placed.extend((group, None) for group in stateful_groups if id(group) not in taken)
    taken_by_arn = {id(group) for group, _ in chosen}
    for group, priority in placed:
        with skipping(notes, group.label):
            found = _group_rules(group, priority, strict, notes)
            if strict and priority is None:
                text = (f"{label}: the rule group arns are unknown, so the position of rule group '{group.name}' "
                        "is not known") if id(group) not in taken_by_arn else (
                        f"{label}: the priority of rule group '{group.name}' is unknown")
                doubt = Doubt(DoubtKind.UNKNOWN, text)
                found = [replace(rule, doubts=(*rule.doubts, doubt)) for rule in found]
            rules.extend(found)
    rules = [_after_stateless(rule, decided_sure, decided_maybe) if rule.order is None else rule for rule in rules]
    rules.extend(_stateful_default(label, body, strict))
    scope = Scope(Layer.AWS_NETWORK_FIREWALL, label, policy.urn, (*stateless_rules, *rules))
    return PolicyView(policy, scope, strict, chosen, unresolved)


def _after_stateless(rule: Rule, decided_sure: BoxSet, decided_maybe: BoxSet) -> Rule:
    """A stateful rule at an unknown position still never sees what the stateless engine decided."""
    return replace(rule, sure=rule.sure - decided_maybe, maybe=rule.maybe - decided_sure)


def _stateful_default(label: str, body: Any, strict: bool) -> list[Rule]:
    """What happens to traffic no stateful rule decides: it passes, unless STRICT_ORDER drops it by default."""
    unmatched_passes = Rule("traffic that no stateful rule matches", Access.ALLOW, EVERYTHING, EVERYTHING,
                            (_STATEFUL_DEFAULT,), builtin=True)
    if not strict:
        return [unmatched_passes]  # default action order: statefulDefaultActions are not allowed; unmatched passes
    actions = as_list(field(body, "statefulDefaultActions"), "statefulDefaultActions")
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        doubt = unknown(label, "statefulDefaultActions")
        return [Rule("the stateful default action", None, EMPTY, EVERYTHING, (_STATEFUL_DEFAULT,), (doubt,),
                     builtin=True)]
    if any(isinstance(action, str) and action.lower() in _DROP_DEFAULTS for action in actions):  # type: ignore[union-attr]
        return []  # unmatched traffic is dropped: what no PASS decides is a gap
    return [unmatched_passes]  # no default action, or aws:alert_* only


# --- stateless engine ---


def _stateless_layer(policy: Resource, label: str, body: Any, groups: Sequence[Resource], notes: list[str]
                     ) -> tuple[list[Rule], BoxSet, BoxSet]:
    """The stateless rules and default action (ahead of every stateful rule), and what they decide for sure and
    at most. ``aws:forward_to_sfe`` hands traffic to the stateful engine: later stateless rules never see it."""
    chosen, outside, unresolved = _references(policy, body, "statelessRuleGroupReferences", groups, notes)
    entries: list[tuple[tuple[int, ...] | None, Rule, str | None]] = []
    for arn, priority in outside:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{label}: stateless rule group {arn} is not in this stack")
        key: tuple[int, ...] | None = (_STATELESS, priority, -1) if priority is not None else None
        entries.append((key, Rule(f"stateless rule group {arn}", None, EMPTY, EVERYTHING, key, (doubt,)), None))
    placed = list(chosen)
    if unresolved:
        taken = {id(group) for group, _ in chosen}
        placed.extend((group, None) for group in groups if id(group) not in taken)
    for group, priority in placed:
        with skipping(notes, group.label):
            for key, rule, kind in _stateless_group(group, priority, notes):
                if priority is None:
                    doubt = Doubt(DoubtKind.UNKNOWN, f"{label}: the position of stateless rule group "
                                                     f"'{group.name}' is not known")
                    rule = replace(rule, doubts=(*rule.doubts, doubt),
                                   access=None if kind == "forward" else rule.access)
                    key, kind = None, None if kind == "forward" else kind
                entries.append((key, replace(rule, order=key), kind))
    known = sorted((entry for entry in entries if entry[0] is not None), key=lambda entry: entry[0] or ())
    floating = [entry[1] for entry in entries if entry[0] is None]
    rules: list[Rule] = list(floating)
    forward_sure, forward_maybe = EMPTY, EMPTY
    decided_sure, decided_maybe = EMPTY, EMPTY
    for _, rule, kind in known:
        if kind == "forward":
            forward_sure, forward_maybe = forward_sure | rule.sure, forward_maybe | rule.maybe
            continue
        rule = replace(rule, sure=rule.sure - forward_maybe, maybe=rule.maybe - forward_sure)
        rules.append(rule)
        decided_sure, decided_maybe = decided_sure | rule.sure, decided_maybe | rule.maybe
    default = _stateless_default(label, body)
    if default is not None:
        default = replace(default, sure=default.sure - forward_maybe, maybe=default.maybe - forward_sure)
        rules.append(default)
        decided_sure, decided_maybe = decided_sure | default.sure, decided_maybe | default.maybe
    return rules, decided_sure, decided_maybe


def _stateless_default(label: str, body: Any) -> Rule | None:
    actions = as_list(field(body, "statelessDefaultActions"), "statelessDefaultActions")
    order = (_STATELESS_DEFAULT,)
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        return Rule("the stateless default action", None, EMPTY, EVERYTHING, order,
                    (unknown(label, "statelessDefaultActions"),), builtin=True)
    names = {action.lower() for action in actions if isinstance(action, str)}  # type: ignore[union-attr]
    if "aws:drop" in names:
        return Rule("the stateless default action aws:drop", Access.DENY, EVERYTHING, EVERYTHING, order,
                    builtin=True)
    if "aws:pass" in names:
        return Rule("the stateless default action aws:pass", Access.ALLOW, EVERYTHING, EVERYTHING, order,
                    builtin=True)
    return None  # aws:forward_to_sfe (or absent): the stateful engine decides


def _stateless_group(group: Resource, priority: int | None, notes: list[str]
                     ) -> list[tuple[tuple[int, ...] | None, Rule, str | None]]:
    props = props_of(group)
    source = field(field(as_obj(field(props, "ruleGroup"), "ruleGroup"), "rulesSource"),
                   "statelessRulesAndCustomActions")
    rules = as_list(field(as_obj(source, "statelessRulesAndCustomActions"), "statelessRules"), "statelessRules")
    if source is UNKNOWN or rules is UNKNOWN:
        doubt = unknown(group.label, "statelessRules")
        key = (_STATELESS, priority, -1) if priority is not None else None
        return [(key, Rule(f"stateless rule group '{group.name}'", None, EMPTY, EVERYTHING, key, (doubt,),
                           resource=group), None)]
    found = []
    for index, entry in enumerate(rules):  # type: ignore[arg-type]
        where = f"{group.label} statelessRules[{index}]"
        with skipping(notes, where):
            item = _stateless_rule(group, as_obj(entry, "the rule"), where, priority)
            if item is not None:
                found.append(item)
    return found


def _stateless_rule(group: Resource, entry: Any, where: str, group_priority: int | None
                    ) -> tuple[tuple[int, ...] | None, Rule, str | None] | None:
    if entry is UNKNOWN:
        key = (_STATELESS, group_priority, -1) if group_priority is not None else None
        return key, Rule(where, None, EMPTY, EVERYTHING, key, (unknown(where, "the rule"),), resource=group), None
    priority = as_int(field(entry, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    definition = as_obj(field(entry, "ruleDefinition"), "ruleDefinition")
    actions = as_list(field(definition, "actions"), "ruleDefinition.actions")
    doubts: list[Doubt] = []
    kind: str | None = None
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        doubts.append(unknown(where, "actions"))
    else:
        names = {str(action).lower() for action in actions}  # type: ignore[union-attr]
        kind = next((name for name in ("drop", "pass", "forward_to_sfe") if f"aws:{name}" in names), None)
        if kind is None:
            raise Malformed("actions hold none of aws:pass, aws:drop, aws:forward_to_sfe")
        kind = "forward" if kind == "forward_to_sfe" else kind
    match = as_obj(field(definition, "matchAttributes"), "matchAttributes")
    services = _stateless_services(match, where)
    if services is None:
        return None  # only protocols that carry no Chalk traffic
    destinations = Destinations()
    targets = as_list(field(match, "destinations"), "destinations")
    if targets is UNKNOWN:
        destinations.add_doubt(unknown(where, "destinations"))
    elif not targets:
        destinations.add("ANY", ANYWHERE)
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        text = as_str(field(as_obj(target, f"destinations[{index}]"), "addressDefinition"),
                      f"destinations[{index}].addressDefinition")
        _add_cidr(destinations, text, where, f"destinations[{index}].addressDefinition")
    label = f"stateless rule group '{group.name}' rule priority {priority} (aws:{kind or '?'})"
    access = {"pass": Access.ALLOW, "drop": Access.DENY}.get(kind or "")
    key = (_STATELESS, group_priority, priority) if group_priority is not None and isinstance(priority, int) else None
    if priority is UNKNOWN:
        doubts.append(unknown(where, "priority"))
    rule = make_rule(label, access, key, services, destinations, group, extra_doubts=tuple(doubts))
    return key, rule, kind


def _stateless_services(match: Any, where: str) -> Services | None:
    protocols = as_list(field(match, "protocols"), "protocols")
    if protocols is UNKNOWN:
        return Services.anything(unknown(where, "protocols"))
    numbers = {str(int(number)) if isinstance(number, int | float) else str(number)
               for number in protocols}  # type: ignore[union-attr]
    names = tuple(name for number, name in (("6", "tcp"), ("17", "udp")) if number in numbers) if numbers else (
        "tcp", "udp")
    if not names:
        return None
    ports = as_list(field(match, "destinationPorts"), "destinationPorts")
    if ports is UNKNOWN:
        return Services(EMPTY, BoxSet.of(names, ALL_PORTS, ANYWHERE), [unknown(where, "destinationPorts")])
    ranges = []
    for index, item in enumerate(ports):  # type: ignore[arg-type]
        item = as_obj(item, f"destinationPorts[{index}]")
        low, high = as_int(field(item, "fromPort"), "fromPort"), as_int(field(item, "toPort"), "toPort")
        if low is UNKNOWN or high is UNKNOWN:
            return Services(EMPTY, BoxSet.of(names, ALL_PORTS, ANYWHERE), [unknown(where, "destinationPorts")])
        if not (isinstance(low, int) and isinstance(high, int) and PORT_MIN <= low <= high <= PORT_MAX):
            raise Malformed(f"destinationPorts[{index}] is not a port range")
        ranges.append((low, high))
    box = BoxSet.of(names, ranges or ALL_PORTS, ANYWHERE)
    flags = field(match, "tcpFlags")
    if flags:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: it matches only TCP packets with some flags (tcpFlags), "
                                          "which this check does not evaluate")
        return Services(EMPTY, BoxSet.of(("tcp",), ranges or ALL_PORTS, ANYWHERE) & box, [doubt])
    return Services.exactly(box)


# --- stateful rule groups ---


def _safe_props(resource: Resource) -> Any:
    try:
        return props_of(resource)
    except SKIPPED_FOR_MEMBERSHIP:
        return {}


def _group_rules(group: Resource, priority: int | None, strict: bool, notes: list[str]) -> list[Rule]:
    props = props_of(group)
    source = as_obj(field(as_obj(field(props, "ruleGroup"), "ruleGroup"), "rulesSource"), "ruleGroup.rulesSource")
    if source is UNKNOWN:
        doubt = unknown(group.label, "ruleGroup.rulesSource")
        return [Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group)]
    rules: list[Rule] = []
    stateful = as_list(field(source, "statefulRules"), "statefulRules")
    if stateful is UNKNOWN:
        doubt = unknown(group.label, "statefulRules")
        rules.append(Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group))
        stateful = []
    position = 0
    for index, entry in enumerate(stateful):  # type: ignore[arg-type]
        position += 1
        where = f"{group.label} statefulRules[{index}]"
        with skipping(notes, where):
            rule = _stateful_rule(group, as_obj(entry, "the rule"), where, index + 1, priority, strict, position)
            if rule is not None:
                rules.append(rule)
    text = as_str(field(source, "rulesString"), "rulesString")
    if text is UNKNOWN:
        doubt = unknown(group.label, "rulesString")
        rules.append(Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group))
    elif isinstance(text, str):
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            position += 1
            where = f"{group.label} rulesString line {number}"
            with skipping(notes, where):
                rule = _suricata_rule(group, line, where, number, priority, strict, position)
                if rule is not None:
                    rules.append(rule)
    return rules


def _order(action: str | None, priority: int | None, strict: bool, position: int) -> tuple[int, ...] | None:
    if not strict:
        return (_STATEFUL, _ACTION_RANK.get(action or "", 0), position)
    return None if priority is None else (_STATEFUL, priority, position)


def _rule_label(group: Resource, sid: str | None, fallback: str, action: str) -> str:
    return f"rule group '{group.name}' {f'sid {sid}' if sid else fallback} ({action})"


def _stateful_rule(group: Resource, entry: Any, where: str, number: int, priority: int | None, strict: bool,
                   position: int) -> Rule | None:
    if entry is UNKNOWN:
        return Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),), resource=group)
    action = as_str(field(entry, "action"), "action")
    sid = None
    options = field(entry, "ruleOptions")
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and str(option.get("keyword", "")).lower() == "sid":
            settings = option.get("settings")
            if isinstance(settings, list) and settings and isinstance(settings[0], str | int):
                sid = str(settings[0])
    access = _action(action, where)
    if not (access is None or isinstance(access, Access)):
        return None
    header = as_obj(field(entry, "header"), "header")
    upper = str(action).upper() if isinstance(action, str) else None
    label = _rule_label(group, sid, f"rule {number}", upper or "?")
    return _firewall_rule(label, access, group, where, field(header, "protocol"), field(header, "destination"),
                          field(header, "destinationPort"), _order(upper, priority, strict, position))


def _action(action: object, where: str) -> Access | str | None:
    if action is UNKNOWN:
        return None
    if not isinstance(action, str):
        raise Malformed("action is missing")
    upper = action.upper()
    if upper == "ALERT":
        return "ignore"
    if upper not in _ACTIONS:
        raise Malformed(f"action {action!r} is not PASS, DROP, REJECT or ALERT")
    return _ACTIONS[upper]


def _suricata_rule(group: Resource, line: str, where: str, number: int, priority: int | None, strict: bool,
                   position: int) -> Rule | None:
    header, _, options = line.partition("(")
    tokens = _TOKENS.findall(header)
    sid_match = _SID.search(options)
    sid = sid_match.group(1) if sid_match else None
    if len(tokens) != 7 or tokens[4] not in ("->", "<>"):
        problem = f"{line[:60]!r} is not 'action protocol source port -> destination port (options)'"
        if tokens and tokens[0].upper() in _ACTIONS:  # a PASS/DROP/REJECT the check cannot read: uncertain
            action = tokens[0].upper()
            doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {problem}")
            return Rule(_rule_label(group, sid, f"rulesString line {number}", action), _ACTIONS[action], EMPTY,
                        EVERYTHING, _order(action, priority, strict, position), (doubt,), resource=group)
        raise Malformed(problem)
    action, protocol, _, _, _, destination, port = tokens
    access = _action(action, where)
    if not (access is None or isinstance(access, Access)):
        return None
    label = _rule_label(group, sid, f"rulesString line {number}", action.upper())
    return _firewall_rule(label, access, group, where, protocol, destination, port,
                          _order(action.upper(), priority, strict, position))


def _firewall_rule(label: str, access: Access | str | None, group: Resource, where: str, protocol: object,
                   destination: object, port: object, order: tuple[int, ...] | None) -> Rule | None:
    """A stateful rule. A destination or port the check cannot read (a rule variable, garbage) makes it uncertain
    (it may match anything, matches nothing for sure), never skipped: a DROP that cannot be read is not ignored."""
    assert access is None or isinstance(access, Access)
    uncertain: list[Doubt] = []
    if protocol is UNKNOWN:
        services_protocols: tuple[str, ...] | None = None
    elif isinstance(protocol, str):
        upper = protocol.upper()
        services_protocols = _FIREWALL_PROTOCOLS.get(upper)
        if services_protocols is None:
            if upper in _NO_CHALK_TRAFFIC or access is not Access.DENY:
                return None  # application protocols match by content: a PASS of them is not counted
            services_protocols = ("tcp",) if upper in _APP_TCP else ("udp",) if upper in _APP_UDP else (
                "tcp", "udp")
            uncertain.append(Doubt(DoubtKind.EXTERNAL, f"{where}: protocol {protocol} matches by content, which "
                                                       "this check does not evaluate"))
    else:
        raise Malformed("header.protocol is missing")
    destinations = Destinations()
    if destination is UNKNOWN:
        destinations.add_doubt(unknown(where, "destination"))
    elif isinstance(destination, str):
        try:
            destinations.add(destination, _suricata_addresses(destination))
        except (_Unresolved, ValueError) as exc:
            destinations.add_doubt(Doubt(DoubtKind.EXTERNAL, f"{where}: {_why(exc, 'destination', destination)}"))
    else:
        raise Malformed("destination is missing")
    if services_protocols is None:
        services = Services.anything(unknown(where, "protocol"))
    elif port is UNKNOWN:
        services = Services(EMPTY, BoxSet.of(services_protocols, ALL_PORTS, ANYWHERE), [unknown(where, "port")])
    elif isinstance(port, str):
        try:
            services = Services.exactly(BoxSet.of(services_protocols, _suricata_ports(port), ANYWHERE))
        except (_Unresolved, ValueError) as exc:
            doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {_why(exc, 'destinationPort', port)}")
            services = Services(EMPTY, BoxSet.of(services_protocols, ALL_PORTS, ANYWHERE), [doubt])
    else:
        raise Malformed("destinationPort is missing")
    if uncertain:
        services = Services(EMPTY, services.maybe, [*services.doubts, *uncertain])
    return make_rule(label, access, order, services, destinations, group)


def _why(exc: Exception, name: str, text: str) -> str:
    if isinstance(exc, _Unresolved):
        return f"{name} {text!r} uses a rule variable ({exc}), which this check does not resolve"
    return f"{name} {text!r} cannot be read ({exc})"


def _split_list(text: str) -> list[str]:
    """``a, [b, c], !d`` -> its top-level items."""
    items, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            raise ValueError("unbalanced brackets")
        current += char
    if depth != 0:
        raise ValueError("unbalanced brackets")
    items.append(current.strip())
    return [item for item in items if item]


def _suricata_addresses(text: str) -> netaddr.IPSet:
    """A Suricata address: ``1.2.3.0/24``, ``any``, ``$EXTERNAL_NET``, ``!x``, ``[x, !y]`` (nested)."""
    text = text.strip()
    if text.startswith("!"):
        return ANYWHERE - _suricata_addresses(text[1:])
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError("unbalanced brackets")
        plus, minus, positive = netaddr.IPSet(), netaddr.IPSet(), False
        for item in _split_list(text[1:-1]):
            if item.startswith("!"):
                minus = minus | _suricata_addresses(item[1:])
            else:
                plus, positive = plus | _suricata_addresses(item), True
        return (plus if positive else ANYWHERE) - minus
    if text.upper() in _ANY_ADDRESS:
        return ANYWHERE
    if text.startswith("$"):
        raise _Unresolved(text)
    addresses = parse_ipv4(text)
    return addresses if addresses is not None else netaddr.IPSet()


def _suricata_ports(text: str) -> tuple[tuple[int, int], ...]:
    """A Suricata port: ``443``, ``10000:60000``, ``1024:``, ``any``, ``!53``, ``[443, 3478, !5000:6000]``."""
    every = BoxSet.of(("tcp",), ALL_PORTS, ANYWHERE)

    def box(spec: str) -> BoxSet:
        spec = spec.strip()
        if spec.startswith("!"):
            return every - box(spec[1:])
        if spec.startswith("["):
            if not spec.endswith("]"):
                raise ValueError("unbalanced brackets")
            plus, minus, positive = EMPTY, EMPTY, False
            for item in _split_list(spec[1:-1]):
                if item.startswith("!"):
                    minus = minus | box(item[1:])
                else:
                    plus, positive = plus | box(item), True
            return (plus if positive else every) - minus
        if spec.upper() == "ANY":
            return every
        if spec.startswith("$"):
            raise _Unresolved(spec)
        low, colon, high = spec.partition(":")
        try:
            start = int(low) if low else PORT_MIN
            end = (int(high) if high else PORT_MAX) if colon else start
        except ValueError:
            raise ValueError(f"{spec!r} is not a port, 'a:b' range or ANY") from None
        if not PORT_MIN <= start <= end <= PORT_MAX:
            raise ValueError(f"{spec!r} is not a port range")
        return BoxSet.of(("tcp",), ((start, end),), ANYWHERE)

    return box(text).ports("tcp")


# --- network ACLs --------------------------------------------------------------------------------------


class _Acl:
    def __init__(self, resource: Resource, acl_id: str | None, doubt: Doubt | None) -> None:
        self.resource, self.acl_id, self.doubt = resource, acl_id, doubt
        self.egress: list[Rule] = []
        self.ingress: list[Rule] = []

    def add(self, egress: bool, rule: Rule) -> None:
        (self.egress if egress else self.ingress).append(rule)


def network_acl_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str]
                       ) -> list[Scope]:
    """Two scopes per considered network ACL: its egress rules (the requirement) and its ingress rules (the
    replies, see :attr:`Scope.replies`)."""
    membership = _Membership([], selector)
    acls: list[_Acl] = []
    for resource in resources:
        if resource.type in (NETWORK_ACL, DEFAULT_NETWORK_ACL):
            with skipping(notes, resource.label):
                acl = _read_acl(resource, membership, notes)
                if acl is not None:
                    acls.append(acl)
    all_ids = _acl_ids(resources)
    for resource in resources:
        if resource.type == NETWORK_ACL_RULE:
            with skipping(notes, resource.label):
                _attach_acl_rule(resource, acls, all_ids, notes)
    scopes = []
    for acl in acls:
        label = f"network ACL '{acl.resource.name}'"
        doubts = (acl.doubt,) if acl.doubt else ()
        scopes.append(Scope(Layer.AWS_NETWORK_ACL, label, acl.resource.urn, tuple(acl.egress), doubts))
        scopes.append(Scope(Layer.AWS_NETWORK_ACL, label, acl.resource.urn, tuple(acl.ingress), doubts,
                            replies=True))
    return scopes


def _acl_ids(resources: Sequence[Resource]) -> set[str]:
    """The known ids of every network ACL of the stack, selected or not."""
    found = set()
    for resource in resources:
        if resource.type in (NETWORK_ACL, DEFAULT_NETWORK_ACL):
            acl_id = field(_safe_props(resource), "id")
            if isinstance(acl_id, str):
                found.add(acl_id)
    return found


def _read_acl(resource: Resource, membership: _Membership, notes: list[str]) -> _Acl | None:
    props = props_of(resource)
    member, doubt = membership.of_group(resource, props)
    if not member and doubt is None:
        return None
    acl_id = field(props, "id")
    acl = _Acl(resource, acl_id if isinstance(acl_id, str) else None, doubt)
    for egress, key in ((True, "egress"), (False, "ingress")):
        entries = as_list(field(props, key), key)
        if entries is UNKNOWN:
            acl.add(egress, Rule(f"{resource.label} {key}", None, EMPTY, EVERYTHING, None,
                                 (unknown(resource.label, key),), resource=resource))
            continue
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            where = f"{resource.label} {key}[{index}]"
            with skipping(notes, where):
                item = as_obj(entry, f"{key}[{index}]")
                if item is UNKNOWN:
                    acl.add(egress, Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),),
                                         resource=resource))
                    continue
                rule = _acl_rule(item, "ruleNo", "action", where, resource, notes)
                if rule is not None:
                    acl.add(egress, rule)
    return acl


def _attach_acl_rule(resource: Resource, acls: Sequence[_Acl], all_ids: set[str], notes: list[str]) -> None:
    props = props_of(resource)
    if props is UNKNOWN:
        targets, direction = list(acls), UNKNOWN
        acl_id: object = UNKNOWN
    else:
        acl_id = as_str(field(props, "networkAclId"), "networkAclId")
        if acl_id is None:
            raise Malformed("networkAclId is missing")
        direction = field(props, "egress")
        if acl_id is UNKNOWN:
            targets = list(acls)
        else:
            targets = [acl for acl in acls if acl.acl_id == acl_id]
            if not targets:
                if acl_id not in all_ids:
                    notes.append(f"Skipped {resource.label}: network ACL {acl_id} is not in this stack.")
                return  # otherwise it belongs to an ACL the tag selector does not pick
    if not targets:
        return
    if props is UNKNOWN:
        rule: Rule | None = Rule(resource.label, None, EMPTY, EVERYTHING, None,
                                 (unknown(resource.label, "every property"),), resource=resource)
    else:
        rule = _acl_rule(props, "ruleNumber", "ruleAction", resource.label, resource, notes)
    if rule is None:
        return
    if acl_id is UNKNOWN:
        for acl in targets:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: networkAclId is unknown, so it may or may not "
                                             f"belong to network ACL '{acl.resource.name}'")
            uncertain = replace(rule, sure=EMPTY, doubts=tuple(dict.fromkeys((*rule.doubts, doubt))))
            _add_by_direction(acl, direction, uncertain, resource)
        return
    for acl in targets:
        _add_by_direction(acl, direction, rule, resource)


def _add_by_direction(acl: _Acl, direction: object, rule: Rule, resource: Resource) -> None:
    if direction is UNKNOWN:
        doubt = unknown(resource.label, "egress (the direction)")
        uncertain = replace(rule, sure=EMPTY, doubts=tuple(dict.fromkeys((*rule.doubts, doubt))))
        acl.add(True, uncertain)
        acl.add(False, uncertain)
    else:
        acl.add(bool(direction), rule)  # egress defaults to false (an ingress rule)


def _acl_rule(item: Any, number_key: str, action_key: str, where: str, resource: Resource, notes: list[str]
              ) -> Rule | None:
    """One network ACL entry (inline or a NetworkAclRule): ``rule N (allow|deny)`` at order (N,)."""
    access = parse_access(as_str(field(item, action_key), action_key), action_key, "allow or deny")
    number = as_int(field(item, number_key), number_key)
    if number is None:
        raise Malformed(f"{number_key} is missing")
    known = number if isinstance(number, int) else None
    doubts = () if known is not None else (unknown(where, number_key),)
    label = f"rule {known if known is not None else '?'} ({access.value if access else '?'})"
    order = (known,) if known is not None else None
    services: Services | None = None
    try:
        services = _services(field(item, "protocol"), field(item, "fromPort"), field(item, "toPort"), where)
        destinations = Destinations()
        cidr = as_str(field(item, "cidrBlock"), "cidrBlock")
        if cidr is not None:
            _add_cidr(destinations, cidr, where, "cidrBlock")
        elif field(item, "ipv6CidrBlock") is None:
            raise Malformed("cidrBlock is missing")
    except SKIPPED_ERRORS as exc:
        if access is Access.ALLOW:  # skipping an allow only ever allows less: noted by the caller
            raise
        if services is None:  # the protocol or ports cannot be read: every port of its protocols
            protocol = field(item, "protocol")
            text = str(protocol).strip().lower() if isinstance(protocol, str | int) else ""
            box = BoxSet.of((_PROTOCOLS[text],), ALL_PORTS, ANYWHERE) if text in _PROTOCOLS else EVERYTHING
        else:  # the destination cannot be read: its services to every address
            box = services.maybe
        what = f"{'deny rule' if access is Access.DENY else 'rule'} {known if known is not None else '?'}"
        return unreadable_deny(label, order, box, where, "", exc, resource, notes, doubts, known, what)
    return make_rule(label, access, order, services, destinations, resource, extra_doubts=doubts, priority=known)


# --- domain allowlists (signaling hosts) -----------------------------------------------------------------


def domain_allowlists(resources: Sequence[Resource], notes: list[str]) -> list[HostAllow]:
    """The ALLOWLIST rule groups inspecting TLS SNI (HTTPS) that a firewall policy of the stack references.

    A group that no policy references by a known arn, while some policy's references are unknown, may or may not
    filter: its hosts are allowed either way, any other host only maybe (unverified, never a violation) unless a
    group that is certainly referenced filters too. A policy that surely passes TCP 443 to every public address
    before its host filter (a stateless pass, any PASS in default action order, an earlier PASS in STRICT_ORDER)
    lets every host out."""
    views = policy_views(resources, [])
    referenced: dict[int, list[tuple[PolicyView, int | None]]] = {}
    for view in views:
        for group, priority in view.references:
            referenced.setdefault(id(group), []).append((view, priority))
    unresolved = [view for view in views if view.unresolved]
    filters: list[HostAllow] = []
    uncertain: list[HostAllow] = []
    opens: list[HostAllow] = []
    for group in resources:
        if group.type != RULE_GROUP:
            continue
        with skipping(notes, group.label):
            allow = _domain_allowlist(group)
            if allow is None:
                continue
            if id(group) in referenced:
                filters.append(allow)
                opens.extend(_open_before(view, priority) for view, priority in referenced[id(group)])
            elif unresolved:
                doubts = tuple(Doubt(DoubtKind.UNKNOWN, f"{view.scope.label}: the rule group arns are unknown, so "
                                                        f"it may or may not reference rule group '{group.name}'")
                               for view in unresolved)
                uncertain.append(replace(allow, doubts=(*allow.doubts, *doubts)))
                opens.extend(_open_before(view, None) for view in unresolved)
    opens = [allow for allow in opens if allow.maybe != ()]
    if filters:  # a host filter certainly applies: the uncertain groups can only add hosts
        return [*filters, *(replace(allow, sure=()) for allow in uncertain), *opens]
    if uncertain:  # maybe no host filter applies at all
        return [*(replace(allow, maybe=None) for allow in uncertain), *opens]
    return []


_EVERY_HOST = ("*",)
"""The pattern of a policy that passes HTTPS to every address before its host filter."""


def _open_before(view: PolicyView, priority: int | None) -> HostAllow:
    """Whether ``view`` surely (or maybe) passes TCP 443 to every public address ahead of a host filter at
    ``priority`` (None: unknown position); an empty HostAllow when it does not."""
    https = BoxSet.of(("tcp",), ((443, 443),), PUBLIC)
    rules = [rule for rule in view.scope.rules if not (rule.builtin and rule.order == (_STATEFUL_DEFAULT,))]
    if view.strict:
        cutoff = (_STATEFUL, priority) if priority is not None else (_STATEFUL,)
        rules = [rule for rule in rules if rule.order is not None and rule.order < cutoff]
    outcome = evaluate(rules, https)
    label = f"{view.scope.label} passes TCP 443 to every address before its host filter"
    if outcome.worst == https:
        return HostAllow(view.policy, _EVERY_HOST, _EVERY_HOST, label=label)
    if outcome.best == https:
        return HostAllow(view.policy, (), _EVERY_HOST, doubts_for(rules, https), label=label)
    return HostAllow(view.policy, (), (), label=label)


def _domain_allowlist(group: Resource) -> HostAllow | None:
    props = props_of(group)
    source = field(field(field(props, "ruleGroup"), "rulesSource"), "rulesSourceList")
    if source is None:
        return None
    if source is UNKNOWN:
        return HostAllow(group, (), None, (unknown(group.label, "rulesSourceList"),))
    source = as_obj(source, "rulesSourceList")
    doubts: list[Doubt] = []
    kind = field(source, "generatedRulesType")
    if kind is UNKNOWN:
        doubts.append(unknown(group.label, "generatedRulesType"))
    elif kind != "ALLOWLIST":
        return None
    types = as_list(field(source, "targetTypes"), "targetTypes")
    if types is UNKNOWN:
        doubts.append(unknown(group.label, "targetTypes"))
    elif "TLS_SNI" not in types:  # type: ignore[operator]
        return HostAllow(group, (), ())  # a host-name allowlist, but not for HTTPS
    targets = as_list(field(source, "targets"), "targets")
    if targets is UNKNOWN:
        return HostAllow(group, (), None, (*doubts, unknown(group.label, "targets")))
    assert isinstance(targets, list)
    names = tuple(target for target in targets if isinstance(target, str))
    if any(target is UNKNOWN for target in targets):
        return HostAllow(group, () if doubts else names, None, (*doubts, unknown(group.label, "a target")))
    return HostAllow(group, () if doubts else names, names, tuple(doubts))
