"""The shipped catalog holds exactly the researched facts; overlays and diffs behave as documented."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalk_testkit import (
    ALL_CIDRS,
    GLOBAL_HOSTS,
    REGION_IDS,
    RESEARCH_CIDRS,
    cidr_entry,
    new_region,
    option,
    problems,
    region,
    shipped_raw,
    write_yaml,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from chalk_policy.catalog import (
    Catalog,
    CatalogError,
    Change,
    ChangeKind,
    Encryption,
    Evidence,
    HostRole,
    Protocol,
    diff,
    load_catalog,
    validate_catalog,
)
from chalk_policy.catalog.loader import DEFAULT_CATALOG
from chalk_policy.catalog.models import Record, Sourced
from chalk_policy.planning import plan

PROXY_OF = {
    "au1": "smartproxy-ap-southeast-1.prod.look.vuforia.com",
    "br1": None,
    "de1": "smartproxy-eu-west-1.prod.look.vuforia.com",
    "ie1": "smartproxy-eu-west-1.prod.look.vuforia.com",
    "in1": "smartproxy-ap-southeast-1.prod.look.vuforia.com",
    "jp1": "smartproxy-ap-southeast-1.prod.look.vuforia.com",
    "sg1": "smartproxy-ap-southeast-1.prod.look.vuforia.com",
    "us1": "smartproxy-us-west-2.prod.look.vuforia.com",
    "us2": "smartproxy-us-west-2.prod.look.vuforia.com",
}
NAMES = {"au1": "Australia", "br1": "Brazil", "de1": "Germany", "ie1": "Ireland", "in1": "India", "jp1": "Japan",
         "sg1": "Singapore", "us1": "US East Coast", "us2": "US West Coast"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def rules_of(catalog: Catalog, option_id: int) -> list[tuple[Protocol, int, int]]:
    return [(r.protocol, r.from_port, r.to_port) for r in catalog.port_option(option_id).rules]


# --- the shipped catalog ------------------------------------------------------------------------------


def test_version_is_yyyymmddnn_with_a_real_date(catalog: Catalog) -> None:
    assert re.fullmatch(r"\d{10}", catalog.version)
    dt.date(int(catalog.version[:4]), int(catalog.version[4:6]), int(catalog.version[6:8]))
    assert catalog.schema_version == 1


def test_the_nine_twilio_regions_with_ptc_names(catalog: Catalog) -> None:
    assert catalog.region_ids == REGION_IDS
    assert {r.id: r.name for r in catalog.regions} == NAMES


def test_media_ranges_are_exactly_the_researched_ones(catalog: Catalog) -> None:
    assert {r.id: tuple(c.cidr for c in r.cidrs) for r in catalog.regions} == RESEARCH_CIDRS
    assert sum(len(r.cidrs) for r in catalog.regions) == 29
    assert {c.cidr for r in catalog.regions for c in r.cidrs} == ALL_CIDRS


def test_japan_ranges_are_seed_facts_and_the_rest_come_from_twilio(catalog: Catalog) -> None:
    for r in catalog.regions:
        expected = ("ptc-av", Evidence.SEED) if r.id == "jp1" else ("twilio-video-ip", Evidence.RETRIEVED)
        assert {(c.source, c.evidence) for c in r.cidrs} == {expected}, r.id


def test_every_region_has_its_vss_media_host(catalog: Catalog) -> None:
    assert {r.id: r.media_host.host for r in catalog.regions} == {rid: f"{rid}.vss.twilio.com" for rid in REGION_IDS}


def test_annotation_proxies_per_region_inferred_except_the_japan_seed(catalog: Catalog) -> None:
    hosts = {r.id: catalog.annotation_proxy(r.annotation_proxy.id).host if r.annotation_proxy else None
             for r in catalog.regions}
    assert hosts == PROXY_OF
    evidence = {r.id: r.annotation_proxy.evidence for r in catalog.regions if r.annotation_proxy}
    assert evidence == {rid: Evidence.SEED if rid == "jp1" else Evidence.INFERRED for rid in REGION_IDS if rid != "br1"}
    assert [(p.id, p.area) for p in catalog.annotation_proxies] == [
        ("eu-west-1", "Europe"), ("us-west-2", "North America"), ("ap-southeast-1", "Asia Pacific")]


def test_brazil_has_no_annotation_proxy_and_says_so_as_a_gap(catalog: Catalog) -> None:
    br1 = catalog.region("br1")
    assert br1.annotation_proxy is None
    assert br1.gaps == ("PTC lists no South America annotation proxy host",)
    assert "PTC lists no South America (Brazil) annotation proxy host." in catalog.gaps
    assert [r.id for r in catalog.regions if r.gaps] == ["br1"]


def test_fourteen_host_entries_thirteen_distinct_names(catalog: Catalog) -> None:
    assert [h.host for h in catalog.hosts] == list(GLOBAL_HOSTS)
    assert len(catalog.hosts) == 14
    assert len({h.host for h in catalog.hosts}) == 13
    assert [(h.host, h.path) for h in catalog.hosts if h.path] == [("vuforiachalk.com", "/networktest")]


def test_host_roles_follow_ptc_server_types(catalog: Catalog) -> None:
    roles = {h.host: h.role for h in catalog.hosts}
    assert roles["cognito-idp.us-west-2.amazonaws.com"] is HostRole.AUTHENTICATION
    assert [h.host for h in catalog.hosts if h.role is HostRole.AUDIO_VIDEO] == [
        "mobile-endpoint.twilio.com", "global.vss.twilio.com", "sdkgw.us1.twilio.com"]
    assert sum(h.role is HostRole.CHALK_CLOUD for h in catalog.hosts) == 10


def test_port_options_are_exactly_ptcs_three(catalog: Catalog) -> None:
    udp, tcp = Protocol.UDP, Protocol.TCP
    assert catalog.option_ids == (1, 2, 3)
    assert rules_of(catalog, 1) == [(udp, 443, 443), (udp, 3478, 3478), (udp, 10000, 60000)]
    assert rules_of(catalog, 2) == [(udp, 443, 443), (udp, 3478, 3478), (udp, 5349, 5349)]
    assert rules_of(catalog, 3) == [(tcp, 443, 443), (tcp, 3478, 3478), (tcp, 5349, 5349)]
    assert [o.id for o in catalog.port_options if o.recommended] == [1]
    assert [o.quality for o in catalog.port_options] == ["best", "good", "lower"]


def test_udp_443_and_5349_are_marked_as_not_in_twilios_documentation(catalog: Catalog) -> None:
    undocumented = {(o.id, r.protocol.value, r.ports) for o in catalog.port_options for r in o.rules
                    if not r.twilio_documented}
    assert undocumented == {(1, "udp", "443"), (2, "udp", "443"), (2, "udp", "5349"), (3, "tcp", "5349")}


def test_two_encryption_modes_and_only_e2ee_is_peer_to_peer(catalog: Catalog) -> None:
    assert [(m.id, m.peer_to_peer) for m in catalog.encryption_modes] == [
        (Encryption.STANDARD, False), (Encryption.E2EE, True)]
    assert catalog.encryption_ids == ("e2ee", "standard")


def sourced_facts(node: Any, path: str = "catalog") -> Iterator[tuple[str, Sourced]]:
    if isinstance(node, Sourced):
        yield path, node
    if isinstance(node, Record):
        for name in node.fields:
            yield from sourced_facts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, (tuple, list)):
        for index, item in enumerate(node):
            yield from sourced_facts(item, f"{path}[{index}]")


def test_every_fact_cites_a_defined_source_with_known_evidence(catalog: Catalog) -> None:
    facts = list(sourced_facts(catalog))

    # 3 options + 2 modes + 14 hosts + 3 twilio hosts + 3 proxies + 9 media hosts + 8 proxy refs + 29 ranges
    assert len(facts) == 71
    undefined = [(path, fact.source) for path, fact in facts if fact.source not in catalog.sources]
    assert undefined == []
    assert all(isinstance(fact.evidence, Evidence) for _, fact in facts)


def test_every_evidence_value_in_the_yaml_is_in_the_evidence_enum() -> None:
    def values(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from [value] if key == "evidence" else values(value)
        elif isinstance(node, list):
            for item in node:
                yield from values(item)

    found = list(values(shipped_raw()))
    assert len(found) == 71
    assert set(found) <= {e.value for e in Evidence}


def test_every_source_is_cited_and_has_an_url(catalog: Catalog) -> None:
    cited = {fact.source for _, fact in sourced_facts(catalog)}
    assert cited == set(catalog.sources) - {"ptc-netcfg", "twilio-nts-regions"}
    assert all(s.url.startswith(("https://", "http://")) for s in catalog.sources.values())


def test_loading_the_packaged_file_by_path_gives_the_same_catalog(catalog: Catalog) -> None:
    path = Path(__file__).parents[2] / "chalk_policy" / "catalog" / "data" / DEFAULT_CATALOG
    assert load_catalog(path) == catalog


# --- overlays -----------------------------------------------------------------------------------------


def overlay_file(tmp_path: Path, **body: Any) -> Path:
    return write_yaml(tmp_path / "overlay.yaml", {"overlay": 1, "version": "2026120101", **body})


def test_overlay_adds_a_range_to_a_region_and_sets_the_version(tmp_path: Path, catalog: Catalog) -> None:
    path = overlay_file(tmp_path, regions=[{"id": "jp1", "add_cidrs": [cidr_entry("13.115.245.0/27", "ptc-av")]}])

    merged = load_catalog(overlay=path)

    assert merged.version == "2026120101"
    assert [c.cidr for c in merged.region("jp1").cidrs] == [*RESEARCH_CIDRS["jp1"], "13.115.245.0/27"]
    assert [r for r in merged.regions if r.id != "jp1"] == [r for r in catalog.regions if r.id != "jp1"]
    assert merged.hosts == catalog.hosts


def test_overlay_removes_a_range(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, regions=[{"id": "jp1", "remove_cidrs": ["54.65.63.192/26"]}])

    merged = load_catalog(overlay=path)

    assert [c.cidr for c in merged.region("jp1").cidrs] == ["13.115.244.0/27", "18.180.220.128/25"]


def test_overlay_adds_a_new_region_citing_a_new_source(tmp_path: Path) -> None:
    kr1 = new_region("kr1", ["10.20.0.0/24", "10.20.1.0/25"], proxy="ap-southeast-1", source="ptc-news")
    path = overlay_file(tmp_path, sources={"ptc-news": {"url": "https://example.com/notice", "title": "PTC notice"}},
                        regions=[kr1])

    merged = load_catalog(overlay=path)

    assert merged.region_ids == (*REGION_IDS[:6], "kr1", *REGION_IDS[6:])
    assert merged.sources["ptc-news"].url == "https://example.com/notice"
    assert [c.cidr for c in merged.region("kr1").cidrs] == ["10.20.0.0/24", "10.20.1.0/25"]
    assert plan(merged, "kr1", 1).cidrs == ("10.20.0.0/24", "10.20.1.0/25")


@pytest.mark.parametrize("cidrs", [None, "10.20.0.0/24", {"cidr": "10.20.0.0/24"}], ids=["null", "string", "mapping"])
@pytest.mark.parametrize("region", ["kr1", "jp1"], ids=["new-region", "base-region"])
def test_overlay_cidrs_that_are_not_a_list_are_a_problem_not_a_crash(tmp_path: Path, cidrs: object,
                                                                     region: str) -> None:
    """Found by tests/fuzz: ``cidrs: null`` in an overlay's region raised TypeError."""
    entry = {**new_region(region, ["10.20.0.0/24"], proxy="ap-southeast-1", source="ptc-all"), "cidrs": cidrs,
             "add_cidrs": [cidr_entry("10.30.0.0/24", "ptc-all")]}
    path = overlay_file(tmp_path, regions=[entry])

    with pytest.raises(CatalogError) as caught:
        load_catalog(overlay=path)

    assert [p.path for p in caught.value.problems] == [f"regions[{region}].cidrs"]
    assert caught.value.problems[0].message.startswith("expected a list, got ")


def test_overlay_replaces_adds_and_removes_hosts(tmp_path: Path, catalog: Catalog) -> None:
    path = overlay_file(tmp_path, hosts=[
        {"host": "otc.prod.look.vuforia.com", "role": "chalk-cloud", "source": "ptc-all", "evidence": "inferred",
         "note": "replaced"},
        {"host": "new.prod.look.vuforia.com", "role": "chalk-cloud", "source": "ptc-all", "evidence": "retrieved"},
    ], remove_hosts=["switchboard.prod.look.vuforia.com"])

    merged = load_catalog(overlay=path)

    names = [h.host for h in merged.hosts]
    assert "switchboard.prod.look.vuforia.com" not in names
    assert names.count("otc.prod.look.vuforia.com") == 1
    otc = next(h for h in merged.hosts if h.host == "otc.prod.look.vuforia.com")
    assert (otc.evidence, otc.note) == (Evidence.INFERRED, "replaced")
    assert "new.prod.look.vuforia.com" in names
    assert len(merged.hosts) == len(catalog.hosts)  # one removed, one replaced in place of itself, one added


def test_overlay_replacing_a_url_host_keeps_the_bare_host_entry(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, hosts=[{"host": "vuforiachalk.com", "path": "/networktest", "role": "chalk-cloud",
                                          "source": "ptc-all", "evidence": "inferred"}])

    merged = load_catalog(overlay=path)

    entries = [(h.path, h.evidence) for h in merged.hosts if h.host == "vuforiachalk.com"]
    assert sorted(entries, key=str) == sorted([(None, Evidence.RETRIEVED), ("/networktest", Evidence.INFERRED)],
                                              key=str)


def test_overlay_on_a_user_catalog_names_both_files_in_merged_problems(tmp_path: Path) -> None:
    base = write_yaml(tmp_path / "base.yaml", shipped_raw())
    path = overlay_file(tmp_path, regions=[{"id": "de1", "name": ["Germany"]}])

    with pytest.raises(CatalogError) as caught:
        load_catalog(base, overlay=path)

    assert caught.value.summary == f"{path} (merged onto {base}): regions[de1].name: expected a string, got a list"


def overlay_problems(tmp_path: Path, body: dict[str, Any]) -> list[str]:
    path = write_yaml(tmp_path / "ov.yaml", body)
    with pytest.raises(CatalogError) as caught:
        load_catalog(overlay=path)
    return [str(p).replace(str(path), "ov.yaml") for p in caught.value.problems]


OVERLAY_ERRORS = [
    pytest.param({"overlay": 1, "version": "2026120101", "regions": [{"id": "zz1", "remove_cidrs": ["1.2.3.0/24"]}]},
                 ["ov.yaml: regions[zz1].remove_cidrs: region 'zz1' is not in the base catalog; "
                  "allowed: au1, br1, de1, ie1, in1, jp1, sg1, us1, us2"],
                 id="remove-from-unknown-region"),
    pytest.param({"overlay": 1, "version": "2026120101", "regions": [{"id": "jp1", "remove_cidrs": ["1.2.3.0/24"]}]},
                 ["ov.yaml: regions[jp1].remove_cidrs[0]: '1.2.3.0/24' is not a range of jp1; "
                  "allowed: 13.115.244.0/27, 54.65.63.192/26, 18.180.220.128/25"],
                 id="remove-absent-range"),
    pytest.param({"overlay": 1, "version": "2026120101", "remove_hosts": ["nope.example.com"]},
                 ["ov.yaml: remove_hosts[0]: 'nope.example.com' is not a host of the base catalog"],
                 id="remove-absent-host"),
    pytest.param({"overlay": 1, "version": "2026-12-01"},
                 ["ov.yaml: version: '2026-12-01' is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501"],
                 id="bad-overlay-version"),
    pytest.param({"overlay": 1},
                 ["ov.yaml: version: required field is missing"],
                 id="missing-overlay-version"),
    pytest.param({"overlay": 2, "version": "2026120101"},
                 ["ov.yaml: overlay: 2 is not a supported overlay format; allowed: 1"],
                 id="unsupported-overlay-format"),
    pytest.param({"overlay": 1, "version": "2026120101", "hostz": []},
                 ["ov.yaml: hostz: unknown field 'hostz'; "
                  "allowed fields: hosts, overlay, regions, remove_hosts, sources, version"],
                 id="unknown-overlay-field-lists-overlay-fields"),
    pytest.param({"overlay": 1, "version": "2026120101",
                  "regions": [{"id": "jp1", "add_cidrs": [cidr_entry("54.244.51.128/25", "ptc-av")]}]},
                 ["ov.yaml (merged onto chalk-catalog.yaml): regions[us2].cidrs[1]: '54.244.51.0/24' overlaps "
                  "regions[jp1].cidrs[3] '54.244.51.128/25' (another region's range); "
                  "allowed: each address in one range of one region"],
                 id="overlay-introduces-overlap"),
    pytest.param({"overlay": 1, "version": "2026120101",
                  "regions": [{"id": "jp1", "add_cidrs": [cidr_entry("10.9.0.0/24", "ptc-news")]}]},
                 ["ov.yaml (merged onto chalk-catalog.yaml): regions[jp1].cidrs[3].source: 'ptc-news' is not defined "
                  "in 'sources'; defined: ptc-all, ptc-av, ptc-netcfg, ptc-region, twilio-nts-regions, "
                  "twilio-video-ip"],
                 id="overlay-cites-undefined-source"),
    pytest.param({"overlay": 1, "version": "2026120101", "regions": [{"id": "kr1", "name": "Korea"}]},
                 ["ov.yaml (merged onto chalk-catalog.yaml): regions[kr1].annotation_proxy: required field is missing",
                  "ov.yaml (merged onto chalk-catalog.yaml): regions[kr1].cidrs: must not be empty",
                  "ov.yaml (merged onto chalk-catalog.yaml): regions[kr1].media_host: required field is missing"],
                 id="new-region-missing-fields"),
]


@pytest.mark.parametrize(("body", "expected"), OVERLAY_ERRORS)
def test_overlay_problems_name_the_overlay_file(tmp_path: Path, body: dict[str, Any], expected: list[str]) -> None:
    assert overlay_problems(tmp_path, body) == expected


def test_overlay_reports_all_its_own_problems_together(tmp_path: Path) -> None:
    body = {"overlay": 1, "version": "2026120101",
            "regions": [{"id": "zz1", "remove_cidrs": ["1.2.3.0/24"]}, {"id": "jp1", "remove_cidrs": ["1.2.3.0/24"]}],
            "remove_hosts": ["nope.example.com"]}

    assert overlay_problems(tmp_path, body) == [
        "ov.yaml: regions[jp1].remove_cidrs[0]: '1.2.3.0/24' is not a range of jp1; "
        "allowed: 13.115.244.0/27, 54.65.63.192/26, 18.180.220.128/25",
        "ov.yaml: regions[zz1].remove_cidrs: region 'zz1' is not in the base catalog; "
        "allowed: au1, br1, de1, ie1, in1, jp1, sg1, us1, us2",
        "ov.yaml: remove_hosts[0]: 'nope.example.com' is not a host of the base catalog",
    ]


def test_a_broken_base_catalog_is_reported_before_the_overlay_is_applied(tmp_path: Path) -> None:
    raw = shipped_raw()
    raw["version"] = "x"
    base = write_yaml(tmp_path / "base.yaml", raw)
    path = overlay_file(tmp_path)

    with pytest.raises(CatalogError) as caught:
        load_catalog(base, overlay=path)

    assert caught.value.summary == (f"{base}: version: 'x' is not a catalog version; "
                                    "allowed: YYYYMMDDNN, e.g. 2026112501")


# --- diff ---------------------------------------------------------------------------------------------


def changed(mutate: Any, version: str = "2026120101") -> Catalog:
    raw = shipped_raw()
    raw["version"] = version
    mutate(raw)
    return validate_catalog(raw, "new.yaml")


def test_diff_of_identical_catalogs_is_empty(catalog: Catalog) -> None:
    result = diff(catalog, catalog)

    assert (result.old_version, result.new_version, result.changes) == ("2026120101", "2026120101", ())
    assert not result.has_removals


def test_diff_lists_added_and_removed_ranges_per_region(catalog: Catalog) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        region(raw, "jp1")["cidrs"].append(cidr_entry("13.115.245.0/27", "ptc-av"))
        del region(raw, "us2")["cidrs"][1]

    result = diff(catalog, changed(mutate))

    assert result.new_version == "2026120101"
    assert result.changes == (
        Change("jp1", ChangeKind.ADDED_IP, "13.115.245.0/27"),
        Change("us2", ChangeKind.REMOVED_IP, "54.244.51.0/24"),
    )
    assert result.has_removals


def test_diff_with_only_additions_has_no_removals(catalog: Catalog) -> None:
    result = diff(catalog, changed(lambda raw: region(raw, "br1")["cidrs"].append(cidr_entry("10.1.0.0/24"))))

    assert result.changes == (Change("br1", ChangeKind.ADDED_IP, "10.1.0.0/24"),)
    assert not result.has_removals


def test_diff_names_a_new_region_with_its_ranges_and_hosts(catalog: Catalog) -> None:
    new = changed(lambda raw: raw["regions"].append(new_region("kr1", ["10.1.0.0/24"], proxy="ap-southeast-1")))

    assert diff(catalog, new).changes == (
        Change("kr1", ChangeKind.ADDED_HOST, "kr1.vss.twilio.com", "new region"),
        Change("kr1", ChangeKind.ADDED_HOST, "smartproxy-ap-southeast-1.prod.look.vuforia.com", "new region"),
        Change("kr1", ChangeKind.ADDED_IP, "10.1.0.0/24", "new region"),
    )


def test_diff_names_a_removed_region_as_removals(catalog: Catalog) -> None:
    new = changed(lambda raw: raw["regions"].remove(region(raw, "br1")))

    result = diff(catalog, new)

    assert result.changes == (
        Change("br1", ChangeKind.REMOVED_HOST, "br1.vss.twilio.com", "region removed"),
        *(Change("br1", ChangeKind.REMOVED_IP, cidr, "region removed") for cidr in sorted(RESEARCH_CIDRS["br1"])),
    )
    assert result.has_removals


def test_diff_lists_regional_and_global_host_changes(catalog: Catalog) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        region(raw, "us1")["annotation_proxy"]["id"] = "eu-west-1"
        raw["hosts"] = [h for h in raw["hosts"] if h["host"] != "otc.prod.look.vuforia.com"]
        raw["hosts"].append({"host": "new.prod.look.vuforia.com", "role": "chalk-cloud", "source": "ptc-all",
                             "evidence": "retrieved"})

    result = diff(catalog, changed(mutate))

    assert result.changes == (
        Change("global", ChangeKind.ADDED_HOST, "new.prod.look.vuforia.com"),
        Change("global", ChangeKind.REMOVED_HOST, "otc.prod.look.vuforia.com"),
        Change("us1", ChangeKind.ADDED_HOST, "smartproxy-eu-west-1.prod.look.vuforia.com"),
        Change("us1", ChangeKind.REMOVED_HOST, "smartproxy-us-west-2.prod.look.vuforia.com"),
    )
    assert result.has_removals


def test_diff_shows_a_changed_port_option_before_and_after(catalog: Catalog) -> None:
    result = diff(catalog, changed(lambda raw: option(raw, 2)["rules"][2].update(from_port=5350, to_port=5350)))

    assert result.changes == (Change("option-2", ChangeKind.CHANGED_PORT_OPTION, "2",
                                     "UDP 443, UDP 3478, UDP 5349 -> UDP 443, UDP 3478, UDP 5350"),)
    assert not result.has_removals


def test_diff_ignores_changes_that_do_not_touch_the_firewall(catalog: Catalog) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        region(raw, "jp1")["name"] = "Tokyo"
        region(raw, "jp1")["cidrs"][0]["evidence"] = "inferred"
        raw["hosts"][0]["note"] = "a note"

    assert diff(catalog, changed(mutate)).changes == ()


# --- checks across the file: the sweeps equal the pairwise definitions ------------------------------------


def pairwise_overlaps(raw: dict[str, Any], filename: str) -> list[str]:
    """The definition of overlapping ranges, pair by pair (the check before it became a sweep): every two IPv4
    ranges of the file's regions that share an address, reported at the later one, naming the earlier one."""
    import netaddr

    located: list[tuple[str, str, netaddr.IPNetwork]] = []
    seen: set[str] = set()
    regions = raw.get("regions")
    for r_index, entry in enumerate(regions if isinstance(regions, list) else []):
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("id"), str):
            if entry["id"] in seen:
                continue
            seen.add(entry["id"])
        label = entry["id"] if isinstance(entry.get("id"), str) else str(r_index)
        cidrs = entry.get("cidrs")
        for c_index, item in enumerate(cidrs if isinstance(cidrs, list) else []):
            value = item.get("cidr") if isinstance(item, dict) else None
            try:
                network = netaddr.IPNetwork(value) if isinstance(value, str) and "/" in value else None
            except (netaddr.AddrFormatError, ValueError):
                network = None
            if network is not None and network.version == 4:
                located.append((str(entry.get("id", r_index)), f"regions[{label}].cidrs[{c_index}]", network.cidr))
    found = []
    for i, (region_a, path_a, net_a) in enumerate(located):
        for region_b, path_b, net_b in located[i + 1:]:
            if net_a.first <= net_b.last and net_b.first <= net_a.last:
                what = "another region's range" if region_a != region_b else "another range of the same region"
                found.append(f"{filename}: {path_b}: {str(net_b)!r} overlaps {path_a} {str(net_a)!r} ({what}); "
                             "allowed: each address in one range of one region")
    return found


def swept_overlaps(raw: dict[str, Any], filename: str) -> list[str]:
    from chalk_policy.catalog.validation import _overlaps

    return [str(problem) for problem in _overlaps(raw, filename)]


_CIDR_TEXT = st.one_of(
    # a small address space, so that ranges often overlap; host bits, wide and narrow prefixes
    st.builds(lambda c, d, n: f"10.0.{c}.{d}/{n}", st.integers(0, 3), st.sampled_from([0, 1, 64, 128, 200]),
              st.integers(20, 32)),
    st.sampled_from(["10.0.0.0/8", "10.0.1.0/255.255.255.0", "010.0.0.0/24", "10.0.0.0", "10.0.0.0/33", "x/24",
                     "::1/128", "10.0.0.0/24 ", "", "10.0.2.0/23"]),
)
_CIDR_ENTRY = st.one_of(st.builds(lambda cidr: {"cidr": cidr, "source": "ptc-av", "evidence": "retrieved"},
                                  _CIDR_TEXT),
                        st.sampled_from([{"cidr": 7}, {}, "10.0.0.0/24", None]))
_RAW_REGION = st.fixed_dictionaries({"cidrs": st.one_of(st.lists(_CIDR_ENTRY, max_size=8), st.none())},
                                    optional={"id": st.sampled_from(["a1", "b1", "c1", 5, None])})


@given(st.lists(_RAW_REGION, max_size=6))
@settings(max_examples=300, deadline=None)
def test_the_overlap_sweep_reports_exactly_the_pairwise_overlaps(regions: list[dict[str, Any]]) -> None:
    raw = {"regions": regions}

    assert sorted(swept_overlaps(raw, "f.yaml")) == sorted(pairwise_overlaps(raw, "f.yaml"))


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), max_size=30))
def test_overlapping_pairs_are_exactly_the_pairs_that_share_a_point(starts_and_lengths: list[tuple[int, int]]) -> None:
    from chalk_policy.catalog.validation import count_overlapping_pairs, overlapping_pairs

    spans = [(first, first + length) for first, length in starts_and_lengths]
    pairs = list(overlapping_pairs(spans))

    assert len(pairs) == len(set(pairs)) == count_overlapping_pairs(spans)
    assert set(pairs) == {(i, j) for i in range(len(spans)) for j in range(i + 1, len(spans))
                          if spans[i][0] <= spans[j][1] and spans[j][0] <= spans[i][1]}


def test_a_range_repeated_thousands_of_times_lists_a_thousand_overlaps_and_counts_the_rest() -> None:
    """1,500 copies of one range are 1,124,250 overlapping pairs: listing them all would take minutes and
    gigabytes."""
    raw = shipped_raw()
    raw["regions"].append(new_region("zz1", ["10.99.0.0/24"] * 1500))

    lines = problems(raw)

    assert len(lines) == 1001
    assert lines[0] == ("bad.yaml: regions: and 1,123,250 more pairs of overlapping ranges (not listed); "
                        "allowed: each address in one range of one region")
    assert all(" overlaps regions[zz1].cidrs[" in line for line in lines[1:])


def reference_check_cidr(value: str) -> str:
    """The CIDR check as it was, entirely by netaddr."""
    import netaddr

    try:
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"{value!r} is not an IPv4 CIDR; allowed: a.b.c.d/n") from None
    if network.version != 4 or "/" not in value:
        raise ValueError(f"{value!r} is not an IPv4 CIDR; allowed: a.b.c.d/n")
    if network.ip != network.network:
        raise ValueError(f"{value!r} has host bits set; allowed: the network address, {network.cidr}")
    if str(network.cidr) != value:
        raise ValueError(f"{value!r} is not in canonical form; allowed: {network.cidr}")
    if network.prefixlen < 8:
        raise ValueError(f"{value!r} is wider than any media range; allowed: a prefix of /8 or longer")
    return value


def _outcome(check: Any, value: str) -> str:
    try:
        return f"ok {check(value)}"
    except ValueError as exc:
        return f"error {exc}"


_OCTET_TEXT = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "007", "-1", "1e2", "٣", " 1"]))


@given(st.lists(_OCTET_TEXT, min_size=4, max_size=4), st.one_of(st.integers(0, 40).map(str),
                                                                  st.sampled_from(["08", "", "x", "24 ", "0x18"])))
@settings(max_examples=500)
def test_the_fast_cidr_reading_agrees_with_netaddr(octets: list[str], prefix: str) -> None:
    import netaddr

    from chalk_policy.catalog.models import _check_cidr, ipv4_cidr, ipv4_span

    value = f"{'.'.join(octets)}/{prefix}"
    assert _outcome(_check_cidr, value) == _outcome(reference_check_cidr, value)
    parsed = ipv4_cidr(value)
    if parsed is not None:
        network = netaddr.IPNetwork(value)
        assert (int(network.ip), network.prefixlen) == parsed
        assert ipv4_span(*parsed) == (network.first, network.last)


def reference_host_merge(hosts: list[Any], overlay_hosts: list[dict[str, Any]]) -> list[Any]:
    """How an overlay's hosts were merged, one by one: each replaces every entry with its host and path."""
    merged = list(hosts)
    for entry in overlay_hosts:
        key = (entry.get("host"), entry.get("path"))
        merged = [h for h in merged if (h.get("host"), h.get("path")) != key]
        merged.append(entry)
    return merged


_HOST_ENTRY = st.fixed_dictionaries({"host": st.sampled_from(["a.example.com", "b.example.com", ["a.example.com"],
                                                              {"x": 1}, None, 1, True])},
                                    optional={"path": st.sampled_from([None, "/x", "/y", ["/x"]]),
                                              "n": st.integers(0, 99)})


@given(st.lists(_HOST_ENTRY, max_size=8), st.lists(_HOST_ENTRY, max_size=8))
def test_overlay_hosts_replace_and_append_as_one_by_one(base_hosts: list[Any], added: list[dict[str, Any]]) -> None:
    from chalk_policy.catalog.overlay import apply_overlay

    merged = apply_overlay({"hosts": base_hosts, "regions": []},
                           {"overlay": 1, "version": "2026120101", "hosts": added}, "ov.yaml")

    assert merged["hosts"] == reference_host_merge(base_hosts, added)


def test_overlapping_ranges_within_and_across_regions_are_each_reported_once() -> None:
    raw = shipped_raw()
    region(raw, "jp1")["cidrs"].append(cidr_entry("13.115.244.0/28", "ptc-av"))  # inside jp1's own /27
    region(raw, "us2")["cidrs"].append(cidr_entry("13.115.244.0/24", "ptc-av"))  # around both

    lines = problems(raw)

    assert lines == [
        "bad.yaml: regions[jp1].cidrs[3]: '13.115.244.0/28' overlaps regions[jp1].cidrs[0] '13.115.244.0/27' "
        "(another range of the same region); allowed: each address in one range of one region",
        "bad.yaml: regions[us2].cidrs[3]: '13.115.244.0/24' overlaps regions[jp1].cidrs[0] '13.115.244.0/27' "
        "(another region's range); allowed: each address in one range of one region",
        "bad.yaml: regions[us2].cidrs[3]: '13.115.244.0/24' overlaps regions[jp1].cidrs[3] '13.115.244.0/28' "
        "(another region's range); allowed: each address in one range of one region",
    ]


def test_a_long_list_in_a_problem_is_cut_to_a_few_and_n_more() -> None:
    raw = shipped_raw()
    raw["sources"].update({f"extra-{i:03}": {"url": f"https://example.com/{i}", "title": f"Extra {i}"}
                           for i in range(200)})
    region(raw, "jp1")["cidrs"][0]["source"] = "nowhere"

    assert problems(raw) == [  # 206 sources defined: the first five (sorted) and the count of the others
        "bad.yaml: regions[jp1].cidrs[0].source: 'nowhere' is not defined in 'sources'; defined: "
        "extra-000, extra-001, extra-002, extra-003, extra-004 and 201 more"]


def test_a_problem_naming_a_value_with_control_characters_prints_it_escaped(tmp_path: Path) -> None:
    raw = shipped_raw()
    region(raw, "jp1")["annotation_proxy"]["id"] = "ap-\x1b[31mred"
    region(raw, "us2")["id"] = "us2\udc80"
    raw["regions"].append(new_region("zz1\x1b]0;title\x07", ["10.99.0.0/24"]))

    lines = problems(raw)

    assert "bad.yaml: regions[jp1].annotation_proxy.id: 'ap-\\x1b[31mred' is not an annotation proxy of this " \
           "catalog; allowed: eu-west-1, us-west-2, ap-southeast-1" in lines
    assert any(line.startswith("bad.yaml: regions[us2\\udc80].id: 'us2\\udc80' is not a region id") for line in lines)
    assert any(line.startswith("bad.yaml: regions[zz1\\x1b]0;title\\x07].id:") for line in lines)
    for line in lines:
        line.encode("utf-8")  # strict: no lone surrogate
        assert not re.search(r"[\x00-\x1f\x7f]", line)
