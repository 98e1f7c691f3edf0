"""The planner's sweeps (merged destinations, AWS shards) equal the pair-by-pair definitions they replaced, and a
catalog of many regions and ranges is planned without comparing every range with every other."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import raw_catalogs

from chalk_policy.catalog import Catalog, validate_catalog
from chalk_policy.planning import aws_budget, plan
from chalk_policy.planning.budgets import AWS_RESERVED_RULES
from chalk_policy.planning.plan import Destination, Plan, merge_destinations


def pairwise_destinations(catalog: Catalog, region_ids: tuple[str, ...]) -> tuple[Destination, ...]:
    """Each merged network with the regions of every range inside it, found by testing every range against it."""
    owned = [(ipaddress.IPv4Network(entry.cidr), region_id) for region_id in region_ids
             for entry in next(r for r in catalog.regions if r.id == region_id).cidrs]
    merged = ipaddress.collapse_addresses(network for network, _ in owned)
    return tuple(Destination(str(network), tuple(sorted({region for net, region in owned if net.subnet_of(network)})))
                 for network in sorted(merged))


def first_fit_shards(catalog: Catalog, chalk_plan: Plan, quota: int) -> tuple[dict[str, int], int]:
    """The shard of each destination and the number of shards: first fit over every shard for every unit, and a
    destination's shard looked up by testing every unit."""
    per_range = len(chalk_plan.media_rules)
    units = sorted((region.id, ipaddress.IPv4Network(entry.cidr)) for region in catalog.regions
                   for entry in region.cidrs)
    free: list[int] = []
    shard_of: list[tuple[ipaddress.IPv4Network, int]] = []
    for _, network in units:
        shard = next((i for i, room in enumerate(free) if room >= per_range), None)
        if shard is None:
            free.append(quota - (AWS_RESERVED_RULES if not free else 0))
            shard = len(free) - 1
        free[shard] -= per_range
        shard_of.append((network, shard + 1))
    found = {d.cidr: next(s for unit, s in shard_of if unit.subnet_of(ipaddress.IPv4Network(d.cidr)))
             for d in chalk_plan.destinations}
    return found, len(free)


@given(raw_catalogs(), st.data())
@settings(max_examples=80, deadline=None)
def test_destinations_and_shards_equal_the_pairwise_definitions(raw: dict[str, Any], data: st.DataObject) -> None:
    catalog = validate_catalog(raw, "random.yaml")
    region_ids = tuple(sorted(data.draw(st.sets(st.sampled_from(catalog.region_ids), min_size=1))))
    chalk_plan = plan(catalog, region_ids, catalog.option_ids[0])
    quota = data.draw(st.integers(len(chalk_plan.media_rules) + AWS_RESERVED_RULES, 12))

    assert merge_destinations(catalog, region_ids) == pairwise_destinations(catalog, region_ids)
    budget = aws_budget(catalog, chalk_plan, quota)
    shards, count = first_fit_shards(catalog, chalk_plan, quota)
    assert budget.shards == count
    assert {rule.cidr: group.shard for group in budget.groups for rule in group.rules} == shards


def test_a_catalog_of_thousands_of_regions_and_ranges_is_planned() -> None:
    """500 regions of 32 ranges: 16,000 ranges, looked up and merged without a scan per region or per range."""
    catalog = validate_catalog(_many_regions(500, 32), "many.yaml")

    chalk_plan = plan(catalog, "all", 1)
    budget = aws_budget(catalog, chalk_plan, 60)

    assert len(chalk_plan.regions) == 500
    assert len(chalk_plan.destinations) == 500  # each region's 32 adjacent /27s merge into a /22; regions apart
    assert budget.rule_count == 500 * len(chalk_plan.media_rules)


def _many_regions(regions: int, per_region: int) -> dict[str, Any]:
    from chalk_testkit import new_region, shipped_raw

    raw: dict[str, Any] = shipped_raw()
    raw["regions"] = []
    for r in range(regions):
        base = (10 << 24) + r * 4096  # a /20 per region: adjacent /27s from its start, then a gap
        cidrs = [str(ipaddress.IPv4Network((base + c * 32, 27))) for c in range(per_region)]
        raw["regions"].append(new_region(f"r{r}", cidrs))
    return raw
