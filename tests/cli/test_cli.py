"""The ``chalk-policy`` command: every command and format, and one clear line (exit 2) for every input error."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from chalk_testkit import ALL_CIDRS, ALLOWED_REGIONS, RESEARCH_CIDRS, cidr_entry, region, shipped_raw, write_yaml
from click.testing import CliRunner, Result

from chalk_policy.catalog.loader import default_catalog_text
from chalk_policy.cli.main import cli
from chalk_policy.cli.plan_formats import RULE_COLUMNS

VERSION = "2026120101"
ALLOWED_REGIONS = ALLOWED_REGIONS
REPO = Path(__file__).parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""


def assert_one_line_error(result: Result, message: str) -> None:
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"chalk-policy: error: {message}\n"
    assert "Traceback" not in result.output


@pytest.fixture
def catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(default_catalog_text(), encoding="utf-8")
    return path


@pytest.fixture
def bad_catalog_file(tmp_path: Path) -> Path:
    raw = shipped_raw()
    raw["version"] = "latest"
    region(raw, "jp1")["cidrs"][2]["cidr"] = "18.180.220.129/25"
    return write_yaml(tmp_path / "bad.yaml", raw)


BAD_LINES = (
    "regions[jp1].cidrs[2]: '18.180.220.129/25' has host bits set; allowed: the network address, 18.180.220.128/25",
    "version: 'latest' is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501",
)


# --- catalog show -------------------------------------------------------------------------------------


def test_catalog_show_marks_inferred_and_seed_facts() -> None:
    result = run("catalog", "show")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == (f"Chalk network catalog {VERSION}  "
                        "(marks: (seed) = PTC's seed page, (inferred) = our conclusion)")
    assert "    annotation proxy: smartproxy-us-west-2.prod.look.vuforia.com (inferred)" in lines
    assert "    media ranges:     13.115.244.0/27 (seed), 54.65.63.192/26 (seed), 18.180.220.128/25 (seed)" in lines
    assert "  1: UDP 443*, UDP 3478, UDP 10000-60000  [UDP with the media port range; best quality; recommended] " \
           "(seed)" in lines
    assert "Inferred facts (7):" in lines
    assert sum(line.count("(inferred)") for line in lines) == 7 + 1  # 7 proxies plus the legend in the first line
    assert "  vuforiachalk.com/networktest  [chalk-cloud]" in lines


def test_catalog_show_one_region() -> None:
    result = run("catalog", "show", "--region", "br1")

    assert_ok(result)
    assert result.stdout == (
        f"Chalk network catalog {VERSION}  (marks: (seed) = PTC's seed page, (inferred) = our conclusion)\n"
        "\n"
        "Regions:\n"
        "  br1  Brazil\n"
        "    media host:       br1.vss.twilio.com\n"
        "    annotation proxy: none (gap)\n"
        "    media ranges:     18.231.105.32/27, 177.71.206.192/26, 18.230.125.0/25\n"
        "    gap: PTC lists no South America annotation proxy host\n"
    )


def test_catalog_show_json_is_the_whole_catalog_with_its_inferred_facts() -> None:
    result = run("catalog", "show", "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert (data["schema"], data["version"]) == (1, VERSION)
    assert {r["id"]: [c["cidr"] for c in r["cidrs"]] for r in data["regions"]} == {
        rid: list(cidrs) for rid, cidrs in RESEARCH_CIDRS.items()}
    assert len(data["hosts"]) == 14
    assert len(data["inferred"]) == 7
    assert "us1: annotation proxy smartproxy-us-west-2.prod.look.vuforia.com" in data["inferred"]


def test_catalog_show_json_for_one_region() -> None:
    result = run("catalog", "show", "--region", "br1", "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert [r["id"] for r in data["regions"]] == ["br1"]
    assert data["regions"][0]["annotation_proxy"] is None
    assert data["regions"][0]["gaps"] == ["PTC lists no South America annotation proxy host"]
    assert data["inferred"] == []


def test_catalog_show_with_an_overlay(tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [cidr_entry("13.115.245.0/27", "ptc-av", "inferred")]}]})

    result = run("catalog", "show", "--region", "jp1", "--overlay", str(overlay))

    assert_ok(result)
    assert ("    media ranges:     13.115.244.0/27 (seed), 54.65.63.192/26 (seed), 18.180.220.128/25 (seed), "
            "13.115.245.0/27 (inferred)") in result.stdout.splitlines()
    assert result.stdout.startswith("Chalk network catalog 2026120101 ")


# --- catalog validate ---------------------------------------------------------------------------------


def test_catalog_validate_prints_one_ok_line(catalog_file: Path) -> None:
    result = run("catalog", "validate", str(catalog_file))

    assert_ok(result)
    assert result.stdout == (f"{catalog_file}: valid catalog {VERSION}: 9 regions, 29 media ranges, 14 hosts, "
                             "3 port options\n")


def test_catalog_validate_with_an_overlay_counts_the_merged_catalog(catalog_file: Path, tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [cidr_entry("13.115.245.0/27", "ptc-av")]}]})

    result = run("catalog", "validate", str(catalog_file), "--overlay", str(overlay))

    assert_ok(result)
    assert result.stdout == (f"{catalog_file}: valid catalog 2026120101: 9 regions, 30 media ranges, 14 hosts, "
                             "3 port options\n")


def test_catalog_validate_lists_every_problem_on_stderr_and_exits_2(bad_catalog_file: Path) -> None:
    result = run("catalog", "validate", str(bad_catalog_file))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"{bad_catalog_file}: 2 problems in the catalog\n"
                             + "".join(f"  {bad_catalog_file}: {line}\n" for line in BAD_LINES))
    assert "Traceback" not in result.output


def test_catalog_validate_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("catalog", "validate", str(tmp_path / "nope.yaml"))

    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: 1 problem in the catalog\n  {tmp_path / 'nope.yaml'}: " \
                            "file not found\n"


# --- catalog diff -------------------------------------------------------------------------------------


@pytest.fixture
def changed_file(tmp_path: Path) -> Path:
    raw = shipped_raw()
    raw["version"] = "2026120101"
    region(raw, "jp1")["cidrs"].append(cidr_entry("13.115.245.0/27", "ptc-av"))
    del region(raw, "us2")["cidrs"][1]
    return write_yaml(tmp_path / "new.yaml", raw)


@pytest.fixture
def added_only_file(tmp_path: Path) -> Path:
    raw = shipped_raw()
    raw["version"] = "2026120101"
    region(raw, "jp1")["cidrs"].append(cidr_entry("13.115.245.0/27", "ptc-av"))
    return write_yaml(tmp_path / "added.yaml", raw)


def test_catalog_diff_text_table(catalog_file: Path, changed_file: Path) -> None:
    result = run("catalog", "diff", str(catalog_file), str(changed_file))

    assert_ok(result)
    assert result.stdout == (
        f"Catalog {VERSION} -> 2026120101: 2 change(s)\n"
        "REGION  CHANGE      ITEM             DETAIL\n"
        "------  ----------  ---------------  ------\n"
        "jp1     added-ip    13.115.245.0/27\n"
        "us2     removed-ip  54.244.51.0/24\n"
    )


def test_catalog_diff_of_a_file_with_itself_has_no_changes(catalog_file: Path) -> None:
    result = run("catalog", "diff", str(catalog_file), str(catalog_file), "--fail-on-removal")

    assert_ok(result)
    assert result.stdout == f"Catalog {VERSION} -> {VERSION}: 0 change(s)\n"


def test_catalog_diff_json(catalog_file: Path, changed_file: Path) -> None:
    result = run("catalog", "diff", str(catalog_file), str(changed_file), "--format", "json")

    assert_ok(result)
    assert json.loads(result.stdout) == {
        "old_version": VERSION,
        "new_version": "2026120101",
        "has_removals": True,
        "changes": [
            {"region": "jp1", "kind": "added-ip", "item": "13.115.245.0/27", "detail": ""},
            {"region": "us2", "kind": "removed-ip", "item": "54.244.51.0/24", "detail": ""},
        ],
    }


def test_fail_on_removal_exits_1_when_a_range_was_removed(catalog_file: Path, changed_file: Path) -> None:
    result = run("catalog", "diff", str(catalog_file), str(changed_file), "--fail-on-removal")

    assert result.exit_code == 1
    assert "us2     removed-ip  54.244.51.0/24" in result.stdout.splitlines()
    assert result.stderr == ""


def test_fail_on_removal_exits_0_when_ranges_were_only_added(catalog_file: Path, added_only_file: Path) -> None:
    result = run("catalog", "diff", str(catalog_file), str(added_only_file), "--fail-on-removal")

    assert_ok(result)
    assert "jp1     added-ip  13.115.245.0/27" in result.stdout.splitlines()


def test_diff_without_the_gate_exits_0_even_with_removals(catalog_file: Path, changed_file: Path) -> None:
    assert run("catalog", "diff", str(changed_file), str(catalog_file)).exit_code == 0


# --- plan ---------------------------------------------------------------------------------------------


def test_plan_table_for_jp1_and_us2() -> None:
    result = run("plan", "--regions", "jp1,us2", "--option", "1", "--encryption", "standard")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Chalk egress plan -- catalog {VERSION}, regions jp1, us2, option 1, standard encryption"
    assert lines[2] == "Media, outbound (6 ranges x 3 port rules):"
    assert lines[3].split() == ["PROTOCOL", "PORTS", "DESTINATION", "REGIONS"]
    media = [line.split() for line in lines[5:23]]
    assert {(row[0], row[1]) for row in media} == {("UDP", "443"), ("UDP", "3478"), ("UDP", "10000-60000")}
    assert {row[2] for row in media} == set(RESEARCH_CIDRS["jp1"] + RESEARCH_CIDRS["us2"])
    assert lines[24] == "Signaling hosts, outbound (17):"
    assert "  AWS:   18 egress rules in 2 security group(s) of at most 60 (2 reserved in shard 1) -- " \
           "shard 1: 9 rules (jp1), shard 2: 9 rules (us2)" in lines
    assert "  Azure: 3 NSG rules, 8 destination prefixes, priorities 100, 104, 4096 within 100-4096" in lines
    assert "  - UDP 443: listed by PTC, not in Twilio's documentation; the rules allow them as PTC lists them." in lines
    assert "  - smartproxy.prod.look.vuforia.com: avoid stateful packet inspection. ACTION: exempt TCP 443 to this " \
           "host from stateful packet inspection and TLS decryption (SSL inspection)" in lines
    assert lines.index("ACTIONS for the network team:") < lines.index("Notes (no action needed):")


def test_plan_json_for_jp1_and_us2() -> None:
    result = run("plan", "--regions", "jp1,us2", "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("catalog_version", "regions", "option", "encryption", "peer_to_peer")} == {
        "catalog_version": VERSION, "regions": ["jp1", "us2"], "option": 1, "encryption": "standard",
        "peer_to_peer": False}
    assert [h["host"] for h in data["hosts"] if h["scope"] == "regional"] == [
        "jp1.vss.twilio.com", "smartproxy-ap-southeast-1.prod.look.vuforia.com",
        "smartproxy-us-west-2.prod.look.vuforia.com", "us2.vss.twilio.com"]
    assert all((h["port"], h["protocol"]) == (443, "tcp") for h in data["hosts"])
    assert data["budgets"]["aws"] == {
        "rules_per_group": 60, "reserved_per_group": 2, "rules": 18, "security_groups": 2,
        "groups": [{"shard": 1, "rules": 9, "regions": ["jp1"]}, {"shard": 2, "rules": 9, "regions": ["us2"]}]}
    assert data["budgets"]["azure"]["rules"] == [
        {"name": "chalk-media-udp", "priority": 100, "access": "Allow"},
        {"name": "chalk-signaling-https", "priority": 104, "access": "Allow"},
        {"name": "chalk-deny-internet", "priority": 4096, "access": "Deny"}]


def test_plan_all_regions_option_1_json_lists_all_29_ranges_on_udp_443_3478_and_10000_60000() -> None:
    result = run("plan", "--regions", "all", "--option", "1", "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert data["regions"] == ["au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"]
    rules = [(r["protocol"], r["from_port"], r["to_port"]) for r in data["media_rules"]]
    assert rules == [("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 60000)]
    for rule in data["media_rules"]:
        assert len(rule["cidrs"]) == 29
        assert set(rule["cidrs"]) == ALL_CIDRS
        assert {d["cidr"]: d["regions"] for d in rule["destinations"]} == {
            cidr: [rid] for rid, cidrs in RESEARCH_CIDRS.items() for cidr in cidrs}
    assert data["budgets"]["aws"]["rules"] == 87
    assert [g["rules"] for g in data["budgets"]["aws"]["groups"]] == [57, 30]


def test_plan_csv_is_the_ticket_one_row_per_rule_then_the_notes() -> None:
    result = run("plan", "--regions", "de1,ie1", "--option", "3", "--format", "csv")

    assert_ok(result)
    rows = [dict(zip(RULE_COLUMNS, row, strict=True)) for row in csv.reader(io.StringIO(result.stdout))]
    assert tuple(rows[0].values()) == RULE_COLUMNS
    kinds = [row["kind"] for row in rows[1:]]
    assert kinds == sorted(kinds, key=["media", "signaling", "reply", "note"].index)  # rules, then notes
    media = [row for row in rows[1:] if row["kind"] == "media"]
    hosts = [row for row in rows[1:] if row["kind"] == "signaling"]
    assert len(media) == 3 * 7 and len(hosts) == 13 + 3
    assert {(r["protocol"], r["ports"]) for r in media} == {("TCP", "443"), ("TCP", "3478"), ("TCP", "5349")}
    assert {r["catalog_version"] for r in rows[1:]} == {VERSION}
    assert all(r["direction"] == "outbound" and r["source"] == "Chalk clients" and r["action"] == "allow"
               for r in media + hosts)
    assert {"id": "media-tcp-5349-52.215.127.0/24", "destination": "52.215.127.0/24", "regions": "ie1",
            "why": "Chalk media to Twilio's media servers of ie1 (Ireland) (port option 3)"}.items() \
        <= next(r for r in media if r["id"] == "media-tcp-5349-52.215.127.0/24").items()
    proxy = next(r for r in hosts if r["destination"] == "smartproxy-eu-west-1.prod.look.vuforia.com")
    assert (proxy["regions"], proxy["ports"]) == ("de1 ie1", "443")
    global_host = next(r for r in hosts if r["destination"] == "accountapi.prod.look.vuforia.com")
    assert global_host["regions"] == "" and "needed by every call" in global_host["why"]  # never region ids


def test_plan_e2ee_ticket_differs_from_standard_by_the_peer_rules() -> None:
    standard, e2ee = (run("plan", "--regions", "de1", "--format", "csv", "--encryption", mode, "--clients",
                          "10.20.0.0/16") for mode in ("standard", "e2ee"))

    assert_ok(standard)
    assert_ok(e2ee)
    extra = [line for line in e2ee.stdout.splitlines() if line not in standard.stdout.splitlines()]
    peers = [dict(zip(RULE_COLUMNS, row, strict=True)) for row in csv.reader(extra) if row[1] == "peer"]
    assert [(p["protocol"], p["ports"], p["direction"], p["source"], p["destination"]) for p in peers] == [
        ("UDP", "1024-65535", "internal", "10.20.0.0/16", "10.20.0.0/16"),
        ("TCP", "1024-65535", "internal", "10.20.0.0/16", "10.20.0.0/16")]


def test_every_note_of_the_ticket_says_whether_it_needs_an_action() -> None:
    result = run("plan", "--regions", "de1", "--format", "csv")

    assert_ok(result)
    notes = [dict(zip(RULE_COLUMNS, row, strict=True)) for row in csv.reader(io.StringIO(result.stdout))
             if row[1] == "note"]
    assert notes and all(n["action"] == "none" or n["action"].startswith("ACTION: ") for n in notes)
    actions = {n["why"].split(":")[0] for n in notes if n["action"] != "none"}
    assert "smartproxy.prod.look.vuforia.com" in actions
    assert any(n["why"].startswith("'Chalk clients' stands for") for n in notes if n["action"] != "none")


def test_plan_e2ee_with_custom_quota_and_window() -> None:
    result = run("plan", "--regions", "all", "--encryption", "e2ee", "--aws-rules-per-group", "100",
                 "--azure-priorities", "200-300", "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert (data["encryption"], data["peer_to_peer"]) == ("e2ee", True)
    assert data["budgets"]["aws"]["security_groups"] == 1
    assert [(r["name"], r["priority"]) for r in data["budgets"]["azure"]["rules"]] == [
        ("chalk-media-udp", 200), ("chalk-peer-udp", 202), ("chalk-signaling-https", 204),
        ("chalk-deny-internet", 300)]


def test_plan_reads_a_user_catalog_and_an_overlay(catalog_file: Path, tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [cidr_entry("13.115.245.0/27", "ptc-av")]}]})

    result = run("plan", "--regions", "jp1", "--catalog", str(catalog_file), "--overlay", str(overlay),
                 "--format", "json")

    assert_ok(result)
    data = json.loads(result.stdout)
    assert data["catalog_version"] == "2026120101"
    assert "13.115.245.0/27" in data["media_rules"][0]["cidrs"]


# --- errors: exit 2, one line, no traceback -----------------------------------------------------------

PLAN_ERRORS = [
    pytest.param(["--regions", "jp9"], f"regions: unknown region jp9; {ALLOWED_REGIONS}", id="unknown-region"),
    pytest.param(["--regions", "all,jp1"], f"regions: 'all' cannot be combined with other regions; {ALLOWED_REGIONS}",
                 id="all-mixed"),
    pytest.param(["--regions", ","], f"regions: no region given; {ALLOWED_REGIONS}", id="empty-regions"),
    pytest.param(["--regions", "jp1", "--option", "4"], "option: '4' is not a port option; allowed: 1, 2, 3",
                 id="option-4"),
    pytest.param(["--regions", "jp1", "--option", "udp"], "option: 'udp' is not a port option; allowed: 1, 2, 3",
                 id="option-word"),
    pytest.param(["--regions", "jp1", "--encryption", "aes"],
                 "encryption: 'aes' is not an encryption mode; allowed: e2ee, standard", id="bad-encryption"),
    pytest.param(["--regions", "jp1", "--azure-priorities", "100"],
                 "--azure-priorities: '100' is not a window; allowed: START-END within 100-4096, e.g. 100-4096",
                 id="azure-window-one-number"),
    pytest.param(["--regions", "jp1", "--azure-priorities", "a-b"],
                 "--azure-priorities: 'a-b' is not a window; allowed: START-END within 100-4096, e.g. 100-4096",
                 id="azure-window-words"),
    pytest.param(["--regions", "jp1", "--azure-priorities", "300-200"],
                 "priority window: 300-200 is not a window; allowed: start <= end, both within 100-4096",
                 id="azure-window-reversed"),
    pytest.param(["--regions", "jp1", "--azure-priorities", "100-103"],
                 "priority window: 100-103 is too small for the plan; allowed: a window of at least 6 priorities, "
                 "e.g. 100-105", id="azure-window-too-small"),
    pytest.param(["--regions", "jp1", "--aws-rules-per-group", "4"],
                 "aws rules per group: 4 is too small; allowed: an integer of at least 5 (3 rules per range plus "
                 "2 reserved)", id="aws-quota-too-small"),
]


@pytest.mark.parametrize(("args", "message"), PLAN_ERRORS)
def test_plan_input_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    assert_one_line_error(run("plan", *args), message)


def test_bad_catalog_file_is_one_line_naming_the_first_problem(bad_catalog_file: Path) -> None:
    result = run("plan", "--regions", "jp1", "--catalog", str(bad_catalog_file))

    assert_one_line_error(result, f"{bad_catalog_file}: {BAD_LINES[0]} (and 1 more problem)")


def test_missing_catalog_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"

    assert_one_line_error(run("plan", "--regions", "jp1", "--catalog", str(missing)), f"{missing}: file not found")


def test_not_yaml_catalog_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("regions: [jp1\n", encoding="utf-8")

    assert_one_line_error(run("catalog", "show", "--catalog", str(path)),
                          f"{path}: is not valid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'")


def test_bad_overlay_is_one_line(tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101",
                                                "regions": [{"id": "jp1", "remove_cidrs": ["1.2.3.0/24"]}]})

    assert_one_line_error(run("plan", "--regions", "jp1", "--overlay", str(overlay)),
                          f"{overlay}: regions[jp1].remove_cidrs[0]: '1.2.3.0/24' is not a range of jp1; "
                          "allowed: 13.115.244.0/27, 54.65.63.192/26, 18.180.220.128/25")


def test_overlay_that_causes_an_overlap_is_one_line_naming_the_overlay(tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [cidr_entry("54.244.51.0/26", "ptc-av")]}]})

    assert_one_line_error(run("catalog", "show", "--overlay", str(overlay)),
                          f"{overlay} (merged onto chalk-catalog.yaml): regions[us2].cidrs[1]: '54.244.51.0/24' "
                          "overlaps regions[jp1].cidrs[3] '54.244.51.0/26' (another region's range); "
                          "allowed: each address in one range of one region")


def test_catalog_show_unknown_region_is_one_line() -> None:
    assert_one_line_error(run("catalog", "show", "--region", "zz9"), f"regions: unknown region zz9; {ALLOWED_REGIONS}")


def test_catalog_diff_with_a_bad_file_is_one_line(catalog_file: Path, bad_catalog_file: Path) -> None:
    assert_one_line_error(run("catalog", "diff", str(catalog_file), str(bad_catalog_file)),
                          f"{bad_catalog_file}: {BAD_LINES[0]} (and 1 more problem)")


@pytest.mark.parametrize(("args", "fragment"), [
    pytest.param(["plan", "--option", "1"], "Error: Missing option '--regions'.", id="missing-regions"),
    pytest.param(["plan", "--regions", "jp1", "--format", "xml"], "Error: Invalid value for '--format'",
                 id="unknown-format"),
    pytest.param(["plan", "--regions", "jp1", "--aws-rules-per-group", "many"],
                 "Error: Invalid value for '--aws-rules-per-group': 'many' is not a valid integer.", id="quota-word"),
    pytest.param(["catalog", "validate"], "Error: Missing argument 'FILE'.", id="validate-without-file"),
    pytest.param(["nonsense"], "Error: No such command 'nonsense'.", id="unknown-command"),
])
def test_usage_errors_exit_2_without_traceback(args: list[str], fragment: str) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_help_lists_the_commands() -> None:
    result = run("--help")

    assert_ok(result)
    assert {"catalog", "plan"} <= {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}


# --- the installed entry points ----------------------------------------------------------------------


def chalk_policy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chalk_policy", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=60, check=False)


def test_python_m_chalk_policy_runs_the_plan() -> None:
    done = chalk_policy("plan", "--regions", "jp1,us2", "--option", "1", "--format", "json")

    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["regions"] == ["jp1", "us2"]
    assert set(data["media_rules"][0]["cidrs"]) == set(RESEARCH_CIDRS["jp1"] + RESEARCH_CIDRS["us2"])


def test_python_m_chalk_policy_reports_errors_in_one_line() -> None:
    done = chalk_policy("plan", "--regions", "jp9")

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"chalk-policy: error: regions: unknown region jp9; {ALLOWED_REGIONS}\n"


def test_console_script_points_at_the_cli() -> None:
    (entry,) = metadata.entry_points(group="console_scripts", name="chalk-policy")

    assert entry.value == "chalk_policy.cli.main:main"


# --- long lists and odd text in messages (issue 15) --------------------------------------------------------


def test_ten_thousand_unknown_regions_are_one_short_line() -> None:
    regions = ",".join(f"xx{i}" for i in range(1, 10_001))  # a 79,000-character list

    result = run("plan", "--regions", regions)

    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert len(line) < 500
    assert line == ("chalk-policy: error: regions: unknown regions xx1, xx10, xx100, xx1000, xx10000 and 9,995 more; "
                    f"{ALLOWED_REGIONS}")
    assert "Traceback" not in result.output


def test_render_with_ten_thousand_unknown_regions_is_one_short_line() -> None:
    result = run("render", "squid", "--regions", ",".join(f"zz{i}" for i in range(10_000)))

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert len(line) < 500 and "and 9,995 more;" in line


def test_odd_text_in_arguments_is_shown_escaped_on_one_line() -> None:
    # "\udc80" is how Python reads a byte that is not UTF-8 in an argument; "\x1b[31m" turns a terminal red
    result = run("plan", "--regions", "jp1,\udc80\x1b[31m,a\nb")

    assert_one_line_error(result, f"regions: unknown regions a\\nb, \\udc80\\x1b[31m; {ALLOWED_REGIONS}")


def test_an_odd_file_name_is_shown_escaped(tmp_path: Path) -> None:
    missing = tmp_path / "cat\x1b[2J.yaml"

    assert_one_line_error(run("plan", "--regions", "jp1", "--catalog", str(missing)),
                          f"{tmp_path}/cat\\x1b[2J.yaml: file not found")


def test_an_overlay_problem_naming_a_value_with_control_characters_prints_it_escaped(tmp_path: Path) -> None:
    overlay = write_yaml(tmp_path / "ov.yaml", {"overlay": 1, "version": "2026120101",
                                                "regions": [{"id": "zz\x1b[31m", "remove_cidrs": ["1.2.3.0/24"]}]})

    (tmp_path / "base.yaml").write_text(default_catalog_text(), encoding="utf-8")

    result = run("catalog", "validate", str(tmp_path / "base.yaml"), "--overlay", str(overlay))

    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == (
        f"  {overlay}: regions[zz\\x1b[31m].remove_cidrs: region 'zz\\x1b[31m' is not in the base catalog; "
        "allowed: au1, br1, de1, ie1, in1, jp1, sg1, us1, us2")
    assert "\x1b" not in result.output


def test_odd_text_never_reaches_a_real_utf8_stdout_unescaped(tmp_path: Path) -> None:
    """In a real process (stdout strict UTF-8), not click's test streams: an undecodable argument byte (a lone
    surrogate to Python) in an error, and a region name with control characters in the catalog's text output (a
    catalog cannot hold a lone surrogate: pydantic refuses it, in a message that shows it escaped)."""
    raw = shipped_raw()
    region(raw, "jp1")["name"] = "Japan \u2028\x1b[31m"
    odd = tmp_path / "odd.yaml"
    odd.write_text(json.dumps(raw), encoding="utf-8")  # JSON is YAML; json.dumps writes "\u001b" escaped

    shown = subprocess.run([sys.executable, "-m", "chalk_policy", "catalog", "show", "--catalog", str(odd),
                            "--region", "jp1"], capture_output=True, timeout=60, check=False, env=_utf8_env())
    failed = subprocess.run([sys.executable, "-m", "chalk_policy", "plan", "--regions", b"jp1,\x80\x1b"],
                            capture_output=True, timeout=60, check=False, env=_utf8_env())

    assert (shown.returncode, shown.stderr) == (0, b"")
    assert "  jp1  Japan \\u2028\\x1b[31m\n" in shown.stdout.decode("utf-8")
    assert failed.returncode == 2
    assert failed.stderr.decode("utf-8") == f"chalk-policy: error: regions: unknown region \\udc80\\x1b; " \
                                            f"{ALLOWED_REGIONS}\n"


def _utf8_env() -> dict[str, str]:
    import os

    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    return {**env, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"}


# --- a catalog of ~118,000 ranges (about 10 MB) -----------------------------------------------------------

BIG_REGIONS, BIG_RANGES = 118, 1000


def _big_catalog(path: Path) -> Path:
    """The shipped catalog plus 118 regions of 1,000 /27s each (118,029 ranges, about 9 MB of YAML), written as
    text (yaml.safe_dump would take half a minute), with two deliberate overlaps: r1 lists 10.0.0.0/26, which
    holds r0's first two ranges, and r117 lists 10.0.0.32/27 again."""
    raw = shipped_raw()
    regions = raw.pop("regions")
    head = yaml_text({**raw, "regions": regions})
    parts = [head]
    for r in range(BIG_REGIONS):
        parts.append(f"- id: r{r}\n  name: Region r{r}\n  media_host:\n    host: r{r}.vss.twilio.com\n"
                     "    source: twilio-video-ip\n    evidence: retrieved\n  annotation_proxy: null\n  cidrs:\n")
        extra = {1: ["10.0.0.0/26"], BIG_REGIONS - 1: ["10.0.0.32/27"]}.get(r, [])
        for c in range(BIG_RANGES):
            address = (10 << 24) + (r * BIG_RANGES + c) * 32
            cidr = f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}/27"
            parts.append(f"  - cidr: {cidr}\n    source: twilio-video-ip\n    evidence: retrieved\n")
        parts += [f"  - cidr: {cidr}\n    source: twilio-video-ip\n    evidence: retrieved\n" for cidr in extra]
    path.write_text("".join(parts), encoding="utf-8")
    return path


def yaml_text(data: dict[str, Any]) -> str:
    import yaml

    text = yaml.safe_dump(data, sort_keys=False)
    assert text.rstrip().splitlines()[-1].startswith("  ")  # the regions list is last: more can be appended
    return text


def test_catalog_validate_of_118k_ranges_finishes_and_lists_the_overlaps(tmp_path: Path) -> None:
    """Comparing every pair of 118,000 ranges took hours; the sweep takes about a second (the YAML parser takes most
    of the time now). No timing is asserted: the test finishing is the point."""
    import time

    big = _big_catalog(tmp_path / "big.yaml")
    size = big.stat().st_size
    started = time.perf_counter()

    result = run("catalog", "validate", str(big))

    print(f"catalog validate: {size / 1e6:.1f} MB, {BIG_REGIONS * BIG_RANGES + 2 + len(ALL_CIDRS)} ranges, "
          f"{time.perf_counter() - started:.1f} s")
    assert size > 8_000_000
    assert result.exit_code == 2
    assert result.stdout == ""
    overlap = "allowed: each address in one range of one region"
    assert result.stderr.splitlines() == [
        f"{big}: 4 problems in the catalog",
        f"  {big}: regions[r1].cidrs[1000]: '10.0.0.0/26' overlaps regions[r0].cidrs[0] '10.0.0.0/27' "
        f"(another region's range); {overlap}",
        f"  {big}: regions[r1].cidrs[1000]: '10.0.0.0/26' overlaps regions[r0].cidrs[1] '10.0.0.32/27' "
        f"(another region's range); {overlap}",
        f"  {big}: regions[r117].cidrs[1000]: '10.0.0.32/27' overlaps regions[r0].cidrs[1] '10.0.0.32/27' "
        f"(another region's range); {overlap}",
        f"  {big}: regions[r117].cidrs[1000]: '10.0.0.32/27' overlaps regions[r1].cidrs[1000] '10.0.0.0/26' "
        f"(another region's range); {overlap}",
    ]
