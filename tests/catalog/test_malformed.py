"""Malformed catalogs: each is rejected with the exact problem line(s) an operator would read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalk_testkit import SOURCE_KEYS, cidr_entry, option, problems, region, shipped_raw, write_yaml

from chalk_policy.catalog import CatalogError, load_catalog, validate_catalog
from chalk_policy.catalog.loader import default_catalog_text

Mutation = Callable[[dict[str, Any]], None]

ALLOWED_NETWORK = "allowed: each address in one range of one region"
EMPTY_FILE = ("the file is empty; expected a YAML mapping with 'schema', 'version', 'sources', 'port_options', "
              "'encryption_modes', 'hosts' and 'regions'")
TOP_FIELDS = ("annotation_proxies, encryption_modes, gaps, hosts, port_options, regions, schema, sources, "
              "twilio_hosts, version")
HOST_RULE = "allowed: lower-case labels of a-z, 0-9 and '-', separated by dots"


def set_cidr(region_id: str, index: int, cidr: str) -> Mutation:
    return lambda raw: region(raw, region_id)["cidrs"][index].update(cidr=cidr)


def set_rule(option_id: int, index: int, **fields: Any) -> Mutation:
    return lambda raw: option(raw, option_id)["rules"][index].update(fields)


def set_region(region_id: str, **fields: Any) -> Mutation:
    return lambda raw: region(raw, region_id).update(fields)


def set_top(**fields: Any) -> Mutation:
    return lambda raw: raw.update(fields)


def add_cidr(region_id: str, cidr: str) -> Mutation:
    return lambda raw: region(raw, region_id)["cidrs"].append(cidr_entry(cidr))


def rename_region(old: str, new: str) -> Mutation:
    return lambda raw: region(raw, old).update(id=new)


def drop_region_field(region_id: str, field: str) -> Mutation:
    return lambda raw: region(raw, region_id).pop(field)


def drop_top(field: str) -> Mutation:
    return lambda raw: raw.pop(field)


CASES = [
    # --- CIDRs ---------------------------------------------------------------------------------------
    pytest.param(set_cidr("jp1", 2, "18.180.220.300/25"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220.300/25' is not an IPv4 CIDR; allowed: a.b.c.d/n"],
                 id="cidr-octet-out-of-range"),
    pytest.param(set_cidr("jp1", 2, "18.180.220/25"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220/25' is not an IPv4 CIDR; allowed: a.b.c.d/n"],
                 id="cidr-three-octets"),
    pytest.param(set_cidr("jp1", 2, "18.180.220.128"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220.128' is not an IPv4 CIDR; allowed: a.b.c.d/n"],
                 id="cidr-without-prefix-length"),
    pytest.param(set_cidr("jp1", 2, "18.180.220.129/25"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220.129/25' has host bits set; "
                  "allowed: the network address, 18.180.220.128/25"],
                 id="cidr-host-bits-set"),
    pytest.param(set_cidr("jp1", 2, "18.180.220.128/255.255.255.128"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220.128/255.255.255.128' is not in canonical form; "
                  "allowed: 18.180.220.128/25"],
                 id="cidr-netmask-not-canonical"),
    pytest.param(set_cidr("jp1", 2, "18.180.220.128/025"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '18.180.220.128/025' is not in canonical form; "
                  "allowed: 18.180.220.128/25"],
                 id="cidr-padded-prefix-not-canonical"),
    pytest.param(set_cidr("jp1", 2, "2001:db8::/32"),
                 ["bad.yaml: regions[jp1].cidrs[2]: '2001:db8::/32' is not an IPv4 CIDR; allowed: a.b.c.d/n"],
                 id="cidr-ipv6"),
    pytest.param(set_cidr("jp1", 2, "54.244.51.128/25"),
                 ["bad.yaml: regions[us2].cidrs[1]: '54.244.51.0/24' overlaps regions[jp1].cidrs[2] "
                  f"'54.244.51.128/25' (another region's range); {ALLOWED_NETWORK}"],
                 id="overlap-between-two-regions"),
    pytest.param(add_cidr("us2", "13.115.244.0/27"),
                 ["bad.yaml: regions[us2].cidrs[3]: '13.115.244.0/27' overlaps regions[jp1].cidrs[0] "
                  f"'13.115.244.0/27' (another region's range); {ALLOWED_NETWORK}"],
                 id="same-range-in-two-regions"),
    pytest.param(add_cidr("jp1", "13.115.244.16/28"),
                 ["bad.yaml: regions[jp1].cidrs[3]: '13.115.244.16/28' overlaps regions[jp1].cidrs[0] "
                  f"'13.115.244.0/27' (another range of the same region); {ALLOWED_NETWORK}"],
                 id="overlap-within-a-region"),
    pytest.param(set_region("jp1", cidrs=[]),
                 ["bad.yaml: regions[jp1].cidrs: must not be empty"],
                 id="region-without-ranges"),
    pytest.param(set_region("jp1", cidrs=["13.115.244.0/27"]),
                 ["bad.yaml: regions[jp1].cidrs[0]: expected a mapping, got '13.115.244.0/27'"],
                 id="range-as-bare-string"),
    # --- ports and protocols --------------------------------------------------------------------------
    pytest.param(set_rule(1, 0, from_port=0),
                 ["bad.yaml: port_options[0].rules[0].from_port: 0 is not a port; allowed: 1-65535"],
                 id="port-0"),
    pytest.param(set_rule(1, 2, to_port=70000),
                 ["bad.yaml: port_options[0].rules[2].to_port: 70000 is not a port; allowed: 1-65535"],
                 id="port-70000"),
    pytest.param(set_rule(1, 2, from_port=60000, to_port=10000),
                 ["bad.yaml: port_options[0].rules[2]: from_port 60000 is greater than to_port 10000; "
                  "allowed: from_port <= to_port"],
                 id="port-range-reversed"),
    pytest.param(set_rule(3, 0, protocol="sctp"),
                 ["bad.yaml: port_options[2].rules[0].protocol: 'sctp' is not allowed; allowed: 'udp', 'tcp'"],
                 id="unknown-protocol"),
    pytest.param(set_rule(3, 0, protocol="TCP"),
                 ["bad.yaml: port_options[2].rules[0].protocol: 'TCP' is not allowed; allowed: 'udp', 'tcp'"],
                 id="protocol-upper-case"),
    pytest.param(set_rule(1, 0, from_port="443"),
                 ["bad.yaml: port_options[0].rules[0].from_port: expected an integer, got '443'"],
                 id="port-as-string"),
    pytest.param(set_rule(1, 0, to_port=True),
                 ["bad.yaml: port_options[0].rules[0].to_port: expected an integer, got True (true or false)"],
                 id="port-as-bool"),
    pytest.param(set_rule(1, 0, from_port=443.0),
                 ["bad.yaml: port_options[0].rules[0].from_port: expected an integer, got 443.0 (a number)"],
                 id="port-as-float"),
    pytest.param(lambda raw: option(raw, 1).update(rules=[]),
                 ["bad.yaml: port_options[0].rules: must not be empty"],
                 id="port-option-without-rules"),
    # --- ids and duplicates ---------------------------------------------------------------------------
    pytest.param(rename_region("us2", "us1"),
                 ["bad.yaml: regions[8].id: 'us1' is a duplicate; each region id must be unique"],
                 id="duplicate-region-id"),
    pytest.param(lambda raw: raw["regions"].append(shipped_raw()["regions"][0]),
                 ["bad.yaml: regions[9].id: 'au1' is a duplicate; each region id must be unique"],
                 id="duplicate-region-entry-is-not-also-an-overlap"),
    pytest.param(lambda raw: option(raw, 2).update(id=1),
                 ["bad.yaml: port_options[1].id: 1 is a duplicate; each port option id must be unique"],
                 id="duplicate-port-option-id"),
    pytest.param(lambda raw: raw["encryption_modes"][1].update(id="standard"),
                 ["bad.yaml: encryption_modes[1].id: 'standard' is a duplicate; "
                  "each encryption mode id must be unique"],
                 id="duplicate-encryption-mode"),
    pytest.param(lambda raw: raw["hosts"].append(dict(raw["hosts"][1])),
                 ["bad.yaml: hosts[14].host: 'chalkusageservice.prod.look.vuforia.com' is listed twice; "
                  "each host (and path) must be listed once"],
                 id="duplicate-host"),
    pytest.param(set_region("jp1", id="JP1"),
                 ["bad.yaml: regions[JP1].id: 'JP1' is not a region id; "
                  "allowed: lower-case letters, digits and '-', e.g. jp1"],
                 id="region-id-upper-case"),
    pytest.param(lambda raw: option(raw, 1).update(id="one"),
                 ["bad.yaml: port_options[one].id: expected an integer, got 'one'"],
                 id="port-option-id-as-string"),
    pytest.param(lambda raw: raw["encryption_modes"][1].update(id="aes"),
                 ["bad.yaml: encryption_modes[aes].id: 'aes' is not allowed; allowed: 'standard', 'e2ee'"],
                 id="unknown-encryption-mode"),
    # --- references -----------------------------------------------------------------------------------
    pytest.param(lambda raw: region(raw, "jp1")["cidrs"][0].update(source="ptc-nope"),
                 [f"bad.yaml: regions[jp1].cidrs[0].source: 'ptc-nope' is not defined in 'sources'; "
                  f"defined: {SOURCE_KEYS}"],
                 id="undefined-source-key"),
    pytest.param(lambda raw: option(raw, 2).update(source="ptc-avv"),
                 [f"bad.yaml: port_options[1].source: 'ptc-avv' is not defined in 'sources'; defined: {SOURCE_KEYS}"],
                 id="undefined-source-key-on-port-option"),
    pytest.param(lambda raw: region(raw, "jp1")["annotation_proxy"].update(id="ap-northeast-1"),
                 ["bad.yaml: regions[jp1].annotation_proxy.id: 'ap-northeast-1' is not an annotation proxy of this "
                  "catalog; allowed: eu-west-1, us-west-2, ap-southeast-1"],
                 id="undefined-annotation-proxy"),
    pytest.param(set_region("jp1", annotation_proxy="ap-southeast-1"),
                 ["bad.yaml: regions[jp1].annotation_proxy: expected a mapping, got 'ap-southeast-1'"],
                 id="annotation-proxy-as-string"),
    pytest.param(lambda raw: region(raw, "jp1")["cidrs"][0].update(evidence="rumour"),
                 ["bad.yaml: regions[jp1].cidrs[0].evidence: 'rumour' is not allowed; "
                  "allowed: 'retrieved', 'seed', 'inferred'"],
                 id="unknown-evidence"),
    pytest.param(lambda raw: raw["hosts"][0].update(role="admin"),
                 ["bad.yaml: hosts[0].role: 'admin' is not allowed; "
                  "allowed: 'authentication', 'chalk-cloud', 'audio-video'"],
                 id="unknown-host-role"),
    # --- required fields, types and unknown fields ----------------------------------------------------
    pytest.param(drop_region_field("jp1", "name"),
                 ["bad.yaml: regions[jp1].name: required field is missing"],
                 id="missing-region-name"),
    pytest.param(drop_region_field("jp1", "annotation_proxy"),
                 ["bad.yaml: regions[jp1].annotation_proxy: required field is missing"],
                 id="missing-annotation-proxy-must-be-explicit-null"),
    pytest.param(drop_top("version"),
                 ["bad.yaml: version: required field is missing"],
                 id="missing-version"),
    pytest.param(drop_top("sources"),
                 ["bad.yaml: sources: required field is missing"],
                 id="missing-sources-is-one-problem"),
    pytest.param(set_top(sources={}),
                 ["bad.yaml: sources: must not be empty"],
                 id="empty-sources-is-one-problem"),
    pytest.param(lambda raw: raw["sources"]["ptc-av"].update(url=""),
                 ["bad.yaml: sources.ptc-av.url: must not be empty"],
                 id="empty-source-url"),
    pytest.param(set_region("jp1", name=["Japan"]),
                 ["bad.yaml: regions[jp1].name: expected a string, got a list"],
                 id="name-as-list"),
    pytest.param(lambda raw: raw["hosts"][0].update(host=123),
                 ["bad.yaml: hosts[0].host: expected a string, got 123 (an integer)"],
                 id="host-as-integer"),
    pytest.param(lambda raw: raw["hosts"][0].update(path=["/a", "/b"]),  # found by tests/fuzz: was a TypeError
                 ["bad.yaml: hosts[0].path: expected a string, got a list"],
                 id="host-path-as-list"),
    pytest.param(set_top(regions="jp1"),
                 ["bad.yaml: regions: expected a list, got 'jp1'"],
                 id="regions-as-string"),
    pytest.param(set_region("jp1", gapz=[]),
                 ["bad.yaml: regions[jp1].gapz: unknown field 'gapz'; "
                  "allowed fields: annotation_proxy, cidrs, country, gaps, id, media_host, name"],
                 id="unknown-region-field-typo"),
    pytest.param(lambda raw: raw.update(region=raw.pop("regions")),
                 [f"bad.yaml: region: unknown field 'region'; allowed fields: {TOP_FIELDS}",
                  "bad.yaml: regions: required field is missing"],
                 id="unknown-top-level-field-typo"),
    # --- version, schema, host names, empty lists -----------------------------------------------------
    pytest.param(set_top(version="2026-11-25"),
                 ["bad.yaml: version: '2026-11-25' is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501"],
                 id="version-with-dashes"),
    pytest.param(set_top(version="2026133001"),
                 ["bad.yaml: version: '2026133001' does not start with a real date; allowed: YYYYMMDDNN"],
                 id="version-month-13"),
    pytest.param(set_top(version=2026120101),
                 ["bad.yaml: version: expected a string, got 2026120101 (an integer)"],
                 id="version-unquoted-integer"),
    pytest.param(set_top(schema=2),
                 ["bad.yaml: schema: 2 is not a supported schema; allowed: 1"],
                 id="unsupported-schema"),
    pytest.param(lambda raw: raw["hosts"][0].update(host="Cognito_IDP.example"),
                 [f"bad.yaml: hosts[0].host: 'Cognito_IDP.example' is not a host name; {HOST_RULE}"],
                 id="host-name-upper-case-and-underscore"),
    pytest.param(lambda raw: raw["hosts"][0].update(host="localhost"),
                 [f"bad.yaml: hosts[0].host: 'localhost' is not a host name; {HOST_RULE}"],
                 id="host-name-single-label"),
    pytest.param(lambda raw: raw["hosts"][0].update(host="169.254.169.254"),
                 ["bad.yaml: hosts[0].host: '169.254.169.254' is an IP address, not a host name; allowed: a host name "
                  "whose last label is not all digits, e.g. de1.vss.twilio.com"],
                 id="host-name-is-an-address"),
    pytest.param(lambda raw: region(raw, "de1").update(country="de"),
                 ["bad.yaml: regions[de1].country: 'de' is not a country code; allowed: two upper-case letters "
                  "(ISO 3166-1 alpha-2), e.g. DE"],
                 id="country-lower-case"),
    pytest.param(lambda raw: region(raw, "jp1")["media_host"].update(host="-jp1.vss.twilio.com"),
                 [f"bad.yaml: regions[jp1].media_host.host: '-jp1.vss.twilio.com' is not a host name; {HOST_RULE}"],
                 id="host-name-leading-hyphen"),
    pytest.param(set_top(regions=[]),
                 ["bad.yaml: regions: must not be empty"],
                 id="empty-regions-list"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES)
def test_malformed_catalog_reports_exact_problems(mutate: Mutation, expected: list[str]) -> None:
    raw = shipped_raw()
    mutate(raw)

    assert problems(raw) == expected


@pytest.mark.parametrize(("mutate", "expected"), CASES)
def test_summary_is_one_line_naming_the_first_problem(mutate: Mutation, expected: list[str]) -> None:
    raw = shipped_raw()
    mutate(raw)

    with pytest.raises(CatalogError) as caught:
        validate_catalog(raw, "bad.yaml")

    assert caught.value.summary == expected[0] + (
        "" if len(expected) == 1 else f" (and {len(expected) - 1} more problem{'s' if len(expected) > 2 else ''})")
    assert "\n" not in caught.value.summary


def test_the_unmodified_shipped_catalog_is_valid() -> None:
    assert validate_catalog(shipped_raw(), "ok.yaml").version == shipped_raw()["version"]


# --- file-level problems ------------------------------------------------------------------------------

FILE_CASES = [
    pytest.param("", f"{{path}}: {EMPTY_FILE}", id="empty-file"),
    pytest.param("# only a comment\n\n", f"{{path}}: {EMPTY_FILE}", id="comment-only-file"),
    pytest.param("regions: [jp1\n",
                 "{path}: is not valid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'",
                 id="not-yaml-unclosed-list"),
    pytest.param("schema: 1\nversion: a: b\n",
                 "{path}: is not valid YAML at line 2, column 11: mapping values are not allowed here",
                 id="not-yaml-nested-colon"),
    pytest.param("\tschema: 1\n",
                 "{path}: is not valid YAML at line 1, column 1: found character '\\t' that cannot start any token",
                 id="not-yaml-tab-indent"),
    pytest.param("- jp1\n- us2\n", "{path}: expected a YAML mapping at the top, got a list", id="top-level-list"),
    pytest.param("just some words\n", "{path}: expected a YAML mapping at the top, got a string",
                 id="top-level-string"),
    pytest.param("42\n", "{path}: expected a YAML mapping at the top, got an integer", id="top-level-integer"),
]


@pytest.mark.parametrize(("text", "expected"), FILE_CASES)
def test_malformed_file_reports_one_problem_naming_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CatalogError) as caught:
        load_catalog(path)

    assert [str(p) for p in caught.value.problems] == [expected.format(path=path)]
    assert str(caught.value) == f"{path}: 1 problem in the catalog\n  {expected.format(path=path)}"
    assert caught.value.summary == expected.format(path=path)


def test_missing_file_is_reported_as_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"

    with pytest.raises(CatalogError) as caught:
        load_catalog(path)

    assert caught.value.summary == f"{path}: file not found"


def test_file_that_is_not_utf8_is_reported_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"schema: 1\nversion: \xff\n")

    with pytest.raises(CatalogError) as caught:
        load_catalog(path)

    assert caught.value.summary == f"{path}: not UTF-8 text at byte 19"


def test_file_with_several_problems_reports_all_of_them_in_one_error(tmp_path: Path) -> None:
    raw = shipped_raw()
    raw["version"] = "20261125"
    region(raw, "jp1")["cidrs"][2]["cidr"] = "18.180.220.129/25"
    region(raw, "us2")["cidrs"].append(cidr_entry("13.115.244.0/28"))
    option(raw, 1)["rules"][2].update(from_port=60000, to_port=10000)
    option(raw, 3)["rules"][1]["protocol"] = "sctp"
    raw["hosts"][3]["host"] = "vuforiachalk..com"
    region(raw, "br1")["media_host"]["source"] = "nowhere"
    region(raw, "de1")["nmae"] = region(raw, "de1").pop("name")
    path = write_yaml(tmp_path / "many.yaml", raw)

    with pytest.raises(CatalogError) as caught:
        load_catalog(path)

    expected = {
        f"{path}: hosts[3].host: 'vuforiachalk..com' is not a host name; {HOST_RULE}",
        f"{path}: port_options[0].rules[2]: from_port 60000 is greater than to_port 10000; "
        "allowed: from_port <= to_port",
        f"{path}: port_options[2].rules[1].protocol: 'sctp' is not allowed; allowed: 'udp', 'tcp'",
        f"{path}: regions[br1].media_host.source: 'nowhere' is not defined in 'sources'; defined: {SOURCE_KEYS}",
        f"{path}: regions[de1].name: required field is missing",
        f"{path}: regions[de1].nmae: unknown field 'nmae'; "
        "allowed fields: annotation_proxy, cidrs, country, gaps, id, media_host, name",
        f"{path}: regions[jp1].cidrs[2]: '18.180.220.129/25' has host bits set; "
        "allowed: the network address, 18.180.220.128/25",
        f"{path}: regions[us2].cidrs[3]: '13.115.244.0/28' overlaps regions[jp1].cidrs[0] '13.115.244.0/27' "
        f"(another region's range); {ALLOWED_NETWORK}",
        f"{path}: version: '20261125' is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501",
    }
    error = caught.value
    assert {str(p) for p in error.problems} == expected
    assert len(error.problems) == len(expected)
    lines = str(error).splitlines()
    assert lines[0] == f"{path}: 9 problems in the catalog"
    assert {line.removeprefix("  ") for line in lines[1:]} == expected
    assert all(line.startswith(f"  {path}: ") for line in lines[1:])
    assert error.summary == (f"{path}: hosts[3].host: 'vuforiachalk..com' is not a host name; {HOST_RULE} "
                             "(and 8 more problems)")
    assert "\n" not in error.summary


def test_problems_are_deduplicated_and_sorted() -> None:
    from chalk_policy.catalog import Problem

    error = CatalogError([Problem("b.yaml", "z", "late"), Problem("a.yaml", "y", "x"), Problem("b.yaml", "z", "late")])

    assert [str(p) for p in error.problems] == ["a.yaml: y: x", "b.yaml: z: late"]
    assert error.summary == "a.yaml: y: x (and 1 more problem)"


def test_problem_without_path_names_only_the_file() -> None:
    from chalk_policy.catalog import Problem

    assert str(Problem("a.yaml", "", "file not found")) == "a.yaml: file not found"


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text('schema: 1\nversion: "2026120101"\nschema: 2\n', encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: line 3, column 1: key 'schema' is set twice (first at line 1)"]


def test_more_than_one_recommended_option_is_refused() -> None:
    raw = yaml.safe_load(default_catalog_text())
    raw["port_options"][1]["recommended"] = True
    with pytest.raises(CatalogError) as caught:
        validate_catalog(raw, "bad.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "bad.yaml: port_options: port_options[0], port_options[1] are all recommended; "
        "allowed: at most one recommended option"]


def test_problems_sort_numerically_by_position() -> None:
    raw = yaml.safe_load(default_catalog_text())
    raw["hosts"][2]["host"] = "BAD HOST"
    raw["hosts"][10]["host"] = "ALSO BAD"
    with pytest.raises(CatalogError) as caught:
        validate_catalog(raw, "bad.yaml")
    assert [p.path for p in caught.value.problems] == ["hosts[2].host", "hosts[10].host"]


def test_a_range_wider_than_a_slash_8_is_refused() -> None:
    raw = yaml.safe_load(default_catalog_text())
    raw["regions"][5]["cidrs"][0]["cidr"] = "0.0.0.0/7"  # overlaps no other range
    with pytest.raises(CatalogError) as caught:
        validate_catalog(raw, "bad.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "bad.yaml: regions[jp1].cidrs[0]: '0.0.0.0/7' is wider than any media range; allowed: a prefix of /8 or longer"]
