"""IPv4 address sets as sorted, disjoint integer intervals: the engine's address side.

:class:`Addresses` replaces ``netaddr.IPSet`` inside the engine. An IPSet keeps a dict of ``IPNetwork`` objects
and re-merges them through sorted object comparisons on every union, intersection and difference; the engine
does hundreds of thousands of those per large stack (issue 14's profile: 70% of a 10k-resource check was IPSet
arithmetic). Here a set is a tuple of ``(first, last)`` integers, kept canonical (sorted, disjoint, never
adjacent), so every operation is one linear merge of two small tuples and equality is tuple equality.

netaddr still does what it is good at: parsing text (:func:`parse_network`) and giving ``IPNetwork`` objects for
messages (:meth:`Addresses.iter_cidrs`). ``tests/coverage/test_addresses.py`` checks every operation against
``netaddr.IPSet`` on generated sets.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Final

import netaddr

Span = tuple[int, int]
LAST_IPV4: Final = (1 << 32) - 1
_EVERY_SPAN: Final = ((0, LAST_IPV4),)


class Addresses:
    """An immutable set of IPv4 addresses."""

    __slots__ = ("_hash", "spans")

    spans: tuple[Span, ...]
    """Sorted, disjoint, non-adjacent ``(first, last)`` address integers, both ends included."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.spans = _canonical(spans)
        self._hash: int | None = None

    @classmethod
    def _of(cls, spans: tuple[Span, ...]) -> Addresses:
        """Wrap spans that are already canonical (the operations' results)."""
        result = cls.__new__(cls)
        result.spans = spans
        result._hash = None
        return result

    @classmethod
    def between(cls, first: int, last: int) -> Addresses:
        """Every address from ``first`` to ``last`` (integers, both included)."""
        return cls._of(((first, last),) if first <= last else ())

    @classmethod
    def of(cls, *networks: str | netaddr.IPNetwork) -> Addresses:
        """``Addresses.of("10.0.0.0/8", "192.0.2.1")``: host bits are ignored, as the clouds do."""
        return cls(_span(network) for network in networks)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Addresses) and self.spans == other.spans

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.spans)
        return self._hash

    def __or__(self, other: Addresses) -> Addresses:
        if not other.spans or self.spans == other.spans:
            return self
        if not self.spans:
            return other
        return Addresses._of(_canonical(heapq.merge(self.spans, other.spans), presorted=True))

    def __and__(self, other: Addresses) -> Addresses:
        a, b = self.spans, other.spans
        if not a or not b:
            return EMPTY_ADDRESSES
        if a == b or b == _EVERY_SPAN:
            return self
        if a == _EVERY_SPAN:
            return other
        out: list[Span] = []
        i = j = 0
        while i < len(a) and j < len(b):
            first = max(a[i][0], b[j][0])
            last = min(a[i][1], b[j][1])
            if first <= last:
                out.append((first, last))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return Addresses._of(tuple(out))

    def __sub__(self, other: Addresses) -> Addresses:
        a, b = self.spans, other.spans
        if not a or not b:
            return self
        out: list[Span] = []
        j = 0
        for first, last in a:
            while j < len(b) and b[j][1] < first:
                j += 1
            k = j
            while k < len(b) and b[k][0] <= last:
                if b[k][0] > first:
                    out.append((first, b[k][0] - 1))
                first = max(first, b[k][1] + 1)
                if first > last:
                    break
                k += 1
            if first <= last:
                out.append((first, last))
        return Addresses._of(tuple(out))

    def issubset(self, other: Addresses) -> bool:
        return not (self - other)

    def __contains__(self, item: object) -> bool:
        """Whether a whole network (``IPNetwork``, ``IPAddress`` or text) lies in the set."""
        if isinstance(item, (netaddr.IPNetwork, netaddr.IPAddress, str)):
            first, last = _span(item)
            return any(lo <= first and last <= hi for lo, hi in self.spans)
        return False

    @property
    def size(self) -> int:
        return sum(last - first + 1 for first, last in self.spans)

    def cidr_blocks(self) -> Iterator[tuple[int, int]]:
        """The set as the fewest CIDR blocks, ``(network integer, prefix length)``, in address order."""
        for first, last in self.spans:
            while first <= last:
                size = first & -first if first else 1 << 32
                while size > last - first + 1:
                    size >>= 1
                yield first, 32 - size.bit_length() + 1
                first += size

    def iter_cidrs(self) -> list[netaddr.IPNetwork]:
        """The set as the fewest CIDRs, in address order (what ``netaddr.IPSet.iter_cidrs`` gives)."""
        return [netaddr.IPNetwork((network, prefix), version=4) for network, prefix in self.cidr_blocks()]

    def shortest_prefix(self) -> int | None:
        return min((prefix for _, prefix in self.cidr_blocks()), default=None)

    def __repr__(self) -> str:
        return f"Addresses({', '.join(str(cidr) for cidr in self.iter_cidrs())})"


def canonical_span(text: str) -> Span | None:
    """``a.b.c.d`` or ``a.b.c.d/n`` in canonical decimal form (no leading zeros, octets <= 255, n <= 32) -> its
    span, host bits ignored; None for anything else, which the caller parses with netaddr. A fast path only:
    a preview holds tens of thousands of CIDRs, and this reads them ~20x faster than ``netaddr.IPNetwork``
    (tests/coverage/test_addresses.py checks it against netaddr)."""
    address, slash, prefix_text = text.partition("/")
    octets = address.split(".")
    if len(octets) != 4:
        return None
    value = 0
    for octet in octets:
        if not (octet.isdecimal() and octet.isascii()) or len(octet) > 3 or (octet[0] == "0" and len(octet) > 1):
            return None
        number = int(octet)
        if number > 255:
            return None
        value = value << 8 | number
    prefix = 32
    if slash:
        if not (prefix_text.isdecimal() and prefix_text.isascii()) or len(prefix_text) > 2 or (
                prefix_text[0] == "0" and len(prefix_text) > 1):
            return None
        prefix = int(prefix_text)
        if prefix > 32:
            return None
    size = 1 << (32 - prefix)
    first = value & ~(size - 1) & LAST_IPV4
    return first, first + size - 1


def _span(network: str | netaddr.IPNetwork | netaddr.IPAddress) -> Span:
    parsed = netaddr.IPNetwork(network) if not isinstance(network, netaddr.IPNetwork) else network
    if parsed.version != 4:
        raise ValueError(f"{network} is not an IPv4 address or network")
    return parsed.first, parsed.last


def _canonical(spans: Iterable[Span], presorted: bool = False) -> tuple[Span, ...]:
    merged: list[Span] = []
    for first, last in (spans if presorted else sorted(spans)):
        if first > last:
            continue
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


EMPTY_ADDRESSES: Final = Addresses()
