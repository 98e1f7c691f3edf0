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

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Final

import netaddr

Span = tuple[int, int]
LAST_IPV4: Final = (1 << 32) - 1
_EVERY_SPAN: Final = ((0, LAST_IPV4),)


class Addresses:
    """An immutable set of IPv4 addresses."""

    __slots__ = ("_ends", "_hash", "spans")

    spans: tuple[Span, ...]
    """Sorted, disjoint, non-adjacent ``(first, last)`` address integers, both ends included."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.spans = _canonical(spans)
        self._hash: int | None = None
        self._ends: tuple[int, ...] | None = None

    @classmethod
    def _of(cls, spans: tuple[Span, ...]) -> Addresses:
        """Wrap spans that are already canonical (the operations' results)."""
        result = cls.__new__(cls)
        result.spans = spans
        result._hash = None
        result._ends = None
        return result

    def ends(self) -> tuple[int, ...]:
        """The spans' last addresses, for bisection (computed once per set)."""
        if self._ends is None:
            self._ends = tuple(last for _, last in self.spans)
        return self._ends

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
        a, b = self.spans, other.spans
        if len(a) == 1 and len(b) == 1:  # the common case (a rule's destinations, one by one): no sort
            (first, last), (other_first, other_last) = (a[0], b[0]) if a[0] <= b[0] else (b[0], a[0])
            if other_first <= last + 1:
                return Addresses._of(((first, max(last, other_last)),))
            return Addresses._of(((first, last), (other_first, other_last)))
        return Addresses._of(_canonical(sorted(a + b), presorted=True))

    def __and__(self, other: Addresses) -> Addresses:
        a, b = self.spans, other.spans
        if not a or not b:
            return EMPTY_ADDRESSES
        if a == b or b == _EVERY_SPAN:
            return self
        if a == _EVERY_SPAN:
            return other
        if len(a) * 8 < len(b) or len(b) * 8 < len(a):
            return Addresses._of(_small_and_large(self, other) if len(a) < len(b) else _small_and_large(other, self))
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

    def intersects(self, other: Addresses) -> bool:
        """Whether the sets share an address (cheaper than ``bool(a & b)``: it stops at the first one)."""
        small, large = (self, other) if len(self.spans) <= len(other.spans) else (other, self)
        spans, ends = large.spans, large.ends()
        for first, last in small.spans:
            index = bisect_left(ends, first)  # the first span of ``large`` that ends at or after ``first``
            if index < len(spans) and spans[index][0] <= last:
                return True
        return False

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


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:/(3[0-2]|[12]?[0-9]))?")


def canonical_span(text: str) -> Span | None:
    """``a.b.c.d`` or ``a.b.c.d/n`` in canonical decimal form (no leading zeros, octets <= 255, n <= 32) -> its
    span, host bits ignored; None for anything else, which the caller parses with netaddr. A fast path only:
    a preview holds tens of thousands of CIDRs, and this reads them several times faster than
    ``netaddr.IPNetwork`` (tests/coverage/test_addresses.py checks it against netaddr)."""
    match = _CANONICAL.fullmatch(text)
    if match is None:
        return None
    a, b, c, d, prefix = match.groups()
    value = int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
    size = 1 << (32 - (int(prefix) if prefix is not None else 32))
    first = value & ~(size - 1)
    return first, first + size - 1


def _span(network: str | netaddr.IPNetwork | netaddr.IPAddress) -> Span:
    parsed = netaddr.IPNetwork(network) if not isinstance(network, netaddr.IPNetwork) else network
    if parsed.version != 4:
        raise ValueError(f"{network} is not an IPv4 address or network")
    return parsed.first, parsed.last


def _small_and_large(small: Addresses, large: Addresses) -> tuple[Span, ...]:
    """``small & large`` by bisecting into ``large`` once per span of ``small``."""
    spans, ends = large.spans, large.ends()
    out: list[Span] = []
    for first, last in small.spans:
        index = bisect_left(ends, first)
        while index < len(spans) and spans[index][0] <= last:
            low, high = max(first, spans[index][0]), min(last, spans[index][1])
            out.append((low, high))
            index += 1
    return tuple(out)


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
