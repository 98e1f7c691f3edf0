"""Set math over (protocol, destination address, destination port): a small "box set".

A :class:`BoxSet` is a set of packets' destinations, per protocol (only ``tcp`` and ``udp`` are modelled:
Chalk media and signaling use nothing else). Per protocol it is kept canonical as sorted, disjoint port
segments ``(lo, hi, IPSet)``: every port in ``lo..hi`` reaches exactly that set of IPv4 addresses, and two
adjacent segments never carry equal sets. Union, intersection and difference walk the segment boundaries of
both operands, so no port is ever enumerated; the address side uses :class:`netaddr.IPSet`. Equality of two
box sets is therefore structural.

IPv6 is out of scope: the catalog's media ranges are IPv4, so IPv6 destinations can never cover them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from typing import Final

import netaddr

PROTOCOLS: Final = ("tcp", "udp")
PORT_MIN, PORT_MAX = 0, 65535
ALL_PORTS: Final = ((PORT_MIN, PORT_MAX),)

Segment = tuple[int, int, netaddr.IPSet]
_Op = Callable[[netaddr.IPSet, netaddr.IPSet], netaddr.IPSet]

ANYWHERE: Final = netaddr.IPSet(["0.0.0.0/0"])
NON_PUBLIC: Final = netaddr.IPSet([
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
])
"""RFC 1918 private space plus the other IANA special-purpose IPv4 blocks (RFC 6890)."""
PUBLIC: Final = ANYWHERE - NON_PUBLIC
"""Azure's ``Internet`` tag, as this engine models it: every public IPv4 address."""


def ips(*cidrs: str) -> netaddr.IPSet:
    return netaddr.IPSet(cidrs)


def parse_ipv4(text: str) -> netaddr.IPSet | None:
    """``1.2.3.0/24`` or ``1.2.3.4`` -> its addresses (host bits are ignored, as the clouds do); None if not IPv4.

    Raises ValueError for text that is neither an address nor a CIDR.
    """
    text = text.strip()
    if ":" in text:
        try:
            netaddr.IPNetwork(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise ValueError(f"{text!r} is not an IP address or CIDR") from None
        return None
    parts = text.split("/")
    if len(parts) > 2 or parts[0].count(".") != 3 or (len(parts) == 2 and not parts[1].isdigit()):
        raise ValueError(f"{text!r} is not an IP address or CIDR")
    try:
        network = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"{text!r} is not an IP address or CIDR") from None
    return netaddr.IPSet([network.cidr])


def shortest_prefix(addresses: netaddr.IPSet) -> int | None:
    return min((cidr.prefixlen for cidr in addresses.iter_cidrs()), default=None)


def cidr_texts(addresses: netaddr.IPSet) -> tuple[str, ...]:
    return tuple(str(cidr) for cidr in addresses.iter_cidrs())


class BoxSet:
    """An immutable set of (protocol, IPv4 address, port) destinations."""

    __slots__ = ("_by_protocol",)

    def __init__(self, by_protocol: Mapping[str, tuple[Segment, ...]] | None = None) -> None:
        self._by_protocol: dict[str, tuple[Segment, ...]] = {
            protocol: segments for protocol, segments in (by_protocol or {}).items() if segments}

    @staticmethod
    def of(protocols: Iterable[str], ports: Iterable[tuple[int, int]], addresses: netaddr.IPSet) -> BoxSet:
        """Every port of ``ports`` on every protocol of ``protocols`` (tcp/udp only) to ``addresses``."""
        if not addresses:
            return EMPTY
        merged = _merge_ranges(ports)
        segments = tuple((lo, hi, addresses) for lo, hi in merged)
        return BoxSet({protocol: segments for protocol in protocols if protocol in PROTOCOLS})

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(protocol for protocol in PROTOCOLS if protocol in self._by_protocol)

    def segments(self, protocol: str) -> tuple[Segment, ...]:
        return self._by_protocol.get(protocol, ())

    def is_empty(self) -> bool:
        return not self._by_protocol

    def __bool__(self) -> bool:
        return bool(self._by_protocol)

    def __or__(self, other: BoxSet) -> BoxSet:
        return self._apply(other, lambda a, b: a | b)

    def __and__(self, other: BoxSet) -> BoxSet:
        return self._apply(other, lambda a, b: a & b)

    def __sub__(self, other: BoxSet) -> BoxSet:
        return self._apply(other, lambda a, b: a - b)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoxSet) and self._by_protocol == other._by_protocol

    def __hash__(self) -> int:
        return hash(tuple((protocol, lo, hi) for protocol, segments in sorted(self._by_protocol.items())
                          for lo, hi, _ in segments))

    def restrict(self, addresses: netaddr.IPSet) -> BoxSet:
        """The part of the set whose address is in ``addresses``."""
        return BoxSet({protocol: _normalize((lo, hi, ips & addresses) for lo, hi, ips in segments)
                       for protocol, segments in self._by_protocol.items()})

    def addresses(self) -> netaddr.IPSet:
        result = netaddr.IPSet()
        for segments in self._by_protocol.values():
            for _, _, addresses in segments:
                result = result | addresses
        return result

    def ports(self, protocol: str) -> tuple[tuple[int, int], ...]:
        """The merged port ranges of ``protocol`` that reach at least one address."""
        return _merge_ranges((lo, hi) for lo, hi, _ in self.segments(protocol))

    def __repr__(self) -> str:
        parts = [f"{protocol} {lo}-{hi} {cidr_texts(ips)}"
                 for protocol, segments in self._by_protocol.items() for lo, hi, ips in segments]
        return f"BoxSet({'; '.join(parts)})"

    def _apply(self, other: BoxSet, op: _Op) -> BoxSet:
        result: dict[str, tuple[Segment, ...]] = {}
        for protocol in PROTOCOLS:
            a, b = self.segments(protocol), other.segments(protocol)
            if a or b:
                result[protocol] = _combine(a, b, op)
        return BoxSet(result)




def _merge_ranges(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _at(segments: tuple[Segment, ...], starts: list[int], port: int) -> netaddr.IPSet:
    index = bisect_right(starts, port) - 1
    if index >= 0 and segments[index][1] >= port:
        return segments[index][2]
    return _NOTHING


_NOTHING: Final = netaddr.IPSet()


def _combine(a: tuple[Segment, ...], b: tuple[Segment, ...], op: _Op) -> tuple[Segment, ...]:
    points = sorted({point for lo, hi, _ in (*a, *b) for point in (lo, hi + 1)})
    starts_a, starts_b = [lo for lo, _, _ in a], [lo for lo, _, _ in b]
    pieces = ((lo, nxt - 1, op(_at(a, starts_a, lo), _at(b, starts_b, lo))) for lo, nxt in pairwise(points))
    return _normalize(pieces)


def _normalize(pieces: Iterable[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for lo, hi, addresses in pieces:
        if not addresses:
            continue
        if out and out[-1][1] == lo - 1 and out[-1][2] == addresses:
            out[-1] = (out[-1][0], hi, addresses)
        else:
            out.append((lo, hi, addresses))
    return tuple(out)


EMPTY: Final = BoxSet()
EVERYTHING: Final = BoxSet.of(PROTOCOLS, ALL_PORTS, ANYWHERE)
