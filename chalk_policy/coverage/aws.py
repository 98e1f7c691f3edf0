"""AWS readers: security groups (one scope) and Network Firewall policies (one scope each).

Security groups
    Allow-only and unioned, so the scope "AWS security groups" allows what any considered egress entry allows:
    inline ``egress`` of ``aws:ec2/securityGroup:SecurityGroup``, ``aws:vpc/securityGroupEgressRule``, and
    ``aws:ec2/securityGroupRule`` with ``type: egress``. Protocol ``-1``/``all`` is every protocol and port
    (``fromPort``/``toPort`` ignored); ``tcp``/``6`` and ``udp``/``17`` use ``fromPort..toPort``; other
    protocols (icmp, ...) carry no Chalk traffic. Destinations: ``cidrIpv4``/``cidrBlocks``, and managed prefix
    lists by id (``prefixListId``/``prefixListIds``) resolved against ``aws:ec2/managedPrefixList``
    (``id`` -> ``entries[].cidr``) and ``aws:ec2/managedPrefixListEntry`` (``prefixListId``, ``cidr``).
    Referenced security groups, ``self`` and IPv6 never reach the IPv4 media ranges.

    Without a tag selector every egress entry in the stack counts. With one, only groups whose ``tags`` match
    count, and a standalone rule counts when its ``securityGroupId`` is the ``id`` of such a group. Unknown
    tags, an unknown ``securityGroupId`` (a group created in the same preview) or an unknown prefix list id
    make the rule *uncertain*: what it alone could allow is unverified, never a gap. A prefix list id that is
    not in the stack (e.g. AWS-managed) is uncertain too, as "cannot be verified from the stack".

Network Firewall
    Each ``aws:networkfirewall/firewallPolicy:FirewallPolicy`` is a scope. Its
    ``firewallPolicy.statefulRuleGroupReferences[].resourceArn`` are matched to the ``arn`` of the stack's
    ``aws:networkfirewall/ruleGroup:RuleGroup``; if any reference (or the list) is unknown, every rule group
    of the stack that no known arn matched is considered too, at an unknown position. A known arn that is not
    in the stack is an uncertain rule (it may pass or drop anything). Rules: ``ruleGroup.rulesSource
    .statefulRules[]`` (``action`` + ``header{protocol, destination, destinationPort}``) and the simple
    Suricata lines of ``rulesString`` (``pass udp any any -> 1.2.3.0/24 10000:60000 (sid:1;)``). Protocols
    ``UDP``, ``TCP``, ``IP`` (both); application protocols (``tls``, ``http``, ...) match by content and are
    not evaluated. Destinations: CIDRs, ``ANY``, ``$EXTERNAL_NET`` (anywhere), ``[a, b]`` lists; other
    variables and negations are skipped with a note. Ports: ``ANY``, ``443``, ``10000:60000``, ``1024:``,
    ``[443,3478]``. Sources and direction are not checked (the rules are assumed to apply to the clients).

    ``PASS`` allows, ``DROP``/``REJECT`` deny, ``ALERT`` never decides. With ``statefulEngineOptions.ruleOrder``
    ``STRICT_ORDER`` (or unknown), rules run by group priority then position, first match wins, so an earlier
    DROP shadows a later PASS. Otherwise (default action order) every PASS is evaluated before any DROP. The
    requirement must match a PASS: the stateful default action is never counted as allowing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, PORT_MAX, PORT_MIN, BoxSet, parse_ipv4
from .common import ALL_SERVICES, Destinations, Services, make_rule, skipping, unknown
from .evaluate import Access, Dest, Doubt, DoubtKind, Rule
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
        tags = field(props, "tags")  # type: ignore[arg-type]
        value = tags.get(self.selector.key) if isinstance(tags, dict) else (UNKNOWN if tags is UNKNOWN else None)
        if value is UNKNOWN:
            return False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the selector "
                                                   f"{self.selector} may or may not pick it")
        return value is not None and (self.selector.value is None or value == self.selector.value), None

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
_FIREWALL_PROTOCOLS = {"UDP": ("udp",), "TCP": ("tcp",), "IP": ("tcp", "udp")}
_ANY_ADDRESS = {"ANY", "$EXTERNAL_NET", "0.0.0.0/0"}
_SID = re.compile(r"\bsid\s*:\s*(\d+)")
_TOKENS = re.compile(r"!?\[[^\]]*\]|\S+")


def network_firewall_scopes(resources: Sequence[Resource], notes: list[str]) -> list[Scope]:
    groups = [resource for resource in resources if resource.type == RULE_GROUP]
    scopes = []
    for policy in resources:
        if policy.type == FIREWALL_POLICY:
            with skipping(notes, policy.label):
                scopes.append(_policy_scope(policy, groups, notes))
    return scopes


def _policy_scope(policy: Resource, groups: Sequence[Resource], notes: list[str]) -> Scope:
    label = f"AWS Network Firewall policy '{policy.name}'"
    props = props_of(policy)
    body = as_obj(field(props, "firewallPolicy"), "firewallPolicy")
    mode = field(field(body, "statefulEngineOptions"), "ruleOrder") if isinstance(body, dict) else UNKNOWN
    strict = mode is UNKNOWN or mode == "STRICT_ORDER" or body is UNKNOWN
    references = as_list(field(body, "statefulRuleGroupReferences"), "statefulRuleGroupReferences")
    by_arn = {}
    for group in groups:
        arn = field(_safe_props(group), "arn")
        if isinstance(arn, str):
            by_arn[arn] = group
    chosen: list[tuple[Resource, int | None]] = []
    rules: list[Rule] = []
    unresolved = references is UNKNOWN
    for index, reference in enumerate(references if isinstance(references, list) else []):
        where = f"{policy.label} statefulRuleGroupReferences[{index}]"
        with skipping(notes, where):
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
                doubt = Doubt(DoubtKind.EXTERNAL, f"{policy.label}: rule group {arn} is not in this stack")
                order = (known_priority,) if strict and known_priority is not None else None
                rules.append(Rule(f"rule group {arn}", None, EMPTY, EVERYTHING, order, (doubt,)))
    if unresolved:
        taken = {id(group) for group, _ in chosen}
        chosen.extend((group, None) for group in groups if id(group) not in taken)
    for group, priority in chosen:
        with skipping(notes, group.label):
            found = _group_rules(group, priority, strict, notes)
            if strict and priority is None:
                doubt = Doubt(DoubtKind.UNKNOWN, f"{policy.label}: the rule group arns are unknown, so the position "
                                                 f"of rule group '{group.name}' is not known")
                found = [Rule(rule.label, rule.access, rule.sure, rule.maybe, rule.order, (*rule.doubts, doubt),
                              rule.priority, rule.resource, rule.services, rule.dests) for rule in found]
            rules.extend(found)
    return Scope(Layer.AWS_NETWORK_FIREWALL, label, policy.urn, tuple(rules))


def _safe_props(resource: Resource) -> Any:
    try:
        return props_of(resource)
    except SKIPPED_FOR_MEMBERSHIP:
        return {}


def _group_rules(group: Resource, priority: int | None, strict: bool, notes: list[str]) -> list[Rule]:
    props = props_of(group)
    kind = field(props, "type")
    if isinstance(kind, str) and kind.upper() == "STATELESS":
        return []
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


def _order(access: Access | None, priority: int | None, strict: bool, position: int) -> tuple[int, ...] | None:
    if not strict:
        return (0 if access is Access.ALLOW else 1, position)
    return None if priority is None else (priority, position)


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
    label = _rule_label(group, sid, f"rule {number}", str(action).upper() if isinstance(action, str) else "?")
    return _firewall_rule(label, access, group, where, field(header, "protocol"), field(header, "destination"),
                          field(header, "destinationPort"), _order(access, priority, strict, position))


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
    if len(tokens) != 7 or tokens[4] not in ("->", "<>"):
        raise Malformed(f"{line[:60]!r} is not 'action protocol source port -> destination port (options)'")
    action, protocol, _, _, _, destination, port = tokens
    access = _action(action, where)
    if not (access is None or isinstance(access, Access)):
        return None
    sid_match = _SID.search(options)
    label = _rule_label(group, sid_match.group(1) if sid_match else None, f"rulesString line {number}",
                        action.upper())
    return _firewall_rule(label, access, group, where, protocol, destination, port,
                          _order(access, priority, strict, position))


def _firewall_rule(label: str, access: Access | str | None, group: Resource, where: str, protocol: object,
                   destination: object, port: object, order: tuple[int, ...] | None) -> Rule | None:
    assert access is None or isinstance(access, Access)
    if protocol is UNKNOWN:
        services_protocols: tuple[str, ...] | None = None
    elif isinstance(protocol, str):
        services_protocols = _FIREWALL_PROTOCOLS.get(protocol.upper())
        if services_protocols is None:
            return None  # application protocols (tls, http, dns...) match by content: not evaluated
    else:
        raise Malformed("header.protocol is missing")
    destinations = Destinations()
    if destination is UNKNOWN:
        destinations.add_doubt(unknown(where, "destination"))
    elif isinstance(destination, str):
        for item in _list_items(destination):
            if item.upper() in _ANY_ADDRESS:
                destinations.add(item, ANYWHERE)
            elif item.startswith("!") or item.startswith("$"):
                raise Malformed(f"destination {item!r} is a negation or rule variable, which this check does not "
                                "resolve")
            else:
                addresses = parse_ipv4(item)
                if addresses is not None:
                    destinations.add(item, addresses)
    else:
        raise Malformed("destination is missing")
    if services_protocols is None:
        services = Services.anything(unknown(where, "protocol"))
    elif port is UNKNOWN:
        services = Services(EMPTY, BoxSet.of(services_protocols, ALL_PORTS, ANYWHERE), [unknown(where, "port")])
    elif isinstance(port, str):
        services = Services.exactly(BoxSet.of(services_protocols, _firewall_ports(port), ANYWHERE))
    else:
        raise Malformed("destinationPort is missing")
    return make_rule(label, access, order, services, destinations, group)


def _list_items(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [item.strip() for item in text[1:-1].split(",") if item.strip()]
    return [text]


def _firewall_ports(text: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for item in _list_items(text):
        if item.upper() == "ANY":
            ranges.append((PORT_MIN, PORT_MAX))
            continue
        low, colon, high = item.partition(":")
        try:
            start = int(low) if low else PORT_MIN
            end = (int(high) if high else PORT_MAX) if colon else start
        except ValueError:
            raise Malformed(f"destinationPort {item!r} is not a port, 'a:b' range or ANY") from None
        if not PORT_MIN <= start <= end <= PORT_MAX:
            raise Malformed(f"destinationPort {item!r} is not a port range")
        ranges.append((start, end))
    if not ranges:
        raise Malformed("destinationPort is empty")
    return tuple(ranges)


# --- domain allowlists (signaling hosts) -----------------------------------------------------------------


def domain_allowlists(resources: Sequence[Resource], notes: list[str]) -> list[HostAllow]:
    """Every ALLOWLIST rule group of the stack that inspects TLS SNI (HTTPS), referenced by a policy or not."""
    found = []
    for group in resources:
        if group.type != RULE_GROUP:
            continue
        with skipping(notes, group.label):
            allow = _domain_allowlist(group)
            if allow is not None:
                found.append(allow)
    return found


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
