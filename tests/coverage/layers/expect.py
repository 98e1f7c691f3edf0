"""Structured results of the media check, compact enough to sit next to each case.

``outcome(resources)`` is one line per finding part, e.g.::

    ["gap jp1 AWS security groups: missing udp 443,3478,10000-60000 to 13.115.244.0/27",
     "gap de1 NSG 'n': denied by rule 'deny' (priority 200): udp 3478 to 52.59.186.0/27",
     "unverified jp1 AWS security groups: udp 443 to 13.115.244.0/27"]

so a test asserts *what* is missing, denied or unverified, by which rule, without the fix text; the message
texts are pinned by a few snapshot tests only.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalk_policy.coverage import Options, PortGap, Resource, TagSelector, media_report
from chalk_policy.planning import Plan

from ..helpers import CATALOG, PLAN


def _items(gaps: Sequence[PortGap]) -> str:
    return "; ".join(f"{gap.protocol.value} {','.join(str(port) for port in gap.ports)} to {', '.join(gap.cidrs)}"
                     for gap in gaps)


def outcome(resources: Sequence[Resource], *, selector: TagSelector | None = None, clients: Sequence[str] | None = None,
            plan: Plan = PLAN) -> list[str]:
    """Every gap (missing / denied by a rule) and every unverified part, per scope and region."""
    import netaddr

    options = Options(selector, netaddr.IPSet(clients) if clients is not None else None)
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
        lines.extend(f"unverified {item.region} {name}: {_items(item.gaps)}" for item in scope.unverified)
    return lines


def regions_with(lines: Sequence[str], kind: str) -> set[str]:
    """The regions that have at least one ``gap`` / ``unverified`` line."""
    return {line.split()[1] for line in lines if line.startswith(kind + " ")}
