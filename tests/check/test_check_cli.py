"""`chalk-policy check`: findings and exit codes on saved plans built from the project's own program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from plan_docs import (
    ROOT,
    SG_RULE,
    SIG,
    SIG_KEY,
    STACKS,
    UNKNOWN,
    change,
    preview_digest,
    props,
    sg_rules_to,
    stack_export,
    without,
    write,
)

from chalk_policy.catalog import load_catalog
from chalk_policy.cli.main import cli
from chalk_policy.policies.settings import NO_REQUIREMENT

MEDIA = "chalk-media-egress-required"
JP1_CIDR = "13.115.244.0/27"
SG_FIX = ("Add an aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port 443, to_port 443; "
          "ip_protocol udp, from_port 3478, to_port 3478; ip_protocol udp, from_port 10000, to_port 60000) or use "
          "chalk_policy.components.aws.ChalkAwsEgress.")


def check(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["check", *map(str, args), "--project-dir", str(ROOT)])


def check_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = check(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def finding(message: str, file: Path, region: str | None = "jp1", policy: str = MEDIA, level: str = "mandatory",
            resource: str | None = None) -> dict[str, Any]:
    return {"policy": policy, "level": level, "region": region, "message": message, "resource": resource,
            "file": str(file)}


def summary(mandatory: int = 0, advisory: int = 0, files: int = 1) -> dict[str, Any]:
    return {"files": files, "mandatory": mandatory, "advisory": advisory, "passed": mandatory == 0}


def test_the_compliant_dev_plan_is_clean(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", preview_digest("dev"))
    assert check_json(plan) == (0, {"findings": [], "summary": summary()})
    text = check(plan)
    assert text.exit_code == 0
    assert text.stdout.splitlines() == [
        # 24 custom resources and the ChalkAwsEgress component, whose chalkIntent is the requirement
        f"{plan} (preview, stack dev, 25 resources, regions jp1, us2, from components (ChalkAwsEgress 'chalk'))",
        "  no violations",
        "chalk-policy check: 1 file, 0 mandatory, 0 advisory: passed"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stacks_preview_digest_is_clean(tmp_path: Path, stack: str) -> None:
    assert check_json(write(tmp_path, "plan.json", preview_digest(stack))) == (0, {"findings": [],
                                                                                  "summary": summary()})


# What each stack's Chalk components were asked for is what its check follows (before its <project>:regions).
COMPONENTS = {"azure-tcp": "ChalkAzureEgress 'chalk-azure'", "dev": "ChalkAwsEgress 'chalk'",
              "prod": "ChalkAwsEgress 'chalk', ChalkAzureEgress 'chalk-azure'", "proxy": "ChalkAwsEgress 'chalk'"}


@pytest.mark.parametrize("stack", STACKS)
def test_chalk_policy_preview_json_of_every_stack_checks_clean(tmp_path: Path, stack: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    preview = CliRunner().invoke(cli, ["preview", "--stack", stack, "--project-dir", str(ROOT), "--format", "json",
                                       "--no-policies"])
    assert preview.exit_code == 0, preview.output
    plan = write(tmp_path, f"{stack}.json", preview.stdout)
    code, report = check_json(plan)
    assert (code, report) == (0, {"findings": [], "summary": summary()})
    # The stack's requirement travels inside the document (its components' chalkIntent): no project directory
    # needed, from any directory.
    monkeypatch.chdir(tmp_path)
    text = CliRunner().invoke(cli, ["check", str(plan)]).stdout
    assert f"(preview, stack {stack}," in text and f"from components ({COMPONENTS[stack]}))" in text


def test_a_plan_missing_one_range_in_the_security_groups(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", preview_digest("dev", without(sg_rules_to(JP1_CIDR))))
    message = f"Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to {JP1_CIDR}. {SG_FIX}"
    assert check_json(plan) == (1, {"findings": [finding(message, plan)], "summary": summary(1)})


def test_narrowed_ports(tmp_path: Path) -> None:
    narrowed = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                      and props(s).get("fromPort") == 10000, toPort=20000)
    plan = write(tmp_path, "plan.json", preview_digest("dev", narrowed))
    message = (f"Region jp1 (Japan): AWS security groups do not allow UDP 20001-60000 to {JP1_CIDR}. Add an "
               "aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port 20001, to_port 60000) or use "
               "chalk_policy.components.aws.ChalkAwsEgress.")
    assert check_json(plan) == (1, {"findings": [finding(message, plan)], "summary": summary(1)})


def org_requirement(tmp_path: Path, regions: list[str]) -> Path:
    """The organisation's requirement: regions in the policy config of both per-region policies."""
    return write(tmp_path, "org.json", {MEDIA: {"regions": regions}, "chalk-signaling-hosts-required": {
        "regions": regions}})


def test_a_dropped_region(tmp_path: Path) -> None:
    """The program was built for jp1 only; the stack config still says jp1 and us2, but its ChalkAwsEgress was asked
    for jp1 only, and that is what the stack is checked against, until the policy config requires jp1 and us2."""
    plan = write(tmp_path, "plan.json", preview_digest("dev", regions='["jp1"]',
                                                       config={"chalk-network:regions": '["jp1", "us2"]'}))
    assert check_json(plan) == (0, {"findings": [], "summary": summary()})
    assert "regions jp1, from components (ChalkAwsEgress 'chalk'))" in check(plan).stdout
    code, report = check_json(plan, "--policy-config", org_requirement(tmp_path, ["jp1", "us2"]))
    us2 = "34.216.110.128/27, 44.234.69.0/25, 54.244.51.0/24"
    firewall = ("urn:pulumi:dev::chalk-network::chalk:index:ChalkAwsEgress$aws:networkfirewall/firewallPolicy:"
                "FirewallPolicy::chalk-firewall-policy")
    assert code == 1
    assert report["findings"] == [
        # the component that asks for less than the organisation requires is named with the requirement ...
        finding("The policy config requires regions jp1, us2 (option 1, standard), but ChalkAwsEgress 'chalk' "
                "(regions jp1; option 1; standard) was asked for less: it lacks region us2. Give the component the "
                "organisation's regions and option, or change the policy config if this stack is an agreed "
                "exception.", plan, None),
        # ... and each layer that lacks the region is reported as before
        finding(f"Region us2 (US West Coast): AWS security groups do not allow UDP 443, 3478, 10000-60000 to {us2}. "
                f"{SG_FIX}", plan, "us2"),
        finding(f"Region us2 (US West Coast): AWS Network Firewall policy 'chalk-firewall-policy' does not pass UDP "
                f"443, 3478, 10000-60000 to {us2}. Add a PASS stateful rule per range (protocol UDP, destination_port "
                "443; protocol UDP, destination_port 3478; protocol UDP, destination_port 10000:60000) to a rule "
                "group the policy references or use chalk_policy.components.aws.ChalkAwsEgress.", plan, "us2",
                resource=firewall),
        # in a preview the policy's rule group arns are unknown, but the us2 hosts are dropped either way: by the
        # allowlist's generated drop if the policy references it, by the STRICT_ORDER default aws:drop_established
        # if not (as for the media check, the stack's groups are taken as referenced)
        finding("AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS on TCP 443): "
                "smartproxy-us-west-2.prod.look.vuforia.com, us2.vss.twilio.com. Add them to the targets of an "
                "ALLOWLIST rule group with target type TLS_SNI (a leading dot allows a domain and its subdomains) or "
                "use chalk_policy.components.aws.ChalkAwsEgress.", plan, None,
                "chalk-signaling-hosts-required", resource=firewall),
    ]
    assert report["summary"] == summary(4)


def test_unknown_values_are_unverified_not_violations(tmp_path: Path) -> None:
    unknown = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                     and props(s).get("fromPort") == 443, cidrIpv4=UNKNOWN)
    plan = write(tmp_path, "plan.json", preview_digest("dev", unknown))
    message = (f"Region jp1 (Japan): AWS security groups may allow UDP 443 to {JP1_CIDR}, but this can only be "
               "verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule 'chalk-egress-udp-443-13.115.244.0-27': "
               "cidrIpv4 is unknown.")
    assert check_json(plan) == (0, {"findings": [finding(message, plan, policy="chalk-egress-unverified",
                                                         level="advisory")], "summary": summary(0, 1)})


def test_secrets_open_when_plaintext_and_are_unverified_when_encrypted(tmp_path: Path) -> None:
    def secret_cidr(**kind: str) -> Any:
        return change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                      and props(s).get("fromPort") == 3478, cidrIpv4={SIG_KEY: SIG, **kind})

    clear = write(tmp_path, "clear.json", stack_export("dev", secret_cidr(plaintext=json.dumps(JP1_CIDR))))
    assert check_json(clear, "--regions", "jp1,us2")[1]["findings"] == []
    hidden = write(tmp_path, "hidden.json", stack_export("dev", secret_cidr(ciphertext="v1:c2VjcmV0")))
    code, report = check_json(hidden, "--regions", "jp1,us2")
    assert code == 0
    assert [(f["policy"], f["level"], f["region"]) for f in report["findings"]] == [
        ("chalk-egress-unverified", "advisory", "jp1")]
    assert "UDP 3478 to 13.115.244.0/27, but this can only be verified" in report["findings"][0]["message"]


def test_a_masked_secret_in_a_preview_is_unverified(tmp_path: Path) -> None:
    masked = change(lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == JP1_CIDR
                    and props(s).get("fromPort") == 443, cidrIpv4="[secret]")
    code, report = check_json(write(tmp_path, "plan.json", preview_digest("dev", masked)))
    assert (code, [(f["policy"], f["region"]) for f in report["findings"]]) == (0, [("chalk-egress-unverified",
                                                                                     "jp1")])


def test_an_empty_stack_proves_nothing_and_is_refused(tmp_path: Path) -> None:
    root = {"urn": "urn:pulumi:dev::chalk-network::pulumi:pulumi:Stack::chalk-network-dev", "custom": False,
            "type": "pulumi:pulumi:Stack"}
    for name, doc in (("a.json", {"version": 3, "deployment": {"manifest": {}, "resources": [root]}}),
                      ("b.json", {"version": 3, "deployment": {"manifest": {}}}),
                      ("c.json", {"steps": [{"op": "same", "urn": root["urn"], "newState": root}], "duration": 1})):
        result = check(write(tmp_path, name, doc))
        assert result.exit_code == 2, result.output
        assert "holds no resources, so it cannot show that anything is allowed" in result.output


def _without_intent(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As a release before chalkIntent recorded it: the components say nothing about what they were asked for."""
    for state in states:
        for key in ("inputs", "outputs"):
            (state.get(key) or {}).pop("chalkIntent", None)
    return states


def test_a_stack_export_is_checked_against_its_components_and_without_any_requirement_only_advised(
        tmp_path: Path) -> None:
    # An export carries no config: its ChalkAwsEgress's chalkIntent (an output) is the requirement.
    state = write(tmp_path, "state.json", stack_export("dev"))
    assert check_json(state) == (0, {"findings": [], "summary": summary()})
    assert "regions jp1, us2, from components (ChalkAwsEgress 'chalk'))" in check(state).stdout
    code, report = check_json(state, "--regions", "all")
    others = sorted(r.id for r in load_catalog().regions if r.id not in ("jp1", "us2"))
    assert code == 1
    assert sorted({f["region"] for f in report["findings"] if f["policy"] == MEDIA and f["region"]}) == others
    # Nothing configured anywhere: not a wall of mandatory failures against every region, one advisory saying how
    # to set a requirement, and a pass; told the requirement, the stack is checked against it.
    bare = write(tmp_path, "bare.json", stack_export("dev", _without_intent))
    assert check_json(bare) == (0, {"findings": [finding(NO_REQUIREMENT, bare, None, "chalk-egress-unverified",
                                                         "advisory")], "summary": summary(0, 1)})
    assert check_json(bare, "--regions", "jp1,us2", "--option", "1", "--encryption", "standard") == (
        0, {"findings": [], "summary": summary()})
    code, report = check_json(bare, "--regions", "all")
    assert code == 1
    assert sorted({f["region"] for f in report["findings"] if f["policy"] == MEDIA}) == others


def test_command_line_settings_override_the_plans_own_config(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", preview_digest("dev"))
    assert check_json(plan, "--regions", "jp1") == (0, {"findings": [], "summary": summary()})
    # --regions is a requirement over the component's: a component asked for less is named once (no region)
    code, report = check_json(plan, "--regions", "all")
    every = {r.id for r in load_catalog().regions}
    assert code == 1 and {f["region"] for f in report["findings"] if f["policy"] == MEDIA} == (
        every - {"jp1", "us2"}) | {None}
    [named] = [f for f in report["findings"] if f["policy"] == MEDIA and f["region"] is None]
    assert named["message"].startswith("The policy config requires regions au1, br1, de1, ie1, in1, jp1, sg1, us1, "
                                       "us2 (option 1, standard), but ChalkAwsEgress 'chalk' (regions jp1, us2; "
                                       "option 1; standard) was asked for less: it lacks regions au1, br1, de1, ")
    code, report = check_json(plan, "--regions", "jp1,us2", "--option", "3")
    assert code == 1
    assert [(f["policy"], f["region"], f["message"].split(":")[1].split(" to ")[0]) for f in report["findings"]
            if f["level"] == "mandatory"] == [
        (MEDIA, None, " option 1 instead of 3. Give the component the organisation's regions and option, or change "
                      "the policy config if this stack is an agreed exception."),
        (MEDIA, "jp1", " AWS security groups do not allow TCP 3478, 5349"),
        (MEDIA, "us2", " AWS security groups do not allow TCP 3478, 5349"),
        (MEDIA, "jp1", " AWS Network Firewall policy 'chalk-firewall-policy' does not pass TCP 443, 3478, 5349"),
        (MEDIA, "us2", " AWS Network Firewall policy 'chalk-firewall-policy' does not pass TCP 443, 3478, 5349")]
    # a setting on the command line replaces that one value; the plan's components still give the others
    code, report = check_json(plan, "--option", "3")
    assert code == 1 and {f["region"] for f in report["findings"] if f["policy"] == MEDIA} == {"jp1", "us2"}


def test_the_policy_config_sets_levels_and_settings(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", preview_digest("dev", without(sg_rules_to(JP1_CIDR))))
    relaxed = write(tmp_path, "relaxed.json", {"all": "advisory"})
    code, report = check_json(plan, "--policy-config", relaxed)
    assert (code, [(f["policy"], f["level"]) for f in report["findings"]]) == (0, [(MEDIA, "advisory")])
    off = write(tmp_path, "off.json", {MEDIA: "disabled"})
    assert check_json(plan, "--policy-config", off) == (0, {"findings": [], "summary": summary()})
    # a level given as a string survives the command-line settings
    code, report = check_json(plan, "--policy-config", relaxed, "--regions", "jp1,us2")
    assert (code, [(f["policy"], f["level"]) for f in report["findings"]]) == (0, [(MEDIA, "advisory")])
    strict = write(tmp_path, "strict.json", {MEDIA: {"fromStackConfig": False, "regions": ["jp1"]}})
    code, report = check_json(write(tmp_path, "clean.json", preview_digest("dev")), "--policy-config", strict)
    assert code == 0 and not [f for f in report["findings"] if f["level"] == "mandatory"]


def test_several_files_are_checked_each_on_its_own(tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.json", preview_digest("dev"))
    gap = write(tmp_path, "gap.json", preview_digest("dev", without(sg_rules_to(JP1_CIDR))))
    code, report = check_json(clean, gap)
    assert code == 1
    assert [(f["file"], f["region"]) for f in report["findings"]] == [(str(gap), "jp1")]
    assert report["summary"] == summary(1, files=2)


def test_output_goes_to_a_file(tmp_path: Path) -> None:
    gap = write(tmp_path, "gap.json", preview_digest("dev", without(sg_rules_to(JP1_CIDR))))
    out = tmp_path / "report.json"
    result = check(gap, "--format", "json", "--output", out)
    assert result.exit_code == 1
    assert result.stdout == (f"chalk-policy check: 1 file, 1 mandatory, 0 advisory: failed; json report written to "
                             f"{out}\n")
    assert json.loads(out.read_text())["summary"] == summary(1)


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chalk-policy: error: ")
    return lines[0].removeprefix("chalk-policy: error: ")


@pytest.mark.parametrize(("content", "expected"), [
    ('{"steps": [{"op": "create", "urn": "u',
     "truncated JSON: the document ends at line 1 column 37 before it is complete"),
    ({"version": 2, "deployment": {"resources": []}},
     "stack export: deployment version 2 is not supported; allowed: 3 (or 4)"),
    ({"apiVersion": "v1", "kind": "ConfigMap"},
     "not a plan: expected the output of `pulumi preview --json --show-sames`"),
    ({"version": 3, "deployment": {"resources": [{"type": SG_RULE}]}},
     "stack export: deployment.resources[0]: missing field 'urn'"),
    ({"steps": [{"urn": "urn:pulumi:dev::p::t::n"}]}, "preview: steps[0]: missing field 'op'"),
], ids=["truncated", "version-2", "wrong-kind", "no-urn", "no-op"])
def test_unusable_input_exits_2_with_one_line_naming_the_file(tmp_path: Path, content: Any, expected: str) -> None:
    clean = write(tmp_path, "clean.json", preview_digest("dev"))
    bad = write(tmp_path, "bad.json", content)
    assert _one_line_error(check(clean, bad)).startswith(f"{bad}: {expected}")


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert _one_line_error(check(tmp_path / "nope.json")) == f"{tmp_path / 'nope.json'}: file not found"


@pytest.mark.parametrize(("args", "expected"), [
    (("--option", "4"), "--option: '4' is not a port option; allowed: 1, 2, 3"),
    (("--regions", " , "), "--regions: empty; allowed: comma-separated region ids (e.g. jp1,us2) or 'all'"),
    (("--regions", "xx9"), "--regions/--option/--encryption: regions: unknown region xx9; allowed: all, or region "
     "ids au1"),
    (("--encryption", "rot13"), "--regions/--option/--encryption: encryption: 'rot13' is not an encryption mode; "
                                "allowed: e2ee, standard"),
])
def test_bad_settings_exit_2(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    assert _one_line_error(check(write(tmp_path, "plan.json", preview_digest("dev")), *args)).startswith(expected)


def test_a_bad_policy_config_exits_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "policy.json", "[1,")
    plan = write(tmp_path, "plan.json", preview_digest("dev"))
    assert _one_line_error(check(plan, "--policy-config", bad)).startswith(f"--policy-config: {bad}: not a JSON")


def test_no_file_is_a_usage_error() -> None:
    assert CliRunner().invoke(cli, ["check"]).exit_code == 2
