"""Addresses (integer intervals) against netaddr.IPSet, the reference: same sets, same CIDRs, on generated input."""

from __future__ import annotations

import netaddr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalk_policy.coverage.addresses import EMPTY_ADDRESSES, Addresses, canonical_span

# Small address space corners and the whole range, so overlaps, adjacency and /0 all occur often.
network = st.builds(lambda base, prefix: str(netaddr.IPNetwork((base, prefix), version=4).cidr),
                    st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 2**24, 2**31, 2**32 - 256])),
                    st.integers(0, 32))
networks = st.lists(network, max_size=8)


def both(texts: list[str]) -> tuple[Addresses, netaddr.IPSet]:
    return Addresses.of(*texts), netaddr.IPSet(texts)


def same(ours: Addresses, reference: netaddr.IPSet) -> None:
    assert [str(cidr) for cidr in ours.iter_cidrs()] == [str(cidr) for cidr in reference.iter_cidrs()]
    assert ours.size == reference.size
    assert bool(ours) == bool(reference)


@settings(max_examples=300)
@given(networks, networks)
def test_operations_match_netaddr(left: list[str], right: list[str]) -> None:
    (a, ref_a), (b, ref_b) = both(left), both(right)
    same(a, ref_a)
    same(a | b, ref_a | ref_b)
    same(a & b, ref_a & ref_b)
    same(a - b, ref_a - ref_b)
    assert a.issubset(b) == ref_a.issubset(ref_b)
    assert (a == b) == (ref_a == ref_b)


@given(networks, network)
def test_containment_of_a_whole_network(texts: list[str], probe: str) -> None:
    ours, reference = both(texts)
    assert (netaddr.IPNetwork(probe) in ours) == (netaddr.IPNetwork(probe) in reference)


@given(networks)
def test_shortest_prefix(texts: list[str]) -> None:
    ours, reference = both(texts)
    assert ours.shortest_prefix() == min((cidr.prefixlen for cidr in reference.iter_cidrs()), default=None)


def test_equal_sets_hash_equal_and_empty_is_falsy() -> None:
    assert Addresses.of("10.0.0.0/25", "10.0.0.128/25") == Addresses.of("10.0.0.0/24")
    assert hash(Addresses.of("10.0.0.0/25", "10.0.0.128/25")) == hash(Addresses.of("10.0.0.0/24"))
    assert not EMPTY_ADDRESSES and not (Addresses.of("10.0.0.0/8") - Addresses.of("0.0.0.0/0"))


def test_ipv6_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IPv4"):
        Addresses.of("2001:db8::/32")


quad_text = st.one_of(
    st.builds(lambda value, prefix, slash: str(netaddr.IPAddress(value, 4)) + (f"/{prefix}" if slash else ""),
              st.integers(0, 2**32 - 1), st.integers(0, 32), st.booleans()),
    st.text(alphabet="0123456789./x ", max_size=20),
    st.sampled_from(["010.1.2.3", "1.2.3", "1.2.3.4/33", "1.2.3.4/08", "256.1.1.1", "1.2.3.4/", "\u0661.2.3.4",
                     "0.0.0.0/0"]),
)


@settings(max_examples=500)
@given(quad_text)
def test_the_fast_path_reads_what_netaddr_reads(text: str) -> None:
    """canonical_span is only a fast path: where it answers, netaddr gives the same network."""
    span = canonical_span(text)
    if span is None:
        return
    network = netaddr.IPNetwork(text)
    assert span == (network.first, network.last)


def test_the_fast_path_declines_what_it_does_not_read() -> None:
    assert canonical_span("010.1.2.3") is None  # netaddr refuses leading zeros; the slow path reports it
    assert canonical_span("10.0.0.1/33") is None
    network = netaddr.IPNetwork("10.1.2.0/24")
    assert canonical_span("10.1.2.3/24") == (network.first, network.last)


many_spans = st.lists(st.integers(0, 2**23 - 1), min_size=20, max_size=60, unique=True).map(
    lambda starts: [str(netaddr.IPNetwork((start * 512, 24), version=4)) for start in starts])
"""Up to 60 /24s that are never adjacent (every other /24), so the set keeps 20 or more spans."""


@settings(max_examples=300)
@given(st.lists(network, min_size=1, max_size=2), many_spans)
def test_small_against_large_sets(left: list[str], right: list[str]) -> None:
    """The bisecting paths (one side 8x the other) give what netaddr gives."""
    (a, ref_a), (b, ref_b) = both(left), both(right)
    assert len(b.spans) > 8 * len(a.spans)  # the path under test is taken
    same(a & b, ref_a & ref_b)
    same(b & a, ref_b & ref_a)
    assert a.intersects(b) == bool(ref_a & ref_b) == b.intersects(a)



@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_the_fast_path_reads_every_canonical_cidr(value: int, prefix: int) -> None:
    text = f"{netaddr.IPAddress(value, 4)}/{prefix}"
    network = netaddr.IPNetwork(text)
    assert canonical_span(text) == (network.first, network.last)
    assert canonical_span(str(netaddr.IPAddress(value, 4))) == (value, value)
