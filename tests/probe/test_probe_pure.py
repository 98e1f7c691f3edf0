"""The probe's pure parts, without a network: which checks a plan asks for, the command line's values, the verdicts
and fixes for given results, and the three renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from chalk_testkit import shipped_raw

from chalk_policy.catalog import load_catalog, validate_catalog
from chalk_policy.planning import plan
from chalk_policy.planning.plan import PlanError
from chalk_policy.planning.ticket import ticket
from chalk_policy.probe.formats import PROBE_FORMATS
from chalk_policy.probe.inputs import (
    ProbeInputError,
    credentials,
    parse_connect_to,
    parse_credentials,
    parse_proxy,
    parse_resolve,
    parse_seconds,
)
from chalk_policy.probe.model import (
    Check,
    CheckKind,
    ConnectTo,
    Credentials,
    Failure,
    Result,
    Settings,
    Status,
    Step,
    Transport,
    Verdict,
    scrub_result,
)
from chalk_policy.probe.targets import ProbePlan, parse_options, probe_plan
from chalk_policy.probe.verdict import EXIT_BLOCKED, EXIT_INPUT, EXIT_WORKS, Report, judge

CATALOG = load_catalog()
STUN, TURN = "global.stun.twilio.com", "global.turn.twilio.com"
DE1_ADDRESS = "52.59.186.5"
"""In de1's media range 52.59.186.0/27."""
US1_ADDRESS = "34.203.254.10"
"""In us1's media range 34.203.254.0/24."""
SECRET_USER, SECRET_PASSWORD = "probe-user-4f1c9e", "probe-credential-8b27d3aa"


def media_triples(probe: ProbePlan, kind: CheckKind = CheckKind.STUN) -> set[tuple[str, str, int]]:
    return {(c.host, c.transport.value, c.port) for c in probe.checks if c.kind is kind}


def results(probe: ProbePlan, outcome: Callable[[Check], tuple[Status, Failure | None]],
            address: str = "127.0.0.1") -> list[Result]:
    made = []
    for check in probe.checks:
        status, failure = outcome(check)
        steps = (Step("stun", status is Status.OK, f"{status.value} {check.id}", 5.0),)
        made.append(Result(check, status, 12.5, steps, failure, address, f"sent to {check.id}", f"got {status}"))
    return made


def all_ok(check: Check) -> tuple[Status, Failure | None]:
    return Status.OK, None


def udp_dropped(check: Check) -> tuple[Status, Failure | None]:
    return (Status.FAILED, Failure.TIMEOUT) if check.transport is Transport.UDP else (Status.OK, None)


def report_of(probe: ProbePlan, outcome: Callable[[Check], tuple[Status, Failure | None]],
              address: str = "127.0.0.1") -> Report:
    return judge(probe, results(probe, outcome, address), timeout=3, deadline=15)


# --- targets --------------------------------------------------------------------------------------------------------


def test_signaling_checks_are_the_plans_hosts_and_carry_the_ticket_rule_ids() -> None:
    probe = probe_plan(CATALOG, "de1,ie1", (1, 2, 3))
    chalk_plan = plan(CATALOG, "de1,ie1", 1)
    signaling = [c for c in probe.checks if c.kind is CheckKind.SIGNALING]
    assert sorted(c.host for c in signaling) == sorted(chalk_plan.host_names)
    rule_ids = {rule.id for rule in ticket(chalk_plan, CATALOG).rules}
    for check in signaling:
        assert (check.transport, check.port) == (Transport.TCP, 443)
        assert check.id == f"signaling-tcp-443-{check.host}" and check.id in rule_ids
        assert check.options == (1, 2, 3)
    regional = {c.host: c.regions for c in signaling if c.regions}
    assert regional == {"de1.vss.twilio.com": ("de1",), "ie1.vss.twilio.com": ("ie1",),
                        "smartproxy-eu-west-1.prod.look.vuforia.com": ("de1", "ie1")}


def test_media_checks_probe_the_catalogs_stun_and_turn_hosts_on_each_options_single_ports() -> None:
    probe = probe_plan(CATALOG, "de1", (1, 2, 3))
    assert probe.media_hosts == (STUN, TURN)  # the catalog's twilio_hosts: no regional host name is made up
    assert media_triples(probe) == {
        (STUN, "udp", 443), (STUN, "udp", 3478), (STUN, "udp", 5349),  # STUN: UDP only, as the catalog lists it
        (TURN, "udp", 443), (TURN, "udp", 3478), (TURN, "udp", 5349),
        (TURN, "tcp", 443), (TURN, "tcp", 3478), (TURN, "tcp", 5349),
    }
    by_id = {c.id: c for c in probe.checks}
    assert by_id[f"stun-udp-443-{TURN}"].options == (1, 2)
    assert by_id[f"stun-udp-3478-{STUN}"].options == (1, 2)
    assert by_id[f"stun-udp-5349-{TURN}"].options == (2,)
    assert by_id[f"stun-tcp-3478-{TURN}"].options == (3,)
    documented = {(c.transport.value, c.port) for c in probe.checks if c.kind is CheckKind.STUN and c.documented}
    assert documented == {("udp", 3478), ("tcp", 443), ("tcp", 3478)}  # UDP 443 and 5349 are not Twilio's
    assert [(u.option, u.id) for u in probe.unprobed] == [(1, "media-udp-10000-60000")]
    assert "media session" in probe.unprobed[0].reason
    assert media_triples(probe, CheckKind.TURN) == set()  # no credentials, no allocation


def test_turn_allocations_only_with_credentials_and_only_on_turn_servers() -> None:
    probe = probe_plan(CATALOG, "de1", (3,), turn=True)
    assert media_triples(probe, CheckKind.TURN) == {(TURN, "tcp", 443), (TURN, "tcp", 3478), (TURN, "tcp", 5349)}
    assert media_triples(probe) == {(TURN, "tcp", 443), (TURN, "tcp", 3478), (TURN, "tcp", 5349)}


def test_media_hosts_replace_the_catalogs_and_are_probed_on_both_transports() -> None:
    probe = probe_plan(CATALOG, "de1", (1, 3), ("turn.example.net",), turn=True)
    assert probe.media_hosts == ("turn.example.net",) and probe.media_hosts_given
    expected = {("turn.example.net", "udp", 443), ("turn.example.net", "udp", 3478), ("turn.example.net", "tcp", 443),
                ("turn.example.net", "tcp", 3478), ("turn.example.net", "tcp", 5349)}
    assert media_triples(probe) == expected == media_triples(probe, CheckKind.TURN)


def test_a_catalog_without_stun_hosts_says_why_nothing_is_probed() -> None:
    raw = shipped_raw()
    del raw["twilio_hosts"]
    bare = validate_catalog(raw, "bare.yaml")
    probe = probe_plan(bare, "de1", (2,))
    assert media_triples(probe) == set()
    assert {u.id for u in probe.unprobed} == {"media-udp-443", "media-udp-3478", "media-udp-5349"}
    assert all("--media-host" in u.reason for u in probe.unprobed)


@pytest.mark.parametrize(("value", "expected"), [("all", (1, 2, 3)), ("ALL", (1, 2, 3)), ("2", (2,)),
                                                 ("3, 1", (1, 3)), ("1,1", (1,))])
def test_option_values(value: str, expected: tuple[int, ...]) -> None:
    assert parse_options(CATALOG, value) == expected


@pytest.mark.parametrize("value", ["4", "all,1", "", "one"])
def test_bad_option_values(value: str) -> None:
    with pytest.raises(PlanError, match=r"^option: .*allowed: "):
        parse_options(CATALOG, value)


# --- command-line values --------------------------------------------------------------------------------------------


def test_resolve_and_connect_to_values() -> None:
    assert parse_resolve("Global.TURN.twilio.com=192.0.2.10") == ("global.turn.twilio.com", "192.0.2.10")
    assert parse_resolve("*=[2001:db8::1]") == ("*", "2001:db8::1")
    assert parse_connect_to("global.turn.twilio.com:3478=127.0.0.1:40000") == ConnectTo(
        "global.turn.twilio.com", 3478, "127.0.0.1", 40000)
    assert parse_connect_to("*:443=[::1]:8443") == ConnectTo("*", 443, "::1", 8443)
    assert parse_connect_to("a.example:443=b.example:444") == ConnectTo("a.example", 443, "b.example", 444)


@pytest.mark.parametrize(("parse", "value", "message"), [
    (parse_resolve, "host.example", r"^--resolve: 'host.example' is not HOST=ADDR"),
    (parse_resolve, "host.example=not-an-ip", r"^--resolve: 'not-an-ip' is not an IP address"),
    (parse_resolve, "bad_host!=192.0.2.1", r"^--resolve: 'bad_host!' is not a host"),
    (parse_connect_to, "a.example:443", r"^--connect-to: 'a.example:443' is not HOST:PORT=ADDR:PORT"),
    (parse_connect_to, "a.example=b.example:1", r"^--connect-to: 'a.example=b.example:1' is not HOST:PORT"),
    (parse_connect_to, "a.example:0=b.example:1", r"^--connect-to: .* has no valid port \('0'\); allowed: 1-65535"),
    (parse_connect_to, "a.example:443=*:1", r"^--connect-to: '\*' is not a host"),
])
def test_bad_resolve_and_connect_to_values(parse: Callable[[str], object], value: str, message: str) -> None:
    with pytest.raises(ProbeInputError, match=message):
        parse(value)


def test_settings_pick_the_named_host_before_the_wildcard() -> None:
    settings = Settings(resolve=(("*", "192.0.2.1"), ("a.example", "192.0.2.2")),
                        connect_to=(ConnectTo("*", 443, "127.0.0.1", 1), ConnectTo("a.example", 443, "127.0.0.1", 2)))
    assert settings.address_for("A.example") == "192.0.2.2" and settings.address_for("b.example") == "192.0.2.1"
    assert settings.destination("a.example", 443) == ("127.0.0.1", 2)
    assert settings.destination("b.example", 443) == ("127.0.0.1", 1)
    assert settings.destination("b.example", 3478) == ("b.example", 3478)


def test_proxy_values_never_show_the_password() -> None:
    proxy = parse_proxy(f"http://{SECRET_USER}:{SECRET_PASSWORD}@proxy.example:8080")
    assert (proxy.host, proxy.port, proxy.username, proxy.password) == ("proxy.example", 8080, SECRET_USER,
                                                                        SECRET_PASSWORD)
    assert proxy.shown == "http://***@proxy.example:8080"
    assert SECRET_PASSWORD not in repr(proxy) and SECRET_USER not in repr(proxy)
    assert parse_proxy("proxy.example").port == 3128 and parse_proxy("http://[::1]:3128").shown == "http://[::1]:3128"
    for bad in (f"https://{SECRET_USER}:{SECRET_PASSWORD}@proxy.example", f"http://u:{SECRET_PASSWORD}@h/x",
                f"http://u:{SECRET_PASSWORD}@h:99999"):
        with pytest.raises(ProbeInputError, match=r"^--proxy: ") as error:
            parse_proxy(bad)
        assert SECRET_PASSWORD not in str(error.value) and SECRET_USER not in str(error.value)


@pytest.mark.parametrize("content", [
    json.dumps({"username": SECRET_USER, "credential": SECRET_PASSWORD}),
    json.dumps({"username": SECRET_USER, "password": SECRET_PASSWORD, "ttl": "86400", "ice_servers": []}),
    f"{SECRET_USER}\n{SECRET_PASSWORD}\n",
    f"\n  {SECRET_USER}  \r\n\r\n{SECRET_PASSWORD}",
])
def test_credentials_files(content: str) -> None:
    found = parse_credentials(content.encode(), "turn.json")
    assert (found.username, found.credential) == (SECRET_USER, SECRET_PASSWORD)
    assert SECRET_USER not in repr(found) and SECRET_PASSWORD not in repr(found)


@pytest.mark.parametrize(("content", "message"), [
    (f"{SECRET_PASSWORD}\n", r"expected two lines \(the user name, then the credential\), got 1"),
    (f"{SECRET_USER}\n{SECRET_PASSWORD}\nthird\n", r"expected two lines .*, got 3 non-blank lines"),
    ('{"username": "' + SECRET_USER + '", "credential": "' + SECRET_PASSWORD, r"not a JSON document \(line 1\)"),
    (json.dumps([SECRET_USER, SECRET_PASSWORD]), r"expected a JSON object .*, got list"),
    (json.dumps({"username": SECRET_USER}), r"needs non-empty text for credential \(or password\)"),
    (json.dumps({"user": SECRET_USER, "credential": SECRET_PASSWORD}), r"needs non-empty text for username$"),
    (b"\xff\xfe" + SECRET_PASSWORD.encode(), r"not UTF-8 text \(byte 0\)"),
])
def test_bad_credentials_files_are_refused_without_quoting_them(content: str | bytes, message: str) -> None:
    data = content if isinstance(content, bytes) else content.encode()
    with pytest.raises(ProbeInputError, match=r"^--turn-credentials-file: turn.json: " + message) as error:
        parse_credentials(data, "turn.json")
    assert SECRET_PASSWORD not in str(error.value) and SECRET_USER not in str(error.value)


def test_credentials_from_options_need_both() -> None:
    assert credentials(None, None) is None
    assert credentials(SECRET_USER, SECRET_PASSWORD) == Credentials(SECRET_USER, SECRET_PASSWORD)
    for username, credential in ((SECRET_USER, None), (None, SECRET_PASSWORD), ("", SECRET_PASSWORD)):
        with pytest.raises(ProbeInputError) as error:
            credentials(username, credential)
        assert SECRET_PASSWORD not in str(error.value) and SECRET_USER not in str(error.value)


@pytest.mark.parametrize("value", [0, -1, 601])
def test_seconds_are_bounded(value: float) -> None:
    with pytest.raises(ProbeInputError, match=r"^--timeout: .* allowed: more than 0, at most 600$"):
        parse_seconds(value, "--timeout")


# --- verdicts -------------------------------------------------------------------------------------------------------


def test_everything_answers_every_option_works_and_the_recommended_one_is_best() -> None:
    report = report_of(probe_plan(CATALOG, "de1", (1, 2, 3)), all_ok)
    assert [(o.id, o.verdict) for o in report.options] == [(1, Verdict.WORKS), (2, Verdict.WORKS), (3, Verdict.WORKS)]
    assert report.best == 1 and report.exit_code == EXIT_WORKS
    assert report.summary.startswith("option 1 works (PTC's recommended option")
    assert all(o.fixes == () for o in report.options)
    assert "UDP 10000-60000 not probed" in report.options[0].reason


def test_udp_dropped_only_the_tcp_option_works() -> None:
    report = report_of(probe_plan(CATALOG, "de1", (1, 2, 3)), udp_dropped)
    assert [(o.id, o.verdict) for o in report.options] == [(1, Verdict.BLOCKED), (2, Verdict.BLOCKED),
                                                            (3, Verdict.WORKS)]
    assert report.best == 3 and report.exit_code == EXIT_WORKS  # --option all: one option works
    assert report.summary.startswith("option 3 works (the best that works, TCP only); option 1 blocked")
    alone = report_of(probe_plan(CATALOG, "de1", (1,)), udp_dropped)
    assert alone.exit_code == EXIT_BLOCKED and alone.summary.startswith("option 1 is blocked: ")


def test_an_undocumented_port_without_an_answer_never_makes_a_verdict_worse() -> None:
    def no_5349(check: Check) -> tuple[Status, Failure | None]:
        return (Status.FAILED, Failure.TIMEOUT) if check.port == 5349 else (Status.OK, None)

    report = report_of(probe_plan(CATALOG, "de1", (2, 3)), no_5349)
    assert [o.verdict for o in report.options] == [Verdict.WORKS, Verdict.WORKS]
    assert report.options[0].reason.endswith("no answer on UDP 5349 (not in Twilio's documentation: proves nothing)")
    silent = [item for item in report.checks if item.check.port == 5349]
    assert silent and all(not item.counts and "Twilio documents no server on" in item.note for item in silent)
    assert all(item.fix is not None for item in silent)


def test_a_documented_port_without_an_answer_makes_the_option_partial() -> None:
    def no_tcp_3478(check: Check) -> tuple[Status, Failure | None]:
        return ((Status.FAILED, Failure.REFUSED) if (check.transport, check.port) == (Transport.TCP, 3478)
                else (Status.OK, None))

    report = report_of(probe_plan(CATALOG, "de1", (3,)), no_tcp_3478, DE1_ADDRESS)
    (option,) = report.options
    assert option.verdict is Verdict.PARTIAL and report.exit_code == EXIT_BLOCKED
    assert "media answered on TCP 443, TCP 5349; failed on TCP 3478" in option.reason
    assert [fix.rule for fix in option.fixes] == ["media-tcp-3478-52.59.186.0/27"]


def test_a_blocked_media_address_points_at_its_regions_ticket_rule() -> None:
    """global.turn.twilio.com resolved to 52.59.186.5 = de1: the fix is de1's media rule of the ticket."""
    probe = probe_plan(CATALOG, "de1,ie1", (1,))
    report = report_of(probe, udp_dropped, DE1_ADDRESS)
    turn_3478 = next(item for item in report.checks if item.check.id == f"stun-udp-3478-{TURN}")
    assert turn_3478.region == "de1"
    assert turn_3478.fix is not None and turn_3478.fix.rule == "media-udp-3478-52.59.186.0/27"
    assert "ticket rule media-udp-3478-52.59.186.0/27" in turn_3478.fix.text
    ticket_ids = {rule.id for rule in report.plan.options[0].ticket.rules}
    assert {fix.rule for fix in report.options[0].fixes} <= ticket_ids
    regions = {r.region: r for r in report.regions}
    assert regions["de1"].verdict is Verdict.BLOCKED and DE1_ADDRESS in regions["de1"].evidence
    assert regions["ie1"].verdict is Verdict.NOT_PROBED
    assert f"{TURN} -> {DE1_ADDRESS} (de1)" in regions["ie1"].evidence
    assert "no STUN/TURN host of its own is documented" in regions["ie1"].evidence


def test_a_media_address_in_a_region_not_selected_says_so() -> None:
    report = report_of(probe_plan(CATALOG, "de1", (1,)), udp_dropped, US1_ADDRESS)
    item = next(item for item in report.checks if item.check.id == f"stun-udp-3478-{TURN}")
    assert item.region == "us1" and item.fix is not None and item.fix.rule is None
    assert "us1 (US East Coast), which --regions does not select" in item.fix.text
    assert any("us1 (US East Coast), which --regions does not select" in note for note in report.notes)
    assert report.regions[0].verdict is Verdict.NOT_PROBED


def test_a_blocked_signaling_host_points_at_its_ticket_rule() -> None:
    host = "switchboard.prod.look.vuforia.com"

    def one_host_refused(check: Check) -> tuple[Status, Failure | None]:
        return (Status.FAILED, Failure.REFUSED) if check.host == host else (Status.OK, None)

    report = report_of(probe_plan(CATALOG, "de1", (1, 2, 3)), one_host_refused)
    assert {o.signaling for o in report.options} == {Verdict.PARTIAL}
    assert {o.verdict for o in report.options} == {Verdict.PARTIAL} and report.exit_code == EXIT_BLOCKED
    assert all([fix.rule for fix in o.fixes] == [f"signaling-tcp-443-{host}"] for o in report.options)


def test_refused_turn_credentials_are_exit_2_and_leave_the_network_verdict_alone() -> None:
    def rejected(check: Check) -> tuple[Status, Failure | None]:
        return (Status.REJECTED, Failure.PROTOCOL) if check.kind is CheckKind.TURN else (Status.OK, None)

    report = report_of(probe_plan(CATALOG, "de1", (1, 2, 3), turn=True), rejected)
    assert report.rejected and report.exit_code == EXIT_INPUT
    assert [o.verdict for o in report.options] == [Verdict.WORKS] * 3
    assert all("the TURN server refused the credentials" in o.reason for o in report.options)
    assert report.summary.startswith("the TURN server refused the credentials")


def test_checks_cut_by_the_deadline_count_as_failed() -> None:
    def late(check: Check) -> tuple[Status, Failure | None]:
        return (Status.FAILED, Failure.DEADLINE) if check.kind is CheckKind.STUN else (Status.OK, None)

    report = report_of(probe_plan(CATALOG, "de1", (3,)), late)
    assert report.options[0].verdict is Verdict.BLOCKED


def test_scrubbing_removes_secrets_from_evidence() -> None:
    check = Check(CheckKind.TURN, TURN, Transport.UDP, 3478, (1,))
    leaky = Result(check, Status.FAILED, 1.0, (Step("turn", False, f"user {SECRET_USER} refused", 1.0),), None,
                   None, f"sent {SECRET_PASSWORD}", "got chalk")
    settings = Settings(credentials=Credentials(SECRET_USER, SECRET_PASSWORD))
    clean = scrub_result(leaky, settings.secrets)
    assert SECRET_USER not in repr(clean) and SECRET_PASSWORD not in repr(clean)
    assert clean.received == "got chalk"  # short values (a user name "chalk") are not words to scrub
    assert scrub_result(leaky, Settings(credentials=Credentials("chalk", "secret")).secrets).received == "got chalk"


# --- formats --------------------------------------------------------------------------------------------------------


def test_every_format_renders_the_same_report() -> None:
    assert list(PROBE_FORMATS) == ["text", "json", "junit"]
    report = report_of(probe_plan(CATALOG, "de1,ie1", (1, 2, 3), turn=True), udp_dropped, DE1_ADDRESS)
    text = PROBE_FORMATS["text"].render(report)
    assert text.splitlines()[1].startswith("Result: option 3 works")
    assert "fix:  allow UDP 3478 to 52.59.186.5's range: ticket rule media-udp-3478-52.59.186.0/27" in text
    assert "--       media-udp-10000-60000 (option 1): not probed" in text
    data = json.loads(PROBE_FORMATS["json"].render(report))
    assert data["exit_code"] == 0 and data["best_option"] == 3
    assert [o["verdict"] for o in data["options"]] == ["blocked", "blocked", "works"]
    assert {c["id"] for c in data["checks"]} == {c.id for c in report.plan.checks}
    failed = next(c for c in data["checks"] if c["id"] == f"stun-udp-3478-{TURN}")
    assert failed["fix"]["rule"] == "media-udp-3478-52.59.186.0/27" and failed["region"] == "de1"
    assert failed["sent"] and failed["elapsed_ms"] == 12.5 and failed["steps"][0]["name"] == "stun"


def test_junit_has_a_test_case_per_check_and_failures_for_what_is_blocked() -> None:
    report = report_of(probe_plan(CATALOG, "de1", (1, 2, 3)), udp_dropped, DE1_ADDRESS)
    root = ET.fromstring(PROBE_FORMATS["junit"].render(report))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["options", "signaling", "media", "regions"]
    media_cases = {case.get("name"): case for case in suites["media"].iter("testcase")}
    assert set(media_cases) == {c.id for c in report.plan.checks if c.kind is not CheckKind.SIGNALING} | {
        "media-udp-10000-60000 option 1"}
    assert media_cases[f"stun-udp-3478-{TURN}"].find("failure") is not None
    assert media_cases[f"stun-tcp-3478-{TURN}"].find("failure") is None
    assert media_cases["media-udp-10000-60000 option 1"].find("skipped") is not None
    options = {case.get("name"): case.find("failure") for case in suites["options"].iter("testcase")}
    assert [name for name, failure in options.items() if failure is not None] == ["option 1", "option 2"]
    assert int(root.get("tests", "0")) == sum(1 for _ in root.iter("testcase"))
    failures = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert int(root.get("failures", "0")) == len(failures)
