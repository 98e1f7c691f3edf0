"""Azure readers: one scope per NSG, one per Azure Firewall policy.

NSGs (``azure-native:network:NetworkSecurityGroup``)
    Rules: the inline ``securityRules`` plus every standalone ``azure-native:network:SecurityRule`` whose
    ``networkSecurityGroupName`` equals the NSG's ``name`` (output) or ``networkSecurityGroupName`` (input),
    and whose ``resourceGroupName`` is the NSG's when both are known. When either name is unknown the rule
    *may* belong to the NSG (uncertain). A rule naming an NSG that is not in the stack is noted and ignored.
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

    With a tag selector, only NSGs whose ``tags`` match are scopes; an NSG with unknown tags is a scope whose
    gaps are unverified rather than violations.

Azure Firewall (``azure-native:network:FirewallPolicyRuleCollectionGroup``)
    Groups are gathered per ``firewallPolicyName`` (groups whose policy name is unknown form one scope).
    ``FirewallPolicyFilterRuleCollection`` collections are evaluated by group ``priority`` then collection
    ``priority``, first match wins; ``action.type`` ``Allow`` or ``Deny``; traffic no rule matches is denied.
    Media: ``NetworkRule`` with ``ipProtocols`` (``TCP``, ``UDP``, ``Any``), ``destinationAddresses`` (CIDRs,
    addresses, ``a-b`` ranges, ``*``, ``Internet``; other service tags are noted and match nothing),
    ``destinationIpGroups`` (resolved through ``azure-native:network:IpGroup`` ``id`` -> ``ipAddresses``) and
    ``destinationPorts``. ``destinationFqdns`` do not match by address and are not evaluated.
    Signaling hosts: ``ApplicationRule`` with ``targetFqdns`` (``host``, ``*.domain`` = subdomains only,
    ``*`` = any) and ``protocols`` that include ``Https`` on port 443.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import netaddr

from .boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, PORT_MAX, PORT_MIN, PUBLIC, BoxSet, parse_ipv4
from .common import ALL_SERVICES, Destinations, Services, first_str, make_rule, skipping, unknown
from .evaluate import Access, Doubt, DoubtKind, Rule, known_rule
from .model import HostAllow, Layer, Scope, TagSelector
from .resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, props_of

NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
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
    member: bool
    doubt: Doubt | None
    rules: list[Rule]


def nsg_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str]) -> list[Scope]:
    nsgs: list[_Nsg] = []
    for resource in resources:
        if resource.type == NSG:
            with skipping(notes, resource.label):
                nsg = _read_nsg(resource, selector, notes)
                if nsg.member or nsg.doubt is not None:
                    nsgs.append(nsg)
    all_nsgs = [resource for resource in resources if resource.type == NSG]
    for resource in resources:
        if resource.type == SECURITY_RULE:
            with skipping(notes, resource.label):
                _attach(resource, nsgs, all_nsgs, notes)
    return [Scope(Layer.AZURE_NSG, f"NSG '{nsg.resource.name}'", nsg.resource.urn, (*nsg.rules, *DEFAULT_RULES),
                  (nsg.doubt,) if nsg.doubt else ()) for nsg in nsgs]


def _read_nsg(resource: Resource, selector: TagSelector | None, notes: list[str]) -> _Nsg:
    props = props_of(resource)
    name = first_str(field(props, "name"), field(props, "networkSecurityGroupName"))
    group = field(props, "resourceGroupName")
    member, doubt = True, None
    if selector is not None:
        tags = field(props, "tags")
        value = tags.get(selector.key) if isinstance(tags, dict) else (UNKNOWN if tags is UNKNOWN else None)
        if value is UNKNOWN:
            member, doubt = False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the "
                                                            f"selector {selector} may or may not pick it")
        else:
            member = value is not None and (selector.value is None or value == selector.value)
    nsg = _Nsg(resource, name, group if isinstance(group, str) else None, member, doubt, [])
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


def _attach(resource: Resource, nsgs: list[_Nsg], all_nsgs: Sequence[Resource], notes: list[str]) -> None:
    props = props_of(resource)
    target = as_str(field(props, "networkSecurityGroupName"), "networkSecurityGroupName")
    group = field(props, "resourceGroupName")
    if target is None:
        raise Malformed("networkSecurityGroupName is missing")
    attached = False
    for nsg in nsgs:
        if target is UNKNOWN or nsg.name is None:
            sure = False
        elif target != nsg.name or (isinstance(group, str) and nsg.resource_group and group != nsg.resource_group):
            continue
        else:
            sure = True
        attached = True
        rule = _nsg_rule(props, resource.label, resource, notes)
        if rule is None:
            return
        if not sure:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: the NSG it belongs to is unknown")
            rule = Rule(rule.label, rule.access, EMPTY, rule.maybe, rule.order, (*rule.doubts, doubt),
                        rule.priority, resource, rule.services, rule.dests)
        nsg.rules.append(rule)
    if not attached and isinstance(target, str) and not any(
            _nsg_name(other) in (target, None) for other in all_nsgs):
        notes.append(f"Skipped {resource.label}: NSG '{target}' is not in this stack.")


def _nsg_name(resource: Resource) -> str | None:
    try:
        props = props_of(resource)
    except (ValueError, TypeError):
        return ""
    return first_str(field(props, "name"), field(props, "networkSecurityGroupName"))


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
    access_text = as_str(field(rule, "access"), "access")
    access: Access | None
    if access_text is UNKNOWN:
        access = None
    elif isinstance(access_text, str) and access_text.lower() in ("allow", "deny"):
        access = Access(access_text.lower())
    else:
        raise Malformed(f"access is {access_text!r}; allowed: Allow or Deny")
    priority = as_int(field(rule, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    known_priority = priority if isinstance(priority, int) else None
    position_doubt = () if known_priority is not None else (unknown(where, "priority"),)
    services = _nsg_services(field(rule, "protocol"), field(rule, "destinationPortRange"),
                             field(rule, "destinationPortRanges"), where)
    destinations = _prefixes(rule, where, notes, name)
    label = f"rule '{name}' (priority {known_priority if known_priority is not None else 'unknown'})"
    return make_rule(label, access, (known_priority,) if known_priority is not None else None, services,
                     destinations, resource, member=not doubts, extra_doubts=(*doubts, *position_doubt),
                     priority=known_priority)


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
    groups: list[Resource]


def firewall_scopes(resources: Sequence[Resource], notes: list[str]) -> list[Scope]:
    policies = _policies(resources, notes)
    ip_groups = _ip_groups(resources, notes)
    scopes = []
    for policy in policies:
        rules: list[Rule] = []
        for group in policy.groups:
            with skipping(notes, group.label):
                rules.extend(_network_rules(group, ip_groups, notes))
        names = ", ".join(f"'{group.name}'" for group in policy.groups)
        label = (f"Azure Firewall policy '{policy.key}'" if policy.key is not None else
                 f"Azure Firewall policy of rule collection group{'s' if len(policy.groups) > 1 else ''} {names}")
        scopes.append(Scope(Layer.AZURE_FIREWALL, label, policy.groups[0].urn, tuple(rules)))
    return scopes


def _policies(resources: Sequence[Resource], notes: list[str]) -> list[_Policy]:
    policies: dict[str | None, _Policy] = {}
    for resource in resources:
        if resource.type == RULE_COLLECTION_GROUP:
            with skipping(notes, resource.label):
                name = as_str(field(props_of(resource), "firewallPolicyName"), "firewallPolicyName")
                key = name if isinstance(name, str) else None
                policies.setdefault(key, _Policy(key, [])).groups.append(resource)
    return list(policies.values())


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


def _collection_header(collection: Any, group: Resource, group_priority: int | None
                       ) -> tuple[str, Access | None, tuple[int, ...] | None] | None:
    if field(collection, "ruleCollectionType") not in (FILTER_COLLECTION, UNKNOWN):
        return None
    name = first_str(field(collection, "name")) or "?"
    priority = as_int(field(collection, "priority"), "priority")
    action = field(field(collection, "action"), "type")
    access: Access | None
    if action is UNKNOWN:
        access = None
    elif isinstance(action, str) and action.lower() in ("allow", "deny"):
        access = Access(action.lower())
    else:
        raise Malformed(f"action.type is {action!r}; allowed: Allow or Deny")
    known = priority if isinstance(priority, int) else None
    order = (group_priority, known) if group_priority is not None and known is not None else None
    label = (f"rule collection '{name}' (priority {known if known is not None else 'unknown'}) in group "
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
        with skipping(notes, where):
            collection = as_obj(collection, "the collection")
            if collection is UNKNOWN:
                rules.append(Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the collection"),),
                                  resource=group))
                continue
            header = _collection_header(collection, group, group_priority)
            if header is None:
                continue
            label, access, order = header
            if order is None:
                label = f"{label}, whose priority is unknown"
            items = as_list(field(collection, "rules"), "rules")
            if items is UNKNOWN:
                rules.append(Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "rules"),),
                                  resource=group))
                continue
            for number, item in enumerate(items):  # type: ignore[arg-type]
                rule_where = f"{where}.rules[{number}]"
                with skipping(notes, rule_where):
                    rule = _network_rule(as_obj(item, "the rule"), rule_where, label, access, order, group,
                                         ip_groups, notes)
                    if rule is not None:
                        rules.append(rule)
    return rules


def _network_rule(item: Any, where: str, label: str, access: Access | None, order: tuple[int, ...] | None,
                  group: Resource, ip_groups: dict[str, Destinations], notes: list[str]) -> Rule | None:
    if item is UNKNOWN:
        return Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "the rule"),), resource=group)
    kind = field(item, "ruleType")
    if kind not in ("NetworkRule", UNKNOWN):
        return None
    name = first_str(field(item, "name")) or "?"
    rule_label = f"rule '{name}' of {label}"
    protocols = as_list(field(item, "ipProtocols"), "ipProtocols")
    services: Services
    if protocols is UNKNOWN or kind is UNKNOWN:
        services = Services.anything(unknown(where, "ipProtocols"))
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


def application_rules(resources: Sequence[Resource], notes: list[str]) -> list[tuple[str, Resource, list[HostAllow]]]:
    """Per firewall policy: (scope label, first group, application rules in evaluation order)."""
    result = []
    for policy in _policies(resources, notes):
        allows: list[HostAllow] = []
        for group in policy.groups:
            with skipping(notes, group.label):
                allows.extend(_application_rules(group, notes))
        if not allows:
            continue
        names = ", ".join(f"'{group.name}'" for group in policy.groups)
        label = (f"Azure Firewall policy '{policy.key}'" if policy.key is not None else
                 f"Azure Firewall policy of rule collection group{'s' if len(policy.groups) > 1 else ''} {names}")
        result.append((label, policy.groups[0], allows))
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
