"""Structured results of the media check, compact enough to sit next to each case.

``outcome(resources)`` is one line per finding part, e.g.::

    ["gap jp1 AWS security groups: missing udp 443,3478,10000-60000 to 13.115.244.0/27",
     "gap de1 NSG 'n': denied by rule 'deny' (priority 200): udp 3478 to 52.59.186.0/27",
     "unverified jp1 AWS security groups: udp 443 to 13.115.244.0/27"]

so a test asserts *what* is missing, denied or unverified, by which rule, without the fix text; the message
texts are pinned by a few snapshot tests only (tests/coverage/test_messages.py). With ``notes=True`` the readers'
notes follow, one ``note: <text>`` line each.

Each layer's table of cases (``cases_<layer>.py``) holds :class:`Case` entries: a stack, the tag selector and the
lines ``outcome(..., notes=True)`` must return for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalk_policy.coverage import Options, PortGap, Resource, TagSelector, media_report
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.planning import Plan

from ..helpers import CATALOG, DE1, JP1, PLAN

MEDIA = "udp 443,3478,10000-60000"
"""Option 1's media ports, as :func:`outcome` writes them."""
REPLIES = "udp 1024-65535"
"""Their replies, as a stateless filter (network ACL) must let them in."""
TO_DE1 = "to " + ", ".join(DE1)
TO_JP1 = "to " + ", ".join(JP1)


def _items(gaps: Sequence[PortGap]) -> str:
    return "; ".join(f"{gap.protocol.value} {','.join(str(port) for port in gap.ports)} to {', '.join(gap.cidrs)}"
                     for gap in gaps)


def outcome(resources: Sequence[Resource], *, selector: TagSelector | None = None, clients: Sequence[str] | None = None,
            plan: Plan = PLAN, notes: bool = False, reasons: bool = False) -> list[str]:
    """Every gap (missing / denied by a rule) and every unverified part, per scope and region; with ``reasons``,
    each unverified part is followed by why (``because: <doubt>`` lines, as the message lists them); with
    ``notes``, then every reader note (``note: Skipped ...``)."""

    options = Options(selector, Addresses.of(*clients) if clients is not None else None)
    report = media_report(resources, plan, CATALOG, options)
    if not report.applicable:
        return [f"not applicable: {report.reason}"]
    lines = [f"untagged: {text.split(',')[0]}" for text in report.untagged]
    for scope in report.scopes:
        name = f"{scope.scope}{' (replies)' if scope.replies else ''}"
        for gap in scope.gaps:
            if gap.missing:
                lines.append(f"gap {gap.region} {name}: missing {_items(gap.missing)}")
            lines.extend(f"gap {gap.region} {name}: denied by {denial.rule}: {_items(denial.gaps)}"
                         for denial in gap.denied)
        for item in scope.unverified:
            lines.append(f"unverified {item.region} {name}: {_items(item.gaps)}")
            if reasons:
                lines.extend(f"because: {doubt.text}" for doubt in item.doubts)
    if notes:
        lines.extend(f"note: {note}" for note in report.notes)
    return lines


@dataclass(frozen=True)
class Case:
    """One media-check case of a layer's table: the stack, and what :func:`outcome` (notes included) returns."""

    name: str
    resources: Sequence[Resource]
    expected: Sequence[str]
    """The :func:`outcome` lines, notes included."""
    selector: TagSelector | None = None


def regions_with(lines: Sequence[str], kind: str) -> set[str]:
    """The regions that have at least one ``gap`` / ``unverified`` line."""
    return {line.split()[1] for line in lines if line.startswith(kind + " ")}
