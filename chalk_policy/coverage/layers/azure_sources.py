"""The source side of Azure rules: NSG security rules, Azure Firewall network and application rules, IP groups.

A rule matches a packet by its whole 5-tuple, source included (learn.microsoft.com/azure/virtual-network/
network-security-groups-overview, "Security rules": source and destination, source and destination port,
protocol). Each reader below turns a rule's source fields into a :class:`~chalk_policy.coverage.sources.Source`;
:func:`~chalk_policy.coverage.sources.judge` then decides how much of the Chalk clients' traffic it matches, and
:func:`~chalk_policy.coverage.sources.for_clients` drops a rule that reaches no client and makes one that reaches
only some uncertain (what it alone decides is unverified).

NSG security rules (``sourceAddressPrefix``, ``sourceAddressPrefixes``, ``sourceApplicationSecurityGroups``,
``sourcePortRange``, ``sourcePortRanges``; Azure requires a prefix or an application security group, and a port)
    ``*``/``Any``/``0.0.0.0/0`` hold every client. So does ``VirtualNetwork``: the tag is the virtual network's
    address space, its peered and connected networks (learn.microsoft.com/azure/virtual-network/
    service-tags-overview, "VirtualNetwork"), and an NSG filters the subnets and network interfaces it is associated
    with, which are in a virtual network: the clients an NSG's outbound rules see always send from it. ``Internet``
    is every public address. Addresses, CIDRs and ``a-b`` ranges are themselves. Application security groups (their
    members are network interfaces, not addresses), other service tags and unknown values may or may not hold the
    clients. A source port other than ``*``/``0-65535`` reaches only some client packets (clients send from
    ephemeral ports).

Azure Firewall network and application rules (``sourceAddresses``, ``sourceIpGroups``; one is required)
    ``*``, addresses, CIDRs and ``a-b`` ranges (learn.microsoft.com/azure/firewall/rule-processing; firewall rules
    take no service tag as a source); ``sourceIpGroups`` resolve through ``azure-native:network:IpGroup`` ``id`` ->
    ``ipAddresses``, like ``destinationIpGroups``; an IP group outside the stack, another value or an unknown may
    or may not hold the clients. Firewall rules have no source port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...text import join_some
from ..addresses import EMPTY_ADDRESSES
from ..boxes import ANYWHERE, PORT_MAX, PORT_MIN, PUBLIC
from ..common import Destinations, skipping, unknown
from ..evaluate import Doubt, DoubtKind
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_str, field, of_type, props_of
from ..sources import Clients, Reach, Source, Verdict, judge
from .azure_common import ANYWHERE_TAGS, address, id_part, is_literal, is_tag, joined, literal, port_ranges

IP_GROUP = "azure-native:network:IpGroup"
IpGroups = dict[str, Destinations]


def read_ip_groups(resources: Sequence[Resource], notes: list[str]) -> IpGroups:
    """Every ``IpGroup`` of the stack by lower-cased ``id``: its addresses, and doubts for unknown ones."""
    found: IpGroups = {}
    for resource in of_type(resources, IP_GROUP):
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
                    ips = address(value, resource.label, notes, resource.name)
                    if ips is not None:
                        target.add(value, ips)
    return found


def source_entry(source: Source, text: str, who: str, *, nsg: bool) -> None:
    """Add one source prefix as written (``nsg``: an NSG rule, where ``VirtualNetwork`` holds every client)."""
    lowered = text.strip().lower()
    if not lowered:  # Azure shows an unused prefix field as ""
        return
    if lowered in ANYWHERE_TAGS:
        source.every_client = True
        source.add(text, ANYWHERE)
    elif nsg and lowered == "virtualnetwork":
        source.every_client = True
        source.texts.append(text)
    elif lowered == "internet":
        source.add(text, PUBLIC)
    elif is_literal(lowered):
        source.add(text, literal(text) or EMPTY_ADDRESSES)  # IPv6: never an IPv4 client's address
    elif is_tag(lowered):
        source.doubts.append(Doubt(DoubtKind.EXTERNAL, f"{who}: its source '{text}' is not modelled, so it may or "
                                                       "may not hold the clients"))
    else:
        raise Malformed(f"source {text!r} is not a CIDR, address or service tag")


def nsg_source(rule: Any, who: str) -> tuple[Source, tuple[Doubt, ...]]:
    """An NSG rule's source, and doubts that its source ports (unknown) may exclude the clients' ports."""
    source = Source()
    values = joined(field(rule, "sourceAddressPrefix"), field(rule, "sourceAddressPrefixes"),
                    "sourceAddressPrefix", "sourceAddressPrefixes")
    groups = as_list(field(rule, "sourceApplicationSecurityGroups"), "sourceApplicationSecurityGroups")
    if values is UNKNOWN:
        source.doubts.append(unknown(who, "the source prefixes"))
    elif not groups and not any(value is UNKNOWN or (isinstance(value, str) and value.strip()) for value in values):
        raise Malformed("sourceAddressPrefix(es) and sourceApplicationSecurityGroups are missing")
    if groups is UNKNOWN:
        source.doubts.append(unknown(who, "sourceApplicationSecurityGroups"))
    elif groups:
        names = join_some(_asg_name(group) for group in groups)  # type: ignore[union-attr]
        source.doubts.append(Doubt(DoubtKind.EXTERNAL, f"{who}: its source is application security group "
                                                       f"{names}, whose members the stack does not tell"))
    for value in values if isinstance(values, list) else []:
        if value is UNKNOWN:
            source.doubts.append(unknown(who, "a source prefix"))
        elif isinstance(value, str):
            source_entry(source, value, who, nsg=True)
        else:
            raise Malformed(f"a source prefix is {type(value).__name__}, not a string")
    return source, _source_ports(source, rule, who)


def _asg_name(group: Any) -> str:
    group_id = field(group, "id") if isinstance(group, dict) else group
    if group_id is UNKNOWN:
        return "(unknown)"
    name = id_part(group_id, "applicationSecurityGroups")
    return f"'{name or group_id}'"


def _source_ports(source: Source, rule: Any, who: str) -> tuple[Doubt, ...]:
    """Set ``source.ports`` unless they are every port; doubts when they are unknown."""
    values = joined(field(rule, "sourcePortRange"), field(rule, "sourcePortRanges"), "sourcePortRange",
                    "sourcePortRanges")
    if values is UNKNOWN or UNKNOWN in values:
        return (unknown(who, "the source ports"),)
    if values == ["*"]:  # every source port: by far the most common value
        return ()
    written = [value for value in values if not (isinstance(value, str) and not value.strip())]
    if not written:
        raise Malformed("sourcePortRange(s) is missing")
    ranges = sorted(r for value in written for r in port_ranges(value))
    covered = PORT_MIN - 1
    for low, high in ranges:
        if low > covered + 1:
            break
        covered = max(covered, high)
    if covered < PORT_MAX:
        source.ports = ", ".join(str(value) for value in written)
    return ()


def firewall_source(item: Any, who: str, ip_groups: IpGroups) -> Source:
    """An Azure Firewall rule's ``sourceAddresses`` and ``sourceIpGroups`` (network and application rules)."""
    source = Source()
    addresses = as_list(field(item, "sourceAddresses"), "sourceAddresses")
    references = as_list(field(item, "sourceIpGroups"), "sourceIpGroups")
    if addresses == [] and references == []:
        raise Malformed("sourceAddresses and sourceIpGroups are missing")
    if addresses is UNKNOWN:
        source.doubts.append(unknown(who, "sourceAddresses"))
    else:
        for value in addresses:  # type: ignore[union-attr]
            if value is UNKNOWN:
                source.doubts.append(unknown(who, "a source address"))
            else:
                source_entry(source, _text(value, "a source address"), who, nsg=False)
    if references is UNKNOWN:
        source.doubts.append(unknown(who, "sourceIpGroups"))
    else:
        for reference in references:  # type: ignore[union-attr]
            _source_ip_group(source, reference, who, ip_groups)
    return source


def _text(value: object, what: str) -> str:
    text = as_str(value, what)
    if not isinstance(text, str):
        raise Malformed(f"{what} is missing")
    return text


def _source_ip_group(source: Source, reference: object, who: str, ip_groups: IpGroups) -> None:
    if reference is UNKNOWN:
        source.doubts.append(unknown(who, "a source IP group id"))
        return
    reference = _text(reference, "a source IP group id")
    resolved = ip_groups.get(reference.lower())
    if resolved is None:
        source.doubts.append(Doubt(DoubtKind.EXTERNAL, f"{who}: source IP group {reference} is not in this "
                                                       "stack"))
        return
    source.add(f"IP group '{id_part(reference, 'ipGroups') or reference}'", resolved.sure)
    source.doubts.extend(resolved.doubts)


def verdict(clients: Clients, source: Source, who: str, port_doubts: Sequence[Doubt] = ()) -> Verdict:
    """:func:`~chalk_policy.coverage.sources.judge`, where unknown source ports make "all" only "some"."""
    result = judge(clients, source, who)
    if not port_doubts or result.reach is Reach.NONE:
        return result
    return Verdict(Reach.SOME, tuple(dict.fromkeys((*result.doubts, *port_doubts))))
