"""The planner: exact egress for a selection, clear errors, netaddr merging, AWS and Azure budgets."""

from __future__ import annotations

import pytest
from chalk_testkit import (
    ALL_CIDRS,
    ALLOWED_REGIONS,
    REGION_IDS,
    RESEARCH_CIDRS,
    catalog_with_regions,
    new_region,
    shipped_raw,
)

from chalk_policy.catalog import Catalog, Encryption, Protocol, load_catalog, validate_catalog
from chalk_policy.planning import (
    AWS_DEFAULT_RULES_PER_GROUP,
    AWS_RESERVED_RULES,
    AzureAccess,
    Destination,
    HostRule,
    MediaRule,
    Plan,
    PlanError,
    PortRange,
    aws_budget,
    azure_budget,
    plan,
    resolve_regions,
)

ALLOWED_REGIONS = ALLOWED_REGIONS
GLOBAL = (
    "accountapi.prod.look.vuforia.com",
    "chalkusageservice.prod.look.vuforia.com",
    "cognito-idp.us-west-2.amazonaws.com",
    "global.vss.twilio.com",
    "loginservice.prod.look.vuforia.com",
    "mobile-endpoint.twilio.com",
    "otc.prod.look.vuforia.com",
    "portalapi.prod.look.vuforia.com",
    "sdkgw.us1.twilio.com",
    "smartproxy.prod.look.vuforia.com",
    "switchboard.prod.look.vuforia.com",
    "usageservice.prod.vuforia.com",
    "vuforiachalk.com",
)
TWILIO_NOTE = ("Twilio also documents global.stun.twilio.com, global.turn.twilio.com (not on PTC's list); they use "
               "the same media ranges, which these rules already allow by address.")
E2EE_NOTE = ("E2EE: clients on one network send media device to device, so the peer rules between Chalk clients are "
             "part of the plan; when a direct path is blocked, sessions relay through the same media ranges and ports.")
SMARTPROXY_NOTE = "smartproxy.prod.look.vuforia.com: avoid stateful packet inspection."
HOST_NOTES = [  # PTC's notes on hosts of every plan, in catalog order
    "vuforiachalk.com: PTC lists this URL; firewalls see the host.",
    SMARTPROXY_NOTE,
    "usageservice.prod.vuforia.com: prod.vuforia.com, not prod.look.vuforia.com.",
    "mobile-endpoint.twilio.com: purpose not documented by Twilio Video.",
]


def texts(result: Plan) -> list[str]:
    return [note.text for note in result.notes]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def media(result: object) -> list[tuple[str, str]]:
    assert hasattr(result, "media_rules")
    return [(rule.protocol.value, str(rule.ports)) for rule in result.media_rules]


# --- exact plans --------------------------------------------------------------------------------------

JP1_US2 = (
    Destination("13.115.244.0/27", ("jp1",)),
    Destination("18.180.220.128/25", ("jp1",)),
    Destination("34.216.110.128/27", ("us2",)),
    Destination("44.234.69.0/25", ("us2",)),
    Destination("54.65.63.192/26", ("jp1",)),
    Destination("54.244.51.0/24", ("us2",)),
)


def test_jp1_us2_option_1_standard_is_exact(catalog: Catalog) -> None:
    result = plan(catalog, "jp1,us2", 1, "standard")

    assert (result.catalog_version, result.regions, result.option) == ("2026120101", ("jp1", "us2"), 1)
    assert (result.encryption, result.peer_to_peer) == (Encryption.STANDARD, False)
    assert result.media_rules == (
        MediaRule(Protocol.UDP, PortRange(443, 443), JP1_US2, twilio_documented=False),
        MediaRule(Protocol.UDP, PortRange(3478, 3478), JP1_US2, twilio_documented=True),
        MediaRule(Protocol.UDP, PortRange(10000, 60000), JP1_US2, twilio_documented=True),
    )
    assert result.hosts == (
        *(HostRule(host, ("jp1", "us2"), "global") for host in GLOBAL),
        HostRule("jp1.vss.twilio.com", ("jp1",), "regional"),
        HostRule("smartproxy-ap-southeast-1.prod.look.vuforia.com", ("jp1",), "regional"),
        HostRule("smartproxy-us-west-2.prod.look.vuforia.com", ("us2",), "regional"),
        HostRule("us2.vss.twilio.com", ("us2",), "regional"),
    )
    assert all((h.protocol, h.port) == (Protocol.TCP, 443) for h in result.hosts)
    assert texts(result) == [
        "UDP 443: listed by PTC, not in Twilio's documentation; the rules allow them as PTC lists them.",
        *HOST_NOTES,
        "Inferred facts (not stated by a source) are used for: us2; see `chalk-policy catalog show`.",
        TWILIO_NOTE,
    ]
    assert [(note.text, note.action) for note in result.notes if note.action] == [
        (SMARTPROXY_NOTE, "exempt TCP 443 to this host from stateful packet inspection and TLS decryption (SSL "
                          "inspection)")]
    assert str(result.notes[0]).endswith("No action needed.") and " ACTION: exempt" in str(result.notes[2])
    assert set(result.cidrs) == set(RESEARCH_CIDRS["jp1"] + RESEARCH_CIDRS["us2"])
    assert result.protocols == (Protocol.UDP,)


def test_region_order_spaces_and_duplicates_do_not_matter(catalog: Catalog) -> None:
    assert plan(catalog, " us2 , jp1,us2,", 1) == plan(catalog, ["jp1", "us2"], 1) == plan(catalog, "jp1,us2", "1")


@pytest.mark.parametrize("words", [
    "de1,ie1", "germany,ireland", "Germany, Ireland", "DE,IE", "de, ie", " GERMANY ,ie1", "Ireland,DE,de1",
])
def test_regions_by_id_name_or_country_in_any_case(catalog: Catalog, words: str) -> None:
    assert resolve_regions(catalog, words) == ("de1", "ie1")


def test_a_country_selects_all_its_regions_and_blanks_in_names_do_not_matter(catalog: Catalog) -> None:
    assert resolve_regions(catalog, "US") == ("us1", "us2")
    assert resolve_regions(catalog, "us  east   coast") == ("us1",)
    assert resolve_regions(catalog, "ALL") == catalog.region_ids


def test_option_2_is_three_udp_ports_with_a_quality_note(catalog: Catalog) -> None:
    result = plan(catalog, "jp1", 2)

    assert media(result) == [("udp", "443"), ("udp", "3478"), ("udp", "5349")]
    assert texts(result)[:2] == ["Option 2 (UDP on three ports) gives good quality; PTC recommends option 1.",
                                 "UDP 443, UDP 5349: listed by PTC, not in Twilio's documentation; the rules allow "
                                 "them as PTC lists them."]


def test_option_3_is_tcp_only(catalog: Catalog) -> None:
    result = plan(catalog, "de1,ie1", 3)

    assert media(result) == [("tcp", "443"), ("tcp", "3478"), ("tcp", "5349")]
    assert result.protocols == (Protocol.TCP,)
    assert texts(result)[:2] == ["Option 3 (TCP only) gives lower quality; PTC recommends option 1.",
                                 "TCP 5349: listed by PTC, not in Twilio's documentation; the rules allow them as "
                                 "PTC lists them."]
    assert set(result.cidrs) == set(RESEARCH_CIDRS["de1"] + RESEARCH_CIDRS["ie1"])


def test_e2ee_sets_peer_to_peer_and_explains_it(catalog: Catalog) -> None:
    standard, e2ee = plan(catalog, "jp1", 1, "standard"), plan(catalog, "jp1", 1, "e2ee")

    assert (e2ee.encryption, e2ee.peer_to_peer) == (Encryption.E2EE, True)
    assert E2EE_NOTE in texts(e2ee) and E2EE_NOTE not in texts(standard)
    assert e2ee.media_rules == standard.media_rules and e2ee.hosts == standard.hosts
    assert plan(catalog, "jp1", 1, Encryption.E2EE) == plan(catalog, "jp1", 1, " E2EE ") == e2ee


def test_brazil_plan_carries_its_gap_and_no_annotation_proxy(catalog: Catalog) -> None:
    result = plan(catalog, "br1", 1)

    assert "br1: PTC lists no South America annotation proxy host." in texts(result)
    assert [h.host for h in result.hosts if h.scope == "regional"] == ["br1.vss.twilio.com"]
    assert not any("Inferred facts" in note for note in texts(result))


def test_regions_sharing_a_proxy_need_it_once(catalog: Catalog) -> None:
    result = plan(catalog, "sg1,jp1,au1", 1)

    regional = [(h.host, h.regions) for h in result.hosts if h.scope == "regional"]
    assert regional == [
        ("au1.vss.twilio.com", ("au1",)),
        ("jp1.vss.twilio.com", ("jp1",)),
        ("sg1.vss.twilio.com", ("sg1",)),
        ("smartproxy-ap-southeast-1.prod.look.vuforia.com", ("au1", "jp1", "sg1")),
    ]


def test_all_regions_give_the_29_catalog_ranges(catalog: Catalog) -> None:
    result = plan(catalog, "all", 1)

    assert result.regions == REGION_IDS
    assert len(result.cidrs) == 29
    assert set(result.cidrs) == ALL_CIDRS
    assert all(len(d.regions) == 1 for d in result.destinations)
    assert len(result.hosts) == 13 + 9 + 3
    assert result == plan(catalog, list(REGION_IDS), 1)


# --- errors -------------------------------------------------------------------------------------------

PLAN_ERRORS = [
    pytest.param(("jp9", 1, "standard"), f"regions: unknown region jp9; {ALLOWED_REGIONS}", id="unknown-region"),
    pytest.param(("zz1,jp1,aa1", 1, "standard"), f"regions: unknown regions aa1, zz1; {ALLOWED_REGIONS}",
                 id="unknown-regions-sorted"),
    pytest.param(("JP9", 1, "standard"), f"regions: unknown region JP9; {ALLOWED_REGIONS}", id="region-upper-case"),
    pytest.param(("", 1, "standard"), f"regions: no region given; {ALLOWED_REGIONS}", id="empty-regions"),
    pytest.param((" , ", 1, "standard"), f"regions: no region given; {ALLOWED_REGIONS}", id="only-commas"),
    pytest.param(([], 1, "standard"), f"regions: no region given; {ALLOWED_REGIONS}", id="empty-list"),
    pytest.param(("all,jp1", 1, "standard"), f"regions: 'all' cannot be combined with other regions; {ALLOWED_REGIONS}",
                 id="all-mixed-with-ids"),
    pytest.param(("jp1", 4, "standard"), "option: 4 is not a port option; allowed: 1, 2, 3", id="option-4"),
    pytest.param(("jp1", "0", "standard"), "option: '0' is not a port option; allowed: 1, 2, 3", id="option-0-text"),
    pytest.param(("jp1", "one", "standard"), "option: 'one' is not a port option; allowed: 1, 2, 3",
                 id="option-word"),
    pytest.param(("jp1", "01", "standard"), "option: '01' is not a port option; allowed: 1, 2, 3",
                 id="option-zero-padded"),
    pytest.param(("jp1", True, "standard"), "option: True is not a port option; allowed: 1, 2, 3", id="option-bool"),
    pytest.param(("jp1", 1, "aes"), "encryption: 'aes' is not an encryption mode; allowed: e2ee, standard",
                 id="unknown-encryption"),
    pytest.param(("jp1", 1, ""), "encryption: '' is not an encryption mode; allowed: e2ee, standard",
                 id="empty-encryption"),
]


@pytest.mark.parametrize(("args", "message"), PLAN_ERRORS)
def test_bad_settings_raise_plan_error_listing_allowed_values(catalog: Catalog, args: tuple[object, object, str],
                                                              message: str) -> None:
    regions, option, encryption = args

    with pytest.raises(PlanError) as caught:
        plan(catalog, regions, option, encryption)  # type: ignore[arg-type]

    assert str(caught.value) == message


def test_resolve_regions_sorts_and_deduplicates(catalog: Catalog) -> None:
    assert resolve_regions(catalog, "us2,jp1,us2") == ("jp1", "us2")
    assert resolve_regions(catalog, "all") == REGION_IDS


# --- netaddr merging ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adjacent() -> Catalog:
    """aa1 and bb1 own adjacent halves of 10.0.0.0/24; aa1 also owns two adjacent /24s; cc1 stands alone."""
    return catalog_with_regions(
        new_region("aa1", ["10.0.0.0/25", "10.0.4.0/24", "10.0.5.0/24", "10.0.3.0/24"]),
        new_region("bb1", ["10.0.0.128/25", "10.0.1.0/24"], proxy=None),
        new_region("cc1", ["192.0.2.0/24"], proxy="eu-west-1"),
    )


def test_adjacent_ranges_of_one_region_are_merged(adjacent: Catalog) -> None:
    assert plan(adjacent, "aa1", 1).destinations == (
        Destination("10.0.0.0/25", ("aa1",)),
        Destination("10.0.3.0/24", ("aa1",)),
        Destination("10.0.4.0/23", ("aa1",)),
    )


def test_adjacent_ranges_of_two_regions_merge_and_trace_back_to_both(adjacent: Catalog) -> None:
    assert plan(adjacent, "aa1,bb1", 1).destinations == (
        Destination("10.0.0.0/23", ("aa1", "bb1")),
        Destination("10.0.3.0/24", ("aa1",)),
        Destination("10.0.4.0/23", ("aa1",)),
    )


def test_merging_never_widens_beyond_the_selected_ranges(adjacent: Catalog) -> None:
    # 10.0.2.0/24 belongs to nobody, so 10.0.0.0/23 and 10.0.3.0/24 must stay apart.
    result = plan(adjacent, "all", 1)

    assert result.cidrs == ("10.0.0.0/23", "10.0.3.0/24", "10.0.4.0/23", "192.0.2.0/24")
    assert [d.regions for d in result.destinations] == [("aa1", "bb1"), ("aa1",), ("aa1",), ("cc1",)]


def test_merged_destination_costs_one_aws_rule_per_port_rule(adjacent: Catalog) -> None:
    budget = aws_budget(adjacent, plan(adjacent, "aa1,bb1", 1))

    assert budget.rule_count == 3 * 3
    assert [g.shard for g in budget.groups] == [1]


# --- AWS budget ---------------------------------------------------------------------------------------


def test_all_regions_option_1_is_87_rules_in_two_groups_of_57_and_30(catalog: Catalog) -> None:
    budget = aws_budget(catalog, plan(catalog, "all", 1))

    assert (budget.quota, budget.reserved, budget.rule_count) == (AWS_DEFAULT_RULES_PER_GROUP, AWS_RESERVED_RULES, 87)
    assert [(g.shard, len(g.rules)) for g in budget.groups] == [(1, 57), (2, 30)]
    assert [g.regions for g in budget.groups] == [("au1", "br1", "de1", "ie1", "in1", "jp1"), ("sg1", "us1", "us2")]
    assert all(len(g.rules) <= 60 for g in budget.groups)
    assert len(budget.groups[0].rules) + AWS_RESERVED_RULES <= 60
    assert len({rule.key for g in budget.groups for rule in g.rules}) == 87


def test_aws_rule_is_one_cidr_protocol_and_port_range(catalog: Catalog) -> None:
    budget = aws_budget(catalog, plan(catalog, "jp1", 1))

    assert [rule.key for rule in budget.groups[0].rules] == [
        "udp-443-13.115.244.0-27", "udp-3478-13.115.244.0-27", "udp-10000-60000-13.115.244.0-27",
        "udp-443-18.180.220.128-25", "udp-3478-18.180.220.128-25", "udp-10000-60000-18.180.220.128-25",
        "udp-443-54.65.63.192-26", "udp-3478-54.65.63.192-26", "udp-10000-60000-54.65.63.192-26",
    ]
    assert {rule.regions for rule in budget.groups[0].rules} == {("jp1",)}


def test_quota_100_fits_everything_in_one_group(catalog: Catalog) -> None:
    budget = aws_budget(catalog, plan(catalog, "all", 1), 100)

    assert [(g.shard, len(g.rules)) for g in budget.groups] == [(1, 87)]


@pytest.mark.parametrize("region_id", REGION_IDS)
def test_a_single_region_keeps_the_shard_it_has_in_the_full_plan(catalog: Catalog, region_id: str) -> None:
    full = {rule.key: g.shard for g in aws_budget(catalog, plan(catalog, "all", 1)).groups for rule in g.rules}
    single = {rule.key: g.shard for g in aws_budget(catalog, plan(catalog, region_id, 1)).groups for rule in g.rules}

    assert single == {key: full[key] for key in single}
    assert len(single) == 3 * len(RESEARCH_CIDRS[region_id])


def test_adding_a_region_moves_no_existing_rule(catalog: Catalog) -> None:
    before = {r.key: g.shard for g in aws_budget(catalog, plan(catalog, "us2", 1)).groups for r in g.rules}
    after = {r.key: g.shard for g in aws_budget(catalog, plan(catalog, "jp1,us2", 1)).groups for r in g.rules}

    assert set(before.values()) == {2}
    assert {key: after[key] for key in before} == before


@pytest.mark.parametrize(("quota", "option", "shown", "minimum", "per_range"), [
    pytest.param(4, 1, "4", 5, 3, id="option-1"),
    pytest.param(0, 3, "0", 5, 3, id="zero"),
    pytest.param(-1, 1, "-1", 5, 3, id="negative"),
    pytest.param(True, 1, "True", 5, 3, id="bool"),
])
def test_too_small_quota_is_a_plan_error(catalog: Catalog, quota: int, option: int, shown: str, minimum: int,
                                         per_range: int) -> None:
    with pytest.raises(PlanError) as caught:
        aws_budget(catalog, plan(catalog, "jp1", option), quota)

    assert str(caught.value) == (f"aws rules per group: {shown} is too small; allowed: an integer of at least "
                                 f"{minimum} ({per_range} rules per range plus 2 reserved)")


def test_smallest_quota_gives_one_range_per_group(catalog: Catalog) -> None:
    budget = aws_budget(catalog, plan(catalog, "all", 1), 5)

    assert len(budget.groups) == 29
    assert all(len(g.rules) == 3 for g in budget.groups)


# --- Azure budget -------------------------------------------------------------------------------------


def summary(budget: object) -> list[tuple[str, int, str, str]]:
    assert hasattr(budget, "rules")
    return [(r.name, r.priority, r.access.value, r.protocol) for r in budget.rules]


def test_azure_standard_option_1_is_one_udp_allow_signaling_and_a_final_deny(catalog: Catalog) -> None:
    result = plan(catalog, "jp1,us2", 1)
    budget = azure_budget(result)

    assert summary(budget) == [
        ("chalk-media-udp", 100, "Allow", "Udp"),
        ("chalk-signaling-https", 104, "Allow", "Tcp"),
        ("chalk-deny-internet", 4096, "Deny", "*"),
    ]
    media_rule, signaling, deny = budget.rules
    assert media_rule.destination_prefixes == result.cidrs
    assert media_rule.destination_ports == ("443", "3478", "10000-60000")
    assert media_rule.description == "Chalk media UDP to jp1, us2 (Chalk catalog 2026120101)"
    assert (signaling.destination_prefixes, signaling.destination_ports) == (("Internet",), ("443",))
    assert (deny.access, deny.destination_prefixes, deny.destination_ports) == (AzureAccess.DENY, ("Internet",), ("*",))
    assert budget.address_count == 6 + 1 + 1
    assert all(len(r.name) <= 80 and len(r.description) <= 140 for r in budget.rules)


def test_azure_e2ee_adds_a_peer_rule_in_its_own_slot(catalog: Catalog) -> None:
    budget = azure_budget(plan(catalog, "jp1", 3, "e2ee"))

    assert summary(budget) == [
        ("chalk-media-tcp", 101, "Allow", "Tcp"),
        ("chalk-peer-tcp", 103, "Allow", "Tcp"),
        ("chalk-signaling-https", 104, "Allow", "Tcp"),
        ("chalk-deny-internet", 4096, "Deny", "*"),
    ]
    peer = budget.rules[1]
    assert (peer.destination_prefixes, peer.destination_ports) == (("VirtualNetwork",), ("1024-65535",))


def test_azure_priorities_are_window_start_plus_slot_and_deny_at_window_end(catalog: Catalog) -> None:
    budget = azure_budget(plan(catalog, "jp1", 1, "e2ee"), (2000, 2100))

    assert [(r.name, r.priority) for r in budget.rules] == [
        ("chalk-media-udp", 2000), ("chalk-peer-udp", 2002), ("chalk-signaling-https", 2004),
        ("chalk-deny-internet", 2100)]


def test_azure_smallest_window_fits_exactly(catalog: Catalog) -> None:
    budget = azure_budget(plan(catalog, "jp1", 1), (300, 305))

    assert [r.priority for r in budget.rules] == [300, 304, 305]


def test_azure_without_deny_and_signaling_is_just_the_media_allow(catalog: Catalog) -> None:
    budget = azure_budget(plan(catalog, "jp1", 1), (100, 100), deny_internet=False, allow_signaling=False)

    assert summary(budget) == [("chalk-media-udp", 100, "Allow", "Udp")]


@pytest.mark.parametrize(("window", "encryption", "message"), [
    pytest.param((100, 104), "standard", "priority window: 100-104 is too small for the plan; allowed: a window of at "
                 "least 6 priorities, e.g. 100-105", id="too-small"),
    pytest.param((500, 500), "e2ee", "priority window: 500-500 is too small for the plan; allowed: a window of at "
                 "least 6 priorities, e.g. 500-505", id="single-priority"),
    pytest.param((200, 100), "standard", "priority window: 200-100 is not a window; allowed: start <= end, both within "
                 "100-4096", id="reversed"),
    pytest.param((50, 300), "standard", "priority window: 50-300 is not a window; allowed: start <= end, both within "
                 "100-4096", id="below-100"),
    pytest.param((4000, 4097), "standard", "priority window: 4000-4097 is not a window; allowed: start <= end, both "
                 "within 100-4096", id="above-4096"),
])
def test_azure_bad_window_is_a_plan_error(catalog: Catalog, window: tuple[int, int], encryption: str,
                                          message: str) -> None:
    with pytest.raises(PlanError) as caught:
        azure_budget(plan(catalog, "jp1", 1, encryption), window)

    assert str(caught.value) == message


def test_azure_priorities_do_not_change_when_a_region_is_added(catalog: Catalog) -> None:
    def priorities(regions: str) -> dict[str, int]:
        return {r.name: r.priority for r in azure_budget(plan(catalog, regions, 1, "e2ee"), (1000, 1100)).rules}

    assert priorities("jp1") == priorities("jp1,us2") == priorities("all") == {
        "chalk-media-udp": 1000, "chalk-peer-udp": 1002, "chalk-signaling-https": 1004, "chalk-deny-internet": 1100}


def test_azure_all_regions_list_the_29_prefixes_in_one_rule(catalog: Catalog) -> None:
    budget = azure_budget(plan(catalog, "all", 1))

    assert set(budget.rules[0].destination_prefixes) == ALL_CIDRS
    assert budget.address_count == 29 + 2


def test_quality_note_does_not_depend_on_the_order_of_options() -> None:
    raw = shipped_raw()
    reordered = shipped_raw()
    reordered["port_options"].reverse()

    notes = {plan(validate_catalog(r, "c.yaml"), "jp1", 2).notes[0].text for r in (raw, reordered)}

    assert notes == {"Option 2 (UDP on three ports) gives good quality; PTC recommends option 1."}
