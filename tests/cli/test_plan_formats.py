"""``chalk-policy plan --format``: every format of the registry renders the same ticket."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from chalk_testkit import RESEARCH_CIDRS
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from chalk_policy.cli.main import cli
from chalk_policy.cli.plan_formats import PLAN_FORMATS, RULE_COLUMNS, safe_cell

ADMIN = ("plan", "--regions", "germany,ireland", "--option", "2")
"""The network admin's scenario: users in Germany and Ireland, port option 2."""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def csv_rules(text: str) -> list[dict[str, str]]:
    return [dict(zip(RULE_COLUMNS, row, strict=True)) for row in list(csv.reader(io.StringIO(text)))[1:]]


def test_every_format_of_the_registry_is_a_choice_and_in_the_help() -> None:
    result = run("plan", "--help")

    assert result.exit_code == 0
    help_text = " ".join(result.stdout.split())
    for name, declared in PLAN_FORMATS.items():
        assert name in help_text and " ".join(declared.summary.split()) in help_text


@pytest.mark.parametrize("fmt", [name for name, f in PLAN_FORMATS.items() if not f.binary])
def test_every_text_format_lists_every_media_range_and_the_actions(fmt: str) -> None:
    result = run(*ADMIN, "--format", fmt)

    assert result.exit_code == 0, result.output
    for cidr in RESEARCH_CIDRS["de1"] + RESEARCH_CIDRS["ie1"]:
        assert cidr in result.stdout
    assert "exempt TCP 443 to this host from stateful packet inspection" in result.stdout
    assert RESEARCH_CIDRS["jp1"][0] not in result.stdout


def test_the_admin_scenario_is_a_complete_ticket_in_one_command() -> None:
    rows = csv_rules(run(*ADMIN, "--format", "csv", "--encryption", "e2ee", "--clients", "10.20.0.0/16").stdout)

    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    assert counts["media"] == 7 * 3 and counts["signaling"] == 13 + 3 and counts["peer"] == 2
    assert counts["reply"] == 7 * 3 + 1
    assert all(row["source"] == "10.20.0.0/16" for row in rows if row["kind"] in ("media", "signaling", "peer"))
    assert {row["action"] for row in rows if row["kind"] != "note"} == {"allow"}
    assert all(row["why"] for row in rows)


def test_json_has_the_plan_the_rules_and_notes_as_objects() -> None:
    data = json.loads(run(*ADMIN, "--format", "json").stdout)

    assert data["regions"] == ["de1", "ie1"] and data["clients"] == []
    assert len(data["rules"]) == len(csv_rules(run(*ADMIN, "--format", "csv").stdout)) - len(data["notes"])
    assert set(data["rules"][0]) == set(RULE_COLUMNS)
    assert all(set(note) == {"text", "action"} for note in data["notes"])
    assert any(note["action"] and "smartproxy" in note["text"] for note in data["notes"])


def test_markdown_has_actions_first_then_a_rules_table() -> None:
    text = run(*ADMIN, "--format", "markdown").stdout

    lines = text.splitlines()
    assert lines[0].startswith("# Chalk firewall ticket -- catalog ")
    assert lines.index("## Actions") < lines.index(next(line for line in lines if line.startswith("## Rules")))
    assert "| id | kind | direction | source | source_ports | destination |" in text
    assert "smartproxy.prod.look.vuforia.com: avoid stateful packet inspection. **ACTION**: exempt" in text


def test_xlsx_is_a_workbook_with_the_same_rules_and_notes(tmp_path: Path) -> None:
    out = tmp_path / "ticket.xlsx"
    result = run(*ADMIN, "--format", "xlsx", "--output", str(out))

    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "Rules", "Notes"]
    rules = [tuple(str(c) if c is not None else "" for c in row) for row in book["Rules"].iter_rows(values_only=True)]
    expected = list(csv.reader(io.StringIO(run(*ADMIN, "--format", "csv").stdout)))
    assert rules == [tuple(row) for row in expected if row[1] != "note"]
    assert book["Rules"].freeze_panes == "A2" and book["Rules"].auto_filter.ref
    notes = list(book["Notes"].iter_rows(values_only=True))
    assert notes[0] == ("note", "action") and any(str(n[1]).startswith("ACTION: ") for n in notes[1:])
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_xlsx_refuses_a_terminal_but_writes_to_a_pipe() -> None:
    master, slave = os.openpty()
    try:
        tty = subprocess.run([sys.executable, "-m", "chalk_policy", *ADMIN, "--format", "xlsx"], stdout=slave,
                             stderr=subprocess.PIPE, timeout=60, check=False)
    finally:
        os.close(slave)
        os.close(master)
    piped = subprocess.run([sys.executable, "-m", "chalk_policy", *ADMIN, "--format", "xlsx"], capture_output=True,
                           timeout=60, check=False)

    assert tty.returncode == 2
    assert b"--format xlsx: writes a file, not text for a terminal; give --output FILE" in tty.stderr
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK")  # a zip: the workbook


@pytest.mark.parametrize(("text", "cell"), [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
                                            ("de1: =1", "de1: =1"), ("10000-60000", "10000-60000")])
def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(text: str, cell: str) -> None:
    assert safe_cell(text) == cell


def test_bad_clients_exit_2_naming_the_option() -> None:
    result = run(*ADMIN, "--clients", "10.0.0.1/8")

    assert result.exit_code == 2
    assert result.stderr.strip() == ("chalk-policy: error: --clients: '10.0.0.1/8' has host bits set; allowed: the "
                                     "network address, 10.0.0.0/8")


def test_ipv6_clients_are_refused_since_the_media_ranges_are_ipv4() -> None:
    result = run(*ADMIN, "--clients", "10.0.0.0/8,fd00::/8")

    assert result.exit_code == 2
    assert result.stderr.strip() == ("chalk-policy: error: --clients: 'fd00::/8' is an IPv6 network; allowed: IPv4 "
                                     "networks without host bits, e.g. 10.20.0.0/16 (the rules are IPv4 only, as the "
                                     "catalog's media ranges are)")
