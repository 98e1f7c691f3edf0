"""The results judged: a verdict per port option and per region, and for each failed check the fix, pointing at the
rule of the firewall ticket that is missing (``media-udp-3478-52.59.186.0/27``, ``signaling-tcp-443-<host>``). Pure.

Per option (signaling and media together, the worse of the two):

- signaling: **works** when every host's TLS handshake verified, **blocked** when none did, **partial** otherwise;
- media (the option's STUN binding requests and TURN allocations): **blocked** when none was answered, **partial**
  when some were and a documented one was not, **works** when every documented one was. A check on a port Twilio does
  not document (UDP 443, 5349) that gets no answer proves nothing about the firewall (maybe no server listens there):
  it is reported, with its fix, and never makes a verdict worse. A TURN allocation whose credentials were refused was
  answered, so the path is open: it counts as neither.

Per region and option: the media checks whose server address lies in the region's media ranges, with the signaling
hosts the region needs; a region no media server address lands in is **not probed**, with the addresses seen.

Exit code (:attr:`Report.exit_code`): 2 when the TURN server refused the credentials (input to fix first); with one
port option, 0 when it works, else 1; with several (``--option all``), 0 when at least one works (the report names the
best one: PTC's recommended option first, then by id), else 1.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..planning.ticket import Kind
from .model import Check, CheckKind, Failure, Result, Status, Verdict
from .targets import ProbePlan

EXIT_WORKS, EXIT_BLOCKED, EXIT_INPUT = 0, 1, 2

LIMITS = (
    "A STUN or TURN answer from Twilio's servers proves that this network passes that protocol and port to that "
    "address; it is not a media session (no call is set up, no audio or video is sent).",
    "Twilio documents no regional STUN/TURN host names: the global hosts resolve to one region's media servers "
    "(Twilio's DNS picks it), and only that region's ranges are tried.",
)


@dataclass(frozen=True)
class Fix:
    """What to change: the ticket rule that is missing (``rule``, when one applies) and what to do."""

    rule: str | None
    text: str


@dataclass(frozen=True)
class Judged:
    """A result with its region and, when it failed, its fix."""

    result: Result
    region: str | None
    counts: bool
    """Whether the result can make a verdict worse (not: an undocumented port without an answer)."""
    fix: Fix | None = None
    note: str = ""

    @property
    def check(self) -> Check:
        return self.result.check


@dataclass(frozen=True)
class OptionReport:
    id: int
    name: str
    recommended: bool
    rules: tuple[str, ...]
    verdict: Verdict
    signaling: Verdict
    media: Verdict
    reason: str
    fixes: tuple[Fix, ...]


@dataclass(frozen=True)
class RegionReport:
    option: int
    region: str
    name: str
    verdict: Verdict
    evidence: str


@dataclass(frozen=True)
class Report:
    plan: ProbePlan
    timeout: float
    deadline: float
    proxy: str | None
    """The proxy as it may be shown (:attr:`chalk_policy.probe.model.Proxy.shown`)."""
    elapsed_ms: float
    checks: tuple[Judged, ...]
    options: tuple[OptionReport, ...]
    regions: tuple[RegionReport, ...]
    best: int | None
    rejected: bool
    """The TURN server refused the credentials."""
    notes: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        if self.rejected:
            return EXIT_INPUT
        if len(self.options) == 1:
            return EXIT_WORKS if self.options[0].verdict is Verdict.WORKS else EXIT_BLOCKED
        return EXIT_WORKS if self.best is not None else EXIT_BLOCKED

    @property
    def summary(self) -> str:
        works = [option for option in self.options if option.verdict is Verdict.WORKS]
        if self.rejected:
            head = "the TURN server refused the credentials (the path answered; check the credentials)"
            return f"{head}; " + self._options_summary(works)
        return self._options_summary(works)

    def _options_summary(self, works: Sequence[OptionReport]) -> str:
        if len(self.options) == 1:
            option = self.options[0]
            return f"option {option.id} {_verb(option.verdict)}: {option.reason}"
        if self.best is None:
            return "no port option works: " + "; ".join(f"option {o.id} {o.verdict.value}" for o in self.options)
        best = next(option for option in self.options if option.id == self.best)
        which = "PTC's recommended option" if best.recommended else "the best that works"
        others = [f"option {o.id} {o.verdict.value}" for o in self.options if o.id != best.id]
        return f"option {best.id} works ({which}, {best.name})" + (f"; {', '.join(others)}" if others else "")


def _verb(verdict: Verdict) -> str:
    return {Verdict.WORKS: "works", Verdict.PARTIAL: "works in part", Verdict.BLOCKED: "is blocked",
            Verdict.NOT_PROBED: "was not probed"}[verdict]


def judge(plan: ProbePlan, results: Iterable[Result], *, timeout: float, deadline: float, proxy: str | None = None,
          elapsed_ms: float = 0.0) -> Report:
    by_id = {result.check.id: result for result in results}
    judged = tuple(_judge(plan, by_id[check.id]) for check in plan.checks if check.id in by_id)
    options = tuple(_option_report(plan, option.id, judged) for option in plan.options)
    working = [option for option in options if option.verdict is Verdict.WORKS]
    best = min(working, key=lambda option: (not option.recommended, option.id)).id if working else None
    regions = tuple(_region_report(plan, option.id, region, judged) for option in plan.options
                    for region in plan.regions)
    rejected = any(item.result.status is Status.REJECTED for item in judged)
    return Report(plan, timeout, deadline, proxy, elapsed_ms, judged, options, regions, best, rejected,
                  _notes(plan, judged, proxy))


# --- one check ------------------------------------------------------------------------------------------------------


def _judge(plan: ProbePlan, result: Result) -> Judged:
    check = result.check
    region = plan.region_of(result.address) if check.kind is not CheckKind.SIGNALING else None
    if result.status is Status.OK:
        return Judged(result, region, True)
    if result.status is Status.REJECTED:
        return Judged(result, region, False, Fix(None, (
            "the TURN server answered and refused the credentials: give valid ones (--turn-username and "
            "--turn-credential, or --turn-credentials-file; Twilio's expire with their token). The network path "
            "itself is open.")))
    if check.kind is CheckKind.SIGNALING:
        return Judged(result, None, True, _signaling_fix(plan, check, result))
    fix = _media_fix(plan, check, result, region)
    if not check.documented and result.failure in (Failure.TIMEOUT, Failure.REFUSED, Failure.PROTOCOL):
        note = (f"Twilio documents no server on {check.transport.value.upper()} {check.port}: no answer here does not "
                "show that the firewall drops it (maybe nothing listens)")
        return Judged(result, region, False, fix, note)
    return Judged(result, region, True, fix)


def ticket_rule(plan: ProbePlan, check: Check, address: str | None) -> str | None:
    """The id of the ticket rule that allows ``check`` (to ``address``, for media), if the plan has one."""
    option = plan.option(check.options[0]) if check.options else plan.options[0]
    for rule in option.ticket.rules:
        if check.kind is CheckKind.SIGNALING:
            if rule.kind is Kind.SIGNALING and rule.destination.value == check.host:
                return rule.id
        elif (rule.kind is Kind.MEDIA and rule.protocol.value == check.transport.value
              and rule.ports.from_port <= check.port <= rule.ports.to_port and address is not None
              and _contains(rule.destination.value, address)):
            return rule.id
    return None


def _contains(cidr: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)
    except ValueError:
        return False


def _signaling_fix(plan: ProbePlan, check: Check, result: Result) -> Fix:
    rule = ticket_rule(plan, check, None)
    enter = f"ticket rule {rule}" if rule else f"allow TCP 443 to {check.host}"
    if result.failure is Failure.DNS:
        text = (f"{check.host} does not resolve here: the clients' DNS must resolve it (a firewall that allows it by "
                f"name resolves it too); then {enter}")
    elif result.failure is Failure.TLS:
        text = (f"the TLS handshake with {check.host} failed ({result.detail}). A firewall or proxy that inspects "
                "TLS presents its own certificate: exempt the host from TLS inspection (PTC asks this for "
                "smartproxy hosts, Twilio for its domains), or give its CA with --ca-file to test the path; "
                f"{enter} (TCP 443 to {check.host})")
    elif result.failure is Failure.PROXY:
        text = (f"the proxy did not tunnel to {check.host}:443 ({result.detail}): add the host to its allowlist "
                f"(`chalk-policy render squid` writes it); {enter}")
    else:
        text = f"allow TCP 443 (HTTPS/WSS) to {check.host}: {enter}"
    return Fix(rule, text)


def _media_fix(plan: ProbePlan, check: Check, result: Result, region: str | None) -> Fix:
    protocol = f"{check.transport.value.upper()} {check.port}"
    if result.failure is Failure.DNS:
        return Fix(None, f"{check.host} does not resolve here: the clients' DNS must resolve it (the media rules "
                         "allow addresses; the name must still resolve)")
    address = result.address
    rule = ticket_rule(plan, check, address)
    tls = (" A TLS answer that did not verify may be TLS inspection, which breaks TURN over TLS: exempt Twilio's "
           "domains and media ranges from it." if result.failure is Failure.TLS else "")
    if rule is not None:
        return Fix(rule, f"allow {protocol} to {address}'s range: ticket rule {rule}.{tls}")
    if region is not None:
        return Fix(None, (
            f"{address} is in {region} ({plan.region_name(region)}), which --regions does not select, so the plan "
            f"does not open it: {check.host} led there. Add {region} to --regions if calls may use it, then its "
            f"media rule for {protocol}.{tls}"))
    if address is None:
        return Fix(None, f"{check.host} was not tried (no address): {result.detail}")
    return Fix(None, (
        f"{address} is in no media range of the catalog, so no rule of the plan opens it: allow {protocol} to "
        f"{address}, and check the catalog's ranges (`chalk-policy catalog show`).{tls}"))


# --- verdicts -------------------------------------------------------------------------------------------------------


def _combine(*verdicts: Verdict) -> Verdict:
    for worst in (Verdict.BLOCKED, Verdict.PARTIAL, Verdict.NOT_PROBED):
        if worst in verdicts:
            return worst
    return Verdict.WORKS


def _signaling_verdict(items: Sequence[Judged]) -> Verdict:
    if not items:
        return Verdict.NOT_PROBED
    ok = sum(item.result.status is Status.OK for item in items)
    return Verdict.WORKS if ok == len(items) else Verdict.BLOCKED if ok == 0 else Verdict.PARTIAL


def _media_verdict(items: Sequence[Judged]) -> Verdict:
    if not items:
        return Verdict.NOT_PROBED
    ok = [item for item in items if item.result.status is Status.OK]
    failed = [item for item in items if item.result.status is Status.FAILED and item.counts]
    if not ok:
        rejected = any(item.result.status is Status.REJECTED for item in items)
        return Verdict.PARTIAL if rejected and not failed else Verdict.BLOCKED
    return Verdict.PARTIAL if failed else Verdict.WORKS


def _media_of(option: int, judged: Iterable[Judged]) -> list[Judged]:
    return [item for item in judged if item.check.kind is not CheckKind.SIGNALING and option in item.check.options]


def _signaling_of(judged: Iterable[Judged], region: str | None = None) -> list[Judged]:
    return [item for item in judged if item.check.kind is CheckKind.SIGNALING
            and (region is None or not item.check.regions or region in item.check.regions)]


def _option_report(plan: ProbePlan, option_id: int, judged: Sequence[Judged]) -> OptionReport:
    option = plan.option(option_id)
    signaling, media = _signaling_of(judged), _media_of(option_id, judged)
    signaling_verdict, media_verdict = _signaling_verdict(signaling), _media_verdict(media)
    verdict = _combine(signaling_verdict, media_verdict)
    sig_ok = sum(item.result.status is Status.OK for item in signaling)
    answered = sorted({f"{item.check.transport.value.upper()} {item.check.port}" for item in media
                       if item.result.status is Status.OK}, key=_port_order)
    failing = _ports(item for item in media if item.result.status is Status.FAILED and item.counts) - set(answered)
    unconfirmed = _ports(item for item in media if item.result.status is Status.FAILED and not item.counts)
    parts = [f"signaling {sig_ok} of {len(signaling)} hosts"]
    if media:
        parts.append(f"media answered on {', '.join(answered)}" if answered else "no media check answered")
        if failing:
            parts.append(f"failed on {', '.join(sorted(failing, key=_port_order))}")
        if unconfirmed - set(answered) - failing:
            parts.append(f"no answer on {', '.join(sorted(unconfirmed - set(answered) - failing, key=_port_order))} "
                         "(not in Twilio's documentation: proves nothing)")
    else:
        parts.append("no media check")
    if any(item.result.status is Status.REJECTED for item in media):
        parts.append("the TURN server refused the credentials")
    unprobed = [f"{u.transport.value.upper()} {u.ports}" for u in plan.unprobed if u.option == option_id]
    if unprobed:
        parts.append(f"{', '.join(unprobed)} not probed")
    fixes = tuple(dict.fromkeys(item.fix for item in [*signaling, *media]
                                if item.fix is not None and item.counts and item.result.status is not Status.OK))
    return OptionReport(option.id, option.name, option.recommended, option.rules, verdict, signaling_verdict,
                        media_verdict, "; ".join(parts), fixes)


def _ports(items: Iterable[Judged]) -> set[str]:
    return {f"{item.check.transport.value.upper()} {item.check.port}" for item in items}


def _port_order(text: str) -> tuple[str, int]:
    transport, port = text.split()
    return transport, int(port)


def _region_report(plan: ProbePlan, option_id: int, region: str, judged: Sequence[Judged]) -> RegionReport:
    media = _media_of(option_id, judged)
    mine = [item for item in media if item.region == region]
    name = plan.region_name(region)
    if not mine:
        seen = _landed(plan, media)
        why = ("no STUN/TURN host of its own is documented, and " + (
            f"the media hosts led elsewhere: {seen}" if seen else "no media server address was found")
               if not plan.media_hosts_given else f"no --media-host led there ({seen or 'no address found'})")
        return RegionReport(option_id, region, name, Verdict.NOT_PROBED, why)
    verdict = _combine(_signaling_verdict(_signaling_of(judged, region)), _media_verdict(mine))
    addresses = ", ".join(sorted({f"{item.check.host} -> {item.result.address}" for item in mine}))
    return RegionReport(option_id, region, name, verdict, f"media servers in {region}: {addresses}")


def _landed(plan: ProbePlan, media: Iterable[Judged]) -> str:
    seen: dict[str, str] = {}
    for item in media:
        if item.result.address is not None:
            where = item.region or "no catalog region"
            seen.setdefault(f"{item.check.host} -> {item.result.address}", where)
    return ", ".join(f"{target} ({where})" for target, where in sorted(seen.items()))


def _notes(plan: ProbePlan, judged: Sequence[Judged], proxy: str | None) -> tuple[str, ...]:
    notes = list(LIMITS)
    for unprobed in plan.unprobed:
        notes.append(f"Option {unprobed.option}: {unprobed.transport.value.upper()} {unprobed.ports} is not probed: "
                     f"{unprobed.reason}.")
    elsewhere = sorted({(item.region, item.result.address or "") for item in judged
                        if item.region is not None and item.region not in plan.regions})
    for region, address in elsewhere:
        notes.append(f"A media host resolved to {address}, in {region} ({plan.region_name(region)}), which --regions "
                     "does not select: the plan's media rules do not open that region's ranges.")
    outside = sorted({item.result.address for item in judged if item.check.kind is not CheckKind.SIGNALING
                      and item.result.address is not None and item.region is None})
    if outside:
        notes.append(f"Media server address{'es' if len(outside) > 1 else ''} {', '.join(outside)} "
                     f"{'are' if len(outside) > 1 else 'is'} in no region's media ranges of the catalog.")
    if proxy is not None:
        notes.append(f"Signaling was tried through the proxy {proxy}; media never goes through an HTTP proxy, so it "
                     "was tried directly.")
    return tuple(notes)
