"""One AWS Network Firewall stateful rule as a :class:`~chalk_policy.coverage.evaluate.Rule` over the clients'
packets: its whole 5-tuple and its direction.

A stateful rule's header is protocol, source, source port, direction, destination and destination port, structured
(``statefulRules[].header``: ``direction`` ``FORWARD`` or ``ANY``;
docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-basic.html,
docs.aws.amazon.com/network-firewall/latest/APIReference/API_Header.html) or as Suricata text (``->`` or ``<>``;
docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-suricata.html). AWS turns a
structured ``ANY`` into ``<>`` (docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-examples.html).
A client's media packet goes from a client address and an ephemeral port to a media range and port:

* ``FORWARD`` / ``->``: the rule's source side must hold the client (its addresses and source ports, judged by
  :func:`~chalk_policy.coverage.sources.judge`), its destination side the media range and port;
* ``ANY`` / ``<>``: that, or the reverse match, where the rule's destination side must hold the client and its
  source side the media range, with the ports swapped too (the client's port must be in the rule's destination
  port, the media port in its source port);
* an unknown direction matches forward for sure and in reverse at most.

A rule that reaches no client's packet is dropped; one that reaches only some is uncertain
(:func:`~chalk_policy.coverage.sources.for_clients`). Addresses and ports resolve rule variables
(:mod:`.aws_suricata`: ``$HOME_NET`` holds every client and no media range by default, ``$EXTERNAL_NET`` the
reverse). Protocols ``UDP``, ``TCP``, ``IP`` (both); application protocols (``tls``, ``http``, ...) match by
content: a PASS of them is not counted, a DROP/REJECT of them is an uncertain deny of their transport. An address
or port that cannot be resolved (an undefined variable, garbage, an unknown value) makes its side uncertain: the
rule matches nothing for sure there and at most anything, so an unreadable DROP yields *unverified*, never a silent
pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, PUBLIC, BoxSet
from ..common import Destinations, Services, make_rule, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..resources import UNKNOWN, Malformed, Resource
from ..sources import Clients, Reach, Source, Verdict, for_clients, judge
from .aws_suricata import (
    Ranges,
    Split,
    UnknownVariable,
    Unresolved,
    Variables,
    every_client_port,
    parse_addresses,
    parse_ports,
)

FIREWALL_PROTOCOLS = {"UDP": ("udp",), "TCP": ("tcp",), "IP": ("tcp", "udp")}
APP_TCP = {"TLS", "HTTP", "HTTP2", "SSH", "FTP", "SMTP", "IMAP", "POP3", "SMB", "DCERPC", "RDP", "TCP-PKT",
           "TCP-STREAM"}
APP_UDP = {"QUIC", "NTP", "DHCP", "TFTP", "SNMP", "SYSLOG"}
NO_CHALK_TRAFFIC = {"ICMP", "ICMPV6"}
FORWARD, BOTH = {"FORWARD", "->"}, {"ANY", "<>"}


@dataclass(frozen=True)
class Header:
    """A stateful rule's header fields as written (strings, UNKNOWN, or None when absent)."""

    protocol: object
    source: object
    source_port: object
    destination: object
    destination_port: object
    direction: object = "FORWARD"


@dataclass(frozen=True)
class RuleContext:
    group: Resource
    clients: Clients
    variables: Variables


@dataclass(frozen=True)
class _Side:
    """One end of a rule: addresses and ports as written, each resolved or a doubt."""

    text: str
    addresses: Split | Doubt
    ports_text: str
    ports: Ranges | Doubt


def header_rule(label: str, access: Access | None, order: tuple[int, ...] | None, header: Header, where: str,
                ctx: RuleContext) -> Rule | None:
    """The rule as it applies to the clients' packets; None: it never matches them."""
    protocols = _protocols(header.protocol, access, where)
    if protocols is None:
        return None
    names, content = protocols
    both, direction_doubt = _direction(header.direction)
    source = _side(header.source, header.source_port, ("source", "sourcePort"), where, ctx.variables)
    target = _side(header.destination, header.destination_port, ("destination", "destinationPort"), where,
                   ctx.variables)
    rule = _one_way(label, access, order, names, (source, target), (where, where), ctx)
    if both:
        reverse = _one_way(label, access, order, names, (target, source), (where, f"{where} (reverse direction)"),
                           ctx)
        if reverse is not None and direction_doubt:
            reverse = replace(reverse, sure=EMPTY, doubts=(*reverse.doubts, unknown(where, "direction")))
        rule = _union(rule, reverse)
    if rule is not None and content is not None:
        rule = replace(rule, sure=EMPTY, doubts=tuple(dict.fromkeys((*rule.doubts, content))))
    return rule


def _protocols(protocol: object, access: Access | None, where: str
               ) -> tuple[tuple[str, ...] | None, Doubt | None] | None:
    """(transport protocols, None when unknown; a doubt when it matches by content); None: no Chalk traffic."""
    if protocol is UNKNOWN:
        return None, None
    if not isinstance(protocol, str):
        raise Malformed("header.protocol is missing")
    upper = protocol.upper()
    if upper in FIREWALL_PROTOCOLS:
        return FIREWALL_PROTOCOLS[upper], None
    if upper in NO_CHALK_TRAFFIC or access is not Access.DENY:
        return None  # application protocols match by content: a PASS of them is not counted
    names = ("tcp",) if upper in APP_TCP else ("udp",) if upper in APP_UDP else ("tcp", "udp")
    return names, Doubt(DoubtKind.EXTERNAL, f"{where}: protocol {protocol} matches by content, which this check "
                                            "does not evaluate")


def _direction(value: object) -> tuple[bool, bool]:
    """(whether it matches in reverse too, whether that is only maybe: the direction is unknown)."""
    if value is UNKNOWN:
        return True, True
    if value is None:
        return False, False  # AWS requires it; FORWARD is the console's default
    if isinstance(value, str) and value.upper() in FORWARD | BOTH:
        return value.upper() in BOTH, False
    raise Malformed(f"direction {value!r} is not FORWARD or ANY")


def _side(addresses: object, ports: object, names: tuple[str, str], where: str, variables: Variables) -> _Side:
    address_name, port_name = names
    if not (addresses is UNKNOWN or isinstance(addresses, str)):
        raise Malformed(f"{address_name} is missing")
    if not (ports is UNKNOWN or isinstance(ports, str)):
        raise Malformed(f"{port_name} is missing")
    resolved = _parsed(addresses, parse_addresses, address_name, where, variables)
    ranges = _parsed(ports, parse_ports, port_name, where, variables)
    return _Side(str(addresses) if isinstance(addresses, str) else "?", resolved,
                 str(ports) if isinstance(ports, str) else "?", ranges)


_Parsed = TypeVar("_Parsed")


def _parsed(text: object, parse: Callable[[str, Variables], _Parsed], name: str, where: str,
            variables: Variables) -> _Parsed | Doubt:
    """``text`` parsed, or why it cannot be: unknown during preview, or unreadable (a doubt either way)."""
    if not isinstance(text, str):
        return unknown(where, name)
    try:
        return parse(text, variables)
    except ValueError as exc:
        return _doubt(exc, name, text, where)


def _doubt(exc: Exception, name: str, text: str, where: str) -> Doubt:
    if isinstance(exc, UnknownVariable):
        return Doubt(DoubtKind.UNKNOWN, f"{where}: {name} {text!r} uses {exc}")
    if isinstance(exc, Unresolved):
        return Doubt(DoubtKind.EXTERNAL, f"{where}: {name} {text!r} uses {exc}")
    return Doubt(DoubtKind.EXTERNAL, f"{where}: {name} {text!r} cannot be read ({exc})")


def _one_way(label: str, access: Access | None, order: tuple[int, ...] | None, protocols: tuple[str, ...] | None,
             sides: tuple[_Side, _Side], wheres: tuple[str, str], ctx: RuleContext) -> Rule | None:
    """The rule matching packets from ``sides[0]`` to ``sides[1]``, as it applies to the clients' packets
    (``wheres``: how doubts name the rule, and how the source verdict names this direction)."""
    source, target = sides
    where, judged = wheres
    destinations = Destinations()
    if isinstance(target.addresses, Doubt):
        destinations.add_doubt(target.addresses)
    else:
        destinations.add(target.text, target.addresses.away)
    if protocols is None:
        services = Services.anything(unknown(where, "protocol"))
    elif isinstance(target.ports, Doubt):
        services = Services(EMPTY, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [target.ports])
    else:
        services = Services.exactly(BoxSet.of(protocols, target.ports, ANYWHERE))
    rule = make_rule(label, access, order, services, destinations, ctx.group)
    return for_clients(rule, _verdict(source, judged, ctx.clients))


def _verdict(source: _Side, where: str, clients: Clients) -> Verdict:
    written = Source()
    if isinstance(source.addresses, Doubt):
        written.doubts.append(source.addresses)
    else:
        written.add(source.text, source.addresses.home)
    if not isinstance(source.ports, Doubt) and not every_client_port(source.ports):
        written.ports = source.ports_text
    verdict = judge(clients, written, where)
    if isinstance(source.ports, Doubt) and verdict.reach is not Reach.NONE:
        return Verdict(Reach.SOME, (*verdict.doubts, source.ports))
    return verdict


def _union(first: Rule | None, second: Rule | None) -> Rule | None:
    """One rule matching what either matches (the two directions of an ``ANY`` rule); a direction that reaches no
    public address (media ranges are public) adds nothing, nor its doubts."""
    if second is None or (first is not None and not second.maybe.restrict(PUBLIC)):
        return first
    if first is None or not first.maybe.restrict(PUBLIC):
        return second
    return replace(first, sure=first.sure | second.sure, maybe=first.maybe | second.maybe,
                   doubts=tuple(dict.fromkeys((*first.doubts, *second.doubts))),
                   services=first.services | second.services, dests=(*first.dests, *second.dests))
