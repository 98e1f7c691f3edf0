"""Azure readers: one scope per NSG, one per Azure Firewall policy, one per classic Azure Firewall.

NSGs (``azure-native:network:NetworkSecurityGroup``)
    Rules: the inline ``securityRules`` plus every standalone ``azure-native:network:SecurityRule`` of the NSG.
    Azure names are case-insensitive, so names and resource groups are compared with ``casefold()``. An NSG is
    known by ``name`` (output) or ``networkSecurityGroupName`` (input), its ``resourceGroupName`` and its ``id``
    (``/subscriptions/../resourceGroups/<rg>/providers/Microsoft.Network/networkSecurityGroups/<name>``); a rule
    by ``networkSecurityGroupName``, ``resourceGroupName`` and its own ``id`` (the NSG id + ``/securityRules/..``).
    Missing names and groups are taken from the ids. A rule belongs to the NSG whose id equals its NSG id when
    both ids are known; else to the same-named NSG whose resource group is its own when both are known. Among
    same-named NSGs whose group (or id) cannot decide, one is the rule's for sure; several each get the rule as
    *uncertain* (it may belong to any of them). When either name is unknown the rule may belong to the NSG
    (uncertain). A rule naming an NSG that is not in the stack is noted and ignored. The names are indexed once.
    Only ``direction: Outbound`` rules count. They are evaluated by ``priority``, first match wins, then
    Azure's defaults: ``AllowVnetOutBound`` (65000), ``AllowInternetOutBound`` (65001: every public address)
    and ``DenyAllOutBound`` (65500). So a higher-priority (lower number) Deny shadows a later Allow, wholly or
    for the overlapping part, and with no Deny at all the default rule allows every public destination.
    Protocol ``*``, ``Tcp``, ``Udp`` (any case); others (Icmp, Esp, Ah) carry no Chalk traffic. Ports ``*``,
    ``443``, ``10000-60000``, from ``destinationPortRange`` and ``destinationPortRanges``. Prefixes from
    ``destinationAddressPrefix`` and ``destinationAddressPrefixes``: CIDRs and addresses, ``*``/``0.0.0.0/0``
    (anywhere), ``Internet`` (every public IPv4 address: 0.0.0.0/0 minus RFC 1918 and the other special-purpose
    blocks), ``VirtualNetwork``/``AzureLoadBalancer`` (never a public media range). Any other service tag is
    not modelled: it matches nothing here, with a note. Application security groups are private. Sources are
    not checked: every rule is assumed to apply to the Chalk clients.

    Unreadable rules. An Allow whose ports or prefixes cannot be read is skipped with a note (that only allows
    less). A Deny (or a rule of unknown access) is never skipped, which would fail open: it is an *uncertain
    deny* that matches nothing for sure and at most its protocols and ports to every address (when only the
    prefixes are unreadable) or its protocols on every port (when the ports are), so what it may shadow is
    unverified. The same holds for Azure Firewall rules and collections below.

    With a tag selector, only NSGs whose ``tags`` match are scopes; an NSG with unknown tags is a scope whose
    gaps are unverified rather than violations. When the stack declares NSGs but the selector picks none, the
    media check reports that as a violation (the Chalk clients' egress is not checked at all).

Azure Firewall policies (``azure-native:network:FirewallPolicy``, ``FirewallPolicyRuleCollectionGroup``)
    Every ``FirewallPolicy`` of the stack is a layer (whether a firewall uses it cannot be told from the policy
    alone), and so is every policy its rule collection groups name. A group's policy is ``firewallPolicyName``,
    else the ``firewallPolicies/<name>`` part of the group's ``id`` (case-insensitive). A group whose policy stays
    unknown is a scope of its own, never a union with other groups; when the stack holds other groups or
    policies it may belong with, its gaps are unverified; but when the stack declares exactly one policy (the
    usual preview: an auto-named policy whose computed name the groups reference), such groups are that policy's.
    A policy with no group in the stack denies everything
    (a scope without rules: "has no rule collection group allowing ..."), unverified when a group of unknown
    policy may belong to it.
    ``FirewallPolicyFilterRuleCollection`` collections are evaluated by group ``priority`` then collection
    ``priority``, first match wins; ``action.type`` ``Allow`` or ``Deny``; traffic no rule matches is denied.
    Media: ``NetworkRule`` with ``ipProtocols`` (``TCP``, ``UDP``, ``Any``), ``destinationAddresses`` (CIDRs,
    addresses, ``a-b`` ranges, ``*``, ``Internet``; other service tags are noted and match nothing),
    ``destinationIpGroups`` (resolved through ``azure-native:network:IpGroup`` ``id`` -> ``ipAddresses``) and
    ``destinationPorts``. ``destinationFqdns`` do not match by address and are not evaluated.
    Signaling hosts: ``ApplicationRule`` with ``targetFqdns`` (``host``, ``*.domain`` = subdomains only,
    ``*`` = any) and ``protocols`` that include ``Https`` on port 443. Azure Firewall processes every network
    rule collection before any application rule collection, whatever their priorities (learn.microsoft.com,
    "Azure Firewall rule processing logic"): network rules that allow TCP 443 to every public address allow every
    host; when they only may (unknown values), hosts the application rules do not allow are unverified.

Classic Azure Firewall (``azure-native:network:AzureFirewall`` without ``firewallPolicy``)
    Its ``networkRuleCollections`` (``name``, ``priority``, ``action.type`` Allow/Deny, ``rules`` with
    ``protocols``, ``destinationAddresses``, ``destinationIpGroups``, ``destinationPorts``) are evaluated by
    collection priority, first match wins, then deny; a collection that cannot be read is an uncertain deny
    (unless it is known to be an Allow). A firewall with a ``firewallPolicy`` is checked through that policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import netaddr

from .boxes import (
    ALL_PORTS,
    ANYWHERE,
    EMPTY,
    EVERYTHING,
    PORT_MAX,
    PORT_MIN,
    PROTOCOLS,
    PUBLIC,
    BoxSet,
    parse_ipv4,
)
from .common import (
    ALL_SERVICES,
    SKIPPED_ERRORS,
    Destinations,
    Services,
    first_str,
    make_rule,
    parse_access,
    skipping,
    unknown,
    unreadable_deny,
)
from .evaluate import Access, Doubt, DoubtKind, Rule, doubts_for, evaluate, known_rule
from .model import HostAllow, Layer, Scope, TagSelector
from .resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, props_of

NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
AZURE_FIREWALL = "azure-native:network:AzureFirewall"
IP_GROUP = "azure-native:network:IpGroup"
FILTER_COLLECTION = "FirewallPolicyFilterRuleCollection"

DEFAULT_RULES = (
    known_rule("default rule 'AllowVnetOutBound' (priority 65000)", Access.ALLOW, EMPTY, (65000,),
               priority=65000, builtin=True),
    known_rule("default rule 'AllowInternetOutBound' (priority 65001)", Access.ALLOW,
               BoxSet.of(("tcp", "udp"), ALL_PORTS, PUBLIC), (65001,), priority=65001, builtin=True),
    known_rule("default rule 'DenyAllOutBound' (priority 65500)", Access.DENY, EVERYTHING, (65500,),
               priority=65500, builtin=True),
)
ALLOW_INTERNET_DEFAULT = DEFAULT_RULES[1]
_PRIVATE_TAGS = {"virtualnetwork", "azureloadbalancer"}
_ANYWHERE_TAGS = {"*", "any", "0.0.0.0/0"}
_NSG_PROTOCOLS = {"*": ("tcp", "udp"), "tcp": ("tcp",), "udp": ("udp",)}
_FIREWALL_PROTOCOLS = {"any": ("tcp", "udp"), "tcp": ("tcp",), "udp": ("udp",)}


# --- NSGs ----------------------------------------------------------------------------------------------


@dataclass
class _Nsg:
    resource: Resource
    name: str | None
    """Azure name; None when unknown."""
    resource_group: str | None
    nsg_id: str | None
    member: bool
    doubt: Doubt | None
    rules: list[Rule]

    @property
    def selected(self) -> bool:
        return self.member or self.doubt is not None


def nsg_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str]) -> list[Scope]:
    nsgs: list[_Nsg] = []
    for resource in resources:
        if resource.type == NSG:
            with skipping(notes, resource.label):
                nsgs.append(_read_nsg(resource, selector, notes))
    index = _NsgIndex(nsgs)
    for resource in resources:
        if resource.type == SECURITY_RULE:
            with skipping(notes, resource.label):
                _attach(resource, index, notes)
    return [Scope(Layer.AZURE_NSG, f"NSG '{nsg.resource.name}'", nsg.resource.urn, (*nsg.rules, *DEFAULT_RULES),
                  (nsg.doubt,) if nsg.doubt else ()) for nsg in nsgs if nsg.selected]


def nsgs_declared(resources: Sequence[Resource]) -> bool:
    """Whether the stack declares an NSG (standalone rules alone may belong to NSGs outside it)."""
    return any(resource.type == NSG for resource in resources)


def _id_part(resource_id: object, kind: str, after: str | None = None) -> str | None:
    """``<name>`` of ``.../<kind>/<name>`` in an Azure id (case-insensitive), optionally followed by ``/<after>/``."""
    if not isinstance(resource_id, str):
        return None
    parts = resource_id.strip("/").split("/")
    lowered = [part.casefold() for part in parts]
    for index in range(len(parts) - 1):
        if lowered[index] == kind.casefold() and (
                after is None or (index + 2 < len(parts) and lowered[index + 2] == after.casefold())):
            return parts[index + 1]
    return None


def _nsg_id_of(resource_id: object) -> str | None:
    """The NSG id (``/subscriptions/../networkSecurityGroups/<name>``) at the start of an NSG or rule id."""
    if not isinstance(resource_id, str) or _id_part(resource_id, "networkSecurityGroups") is None:
        return None
    parts = resource_id.strip("/").split("/")
    end = next(index for index, part in enumerate(parts) if part.casefold() == "networksecuritygroups") + 2
    return "/" + "/".join(parts[:end]).casefold()


def _read_nsg(resource: Resource, selector: TagSelector | None, notes: list[str]) -> _Nsg:
    props = props_of(resource)
    nsg_id = field(props, "id")
    name = first_str(field(props, "name"), field(props, "networkSecurityGroupName"),
                     _id_part(nsg_id, "networkSecurityGroups"))
    group = first_str(field(props, "resourceGroupName"), _id_part(nsg_id, "resourceGroups"))
    member, doubt = True, None
    if selector is not None:
        tags = field(props, "tags")
        value = tags.get(selector.key) if isinstance(tags, dict) else (UNKNOWN if tags is UNKNOWN else None)
        if value is UNKNOWN:
            member, doubt = False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the "
                                                            f"selector {selector} may or may not pick it")
        else:
            member = value is not None and (selector.value is None or value == selector.value)
    nsg = _Nsg(resource, name, group, _nsg_id_of(nsg_id), member, doubt, [])
    if not nsg.selected:  # its rules never count; it is kept only so that rules can find it
        return nsg
    rules = as_list(field(props, "securityRules"), "securityRules")
    if rules is UNKNOWN:
        nsg.rules.append(Rule(f"{resource.label} securityRules", None, EMPTY, EVERYTHING, None,
                              (unknown(resource.label, "securityRules"),), resource=resource))
        return nsg
    for index, entry in enumerate(rules):  # type: ignore[arg-type]
        where = f"{resource.label} securityRules[{index}]"
        with skipping(notes, where):
            rule = _nsg_rule(as_obj(entry, "the rule"), where, resource, notes)
            if rule is not None:
                nsg.rules.append(rule)
    return nsg


class _NsgIndex:
    """Every NSG of the stack by case-folded name (built once), and those whose name is unknown."""

    def __init__(self, nsgs: Sequence[_Nsg]) -> None:
        self.by_name: dict[str, list[_Nsg]] = {}
        self.unnamed: list[_Nsg] = []
        for nsg in nsgs:
            if nsg.name is None:
                self.unnamed.append(nsg)
            else:
                self.by_name.setdefault(nsg.name.casefold(), []).append(nsg)
        self.every = list(nsgs)

    def owners(self, name: str | None, group: str | None, nsg_id: str | None
               ) -> tuple[list[_Nsg], list[_Nsg], list[_Nsg]]:
        """The NSGs a rule belongs to for sure, the same-named ones it may belong to, and the unnamed ones.

        ``name`` None: unknown, so it may belong to any NSG. A known id decides against an NSG whose id is known;
        else name and resource group decide when both sides know them. A same-named NSG whose resource group
        (or id) is known to be the rule's wins over the others (Azure names are unique within a resource group);
        otherwise one candidate is sure and several are each uncertain."""
        if name is None:
            return [], [], self.every
        candidates, equal = [], []
        for nsg in self.by_name.get(name.casefold(), []):
            if nsg_id is not None and nsg.nsg_id is not None:
                if nsg_id == nsg.nsg_id:
                    equal.append(nsg)
            elif group is not None and nsg.resource_group is not None:
                if group.casefold() == nsg.resource_group.casefold():
                    equal.append(nsg)
            else:
                candidates.append(nsg)
        if equal:
            return equal, [], []
        if len(candidates) == 1:
            return candidates, [], self.unnamed
        return [], candidates, self.unnamed


def _attach(resource: Resource, index: _NsgIndex, notes: list[str]) -> None:
    props = props_of(resource)
    rule_id = field(props, "id")
    target = as_str(field(props, "networkSecurityGroupName"), "networkSecurityGroupName")
    if target is None:
        target = _id_part(rule_id, "networkSecurityGroups", "securityRules")
    if target is None:
        raise Malformed("networkSecurityGroupName is missing")
    group = first_str(field(props, "resourceGroupName"), _id_part(rule_id, "resourceGroups"))
    name = target if isinstance(target, str) else None
    sure, ambiguous, unnamed = index.owners(name, group, _nsg_id_of(rule_id))
    if not sure and not ambiguous and not unnamed:
        where = f" (resource group '{group}')" if group is not None and name is not None and \
            name.casefold() in index.by_name else ""
        notes.append(f"Skipped {resource.label}: NSG '{target}'{where} is not in this stack.")
        return
    rule = _nsg_rule(props, resource.label, resource, notes)
    if rule is None:
        return
    for nsg in sure:
        nsg.rules.append(rule)
    for nsgs, why in ((ambiguous, f"{len(ambiguous)} NSGs are named '{target}' and its resource group is unknown"),
                      (unnamed, "the NSG it belongs to is unknown")):
        if nsgs:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: {why}")
            uncertain = Rule(rule.label, rule.access, EMPTY, rule.maybe, rule.order, (*rule.doubts, doubt),
                             rule.priority, resource, rule.services, rule.dests)
            for nsg in nsgs:
                nsg.rules.append(uncertain)


def _nsg_rule(rule: Any, where: str, resource: Resource, notes: list[str]) -> Rule | None:
    if rule is UNKNOWN:
        return Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),), resource=resource)
    name = first_str(field(rule, "name"), field(rule, "securityRuleName")) or "?"
    direction = as_str(field(rule, "direction"), "direction")
    doubts: list[Doubt] = []
    if direction is None:
        raise Malformed("direction is missing")
    if direction is UNKNOWN:
        doubts.append(unknown(where, "direction"))
    elif str(direction).lower() != "outbound":
        return None
    access = parse_access(as_str(field(rule, "access"), "access"), "access", "Allow or Deny")
    priority = as_int(field(rule, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    known_priority = priority if isinstance(priority, int) else None
    position_doubt = () if known_priority is not None else (unknown(where, "priority"),)
    label = f"rule '{name}' (priority {known_priority if known_priority is not None else 'unknown'})"
    order = (known_priority,) if known_priority is not None else None
    services: Services | None = None
    try:
        services = _nsg_services(field(rule, "protocol"), field(rule, "destinationPortRange"),
                                 field(rule, "destinationPortRanges"), where)
        destinations = _prefixes(rule, where, notes, name)
    except SKIPPED_ERRORS as exc:
        if access is Access.ALLOW:  # skipping an allow only ever allows less: noted by the caller
            raise
        if services is None:  # the ports (or protocol) cannot be read: every port of its protocols
            protocol = field(rule, "protocol")
            chosen = _NSG_PROTOCOLS.get(protocol.lower(), PROTOCOLS) if isinstance(protocol, str) else PROTOCOLS
            box = BoxSet.of(chosen, ALL_PORTS, ANYWHERE)
        else:  # the prefixes cannot be read: its services to every address
            box = services.maybe
        return unreadable_deny(label, order, box, where, name, exc, resource, notes, (*doubts, *position_doubt),
                               known_priority, "Deny rule" if access is Access.DENY else "rule")
    return make_rule(label, access, order, services, destinations, resource, member=not doubts,
                     extra_doubts=(*doubts, *position_doubt), priority=known_priority)


def _nsg_services(protocol: object, port: object, ports: object, where: str) -> Services:
    name = as_str(protocol, "protocol")
    if name is None:
        raise Malformed("protocol is missing")
    if name is UNKNOWN:
        return Services.anything(unknown(where, "protocol"))
    protocols = _NSG_PROTOCOLS.get(str(name).lower())
    if protocols is None:
        return Services()
    values = _values(port, ports, "destinationPortRange", "destinationPortRanges")
    if values is UNKNOWN:
        return Services(EMPTY, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [unknown(where, "destination ports")])
    assert isinstance(values, list)
    if not values:
        raise Malformed("destinationPortRange(s) is missing")
    sure: list[tuple[int, int]] = []
    doubtful = False
    for value in values:
        if value is UNKNOWN:
            doubtful = True
        else:
            sure.extend(_port_ranges(value))
    box = BoxSet.of(protocols, sure, ANYWHERE)
    if doubtful:
        return Services(box, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [unknown(where, "a destination port")])
    return Services.exactly(box)


def _values(single: object, many: object, single_name: str, many_name: str) -> list[Any] | Any:
    """``single`` and the items of ``many`` as one list; UNKNOWN when either is unknown as a whole."""
    one = as_str(single, single_name)
    items = as_list(many, many_name)
    if one is UNKNOWN or items is UNKNOWN:
        return UNKNOWN
    return [*([] if one is None else [one]), *items]  # type: ignore[misc]


def _port_ranges(value: object) -> list[tuple[int, int]]:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        raise Malformed(f"port {value!r} is not a string")
    ranges = []
    for item in value.split(","):
        item = item.strip()
        if item in ("*", "Any", "any"):
            ranges.append((PORT_MIN, PORT_MAX))
            continue
        low, dash, high = item.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise Malformed(f"port {item!r} is not '*', a port or a 'from-to' range")
        start, end = int(low), int(high) if dash else int(low)
        if not PORT_MIN <= start <= end <= PORT_MAX:
            raise Malformed(f"port range {item!r} is out of 0-65535 or reversed")
        ranges.append((start, end))
    return ranges


def _address(text: str, where: str, notes: list[str], rule_name: str) -> netaddr.IPSet | None:
    """The addresses of one prefix: None when it is not IPv4 (IPv6); raises Malformed for garbage."""
    lowered = text.strip().lower()
    if lowered in _ANYWHERE_TAGS:
        return ANYWHERE
    if lowered == "internet":
        return PUBLIC
    if lowered in _PRIVATE_TAGS:
        return netaddr.IPSet()
    if "-" in lowered and lowered.replace("-", "").replace(".", "").isdigit():
        first, _, last = lowered.partition("-")
        try:
            return netaddr.IPSet(netaddr.IPRange(first, last))
        except (netaddr.AddrFormatError, ValueError):
            raise Malformed(f"{text!r} is not an address range") from None
    if lowered[:1].isdigit() or ":" in lowered:
        try:
            return parse_ipv4(text)
        except ValueError as exc:
            raise Malformed(str(exc)) from None
    if lowered.replace(".", "").replace("_", "").isalnum():
        notes.append(f"{where}: service tag '{text}' (rule '{rule_name}') is not modelled; it is treated as "
                     "matching no Chalk range.")
        return netaddr.IPSet()
    raise Malformed(f"{text!r} is not a CIDR, address or service tag")


def _prefixes(rule: Any, where: str, notes: list[str], name: str) -> Destinations:
    result = Destinations()
    values = _values(field(rule, "destinationAddressPrefix"), field(rule, "destinationAddressPrefixes"),
                     "destinationAddressPrefix", "destinationAddressPrefixes")
    if values is UNKNOWN:
        result.add_doubt(unknown(where, "destination prefixes"))
        return result
    groups = field(rule, "destinationApplicationSecurityGroups")
    if not values and not groups:
        raise Malformed("destinationAddressPrefix(es) is missing")
    for value in values:
        if value is UNKNOWN:
            result.add_doubt(unknown(where, "a destination prefix"))
        elif isinstance(value, str):
            addresses = _address(value, where, notes, name)
            if addresses is not None:
                result.add(value, addresses)
        else:
            raise Malformed(f"a destination prefix is {type(value).__name__}, not a string")
    return result


# --- Azure Firewall ------------------------------------------------------------------------------------


@dataclass
class _Policy:
    key: str | None
    """Case-folded policy name; None when unknown."""
    name: str | None
    """The name as first written."""
    resource: Resource | None
    """The ``FirewallPolicy`` itself, when the stack declares it."""
    groups: list[Resource]
    doubts: tuple[Doubt, ...] = ()

    @property
    def label(self) -> str:
        if self.name is not None:
            return f"Azure Firewall policy '{self.name}'"
        if self.resource is not None:
            return f"Azure Firewall policy '{self.resource.name}'"
        return f"Azure Firewall policy of rule collection group '{self.groups[0].name}'"

    @property
    def urn(self) -> str | None:
        return self.groups[0].urn if self.groups else self.resource.urn if self.resource else None


def firewall_scopes(resources: Sequence[Resource], notes: list[str]) -> list[Scope]:
    ip_groups = _ip_groups(resources, notes)
    scopes = []
    for policy in _policies(resources, notes):
        scopes.append(Scope(Layer.AZURE_FIREWALL, policy.label, policy.urn,
                            tuple(_policy_network_rules(policy, ip_groups, notes)), policy.doubts,
                            empty=not policy.groups))
    for resource in resources:
        if resource.type == AZURE_FIREWALL:
            with skipping(notes, resource.label):
                scope = _classic_scope(resource, ip_groups, notes)
                if scope is not None:
                    scopes.append(scope)
    return scopes


def _policy_network_rules(policy: _Policy, ip_groups: dict[str, Destinations], notes: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    for group in policy.groups:
        with skipping(notes, group.label):
            rules.extend(_network_rules(group, ip_groups, notes))
    return rules


def _policies(resources: Sequence[Resource], notes: list[str]) -> list[_Policy]:
    """Every ``FirewallPolicy`` of the stack and every policy its rule collection groups name, in stack order.

    A group's policy is ``firewallPolicyName``, else the ``firewallPolicies/<name>`` part of its ``id``. A group
    whose policy stays unknown is a scope of its own; when the stack holds other groups or policies it may be
    evaluated together with, that scope is unverified (never a union). A policy with no group in the stack
    denies everything (a scope without rules), unless a group of unknown policy may belong to it."""
    policies: dict[str, _Policy] = {}
    order: list[_Policy] = []
    orphans: list[_Policy] = []
    for resource in resources:
        if resource.type not in (FIREWALL_POLICY, RULE_COLLECTION_GROUP):
            continue
        with skipping(notes, resource.label):
            props = props_of(resource)
            resource_id = field(props, "id")
            if resource.type == FIREWALL_POLICY:
                name = first_str(field(props, "name"), field(props, "firewallPolicyName"),
                                 _id_part(resource_id, "firewallPolicies"))
            else:
                name = first_str(as_str(field(props, "firewallPolicyName"), "firewallPolicyName"),
                                 _id_part(resource_id, "firewallPolicies", "ruleCollectionGroups"))
            if name is None:
                policy = (_Policy(None, None, resource, []) if resource.type == FIREWALL_POLICY else
                          _Policy(None, None, None, [resource]))
                orphans.append(policy)
                order.append(policy)
                continue
            if name.casefold() not in policies:
                policies[name.casefold()] = _Policy(name.casefold(), name, None, [])
                order.append(policies[name.casefold()])
            policy = policies[name.casefold()]
            if resource.type == FIREWALL_POLICY:
                policy.resource = policy.resource or resource
            else:
                policy.groups.append(resource)
    _adopt(order, orphans)
    group_count = sum(len(policy.groups) for policy in order)
    orphan_groups = [group for policy in orphans for group in policy.groups]
    for policy in order:
        if policy.key is None and policy.groups:
            if len(order) > 1:
                policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.groups[0].label}: its firewall policy is "
                                       "unknown, so it may be evaluated together with other rule collection groups "
                                       "of the stack"),)
        elif orphan_groups:
            names = ", ".join(f"'{group.name}'" for group in orphan_groups)
            policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.label}: rule collection group"
                                   f"{'s' if len(orphan_groups) > 1 else ''} {names} of unknown policy may belong "
                                   "to it"),)
        elif policy.key is None and group_count:
            policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.label}: its name is unknown, so rule collection "
                                   "groups of the stack may belong to it"),)
    return order


def _adopt(order: list[_Policy], orphans: list[_Policy]) -> None:
    """When the stack declares exactly one policy, its groups of unknown policy are that policy's (the usual
    preview: an auto-named ``FirewallPolicy`` and groups whose ``firewallPolicyName`` is its computed name)."""
    policies = [policy for policy in order if policy.key is not None or policy.resource is not None]
    strays = [policy for policy in orphans if policy.groups]
    if len(policies) != 1 or not strays:
        return
    for stray in strays:
        policies[0].groups.extend(stray.groups)
        order.remove(stray)
        orphans.remove(stray)


def _ip_groups(resources: Sequence[Resource], notes: list[str]) -> dict[str, Destinations]:
    found: dict[str, Destinations] = {}
    for resource in resources:
        if resource.type != IP_GROUP:
            continue
        with skipping(notes, resource.label):
            props = props_of(resource)
            group_id = field(props, "id")
            if not isinstance(group_id, str):
                continue
            target = found.setdefault(group_id.lower(), Destinations())
            addresses = as_list(field(props, "ipAddresses"), "ipAddresses")
            if addresses is UNKNOWN:
                target.add_doubt(unknown(resource.label, "ipAddresses"))
                continue
            for value in addresses:  # type: ignore[union-attr]
                if value is UNKNOWN:
                    target.add_doubt(unknown(resource.label, "an address"))
                elif isinstance(value, str):
                    ips = _address(value, resource.label, notes, resource.name)
                    if ips is not None:
                        target.add(value, ips)
    return found


def _collections(group: Resource) -> tuple[int | None, list[Any] | Any]:
    props = props_of(group)
    priority = as_int(field(props, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    return (priority if isinstance(priority, int) else None), as_list(field(props, "ruleCollections"),
                                                                     "ruleCollections")


def _collection_header(collection: Any, group: Resource | None, group_priority: int | None
                       ) -> tuple[str, Access | None, tuple[int, ...] | None] | None:
    """Label, action and order of a filter collection; ``group`` None: a classic firewall's network collection."""
    if group is not None and field(collection, "ruleCollectionType") not in (FILTER_COLLECTION, UNKNOWN):
        return None
    name = first_str(field(collection, "name")) or "?"
    priority = as_int(field(collection, "priority"), "priority")
    access = parse_access(field(field(collection, "action"), "type"), "action.type", "Allow or Deny")
    known = priority if isinstance(priority, int) else None
    shown = known if known is not None else "unknown"
    if group is None:
        return f"network rule collection '{name}' (priority {shown})", access, (known,) if known is not None else None
    order = (group_priority, known) if group_priority is not None and known is not None else None
    label = (f"rule collection '{name}' (priority {shown}) in group "
             f"'{group.name}' (priority {group_priority if group_priority is not None else 'unknown'})")
    return label, access, order


def _network_rules(group: Resource, ip_groups: dict[str, Destinations], notes: list[str]) -> list[Rule]:
    group_priority, collections = _collections(group)
    if collections is UNKNOWN:
        return [Rule(f"rule collection group '{group.name}'", None, EMPTY, EVERYTHING, None,
                     (unknown(group.label, "ruleCollections"),), resource=group)]
    rules: list[Rule] = []
    for index, collection in enumerate(collections):
        where = f"{group.label} ruleCollections[{index}]"
        rules.extend(_collection_rules(collection, where, group, group, group_priority, ip_groups, notes))
    return rules


def _collection_rules(collection: Any, where: str, owner: Resource, group: Resource | None,
                      group_priority: int | None, ip_groups: dict[str, Destinations], notes: list[str]) -> list[Rule]:
    """The network rules of one collection (of a policy group, or ``group`` None: of a classic firewall). A
    collection that cannot be read is an uncertain deny unless its action is known to be Allow (then it is
    skipped with a note: that only allows less)."""
    with skipping(notes, where):
        try:
            collection = as_obj(collection, "the collection")
            if collection is UNKNOWN:
                return [Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the collection"),),
                             resource=owner)]
            header = _collection_header(collection, group, group_priority)
            if header is None:
                return []
            label, access, order = header
            if order is None:
                label = f"{label}, whose priority is unknown"
            items = as_list(field(collection, "rules"), "rules")
            if items is UNKNOWN:
                return [Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "rules"),), resource=owner)]
        except SKIPPED_ERRORS as exc:
            action = field(field(collection, "action"), "type") if isinstance(collection, dict) else None
            if isinstance(action, str) and action.lower() == "allow":
                raise
            name = (first_str(collection.get("name")) if isinstance(collection, dict) else None) or "?"
            priority = collection.get("priority") if isinstance(collection, dict) else None
            known = priority if isinstance(priority, int) and not isinstance(priority, bool) else None
            order = None if known is None else (known,) if group is None else (
                None if group_priority is None else (group_priority, known))
            position = () if order is not None else (unknown(where, "the collection's priority"),)
            return [unreadable_deny(f"rule collection '{name}'", order, EVERYTHING, where, name, exc, owner, notes,
                                    position, what="rule collection")]
        protocols_key = "ipProtocols" if group is not None else "protocols"
        return _read_network_rules(items, where, label, access, order, owner, ip_groups, notes,  # type: ignore[arg-type]
                                   protocols_key)
    return []


def _classic_scope(resource: Resource, ip_groups: dict[str, Destinations], notes: list[str]) -> Scope | None:
    """A classic ``AzureFirewall`` (no ``firewallPolicy``): its ``networkRuleCollections`` by priority, first
    match wins, then deny. A firewall managed by a policy is the policy's scope instead."""
    props = props_of(resource)
    if field(props, "firewallPolicy") is not None:
        return None
    label = f"Azure Firewall '{resource.name}'"
    collections = as_list(field(props, "networkRuleCollections"), "networkRuleCollections")
    if collections is UNKNOWN:
        rules = [Rule(f"{resource.label} networkRuleCollections", None, EMPTY, EVERYTHING, None,
                      (unknown(resource.label, "networkRuleCollections"),), resource=resource)]
    else:
        rules = [rule for index, collection in enumerate(collections)  # type: ignore[arg-type]
                 for rule in _collection_rules(collection, f"{resource.label} networkRuleCollections[{index}]",
                                               resource, None, None, ip_groups, notes)]
    return Scope(Layer.AZURE_FIREWALL, label, resource.urn, tuple(rules))


def _read_network_rules(items: list[Any], where: str, label: str, access: Access | None,
                        order: tuple[int, ...] | None, owner: Resource, ip_groups: dict[str, Destinations],
                        notes: list[str], protocols_key: str = "ipProtocols") -> list[Rule]:
    """The network rules of one collection. A rule of a Deny (or unknown-action) collection that cannot be read
    is an uncertain deny; one of an Allow collection is skipped with a note (that only allows less)."""
    rules: list[Rule] = []
    for number, item in enumerate(items):
        rule_where = f"{where}.rules[{number}]"
        with skipping(notes, rule_where):
            try:
                rule = _network_rule(as_obj(item, "the rule"), rule_where, label, access, order, owner, ip_groups,
                                     notes, protocols_key)
            except SKIPPED_ERRORS as exc:
                if access is Access.ALLOW:
                    raise
                name = (first_str(item.get("name")) if isinstance(item, dict) else None) or "?"
                position = () if order is not None else (unknown(rule_where, "the collection or group priority"),)
                rule = unreadable_deny(f"rule '{name}' of {label}", order, EVERYTHING, rule_where, name, exc, owner,
                                       notes, position, what="Deny rule" if access is Access.DENY else "rule")
            if rule is not None:
                rules.append(rule)
    return rules


def _network_rule(item: Any, where: str, label: str, access: Access | None, order: tuple[int, ...] | None,
                  group: Resource, ip_groups: dict[str, Destinations], notes: list[str],
                  protocols_key: str = "ipProtocols") -> Rule | None:
    """A policy ``NetworkRule`` (``ipProtocols``) or a classic firewall network rule (``protocols``, no type)."""
    if item is UNKNOWN:
        return Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "the rule"),), resource=group)
    kind = field(item, "ruleType") if protocols_key == "ipProtocols" else "NetworkRule"
    if kind not in ("NetworkRule", UNKNOWN):
        return None
    name = first_str(field(item, "name")) or "?"
    rule_label = f"rule '{name}' of {label}"
    protocols = as_list(field(item, protocols_key), protocols_key)
    services: Services
    if protocols is UNKNOWN or kind is UNKNOWN:
        services = Services.anything(unknown(where, protocols_key))
    else:
        chosen = sorted({p for value in protocols  # type: ignore[union-attr]
                         if isinstance(value, str) for p in _FIREWALL_PROTOCOLS.get(value.lower(), ())})
        ports = as_list(field(item, "destinationPorts"), "destinationPorts")
        if isinstance(ports, list) and not ports:
            raise Malformed("destinationPorts is empty")
        known = [value for value in ports if value is not UNKNOWN] if isinstance(ports, list) else []
        sure = BoxSet.of(chosen, [r for value in known for r in _port_ranges(value)], ANYWHERE)
        if ports is UNKNOWN or len(known) < len(ports):  # type: ignore[arg-type]
            services = Services(sure, BoxSet.of(chosen, ALL_PORTS, ANYWHERE), [unknown(where, "destinationPorts")])
        else:
            services = Services.exactly(sure)
        if any(value is UNKNOWN for value in protocols):  # type: ignore[union-attr]
            services = Services(services.sure, ALL_SERVICES, [*services.doubts, unknown(where, "an ipProtocol")])
    destinations = Destinations()
    addresses = as_list(field(item, "destinationAddresses"), "destinationAddresses")
    if addresses is UNKNOWN:
        destinations.add_doubt(unknown(where, "destinationAddresses"))
    else:
        for value in addresses:  # type: ignore[union-attr]
            if value is UNKNOWN:
                destinations.add_doubt(unknown(where, "a destination address"))
            elif isinstance(value, str):
                found = _address(value, where, notes, name)
                if found is not None:
                    destinations.add(value, found)
            else:
                raise Malformed("a destination address is not a string")
    references = as_list(field(item, "destinationIpGroups"), "destinationIpGroups")
    if references is UNKNOWN:
        destinations.add_doubt(unknown(where, "destinationIpGroups"))
    else:
        for reference in references:  # type: ignore[union-attr]
            if reference is UNKNOWN:
                destinations.add_doubt(unknown(where, "an IP group id"))
            elif isinstance(reference, str):
                resolved = ip_groups.get(reference.lower())
                if resolved is None:
                    destinations.add_doubt(Doubt(DoubtKind.EXTERNAL,
                                                 f"{where}: IP group {reference} is not in this stack"))
                else:
                    destinations.sure = destinations.sure | resolved.sure
                    destinations.maybe = destinations.maybe | resolved.maybe
                    destinations.dests.extend(resolved.dests)
                    destinations.doubts.extend(resolved.doubts)
    position = () if order is not None else (unknown(where, "the collection or group priority"),)
    return make_rule(rule_label, access, order, services, destinations, group, extra_doubts=position)


NETWORK_FIRST = (-1,)
"""Azure Firewall processes every network rule collection before any application rule collection."""
_HTTPS_ANYWHERE = BoxSet.of(("tcp",), ((443, 443),), PUBLIC)


def application_rules(resources: Sequence[Resource], notes: list[str]) -> list[tuple[str, Resource, list[HostAllow]]]:
    """Per firewall policy with application rules: (scope label, first group, rules in evaluation order).

    Network rules come first (Azure Firewall evaluates them before application rules, regardless of priority):
    when they allow TCP 443 to every public address for sure, every host is allowed whatever the application
    rules say; when they may (unknown values), a host the application rules do not allow is unverified. Network
    rules that allow TCP 443 to part of the Internet only are not counted (host addresses are not known)."""
    ip_groups = _ip_groups(resources, [])
    result = []
    for policy in _policies(resources, notes):
        allows: list[HostAllow] = []
        for group in policy.groups:
            with skipping(notes, group.label):
                allows.extend(_application_rules(group, notes))
        if not allows:
            continue
        network = _policy_network_rules(policy, ip_groups, [])
        outcome = evaluate(network, _HTTPS_ANYWHERE)
        label = f"network rules of {policy.label}"
        if not _HTTPS_ANYWHERE - outcome.worst:
            allows = [HostAllow(policy.groups[0], ("*",), ("*",), (), Access.ALLOW, NETWORK_FIRST, label)]
        elif not _HTTPS_ANYWHERE - outcome.best:
            allows.insert(0, HostAllow(policy.groups[0], (), ("*",), doubts_for(network, _HTTPS_ANYWHERE),
                                       Access.ALLOW, NETWORK_FIRST, label))
        result.append((policy.label, policy.groups[0], allows))
    return result


def _application_rules(group: Resource, notes: list[str]) -> list[HostAllow]:
    group_priority, collections = _collections(group)
    if collections is UNKNOWN:
        return [HostAllow(group, (), None, (unknown(group.label, "ruleCollections"),), Access.ALLOW, None,
                          f"rule collection group '{group.name}'")]
    found: list[HostAllow] = []
    for index, collection in enumerate(collections):
        where = f"{group.label} ruleCollections[{index}]"
        with skipping(notes, where):
            header = _collection_header(as_obj(collection, "the collection"), group, group_priority)
            if header is None:
                continue
            label, access, order = header
            items = as_list(field(collection, "rules"), "rules")
            for number, item in enumerate(items if isinstance(items, list) else [UNKNOWN]):
                rule_where = f"{where}.rules[{number}]"
                with skipping(notes, rule_where):
                    allow = _application_rule(item, rule_where, label, access, order, group)
                    if allow is not None:
                        found.append(allow)
    return found


def _application_rule(item: Any, where: str, label: str, access: Access | None, order: tuple[int, ...] | None,
                      group: Resource) -> HostAllow | None:
    effective = access if access is not None else Access.ALLOW
    if item is UNKNOWN:
        return HostAllow(group, (), None, (unknown(where, "the rule"),), effective, order, label)
    item = as_obj(item, "the rule")
    if field(item, "ruleType") != "ApplicationRule":
        return None
    name = first_str(field(item, "name")) or "?"
    doubts: list[Doubt] = []
    if access is None:
        doubts.append(unknown(where, "the collection's action"))
    protocols = as_list(field(item, "protocols"), "protocols")
    https = False
    if protocols is UNKNOWN:
        doubts.append(unknown(where, "protocols"))
    else:
        for protocol in protocols:  # type: ignore[union-attr]
            kind, port = field(protocol, "protocolType"), as_int(field(protocol, "port"), "port")
            if kind is UNKNOWN or port is UNKNOWN:
                doubts.append(unknown(where, "a protocol"))
            elif isinstance(kind, str) and kind.lower() == "https" and port == 443:
                https = True
        if not https and not doubts:  # filters host names, but not HTTPS on 443
            return HostAllow(group, (), (), (), effective, order, f"rule '{name}' of {label}")
    targets = as_list(field(item, "targetFqdns"), "targetFqdns")
    rule_label = f"rule '{name}' of {label}"
    if targets is UNKNOWN:
        return HostAllow(group, (), None, (*doubts, unknown(where, "targetFqdns")), effective, order, rule_label)
    names = tuple(target for target in targets if isinstance(target, str))  # type: ignore[union-attr]
    if any(target is UNKNOWN for target in targets):  # type: ignore[union-attr]
        return HostAllow(group, () if doubts else names, None, (*doubts, unknown(where, "a target FQDN")),
                         effective, order, rule_label)
    return HostAllow(group, () if doubts else names, names, tuple(doubts), effective, order, rule_label)
