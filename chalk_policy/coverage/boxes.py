"""Set math over (protocol, destination address, destination port): a small "box set".

A :class:`BoxSet` is a set of packets' destinations, per protocol (only ``tcp`` and ``udp`` are modelled:
Chalk media and signaling use nothing else). Per protocol it is kept canonical as sorted, disjoint port
segments ``(lo, hi, Addresses)``: every port in ``lo..hi`` reaches exactly that set of IPv4 addresses, and two
adjacent segments never carry equal sets. Union, intersection and difference walk the segment boundaries of
both operands, so no port is ever enumerated; the address side is an integer interval set
(:class:`~chalk_policy.coverage.addresses.Addresses`). Equality of two box sets is therefore structural.

IPv6 is out of scope: the catalog's media ranges are IPv4, so IPv6 destinations can never cover them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from typing import Final

import netaddr

from .addresses import EMPTY_ADDRESSES, Addresses, canonical_span

PROTOCOLS: Final = ("tcp", "udp")
PORT_MIN, PORT_MAX = 0, 65535
ALL_PORTS: Final = ((PORT_MIN, PORT_MAX),)

Segment = tuple[int, int, Addresses]
_Op = Callable[[Addresses, Addresses], Addresses]

ANYWHERE: Final = Addresses.of("0.0.0.0/0")
NON_PUBLIC: Final = Addresses.of(*[
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
])
"""RFC 1918 private space plus the other IANA special-purpose IPv4 blocks (RFC 6890)."""
PUBLIC: Final = ANYWHERE - NON_PUBLIC
"""Azure's ``Internet`` tag, as this engine models it: every public IPv4 address."""


def ips(*cidrs: str) -> Addresses:
    return Addresses.of(*cidrs)


_CACHE_SIZE: Final = 1 << 14
"""Entries kept per memo below (cleared when full): enough for an estate's distinct values, bounded in memory."""
_SERVICES: dict[tuple[tuple[str, ...], tuple[tuple[int, int], ...]], BoxSet] = {}
_PARSED: dict[str, Addresses | None] = {}
_NOT_PARSED: Final = object()


def parse_ipv4(text: str) -> Addresses | None:
    """``1.2.3.0/24`` or ``1.2.3.4`` -> its addresses (host bits are ignored, as the clouds do); None if not IPv4.

    Raises ValueError for text that is neither an address nor a CIDR. Memoized: an estate repeats its CIDRs.
    """
    parsed = _PARSED.get(text, _NOT_PARSED)
    if parsed is not _NOT_PARSED:
        return parsed  # type: ignore[return-value]
    parsed = _parse_ipv4(text)
    if len(_PARSED) >= _CACHE_SIZE:
        _PARSED.clear()
    _PARSED[text] = parsed
    return parsed


def _parse_ipv4(text: str) -> Addresses | None:
    text = text.strip()
    if ":" in text:
        try:
            netaddr.IPNetwork(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise ValueError(f"{text!r} is not an IP address or CIDR") from None
        return None
    span = canonical_span(text)
    if span is not None:
        return Addresses.between(*span)
    parts = text.split("/")
    if len(parts) > 2 or parts[0].count(".") != 3 or (len(parts) == 2 and not parts[1].isdigit()):
        raise ValueError(f"{text!r} is not an IP address or CIDR")
    try:
        network = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"{text!r} is not an IP address or CIDR") from None
    return Addresses.between(network.first, network.last)


def shortest_prefix(addresses: Addresses) -> int | None:
    return addresses.shortest_prefix()


def cidr_texts(addresses: Addresses) -> tuple[str, ...]:
    return tuple(str(cidr) for cidr in addresses.iter_cidrs())


class BoxSet:
    """An immutable set of (protocol, IPv4 address, port) destinations."""

    __slots__ = ("_addresses", "_by_protocol")

    def __init__(self, by_protocol: Mapping[str, tuple[Segment, ...]] | None = None) -> None:
        self._by_protocol: dict[str, tuple[Segment, ...]] = {
            protocol: segments for protocol, segments in (by_protocol or {}).items() if segments}
        self._addresses: Addresses | None = None

    @staticmethod
    def _wrap(by_protocol: dict[str, tuple[Segment, ...]]) -> BoxSet:
        """A set from segments the caller already knows are canonical and non-empty (the operations' results)."""
        box = BoxSet.__new__(BoxSet)
        box._by_protocol = by_protocol
        box._addresses = None
        return box

    @staticmethod
    def of(protocols: Iterable[str], ports: Iterable[tuple[int, int]], addresses: Addresses) -> BoxSet:
        """Every port of ``ports`` on every protocol of ``protocols`` (tcp/udp only) to ``addresses``."""
        if not addresses:
            return EMPTY
        if addresses is ANYWHERE:  # a rule's services: few distinct ones in a whole estate, so built once each
            key = (tuple(protocols), tuple(ports))
            box = _SERVICES.get(key)
            if box is None:
                if len(_SERVICES) >= _CACHE_SIZE:
                    _SERVICES.clear()
                box = _SERVICES[key] = BoxSet._build(*key, addresses)
            return box
        return BoxSet._build(protocols, ports, addresses)

    @staticmethod
    def _build(protocols: Iterable[str], ports: Iterable[tuple[int, int]], addresses: Addresses) -> BoxSet:
        segments = tuple((lo, hi, addresses) for lo, hi in _merge_ranges(ports))
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
        if not other._by_protocol or self == other:
            return self
        if not self._by_protocol:
            return other
        return self._apply(other, _union, keep_one_sided=True)

    def __and__(self, other: BoxSet) -> BoxSet:
        if not self._by_protocol or not other._by_protocol:
            return EMPTY
        return self._apply(other, _intersection, keep_one_sided=False)

    def __sub__(self, other: BoxSet) -> BoxSet:
        if not self._by_protocol or not other._by_protocol:
            return self
        return self._apply(other, _difference, keep_one_sided=None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoxSet) and self._by_protocol == other._by_protocol

    def __hash__(self) -> int:
        return hash(tuple((protocol, lo, hi) for protocol, segments in sorted(self._by_protocol.items())
                          for lo, hi, _ in segments))

    def restrict(self, addresses: Addresses) -> BoxSet:
        """The part of the set whose address is in ``addresses``."""
        if not addresses or not self._by_protocol:
            return EMPTY
        if all(ips is ANYWHERE for segments in self._by_protocol.values() for _, _, ips in segments):
            # A rule's services (any address) restricted to its destinations, the usual call: the segments keep
            # their ports and take ``addresses``; canonical already (no two adjacent segments had equal sets).
            return BoxSet._wrap({protocol: tuple((lo, hi, addresses) for lo, hi, _ in segments)
                                 for protocol, segments in self._by_protocol.items()})
        met: dict[Addresses, Addresses] = {}  # segments usually share one address set: intersect it once
        result: dict[str, tuple[Segment, ...]] = {}
        for protocol, segments in self._by_protocol.items():
            pieces = []
            for lo, hi, ips in segments:
                kept = met.get(ips)
                if kept is None:
                    kept = met[ips] = ips & addresses
                pieces.append((lo, hi, kept))
            normalized = _normalize(pieces)
            if normalized:
                result[protocol] = normalized
        return BoxSet._wrap(result) if result else EMPTY

    def addresses(self) -> Addresses:
        """Every address the set reaches on some protocol and port (computed once)."""
        if self._addresses is None:
            result = EMPTY_ADDRESSES
            for segments in self._by_protocol.values():
                for _, _, addresses in segments:
                    result = result | addresses
            self._addresses = result
        return self._addresses

    def ports(self, protocol: str) -> tuple[tuple[int, int], ...]:
        """The merged port ranges of ``protocol`` that reach at least one address."""
        return _merge_ranges((lo, hi) for lo, hi, _ in self.segments(protocol))

    def __repr__(self) -> str:
        parts = [f"{protocol} {lo}-{hi} {cidr_texts(ips)}"
                 for protocol, segments in self._by_protocol.items() for lo, hi, ips in segments]
        return f"BoxSet({'; '.join(parts)})"

    def _apply(self, other: BoxSet, op: _Op, keep_one_sided: bool | None) -> BoxSet:
        """``op`` per protocol. Where only one side has the protocol, the result is known without combining:
        ``keep_one_sided`` True (union) keeps either side, False (intersection) drops it, None (difference)
        keeps the left side only."""
        result: dict[str, tuple[Segment, ...]] = {}
        for protocol in PROTOCOLS:
            a, b = self.segments(protocol), other.segments(protocol)
            if a and b:
                combined = a if a == b and op is _union else _combine(a, b, op)
                if combined:
                    result[protocol] = combined
            elif keep_one_sided or (keep_one_sided is None and a):
                result[protocol] = a or b
        return BoxSet._wrap(result) if result else EMPTY




def _merge_ranges(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


_NOTHING: Final = EMPTY_ADDRESSES


def _union(a: Addresses, b: Addresses) -> Addresses:
    return a | b


def _intersection(a: Addresses, b: Addresses) -> Addresses:
    return a & b


def _difference(a: Addresses, b: Addresses) -> Addresses:
    return a - b


def _combine(a: tuple[Segment, ...], b: tuple[Segment, ...], op: _Op) -> tuple[Segment, ...]:
    """``op`` over every elementary port interval between the segment boundaries of ``a`` and ``b``, walking both
    (sorted) segment lists once; canonical result."""
    points = sorted({point for lo, hi, _ in a for point in (lo, hi + 1)}
                    | {point for lo, hi, _ in b for point in (lo, hi + 1)})
    out: list[Segment] = []
    i = j = 0
    for lo, nxt in pairwise(points):
        while i < len(a) and a[i][1] < lo:
            i += 1
        while j < len(b) and b[j][1] < lo:
            j += 1
        left = a[i][2] if i < len(a) and a[i][0] <= lo else _NOTHING
        right = b[j][2] if j < len(b) and b[j][0] <= lo else _NOTHING
        if op is _intersection:
            addresses = left & right if left and right else _NOTHING
        elif op is _difference:
            addresses = left - right if left and right else left
        else:
            addresses = (left | right) if left and right else (left or right)
        if not addresses:
            continue
        if out and out[-1][1] == lo - 1 and out[-1][2] == addresses:
            out[-1] = (out[-1][0], nxt - 1, addresses)
        else:
            out.append((lo, nxt - 1, addresses))
    return tuple(out)


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
