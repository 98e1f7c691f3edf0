"""Render policy findings on saved plans: text, JSON, SARIF 2.1.0, GitHub workflow commands and JUnit XML.

Pure: the policies' metadata arrives as :class:`Rule` values, the findings as :class:`Finding` values.

* SARIF: one run, ``tool.driver.rules`` = the policies; one result per finding (one per region per layer), with
  ``partialFingerprints`` hashed from policy, region, resource and the message's first sentence (not its fix
  text), so a re-run does not open duplicate code-scanning alerts; ``locations`` point at the resource's
  declaration (:attr:`Finding.source`), else at the stack's config file (else the program, else the checked file),
  and name the resource's URN as a logical location.
* GitHub: ``::error file=...,line=...,title=<policy>::<message>`` (``::warning`` for advisory), escaped like
  ``@actions/core`` does.
* Text, GitHub and JUnit output is :func:`~chalk_policy.text.printable`: a resource name, a property or a file
  name with a control character (an ANSI escape sequence), a line separator or a lone surrogate (a JSON plan's
  ``"\\udc80"``, which no UTF-8 stream can write) is shown escaped (``\\x1b``, ``\\udc80``); JSON and SARIF are
  written by ``json.dumps``, which escapes every such character (and all non-ASCII) anyway.
* JUnit: one suite per file, one test case per policy per checked region (``name`` = the region) plus one per
  policy for findings about the whole stack (``name`` = ``stack``). Mandatory findings are ``<failure>``;
  advisory ones are written to the test case's ``<system-out>``, since they do not fail the check.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..text import printable

SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY: Final = "chalkPolicyFinding/v1"
TOOL: Final = "chalk-policy"
SARIF_LEVEL: Final = {"mandatory": "error", "advisory": "warning"}


@dataclass(frozen=True)
class Rule:
    """One policy."""

    id: str
    description: str
    url: str
    level: str
    """The policy's own level: ``mandatory`` or ``advisory``."""
    remediation: str = ""
    regional: bool = False
    """Reports per region (JUnit gets one test case per checked region)."""


@dataclass(frozen=True)
class Finding:
    policy: str
    level: str
    """``mandatory`` or ``advisory``."""
    region: str | None
    message: str
    resource: str | None
    """The URN the finding is about, when there is one."""
    file: str
    """The checked file, as given on the command line."""
    source: tuple[str, int] | None = field(default=None, compare=False)
    """Where the resource is declared (path shown relative when possible, line), from the document's
    ``sourcePosition``; annotations point here, else at the checked file's location."""

    def as_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "level": self.level, "region": self.region, "message": self.message,
                "resource": self.resource, "file": self.file}


@dataclass(frozen=True)
class Checked:
    """One checked file."""

    file: str
    kind: str
    project: str | None
    stack: str | None
    location: str
    """Where annotations point: the stack config file, the program or the file itself (relative when possible)."""
    line: int = 1
    regions: tuple[str, ...] = ()
    """The regions the policies checked (empty when the settings could not be resolved)."""
    settings: str = ""
    """Where the settings came from, e.g. ``stack config (chalk-network:regions)``."""
    resources: int = 0


@dataclass(frozen=True)
class Report:
    rules: tuple[Rule, ...]
    files: tuple[Checked, ...]
    findings: tuple[Finding, ...]
    version: str = "0"
    disabled: frozenset[str] = field(default_factory=frozenset)
    """Policies the policy config disabled."""

    @property
    def mandatory(self) -> int:
        return sum(1 for f in self.findings if f.level == "mandatory")

    @property
    def advisory(self) -> int:
        return len(self.findings) - self.mandatory

    @property
    def passed(self) -> bool:
        return self.mandatory == 0

    def where(self, finding: Finding) -> tuple[str, int]:
        """The file and line an annotation of ``finding`` points at: the resource's declaration, else the checked
        file's location (the stack's config file, the program or the file itself)."""
        if finding.source is not None:
            return finding.source
        checked = self.checked(finding.file)
        return checked.location, checked.line

    def checked(self, file: str) -> Checked:
        return next(c for c in self.files if c.file == file)


def message_core(message: str) -> str:
    """The first sentence: what is wrong and where, without the fix text (which may be reworded)."""
    head, sep, _ = message.partition(". ")
    return head + "." if sep else message


def fingerprint(finding: Finding) -> str:
    key = "\x00".join((finding.policy, finding.region or "", finding.resource or "", message_core(finding.message)))
    # surrogatepass: a lone surrogate (from a JSON plan's "\\udc80") hashes too; any other text, to the same bytes
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# --- text and JSON --------------------------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    lines: list[str] = []
    by_file = _by_file(report)
    for checked in report.files:
        where = ", ".join(part for part in (
            checked.kind, f"stack {checked.stack}" if checked.stack else "",
            f"{checked.resources} resource{'s' if checked.resources != 1 else ''}",
            f"regions {', '.join(checked.regions)}" if checked.regions else "",
            (f"from {checked.settings}" if checked.regions else checked.settings) if checked.settings else "")
            if part)
        lines.append(printable(f"{checked.file} ({where})", newlines=False))
        findings = by_file.get(checked.file, [])
        lines += [printable(f"  [{f.level}] {f.policy}{f' ({f.region})' if f.region else ''}: {f.message}",
                            newlines=False) for f in findings]
        if not findings:
            lines.append("  no violations")
    verdict = "passed" if report.passed else "failed"
    noun = "file" if len(report.files) == 1 else "files"
    lines.append(f"chalk-policy check: {len(report.files)} {noun}, {report.mandatory} mandatory, {report.advisory} "
                 f"advisory: {verdict}")
    return "\n".join(lines)


def _by_file(report: Report) -> dict[str, list[Finding]]:
    """The findings of each checked file, in report order (one pass, not one scan of all findings per file)."""
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        found.setdefault(finding.file, []).append(finding)
    return found


def render_json(report: Report) -> str:
    return json.dumps({
        "findings": [f.as_dict() for f in report.findings],
        "summary": {"files": len(report.files), "mandatory": report.mandatory, "advisory": report.advisory,
                    "passed": report.passed},
    }, indent=2)


# --- SARIF ----------------------------------------------------------------------------------------------------------


def sarif_log(report: Report) -> dict[str, Any]:
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    results = []
    for finding in report.findings:
        uri, line = report.where(finding)
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri},
                                                         "region": {"startLine": line}}}
        if finding.resource:
            location["logicalLocations"] = [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
        result: dict[str, Any] = {
            "ruleId": finding.policy,
            "level": SARIF_LEVEL[finding.level],
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
            "properties": {"file": finding.file, "region": finding.region, "resource": finding.resource,
                           "enforcementLevel": finding.level},
        }
        if finding.policy in index:
            result["ruleIndex"] = index[finding.policy]
        results.append(result)
    rules = [{
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.description},
        **({"help": {"text": rule.remediation}} if rule.remediation else {}),
        "helpUri": rule.url,
        "defaultConfiguration": {"level": SARIF_LEVEL.get(rule.level, "warning"),
                                 **({"enabled": False} if rule.id in report.disabled else {})},
        "properties": {"tags": ["chalk", "network", "egress", "pulumi"], "enforcementLevel": rule.level},
    } for rule in report.rules]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL, "version": report.version, "semanticVersion": report.version,
                                "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"files": [{"file": c.file, "kind": c.kind, "stack": c.stack, "project": c.project,
                                      "regions": list(c.regions)} for c in report.files]},
        }],
    }


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2)


# --- GitHub workflow commands ---------------------------------------------------------------------------------------


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = []
    for finding in report.findings:
        uri, line = report.where(finding)
        command = "error" if finding.level == "mandatory" else "warning"
        props = (f"file={escape_property(uri)},line={line},"
                 f"title={escape_property(finding.policy)}")
        lines.append(printable(f"::{command} {props}::{escape_data(finding.message)}", newlines=False))
    lines.append(render_text(report).rsplit("\n", 1)[-1])
    return "\n".join(lines)


# --- JUnit ----------------------------------------------------------------------------------------------------------


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name=TOOL)
    totals = [0, 0, 0]
    by_file = _by_file(report)
    for checked in report.files:
        suite = ET.SubElement(suites, "testsuite", name=checked.file)
        props = ET.SubElement(suite, "properties")
        for key, value in (("kind", checked.kind), ("project", checked.project), ("stack", checked.stack),
                           ("regions", ",".join(checked.regions))):
            ET.SubElement(props, "property", name=key, value=value or "")
        counts = [0, 0, 0]  # tests, failures, skipped
        findings = by_file.get(checked.file, [])
        for rule in report.rules:
            own = [f for f in findings if f.policy == rule.id]
            names = [*(checked.regions if rule.regional else ()), "stack"]
            names += sorted({f.region for f in own if f.region and f.region not in names})
            for name in names:
                case = ET.SubElement(suite, "testcase", classname=rule.id, name=name)
                counts[0] += 1
                if rule.id in report.disabled:
                    ET.SubElement(case, "skipped", message="disabled by the policy config")
                    counts[2] += 1
                    continue
                mine = [f for f in own if (f.region or "stack") == name]
                _junit_case(case, mine, counts)
        suite.set("tests", str(counts[0]))
        suite.set("failures", str(counts[1]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts[2]))
        totals = [a + b for a, b in zip(totals, counts)]
    suites.set("tests", str(totals[0]))
    suites.set("failures", str(totals[1]))
    suites.set("errors", "0")
    suites.set("skipped", str(totals[2]))
    ET.indent(suites)
    # XML 1.0 allows no C0 control but tab, newline and carriage return, and no surrogate: escape them (ElementTree
    # writes them as they are). The markup itself has none, so the whole document can be escaped at once.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + printable(ET.tostring(suites, encoding="unicode"))


def _junit_case(case: ET.Element, findings: Sequence[Finding], counts: list[int]) -> None:
    mandatory = [f for f in findings if f.level == "mandatory"]
    advisory = [f for f in findings if f.level != "mandatory"]
    if mandatory:
        failure = ET.SubElement(case, "failure", type="mandatory", message=message_core(mandatory[0].message))
        failure.text = _joined(mandatory)
        counts[1] += 1
    if advisory:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(f"advisory: {f.message}" for f in advisory)


def _joined(findings: Iterable[Finding]) -> str:
    return "\n".join(f"{f.message}{f' ({f.resource})' if f.resource else ''}" for f in findings)
