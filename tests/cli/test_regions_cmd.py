"""``chalk-policy regions``: what --regions takes, and what each region adds."""

from __future__ import annotations

import json

from chalk_testkit import RESEARCH_CIDRS
from click.testing import CliRunner, Result

from chalk_policy.cli.main import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_table_lists_each_region_with_its_name_country_hosts_and_ranges() -> None:
    result = run("regions")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    germany = next(line for line in lines if line.startswith("de1 "))
    assert germany.split()[:3] == ["de1", "Germany", "DE"]
    assert "de1.vss.twilio.com, smartproxy-eu-west-1.prod.look.vuforia.com" in germany
    assert all(cidr in germany for cidr in RESEARCH_CIDRS["de1"])
    assert "Enable every region where your users or the remote experts they call join calls" in result.stdout


def test_json_lists_what_each_region_adds() -> None:
    data = json.loads(run("regions", "--format", "json").stdout)

    us = [r for r in data["regions"] if r["country"] == "US"]
    assert [r["id"] for r in us] == ["us1", "us2"]
    assert {r["id"]: set(r["cidrs"]) for r in data["regions"]} == {k: set(v) for k, v in RESEARCH_CIDRS.items()}
    assert "smartproxy.prod.look.vuforia.com" in data["hosts_of_every_region"]


def test_plan_and_render_help_say_which_regions_to_enable() -> None:
    for command in (("plan",), ("render", "squid")):
        text = " ".join(run(*command, "--help").stdout.split())
        assert "region ids, names or country codes (de1, germany, DE)" in text
        assert "Enable every region where your users or the remote experts they call join calls" in text


def test_plan_takes_names_and_countries_in_any_case() -> None:
    by_id, by_name, by_country = (run("plan", "--regions", words, "--format", "json").stdout
                                  for words in ("de1,ie1", "Germany, IRELAND", "de,ie"))

    assert by_id == by_name == by_country and json.loads(by_id)["regions"] == ["de1", "ie1"]


def test_render_needs_regions_like_plan() -> None:
    for command in (("plan",), ("render", "squid"), ("render", "pac", "--proxy", "proxy.corp:3128")):
        result = run(*command)
        assert result.exit_code == 2 and "Missing option '--regions'" in result.stderr
