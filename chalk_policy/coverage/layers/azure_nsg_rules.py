"""Reading one NSG security rule (inline in ``securityRules`` or a standalone ``SecurityRule``) into a
:class:`~chalk_policy.coverage.evaluate.Rule` as it applies to the Chalk clients' packets. The semantics are
described in :mod:`.azure_nsg` (destinations, ports, unreadable rules) and :mod:`.azure_sources` (sources)."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, PROTOCOLS, BoxSet
from ..common import (
    SKIPPED_ERRORS,
    Destinations,
    Services,
    first_str,
    make_rule,
    parse_access,
    unknown,
    unreadable_deny,
)
from ..evaluate import Access, Doubt, Rule
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_str, field
from ..sources import Clients, Reach, Verdict, for_clients
from .azure_common import address, joined, port_ranges
from .azure_sources import nsg_source, verdict

NSG_PROTOCOLS = {"*": ("tcp", "udp"), "tcp": ("tcp",), "udp": ("udp",)}
"""Protocols an NSG rule names that carry Chalk traffic (Icmp, Esp, Ah carry none)."""


def nsg_rule(rule: Any, where: str, resource: Resource, notes: list[str], clients: Clients) -> Rule | None:
    """One outbound rule as it applies to the clients' packets; None for an inbound rule or one that reaches no
    client."""
    if rule is UNKNOWN:
        return Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),), resource=resource)
    name = first_str(field(rule, "name"), field(rule, "securityRuleName")) or "?"
    header = _header(rule, where, name)
    if header is None:
        return None
    judged, source_error = _judged(rule, f"{where} (rule '{name}')", clients)
    if judged is not None and judged.reach is Reach.NONE:  # the rule never sees a client packet
        return None
    services: Services | None = None
    destinations: Destinations | None = None
    try:
        services = _nsg_services(field(rule, "protocol"), field(rule, "destinationPortRange"),
                                 field(rule, "destinationPortRanges"), where)
        destinations = _prefixes(rule, where, notes, name)
        if source_error is not None:
            raise source_error
    except SKIPPED_ERRORS as exc:
        if header.access is Access.ALLOW:  # skipping an allow only ever allows less: noted by the caller
            raise
        deny = unreadable_deny(header.label, header.order, _unreadable_box(rule, services, destinations), where,
                               name, exc, resource, notes, header.doubts, header.priority,
                               "Deny rule" if header.access is Access.DENY else "rule")
        return for_clients(deny, judged) if judged is not None else deny
    assert judged is not None  # the source was read (else it raised above)
    built = make_rule(header.label, header.access, header.order, services, destinations, resource,
                      member=header.member, extra_doubts=header.doubts, priority=header.priority)
    return for_clients(built, judged)


class _Header(NamedTuple):  # a tuple, not a frozen dataclass: made once per rule, and cheaper to make
    access: Access | None
    label: str
    priority: int | None
    """None: unknown."""
    member: bool
    """False: the direction is unknown, so the rule may not apply at all."""
    doubts: tuple[Doubt, ...]

    @property
    def order(self) -> tuple[int, ...] | None:
        return (self.priority,) if self.priority is not None else None


def _header(rule: Any, where: str, name: str) -> _Header | None:
    """Access, label, priority and doubts (unknown direction or priority) of an outbound rule; None: inbound."""
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
    known = priority if isinstance(priority, int) else None
    member = not doubts
    if known is None:
        doubts.append(unknown(where, "priority"))
    label = f"rule '{name}' (priority {known if known is not None else 'unknown'})"
    return _Header(access, label, known, member, tuple(doubts))


def _judged(rule: Any, who: str, clients: Clients) -> tuple[Verdict | None, Exception | None]:
    """How the rule's source matches the clients, or why its source cannot be read."""
    try:
        source, port_doubts = nsg_source(rule, who)
    except SKIPPED_ERRORS as exc:
        return None, exc
    return verdict(clients, source, who, port_doubts), None


def _unreadable_box(rule: Any, services: Services | None, destinations: Destinations | None) -> BoxSet:
    """What an unreadable Deny may match: its protocols on every port (the ports or protocol cannot be read),
    its services to every address (the prefixes cannot), or its services to its prefixes (the sources cannot)."""
    if services is None:
        protocol = field(rule, "protocol")
        chosen = NSG_PROTOCOLS.get(protocol.lower(), PROTOCOLS) if isinstance(protocol, str) else PROTOCOLS
        return BoxSet.of(chosen, ALL_PORTS, ANYWHERE)
    if destinations is None:
        return services.maybe
    return services.maybe.restrict(destinations.maybe)


def _nsg_services(protocol: object, port: object, ports: object, where: str) -> Services:
    name = as_str(protocol, "protocol")
    if name is None:
        raise Malformed("protocol is missing")
    if name is UNKNOWN:
        return Services.anything(unknown(where, "protocol"))
    protocols = NSG_PROTOCOLS.get(str(name).lower())
    if protocols is None:
        return Services()
    values = joined(port, ports, "destinationPortRange", "destinationPortRanges")
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
            sure.extend(port_ranges(value))
    box = BoxSet.of(protocols, sure, ANYWHERE)
    if doubtful:
        return Services(box, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [unknown(where, "a destination port")])
    return Services.exactly(box)



def _prefixes(rule: Any, where: str, notes: list[str], name: str) -> Destinations:
    result = Destinations()
    values = joined(field(rule, "destinationAddressPrefix"), field(rule, "destinationAddressPrefixes"),
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
            addresses = address(value, where, notes, name)
            if addresses is not None:
                result.add(value, addresses)
        else:
            raise Malformed(f"a destination prefix is {type(value).__name__}, not a string")
    return result
