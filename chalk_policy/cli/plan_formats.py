"""The formats of ``chalk-policy plan``: one :class:`PlanFormat` declaration each in :data:`PLAN_FORMATS`, which the
command's ``--format`` choices, its help and the tests iterate.

``table`` is for reading on a terminal; ``csv``, ``markdown`` and ``xlsx`` are the firewall change request (the
ticket: one row per rule to enter, then the notes, each saying whether it needs an action); ``json`` is everything,
for programs. All of them render one :class:`PlanView`, so they list the same rules.

Spreadsheet safety: a cell that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-`` or
``@``, e.g. from a catalog overlay's note) is written with a leading apostrophe in csv and as a string in xlsx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..planning.ticket import Ticket, TicketRule
from . import render

if TYPE_CHECKING:
    from ..planning.budgets import AwsBudget, AzureBudget
    from ..planning.plan import Note, Plan


@dataclass(frozen=True)
class PlanView:
    """What every format renders: the plan, its ticket and its cloud budgets."""

    plan: Plan
    ticket: Ticket
    aws: AwsBudget
    azure: AzureBudget


@dataclass(frozen=True)
class PlanFormat:
    name: str
    summary: str
    """One line for ``--help``."""
    render: Callable[[PlanView], str | bytes]
    binary: bool = False
    """Bytes (a file, not text for a terminal): written to ``--output`` or to a stdout that is not a terminal."""


RULE_COLUMNS = ("id", "kind", "direction", "source", "source_ports", "destination", "protocol", "ports", "action",
                "needed", "why", "regions", "catalog_version")
"""The columns of the ticket's rules, in csv, markdown and xlsx."""
NOTE_COLUMNS = ("note", "action")
NO_ACTION = "none"
"""The ``action`` of a note that needs none."""
_FORMULA_START = ("=", "+", "-", "@")


def rule_row(rule: TicketRule, ticket: Ticket) -> tuple[str, ...]:
    return (rule.id, rule.kind.value, rule.direction.value, str(rule.source),
            str(rule.source_ports) if rule.source_ports else "any", str(rule.destination), rule.protocol.value.upper(),
            str(rule.ports), rule.action.value, rule.needed.value, rule.why, " ".join(rule.regions),
            ticket.catalog_version)


def note_row(note: Note) -> tuple[str, ...]:
    return note.text, f"ACTION: {note.action}" if note.action else NO_ACTION


def safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _heading(ticket: Ticket) -> str:
    return (f"Chalk firewall ticket -- catalog {ticket.catalog_version}, regions {', '.join(ticket.regions)}, "
            f"option {ticket.option}, {ticket.encryption} encryption, clients "
            f"{', '.join(ticket.clients) or '(not given)'}")


# --- formats ------------------------------------------------------------------------------------------


def _table(view: PlanView) -> str:
    return render.plan_text(view.plan, view.aws, view.azure, view.ticket)


def _json(view: PlanView) -> str:
    import json

    data: dict[str, Any] = render.plan_dict(view.plan, view.aws, view.azure)
    data["clients"] = list(view.ticket.clients)
    data["rules"] = [dict(zip(RULE_COLUMNS, rule_row(rule, view.ticket), strict=True)) for rule in view.ticket.rules]
    # the plan's notes and the ticket's own (the ticket's notes start with the plan's)
    data["notes"] = [{"text": note.text, "action": note.action} for note in view.ticket.notes]
    return json.dumps(data, indent=2)


def _csv(view: PlanView) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RULE_COLUMNS)
    for rule in view.ticket.rules:
        writer.writerow([safe_cell(cell) for cell in rule_row(rule, view.ticket)])
    for note in view.ticket.notes:  # a note is a row too: kind "note", its text in "why", "action" says what to do
        text, action = note_row(note)
        row = dict.fromkeys(RULE_COLUMNS, "") | {"kind": "note", "action": action, "why": text,
                                                  "catalog_version": view.ticket.catalog_version}
        writer.writerow([safe_cell(row[column]) for column in RULE_COLUMNS])
    return out.getvalue().rstrip("\n")


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows)]


def _markdown(view: PlanView) -> str:
    ticket = view.ticket
    actions, others = ticket.actions, [note for note in ticket.notes if not note.action]
    lines = [f"# {_heading(ticket)}", "", "## Actions", ""]
    lines += [f"- {_md_cell(note.text)} **ACTION**: {_md_cell(note.action or '')}" for note in actions] or ["None."]
    lines += ["", f"## Rules ({len(ticket.rules)})", ""]
    lines += _md_table(RULE_COLUMNS[:-1], [rule_row(rule, ticket)[:-1] for rule in ticket.rules])
    lines += ["", "## Notes (no action needed)", "", *(f"- {_md_cell(note.text)}" for note in others)]
    return "\n".join(lines)


def _xlsx(view: PlanView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ticket = view.ticket
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook has its first sheet
    summary.title = "Summary"
    for pair in (("Chalk firewall ticket", ""), ("catalog version", ticket.catalog_version),
                ("regions", ", ".join(ticket.regions)), ("port option", str(ticket.option)),
                ("encryption", ticket.encryption), ("clients", ", ".join(ticket.clients) or "(not given)"),
                ("rules", str(len(ticket.rules))), ("actions", str(len(ticket.actions)))):
        summary.append([safe_cell(cell) for cell in pair])
    rules: list[Sequence[str]] = [rule_row(rule, ticket) for rule in ticket.rules]
    notes: list[Sequence[str]] = [note_row(note) for note in ticket.notes]
    sheets: tuple[tuple[str, Sequence[str], list[Sequence[str]]], ...] = (
        ("Rules", RULE_COLUMNS, rules), ("Notes", NOTE_COLUMNS, notes))
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(zip(header, *rows, strict=False), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(80, max(len(str(c)) for c in column) + 2)
    summary.column_dimensions["A"].width = 22
    summary["A1"].font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PLAN_FORMATS: dict[str, PlanFormat] = {f.name: f for f in (
    PlanFormat("table", "the plan for reading: media ranges, hosts, cloud budgets, actions and notes", _table),
    PlanFormat("csv", "the ticket: one row per rule to enter, then one row per note (kind 'note')", _csv),
    PlanFormat("markdown", "the ticket for a change request or a pull request: actions, rules, notes", _markdown),
    PlanFormat("xlsx", "the ticket as a workbook (sheets Summary, Rules, Notes); needs --output or a redirect",
               _xlsx, binary=True),
    PlanFormat("json", "everything: the plan, the ticket's rules and notes, the cloud budgets", _json),
)}
