"""AWS Network Firewall stateful rule groups: their rules as :class:`~chalk_policy.coverage.evaluate.Rule` values.

A ``aws:networkfirewall/ruleGroup:RuleGroup`` holds its stateful rules in any of:

* ``ruleGroup.rulesSource.statefulRules[]``: ``action``, ``header`` (protocol, source, sourcePort, direction,
  destination, destinationPort) and ``ruleOptions`` (``sid``)
  (docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-basic.html);
* ``ruleGroup.rulesSource.rulesString``: Suricata rules, one per line
  (docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-suricata.html);
* the resource's top-level ``rules`` input: the same Suricata flat format, the documented alternative to
  ``ruleGroup`` (pulumi-aws ``aws.networkfirewall.RuleGroup(rules=...)``; the CreateRuleGroup ``Rules`` setting:
  "you must provide either this rules setting or a populated RuleGroup setting"). AWS answers with a
  ``ruleGroup`` populated from that string, so a ``rulesString`` equal to ``rules`` is read once.

Each rule's 5-tuple and direction, its protocols and its rule variables (``ruleGroup.ruleVariables``) are read by
:mod:`.aws_nfw_header` against the clients. ``PASS`` allows, ``DROP``/``REJECT`` deny, ``ALERT`` never decides.
A PASS/DROP/REJECT line whose header cannot be read makes the rule uncertain (matches nothing for sure, maybe
everything): an unreadable DROP yields *unverified*, never a silent pass. An unknown ``rulesSource``,
``statefulRules``, ``rulesString`` or ``rules`` is an uncertain rule of unknown action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..boxes import EMPTY, EVERYTHING
from ..common import skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_obj, as_str, props_of
from ..resources import field as get
from ..sources import Clients
from .aws_nfw_common import ACTION_RANK, ACTIONS, STATEFUL
from .aws_nfw_header import Header, RuleContext, header_rule
from .aws_suricata import SID, TOKENS, read_variables


def group_rules(group: Resource, priority: int | None, strict: bool, notes: list[str],
                clients: Clients | None = None) -> list[Rule]:
    """The stateful rules of ``group`` at reference ``priority`` (None: unknown), as they apply to the clients."""
    props = props_of(group)
    rule_group, flat = get(props, "ruleGroup"), as_str(get(props, "rules"), "rules")
    reader = _Reader(group, priority, strict, notes, RuleContext(group, clients or Clients(), read_variables(
        rule_group)))
    text: Any = None
    if rule_group is not None or flat is None:  # a group with the flat rules only has no ruleGroup
        source = as_obj(get(as_obj(rule_group, "ruleGroup"), "rulesSource"), "ruleGroup.rulesSource")
        if source is UNKNOWN:
            reader.uncertain("ruleGroup.rulesSource")
        elif isinstance(source, dict):
            reader.structured(source.get("statefulRules"))
            text = as_str(source.get("rulesString"), "rulesString")
    reader.lines(text, "rulesString")
    if flat is UNKNOWN or not (isinstance(text, str) and isinstance(flat, str) and text.strip() == flat.strip()):
        reader.lines(flat, "rules")
    return reader.rules


@dataclass
class _Reader:
    group: Resource
    priority: int | None
    strict: bool
    notes: list[str]
    ctx: RuleContext
    rules: list[Rule] = field(default_factory=list)
    position: int = 0

    def uncertain(self, what: str) -> None:
        self.rules.append(Rule(f"rule group '{self.group.name}'", None, EMPTY, EVERYTHING, None,
                               (unknown(self.group.label, what),), resource=self.group))

    def add(self, rule: Rule | None) -> None:
        if rule is not None:
            self.rules.append(rule)

    def structured(self, value: Any) -> None:
        entries = as_list(value, "statefulRules")
        if entries is UNKNOWN:
            self.uncertain("statefulRules")
            return
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            self.position += 1
            where = f"{self.group.label} statefulRules[{index}]"
            with skipping(self.notes, where):
                self.add(_stateful_rule(self, as_obj(entry, "the rule"), where, index + 1))

    def lines(self, text: Any, name: str) -> None:
        if text is UNKNOWN:
            self.uncertain(name)
        elif isinstance(text, str):
            for number, line in enumerate(text.splitlines(), start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                self.position += 1
                where = f"{self.group.label} {name} line {number}"
                with skipping(self.notes, where):
                    self.add(_suricata_rule(self, line, where, f"{name} line {number}"))

    def order(self, action: str | None) -> tuple[int, ...] | None:
        """Default action order: every PASS, then DROP, then REJECT; STRICT_ORDER: group priority, then position
        (docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html)."""
        if not self.strict:
            return (STATEFUL, ACTION_RANK.get(action or "", 0), self.position)
        return None if self.priority is None else (STATEFUL, self.priority, self.position)

    def label(self, sid: str | None, fallback: str, action: str) -> str:
        return f"rule group '{self.group.name}' {f'sid {sid}' if sid else fallback} ({action})"


def _stateful_rule(reader: _Reader, entry: Any, where: str, number: int) -> Rule | None:
    if entry is UNKNOWN:
        return Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),), resource=reader.group)
    action = as_str(get(entry, "action"), "action")
    access = _action(action)
    if not (access is None or isinstance(access, Access)):
        return None
    header = as_obj(get(entry, "header"), "header")
    upper = str(action).upper() if isinstance(action, str) else None
    label = reader.label(_sid(get(entry, "ruleOptions")), f"rule {number}", upper or "?")
    fields = Header(get(header, "protocol"), get(header, "source"), get(header, "sourcePort"),
                    get(header, "destination"), get(header, "destinationPort"), get(header, "direction"))
    return header_rule(label, access, reader.order(upper), fields, where, reader.ctx)


def _sid(options: Any) -> str | None:
    sid = None
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and str(option.get("keyword", "")).lower() == "sid":
            settings = option.get("settings")
            if isinstance(settings, list) and settings and isinstance(settings[0], str | int):
                sid = str(settings[0])
    return sid


def _action(action: object) -> Access | str | None:
    if action is UNKNOWN:
        return None
    if not isinstance(action, str):
        raise Malformed("action is missing")
    upper = action.upper()
    if upper == "ALERT":
        return "ignore"
    if upper not in ACTIONS:
        raise Malformed(f"action {action!r} is not PASS, DROP, REJECT or ALERT")
    return ACTIONS[upper]


def _suricata_rule(reader: _Reader, line: str, where: str, fallback: str) -> Rule | None:
    header, _, options = line.partition("(")
    tokens = TOKENS.findall(header)
    sid_match = SID.search(options)
    sid = sid_match.group(1) if sid_match else None
    if len(tokens) != 7 or tokens[4] not in ("->", "<>"):
        problem = f"{line[:60]!r} is not 'action protocol source port -> destination port (options)'"
        if tokens and tokens[0].upper() in ACTIONS:  # a PASS/DROP/REJECT the check cannot read: uncertain
            action = tokens[0].upper()
            doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {problem}")
            return Rule(reader.label(sid, fallback, action), ACTIONS[action], EMPTY, EVERYTHING,
                        reader.order(action), (doubt,), resource=reader.group)
        raise Malformed(problem)
    action, protocol, source, source_port, direction, destination, port = tokens
    access = _action(action)
    if not (access is None or isinstance(access, Access)):
        return None
    fields = Header(protocol, source, source_port, destination, port, direction)
    return header_rule(reader.label(sid, fallback, action.upper()), access, reader.order(action.upper()), fields,
                       where, reader.ctx)
