"""The formats of ``chalk-policy probe``: one :class:`ProbeFormat` declaration each in :data:`PROBE_FORMATS`, which the
command's ``--format`` choices, its help and the tests iterate. All of them render one :class:`.verdict.Report`.

``text`` is for reading; ``json`` is everything, for programs; ``junit`` is for CI dashboards: one test case per check
(a failure when it failed, skipped when it could not be probed), one per port option's verdict (a failure when
blocked or partial) and one per region and option that was not probed (skipped). No format ever holds a credential:
the report has none.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..text import printable
from .model import CheckKind, Status, Verdict
from .verdict import Judged, Report

TOOL = "chalk-policy probe"


@dataclass(frozen=True)
class ProbeFormat:
    name: str
    summary: str
    """One line for ``--help``."""
    render: Callable[[Report], str]


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


def _mark(status: Status) -> str:
    return {Status.OK: "ok", Status.FAILED: "FAIL", Status.REJECTED: "REJECTED", Status.NOT_PROBED: "--"}[status]


def _heading(report: Report) -> str:
    plan = report.plan
    options = ", ".join(str(option.id) for option in plan.options)
    via = f", signaling through {report.proxy}" if report.proxy else ""
    return (f"Chalk connectivity probe -- catalog {plan.catalog_version}, regions {', '.join(plan.regions)}, "
            f"option{'s' if len(plan.options) > 1 else ''} {options} (timeout {report.timeout:g} s, deadline "
            f"{report.deadline:g} s{via}); took {_ms(report.elapsed_ms)}")


def _check_line(item: Judged) -> list[str]:
    result, check = item.result, item.check
    where = f" -> {result.address}" if result.address else ""
    if item.region:
        where += f" ({item.region})"
    lines = [f"  {_mark(result.status):8} {check.id}{where}: {result.detail} [{_ms(result.elapsed_ms)}]"]
    if result.status is not Status.OK:
        if result.sent:
            lines.append(f"           sent: {result.sent}")
        if result.received and result.received != result.detail:
            lines.append(f"           got:  {result.received}")
    if item.note:
        lines.append(f"           note: {item.note}")
    if item.fix is not None:
        lines.append(f"           fix:  {item.fix.text}")
    return lines


def _text(report: Report) -> str:
    lines = [_heading(report), f"Result: {report.summary} (exit {report.exit_code})", ""]
    signaling = [item for item in report.checks if item.check.kind is CheckKind.SIGNALING]
    media = [item for item in report.checks if item.check.kind is not CheckKind.SIGNALING]
    passed = sum(item.result.status is Status.OK for item in signaling)
    lines.append(f"Signaling (TCP 443, TLS with the certificate verified): {passed} of {len(signaling)} hosts")
    for item in signaling:
        lines += _check_line(item)
    lines.append("")
    lines.append("Media (STUN binding requests" + (" and TURN allocations" if report.plan.turn else "") + "):")
    for item in media:
        lines += _check_line(item)
    for unprobed in report.plan.unprobed:
        lines.append(f"  {'--':8} {unprobed.id} (option {unprobed.option}): not probed")
    lines.append("")
    lines.append("Port options:")
    for option in report.options:
        star = ", recommended by PTC" if option.recommended else ""
        lines.append(f"  Option {option.id} ({option.name}{star}: {', '.join(option.rules)}): "
                     f"{option.verdict.value.upper()}")
        lines.append(f"    {option.reason}")
        signaling_rules = [fix.rule for fix in option.fixes if fix.rule and fix.rule.startswith("signaling-")]
        if signaling_rules:
            lines.append(f"    fix: the signaling rules above ({len(signaling_rules)}): {', '.join(signaling_rules)}")
        lines += [f"    fix: {fix.text}" for fix in option.fixes
                  if not (fix.rule and fix.rule.startswith("signaling-"))]
    lines.append("")
    lines.append("Regions:")
    for region in report.regions:
        lines.append(f"  option {region.option}, {region.region} ({region.name}): {region.verdict.value}: "
                     f"{region.evidence}")
    lines.append("")
    lines.append("What this does not show:")
    lines += [f"  - {note}" for note in report.notes]
    return printable("\n".join(lines))


def _result_dict(item: Judged) -> dict[str, Any]:
    result, check = item.result, item.check
    return {
        "id": check.id, "kind": check.kind.value, "host": check.host, "transport": check.transport.value,
        "port": check.port, "options": list(check.options), "documented": check.documented,
        "status": result.status.value, "failure": result.failure.value if result.failure else None,
        "address": result.address, "region": item.region, "elapsed_ms": round(result.elapsed_ms, 1),
        "sent": result.sent, "received": result.received, "detail": result.detail,
        "steps": [{"name": step.name, "ok": step.ok, "detail": step.detail, "elapsed_ms": round(step.elapsed_ms, 1)}
                  for step in result.steps],
        "counts": item.counts, "note": item.note or None,
        "fix": {"rule": item.fix.rule, "text": item.fix.text} if item.fix else None,
    }


def _json(report: Report) -> str:
    plan = report.plan
    data = {
        "catalog_version": plan.catalog_version,
        "regions": list(plan.regions),
        "settings": {"timeout_s": report.timeout, "deadline_s": report.deadline, "proxy": report.proxy,
                     "media_hosts": list(plan.media_hosts), "media_hosts_given": plan.media_hosts_given,
                     "turn": plan.turn},
        "elapsed_ms": round(report.elapsed_ms, 1),
        "result": report.summary,
        "exit_code": report.exit_code,
        "best_option": report.best,
        "options": [{"option": o.id, "name": o.name, "recommended": o.recommended, "rules": list(o.rules),
                     "verdict": o.verdict.value, "signaling": o.signaling.value, "media": o.media.value,
                     "reason": o.reason, "fixes": [{"rule": f.rule, "text": f.text} for f in o.fixes]}
                    for o in report.options],
        "regions_verdicts": [{"option": r.option, "region": r.region, "name": r.name, "verdict": r.verdict.value,
                              "evidence": r.evidence} for r in report.regions],
        "checks": [_result_dict(item) for item in report.checks],
        "not_probed": [{"id": u.id, "option": u.option, "transport": u.transport.value, "ports": u.ports,
                        "reason": u.reason} for u in plan.unprobed],
        "notes": list(report.notes),
    }
    return json.dumps(data, indent=2)


class _Suites:
    """The ``testsuites`` document, one ``testsuite`` at a time, each with its counts."""

    def __init__(self, report: Report) -> None:
        self.root = ET.Element("testsuites", name=TOOL, time=f"{report.elapsed_ms / 1000:.3f}")
        self.totals = [0, 0, 0]  # tests, failures, skipped

    def suite(self, name: str) -> tuple[ET.Element, list[int]]:
        return ET.SubElement(self.root, "testsuite", name=name), [0, 0, 0]

    def close(self, element: ET.Element, counts: list[int]) -> None:
        for key, value in zip(("tests", "failures", "skipped"), counts):
            element.set(key, str(value))
        element.set("errors", "0")
        self.totals = [a + b for a, b in zip(self.totals, counts)]

    def text(self) -> str:
        for key, value in zip(("tests", "failures", "skipped"), self.totals):
            self.root.set(key, str(value))
        self.root.set("errors", "0")
        ET.indent(self.root)
        # XML 1.0 allows no C0 control but tab, newline and carriage return: escape the rest (as `check` does)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + printable(ET.tostring(self.root, encoding="unicode"))


def _junit(report: Report) -> str:
    doc = _Suites(report)
    options, counts = doc.suite("options")
    for option in report.options:
        case = ET.SubElement(options, "testcase", classname="option", name=f"option {option.id}")
        counts[0] += 1
        if option.verdict is not Verdict.WORKS:
            failure = ET.SubElement(case, "failure", type=option.verdict.value, message=option.reason)
            failure.text = "\n".join(fix.text for fix in option.fixes)
            counts[1] += 1
    doc.close(options, counts)
    signaling, counts = doc.suite("signaling")
    for item in report.checks:
        if item.check.kind is CheckKind.SIGNALING:
            _junit_check(signaling, item, counts)
    doc.close(signaling, counts)
    media, counts = doc.suite("media")
    for item in report.checks:
        if item.check.kind is not CheckKind.SIGNALING:
            _junit_check(media, item, counts)
    for unprobed in report.plan.unprobed:
        case = ET.SubElement(media, "testcase", classname="media", name=f"{unprobed.id} option {unprobed.option}")
        ET.SubElement(case, "skipped", message=unprobed.reason)
        counts[0] += 1
        counts[2] += 1
    doc.close(media, counts)
    regions, counts = doc.suite("regions")
    for region in report.regions:
        case = ET.SubElement(regions, "testcase", classname=f"option {region.option}", name=region.region)
        counts[0] += 1
        if region.verdict is Verdict.NOT_PROBED:
            ET.SubElement(case, "skipped", message=region.evidence)
            counts[2] += 1
        elif region.verdict is not Verdict.WORKS:
            ET.SubElement(case, "failure", type=region.verdict.value, message=region.evidence)
            counts[1] += 1
    doc.close(regions, counts)
    return doc.text()


def _junit_check(suite: ET.Element, item: Judged, counts: list[int]) -> None:
    result, check = item.result, item.check
    case = ET.SubElement(suite, "testcase", classname=check.kind.value, name=check.id,
                         time=f"{result.elapsed_ms / 1000:.3f}")
    counts[0] += 1
    out = [f"sent: {result.sent}" if result.sent else "", f"got: {result.received}" if result.received else "",
           *(f"{step.name}: {step.detail} ({_ms(step.elapsed_ms)})" for step in result.steps)]
    if item.note:
        out.append(f"note: {item.note}")
    if result.status is Status.FAILED or result.status is Status.REJECTED:
        failure = ET.SubElement(case, "failure", type=(result.failure.value if result.failure else
                                                        result.status.value), message=result.detail)
        failure.text = "\n".join(line for line in [*out, f"fix: {item.fix.text}" if item.fix else ""] if line)
        counts[1] += 1
    else:
        ET.SubElement(case, "system-out").text = "\n".join(line for line in out if line)


PROBE_FORMATS: dict[str, ProbeFormat] = {f.name: f for f in (
    ProbeFormat("text", "verdicts per option and region, each check with its evidence and fix", _text),
    ProbeFormat("json", "everything, for programs: verdicts, checks with their steps, fixes and notes", _json),
    ProbeFormat("junit", "JUnit XML for CI: a test case per check, per option's verdict and per region", _junit),
)}
