"""Properties of the planner over random valid catalogs (built as raw YAML and validated like any file)."""

from __future__ import annotations

import copy
from typing import Any

import netaddr
from hypothesis import given, settings
from hypothesis import strategies as st

from chalk_policy.catalog import Catalog, validate_catalog
from chalk_policy.planning import PortRange, aws_budget, azure_budget, plan

FAST = settings(max_examples=60, deadline=None)
HOST_POOL = ("api.example.com", "login.example.com", "media.example.net", "a-b.example.org", "x1.example.io")
EVIDENCE = st.sampled_from(["retrieved", "seed", "inferred"])


def fact(draw: st.DrawFn) -> dict[str, str]:
    return {"source": "src", "evidence": draw(EVIDENCE)}


@st.composite
def raw_catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid catalog: random region ids, non-overlapping IPv4 ranges in 10.0.0.0/18, random port options.

    Each range is a whole /24 or an aligned sub-block of a distinct /24 drawn from 64 neighbours, so ranges never
    overlap but are often adjacent (and then merge).
    """
    region_ids = draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{1,3}", fullmatch=True), min_size=1, max_size=5,
                               unique=True))
    counts = [draw(st.integers(1, 4)) for _ in region_ids]
    blocks = draw(st.lists(st.integers(0, 63), min_size=sum(counts), max_size=sum(counts), unique=True))
    networks = []
    for block in blocks:
        prefix = draw(st.sampled_from([24, 24, 25, 26]))
        index = draw(st.integers(0, 2 ** (prefix - 24) - 1))
        networks.append(f"10.0.{block}.{index * 2 ** (32 - prefix)}/{prefix}")
    regions, start = [], 0
    for region_id, count in zip(region_ids, counts):
        regions.append({
            "id": region_id,
            "name": f"Region {region_id}",
            "media_host": {"host": f"{region_id}.media.example.com", **fact(draw)},
            "annotation_proxy": draw(st.sampled_from([None, "p1", "p2"])),
            "cidrs": [{"cidr": cidr, **fact(draw)} for cidr in networks[start:start + count]],
        })
        if regions[-1]["annotation_proxy"] is not None:
            regions[-1]["annotation_proxy"] = {"id": regions[-1]["annotation_proxy"], **fact(draw)}
        start += count

    option_ids = draw(st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True))
    options = []
    recommended = draw(st.sampled_from([None, *option_ids]))  # at most one option is recommended
    for option_id in option_ids:
        rules = []
        for _ in range(draw(st.integers(1, 3))):
            low = draw(st.integers(1, 65535))
            high = min(65535, low + draw(st.sampled_from([0, 0, 1, 100, 50000])))
            rules.append({"protocol": draw(st.sampled_from(["udp", "tcp"])), "from_port": low, "to_port": high,
                          "twilio_documented": draw(st.booleans())})
        options.append({"id": option_id, "name": f"Option {option_id}", "recommended": option_id == recommended,
                        "quality": "some", "rules": rules, **fact(draw)})

    return {
        "schema": 1,
        "version": "2026120101",
        "sources": {"src": {"url": "https://example.com", "title": "Example"}},
        "port_options": options,
        "encryption_modes": [
            {"id": "standard", "name": "Standard", "peer_to_peer": False, "description": "via servers", **fact(draw)},
            {"id": "e2ee", "name": "E2EE", "peer_to_peer": True, "description": "peer to peer", **fact(draw)},
        ],
        "hosts": [{"host": host, "role": draw(st.sampled_from(["authentication", "chalk-cloud", "audio-video"])),
                   **fact(draw)}
                  for host in draw(st.lists(st.sampled_from(HOST_POOL), min_size=1, max_size=4, unique=True))],
        "annotation_proxies": [
            {"id": "p1", "host": "proxy-one.example.com", "area": "One", **fact(draw)},
            {"id": "p2", "host": "proxy-two.example.com", "area": "Two", **fact(draw)},
        ],
        "regions": regions,
    }


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], Catalog, list[str], int, str]:
    raw = draw(raw_catalogs())
    catalog = validate_catalog(raw, "random.yaml")
    selection = draw(st.lists(st.sampled_from(catalog.region_ids), min_size=1, unique=True))
    option_id = draw(st.sampled_from(catalog.option_ids))
    encryption = draw(st.sampled_from(["standard", "e2ee"]))
    return raw, catalog, selection, option_id, encryption


@FAST
@given(scenarios())
def test_every_required_range_and_port_is_covered_by_a_media_rule(scenario: Any) -> None:
    _, catalog, selection, option_id, encryption = scenario
    result = plan(catalog, selection, option_id, encryption)

    for region_id in selection:
        for entry in catalog.region(region_id).cidrs:
            for rule in catalog.port_option(option_id).rules:
                needed = PortRange(rule.from_port, rule.to_port)
                assert any(
                    media.protocol is rule.protocol and media.ports.covers(needed)
                    and any(entry.network in netaddr.IPNetwork(d.cidr) and region_id in d.regions
                            for d in media.destinations)
                    for media in result.media_rules
                ), (region_id, entry.cidr, rule)


@FAST
@given(scenarios())
def test_the_plan_allows_nothing_outside_the_selected_ranges_and_option_ports(scenario: Any) -> None:
    _, catalog, selection, option_id, encryption = scenario
    result = plan(catalog, selection, option_id, encryption)

    option_ports = {(r.protocol, PortRange(r.from_port, r.to_port)) for r in catalog.port_option(option_id).rules}
    assert {(m.protocol, m.ports) for m in result.media_rules} == option_ports
    selected = netaddr.IPSet(entry.network for rid in selection for entry in catalog.region(rid).cidrs)
    allowed = netaddr.IPSet(netaddr.IPNetwork(d.cidr) for m in result.media_rules for d in m.destinations)
    assert allowed == selected
    for destination in result.destinations:
        owners = netaddr.IPSet(e.network for rid in destination.regions for e in catalog.region(rid).cidrs)
        assert set(destination.regions) <= set(selection)
        assert netaddr.IPSet([destination.cidr]) <= owners
    assert all(m.destinations == result.destinations for m in result.media_rules)
    assert len(result.cidrs) == len(set(result.cidrs))
    assert result.regions == tuple(sorted(selection))


@FAST
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_catalog_ordering(scenario: Any, rnd: Any) -> None:
    raw, catalog, selection, option_id, encryption = scenario
    shuffled = copy.deepcopy(raw)
    rnd.shuffle(shuffled["regions"])
    for entry in shuffled["regions"]:
        rnd.shuffle(entry["cidrs"])
    rnd.shuffle(shuffled["hosts"])
    rnd.shuffle(shuffled["port_options"])
    other = validate_catalog(shuffled, "shuffled.yaml")

    assert plan(other, selection, option_id, encryption) == plan(catalog, selection, option_id, encryption)
    before, after = plan(catalog, selection, option_id), plan(other, selection, option_id)
    assert aws_budget(other, after, 60) == aws_budget(catalog, before, 60)
    assert azure_budget(after) == azure_budget(before)


@FAST
@given(scenarios(), st.data())
def test_aws_shards_respect_the_quota_and_adding_a_region_moves_no_rule(scenario: Any, data: st.DataObject) -> None:
    _, catalog, selection, option_id, _ = scenario
    result = plan(catalog, selection, option_id)
    per_range = len(result.media_rules)
    quota = data.draw(st.integers(per_range + 2, 60), label="quota")

    budget = aws_budget(catalog, result, quota)

    for group in budget.groups:
        assert len(group.rules) + (budget.reserved if group.shard == 1 else 0) <= quota
    assert budget.rule_count == len(result.destinations) * per_range
    assert [g.shard for g in budget.groups] == sorted({g.shard for g in budget.groups})

    extra = data.draw(st.sampled_from(catalog.region_ids), label="added region")
    bigger = aws_budget(catalog, plan(catalog, [*selection, extra], option_id), quota)
    shard_before = {rule.key: group.shard for group in budget.groups for rule in group.rules}
    shard_after = {rule.key: group.shard for group in bigger.groups for rule in group.rules}
    assert {key: shard_after[key] for key in shard_before.keys() & shard_after.keys()} == {
        key: shard_before[key] for key in shard_before.keys() & shard_after.keys()}
    for group in bigger.groups:
        assert len(group.rules) + (bigger.reserved if group.shard == 1 else 0) <= quota


@FAST
@given(scenarios())
def test_azure_priorities_depend_only_on_rule_roles(scenario: Any) -> None:
    _, catalog, selection, option_id, encryption = scenario
    small = azure_budget(plan(catalog, selection[:1], option_id, encryption))
    full = azure_budget(plan(catalog, "all", option_id, encryption))

    assert [(r.name, r.priority) for r in small.rules] == [(r.name, r.priority) for r in full.rules]
    assert len({r.priority for r in full.rules}) == len(full.rules)
