"""The pure Network Firewall planning: capacity with headroom, and stable, unique sids."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalk_policy.catalog import load_catalog
from chalk_policy.planning import PlanError, plan
from chalk_policy.planning.network_firewall import (
    SID_BASE,
    SID_SPAN,
    FirewallRule,
    capacity,
    domain_rule_count,
    media_rules,
    reserve,
    stable_sids,
)

CATALOG = load_catalog()


def test_domain_list_rules_are_one_per_host_and_type_plus_one_per_type() -> None:
    assert domain_rule_count(17) == 36
    assert domain_rule_count(99, target_types=1) == 100  # the measured limit: 99 HTTP_HOST domains in 100


@pytest.mark.parametrize(("rules", "expected"), [(0, 100), (1, 100), (36, 100), (50, 100), (51, 200), (87, 200),
                                                 (500, 1000), (14_999, 30_000)])
def test_reserve_doubles_rounds_up_to_100_and_keeps_a_floor(rules: int, expected: int) -> None:
    assert reserve(rules) == expected


def test_reserve_rejects_what_aws_would() -> None:
    with pytest.raises(PlanError, match=r"^capacity: 30200 units \(15100 rules x 2\) exceed a stateful rule group; "
                                        r"allowed: at most 30000"):
        reserve(15_100)
    with pytest.raises(PlanError, match=r"^capacity headroom: 0.5 is not a factor; allowed: a number of at least 1$"):
        reserve(10, headroom=0.5)
    with pytest.raises(PlanError, match=r"^capacity minimum: 0 is not a capacity"):
        reserve(10, minimum=0)


@pytest.mark.parametrize(("regions", "option", "hosts", "media"), [
    (["jp1", "us2"], 1, (36, 100), (18, 100)),
    ("all", 1, (52, 200), (87, 200)),
    ("all", 3, (52, 200), (87, 200)),
    (["jp1"], 2, (32, 100), (9, 100)),
])
def test_capacity_of_the_two_rule_groups(regions: object, option: int, hosts: tuple[int, int],
                                         media: tuple[int, int]) -> None:
    sizes = capacity(plan(CATALOG, regions, option))  # type: ignore[arg-type]
    assert (sizes.hosts_rules, sizes.hosts) == hosts
    assert (sizes.media_rules, sizes.media) == media


def test_capacity_covers_every_selection_with_room_to_grow() -> None:
    for option in CATALOG.option_ids:
        for region in CATALOG.region_ids:
            chalk_plan = plan(CATALOG, [region], option)
            sizes = capacity(chalk_plan)
            assert sizes.hosts >= 2 * sizes.hosts_rules and sizes.media >= 2 * sizes.media_rules


def test_media_rules_are_the_plan() -> None:
    chalk_plan = plan(CATALOG, ["jp1", "us2"], 1)
    rules = media_rules(chalk_plan)
    assert {(r.protocol.value, r.cidr, r.destination_port) for r in rules} == {
        (m.protocol.value, cidr, str(m.ports).replace("-", ":")) for m in chalk_plan.media_rules for cidr in
        chalk_plan.cidrs}
    assert len(rules) == 18
    assert all(isinstance(rule, FirewallRule) and rule.key.startswith("udp-") for rule in rules)
    assert {rule.destination_port for rule in rules} == {"443", "3478", "10000:60000"}


def test_sids_are_deterministic_and_independent_of_the_selection() -> None:
    everything = {rule.key: rule.sid for rule in media_rules(plan(CATALOG, "all", 1))}
    for region in CATALOG.region_ids:
        for rule in media_rules(plan(CATALOG, [region], 1)):
            assert everything[rule.key] == rule.sid
    assert stable_sids(["udp-443-13.115.244.0-27"]) == stable_sids(["udp-443-13.115.244.0-27"])
    # Pinned: a sid must not change between releases (alerts and logs refer to it).
    assert stable_sids(["udp-443-13.115.244.0-27"])["udp-443-13.115.244.0-27"] == 1_225_609


@given(st.sets(st.text(min_size=1, max_size=30), max_size=300))
def test_sids_are_unique_and_in_range(keys: set[str]) -> None:
    sids = stable_sids(keys)
    assert set(sids) == keys
    assert len(set(sids.values())) == len(keys)
    assert all(SID_BASE <= sid < SID_BASE + SID_SPAN for sid in sids.values())
    assert stable_sids(sorted(keys, reverse=True)) == sids  # order of the input does not matter


def test_colliding_sids_are_probed_deterministically(monkeypatch: pytest.MonkeyPatch) -> None:
    import chalk_policy.planning.network_firewall as nfw

    monkeypatch.setattr(nfw, "SID_SPAN", 3)
    sids = nfw.stable_sids(["a", "b", "c"])
    assert sorted(sids.values()) == [SID_BASE, SID_BASE + 1, SID_BASE + 2]
    assert nfw.stable_sids(["c", "b", "a"]) == sids
    with pytest.raises(PlanError, match=r"^sids: 4 rules do not fit; allowed: at most 3$"):
        nfw.stable_sids(["a", "b", "c", "d"])
