"""AWS Network Firewall stateless engine: rule groups by reference priority and rule priority, then the
stateless default action, all ahead of every stateful rule
(docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-rule-groups-5-tuple.html).

``ruleDefinition.actions`` ``aws:pass`` allows, ``aws:drop`` denies, ``aws:forward_to_sfe`` hands the traffic to
the stateful engine (later stateless rules and the stateless default never see it). ``matchAttributes``:
``protocols`` 6/17 (empty: all; others carry no Chalk traffic), ``destinations[].addressDefinition`` (empty: any),
``destinationPorts[]`` (empty: all); ``tcpFlags`` make a rule uncertain (TCP only, maybe). The source side,
``sources[].addressDefinition`` (empty: any) and ``sourcePorts[]`` (empty: all), is judged against the clients
(:func:`~chalk_policy.coverage.sources.judge`): a rule that matches no client's packet is dropped, one that matches
only some is uncertain; ports other than every port 1-65535 match only some (clients send from ephemeral ports).
Stateless rules see single packets one way: a rule matches the clients' packets only with the clients as its
source. Then ``statelessDefaultActions``: ``aws:drop`` denies everything left, ``aws:pass`` allows it,
``aws:forward_to_sfe`` (or absent) forwards it. Unknown values are uncertain rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, PORT_MAX, PORT_MIN, BoxSet
from ..common import Destinations, Services, make_rule, skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, props_of
from ..sources import Clients, Reach, Source, Verdict, for_clients, judge
from .aws_common import add_cidr
from .aws_nfw_common import STATELESS, STATELESS_DEFAULT, placed, references
from .aws_suricata import every_client_port


def stateless_layer(policy: Resource, label: str, body: Any, groups: Sequence[Resource], notes: list[str],
                    clients: Clients | None = None) -> tuple[list[Rule], BoxSet, BoxSet]:
    """The stateless rules and default action (ahead of every stateful rule), and what they decide for sure and
    at most. ``aws:forward_to_sfe`` hands traffic to the stateful engine: later stateless rules never see it."""
    chosen, outside, unresolved = references(policy, body, "statelessRuleGroupReferences", groups, notes)
    entries: list[tuple[tuple[int, ...] | None, Rule, str | None]] = []
    for arn, priority in outside:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{label}: stateless rule group {arn} is not in this stack")
        key: tuple[int, ...] | None = (STATELESS, priority, -1) if priority is not None else None
        entries.append((key, Rule(f"stateless rule group {arn}", None, EMPTY, EVERYTHING, key, (doubt,)), None))
    for group, priority in placed(chosen, unresolved, groups):
        with skipping(notes, group.label):
            for key, rule, kind in _stateless_group(group, priority, notes, clients or Clients()):
                if priority is None:
                    doubt = Doubt(DoubtKind.UNKNOWN, f"{label}: the position of stateless rule group "
                                                     f"'{group.name}' is not known")
                    rule = replace(rule, doubts=(*rule.doubts, doubt),
                                   access=None if kind == "forward" else rule.access)
                    key, kind = None, None if kind == "forward" else kind
                entries.append((key, replace(rule, order=key), kind))
    known = sorted((entry for entry in entries if entry[0] is not None), key=lambda entry: entry[0] or ())
    floating = [entry[1] for entry in entries if entry[0] is None]
    rules: list[Rule] = list(floating)
    forward_sure, forward_maybe = EMPTY, EMPTY
    decided_sure, decided_maybe = EMPTY, EMPTY
    for _, rule, kind in known:
        if kind == "forward":
            forward_sure, forward_maybe = forward_sure | rule.sure, forward_maybe | rule.maybe
            continue
        rule = replace(rule, sure=rule.sure - forward_maybe, maybe=rule.maybe - forward_sure)
        rules.append(rule)
        decided_sure, decided_maybe = decided_sure | rule.sure, decided_maybe | rule.maybe
    default = _stateless_default(label, body)
    if default is not None:
        default = replace(default, sure=default.sure - forward_maybe, maybe=default.maybe - forward_sure)
        rules.append(default)
        decided_sure, decided_maybe = decided_sure | default.sure, decided_maybe | default.maybe
    return rules, decided_sure, decided_maybe


def _stateless_default(label: str, body: Any) -> Rule | None:
    actions = as_list(field(body, "statelessDefaultActions"), "statelessDefaultActions")
    order = (STATELESS_DEFAULT,)
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        return Rule("the stateless default action", None, EMPTY, EVERYTHING, order,
                    (unknown(label, "statelessDefaultActions"),), builtin=True)
    names = {action.lower() for action in actions if isinstance(action, str)}  # type: ignore[union-attr]
    if "aws:drop" in names:
        return Rule("the stateless default action aws:drop", Access.DENY, EVERYTHING, EVERYTHING, order,
                    builtin=True)
    if "aws:pass" in names:
        return Rule("the stateless default action aws:pass", Access.ALLOW, EVERYTHING, EVERYTHING, order,
                    builtin=True)
    return None  # aws:forward_to_sfe (or absent): the stateful engine decides


def _stateless_group(group: Resource, priority: int | None, notes: list[str], clients: Clients
                     ) -> list[tuple[tuple[int, ...] | None, Rule, str | None]]:
    props = props_of(group)
    source = field(field(as_obj(field(props, "ruleGroup"), "ruleGroup"), "rulesSource"),
                   "statelessRulesAndCustomActions")
    rules = as_list(field(as_obj(source, "statelessRulesAndCustomActions"), "statelessRules"), "statelessRules")
    if source is UNKNOWN or rules is UNKNOWN:
        doubt = unknown(group.label, "statelessRules")
        key = (STATELESS, priority, -1) if priority is not None else None
        return [(key, Rule(f"stateless rule group '{group.name}'", None, EMPTY, EVERYTHING, key, (doubt,),
                           resource=group), None)]
    found = []
    for index, entry in enumerate(rules):  # type: ignore[arg-type]
        where = f"{group.label} statelessRules[{index}]"
        with skipping(notes, where):
            item = _stateless_rule(group, as_obj(entry, "the rule"), where, priority, clients)
            if item is not None:
                found.append(item)
    return found


def _stateless_rule(group: Resource, entry: Any, where: str, group_priority: int | None, clients: Clients
                    ) -> tuple[tuple[int, ...] | None, Rule, str | None] | None:
    if entry is UNKNOWN:
        key = (STATELESS, group_priority, -1) if group_priority is not None else None
        return key, Rule(where, None, EMPTY, EVERYTHING, key, (unknown(where, "the rule"),), resource=group), None
    priority = as_int(field(entry, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    definition = as_obj(field(entry, "ruleDefinition"), "ruleDefinition")
    kind, doubts = _stateless_action(as_list(field(definition, "actions"), "ruleDefinition.actions"), where)
    match = as_obj(field(definition, "matchAttributes"), "matchAttributes")
    services = _stateless_services(match, where)
    if services is None:
        return None  # only protocols that carry no Chalk traffic
    label = f"stateless rule group '{group.name}' rule priority {priority} (aws:{kind or '?'})"
    access = {"pass": Access.ALLOW, "drop": Access.DENY}.get(kind or "")
    key = (STATELESS, group_priority, priority) if group_priority is not None and isinstance(priority, int) else None
    if priority is UNKNOWN:
        doubts.append(unknown(where, "priority"))
    rule = for_clients(make_rule(label, access, key, services, _stateless_destinations(match, where), group,
                                 extra_doubts=tuple(doubts)), _stateless_verdict(match, where, clients))
    return None if rule is None else (key, rule, kind)


def _stateless_action(actions: Any, where: str) -> tuple[str | None, list[Doubt]]:
    """(``pass``, ``drop`` or ``forward``; None with a doubt when unknown)."""
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):
        return None, [unknown(where, "actions")]
    names = {str(action).lower() for action in actions}
    kind = next((name for name in ("drop", "pass", "forward_to_sfe") if f"aws:{name}" in names), None)
    if kind is None:
        raise Malformed("actions hold none of aws:pass, aws:drop, aws:forward_to_sfe")
    return ("forward" if kind == "forward_to_sfe" else kind), []


def _stateless_destinations(match: Any, where: str) -> Destinations:
    return _address_definitions(match, "destinations", where)


def _address_definitions(match: Any, key: str, where: str) -> Destinations:
    """``destinations`` or ``sources``: their ``addressDefinition`` CIDRs; empty means any address."""
    found = Destinations()
    items = as_list(field(match, key), key)
    if items is UNKNOWN:
        found.add_doubt(unknown(where, key))
    elif not items:
        found.add("ANY", ANYWHERE)
    for index, item in enumerate(items if isinstance(items, list) else []):
        text = as_str(field(as_obj(item, f"{key}[{index}]"), "addressDefinition"), f"{key}[{index}].addressDefinition")
        add_cidr(found, text, where, f"{key}[{index}].addressDefinition")
    return found


def _stateless_verdict(match: Any, where: str, clients: Clients) -> Verdict:
    """How ``sources`` and ``sourcePorts`` match the clients' packets."""
    written = Source()
    found = _address_definitions(match, "sources", where)
    for dest in found.dests:
        written.add(dest.text, dest.addresses)
    written.doubts.extend(found.doubts)
    ranges = _port_ranges(field(match, "sourcePorts"), "sourcePorts")
    if isinstance(ranges, list) and ranges and not every_client_port(
            BoxSet.of(("tcp",), ranges, ANYWHERE).ports("tcp")):
        written.ports = ", ".join(f"{low}-{high}" if low != high else str(low) for low, high in ranges)
    verdict = judge(clients, written, where)
    if ranges is UNKNOWN and verdict.reach is not Reach.NONE:
        return Verdict(Reach.SOME, (*verdict.doubts, unknown(where, "sourcePorts")))
    return verdict


def _port_ranges(value: Any, name: str) -> list[tuple[int, int]] | object:
    """``[{fromPort, toPort}]`` as ranges (empty: every port), or UNKNOWN."""
    items = as_list(value, name)
    if items is UNKNOWN:
        return UNKNOWN
    ranges = []
    for index, item in enumerate(items):  # type: ignore[arg-type]
        item = as_obj(item, f"{name}[{index}]")
        low, high = as_int(field(item, "fromPort"), "fromPort"), as_int(field(item, "toPort"), "toPort")
        if low is UNKNOWN or high is UNKNOWN:
            return UNKNOWN
        if not (isinstance(low, int) and isinstance(high, int) and PORT_MIN <= low <= high <= PORT_MAX):
            raise Malformed(f"{name}[{index}] is not a port range")
        ranges.append((low, high))
    return ranges


def _stateless_services(match: Any, where: str) -> Services | None:
    protocols = as_list(field(match, "protocols"), "protocols")
    if protocols is UNKNOWN:
        return Services.anything(unknown(where, "protocols"))
    numbers = {str(int(number)) if isinstance(number, int | float) else str(number)
               for number in protocols}  # type: ignore[union-attr]
    names = tuple(name for number, name in (("6", "tcp"), ("17", "udp")) if number in numbers) if numbers else (
        "tcp", "udp")
    if not names:
        return None
    ranges = _port_ranges(field(match, "destinationPorts"), "destinationPorts")
    if not isinstance(ranges, list):
        return Services(EMPTY, BoxSet.of(names, ALL_PORTS, ANYWHERE), [unknown(where, "destinationPorts")])
    box = BoxSet.of(names, ranges or ALL_PORTS, ANYWHERE)
    if field(match, "tcpFlags"):
        doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: it matches only TCP packets with some flags (tcpFlags), "
                                          "which this check does not evaluate")
        return Services(EMPTY, BoxSet.of(("tcp",), ranges or ALL_PORTS, ANYWHERE) & box, [doubt])
    return Services.exactly(box)
