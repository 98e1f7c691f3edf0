"""AWS Network Firewall stateful rule groups: ``statefulRules`` and Suricata ``rulesString`` lines as rules.

Protocols ``UDP``, ``TCP``, ``IP`` (both); application protocols (``tls``, ``http``, ...) match by content: a
PASS of them is not counted, a DROP/REJECT of them is an uncertain deny of their transport. A destination or port
that cannot be read, or a PASS/DROP/REJECT line whose header cannot be read, makes the rule uncertain (matches
nothing for sure, maybe everything): an unreadable DROP yields *unverified*, never a silent pass.
"""

from __future__ import annotations

from typing import Any

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, BoxSet
from ..common import Destinations, Services, make_rule, skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_obj, as_str, field, props_of
from . import aws_suricata as suricata
from .aws_nfw_common import ACTION_RANK, ACTIONS, STATEFUL

FIREWALL_PROTOCOLS = {"UDP": ("udp",), "TCP": ("tcp",), "IP": ("tcp", "udp")}
APP_TCP = {"TLS", "HTTP", "HTTP2", "SSH", "FTP", "SMTP", "IMAP", "POP3", "SMB", "DCERPC", "RDP", "TCP-PKT",
           "TCP-STREAM"}
APP_UDP = {"QUIC", "NTP", "DHCP", "TFTP", "SNMP", "SYSLOG"}
NO_CHALK_TRAFFIC = {"ICMP", "ICMPV6"}


def group_rules(group: Resource, priority: int | None, strict: bool, notes: list[str]) -> list[Rule]:
    props = props_of(group)
    source = as_obj(field(as_obj(field(props, "ruleGroup"), "ruleGroup"), "rulesSource"), "ruleGroup.rulesSource")
    if source is UNKNOWN:
        doubt = unknown(group.label, "ruleGroup.rulesSource")
        return [Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group)]
    rules: list[Rule] = []
    stateful = as_list(field(source, "statefulRules"), "statefulRules")
    if stateful is UNKNOWN:
        doubt = unknown(group.label, "statefulRules")
        rules.append(Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group))
        stateful = []
    position = 0
    for index, entry in enumerate(stateful):  # type: ignore[arg-type]
        position += 1
        where = f"{group.label} statefulRules[{index}]"
        with skipping(notes, where):
            rule = _stateful_rule(group, as_obj(entry, "the rule"), where, index + 1, priority, strict, position)
            if rule is not None:
                rules.append(rule)
    text = as_str(field(source, "rulesString"), "rulesString")
    if text is UNKNOWN:
        doubt = unknown(group.label, "rulesString")
        rules.append(Rule(f"rule group '{group.name}'", None, EMPTY, EVERYTHING, None, (doubt,), resource=group))
    elif isinstance(text, str):
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            position += 1
            where = f"{group.label} rulesString line {number}"
            with skipping(notes, where):
                rule = _suricata_rule(group, line, where, number, priority, strict, position)
                if rule is not None:
                    rules.append(rule)
    return rules


def _order(action: str | None, priority: int | None, strict: bool, position: int) -> tuple[int, ...] | None:
    if not strict:
        return (STATEFUL, ACTION_RANK.get(action or "", 0), position)
    return None if priority is None else (STATEFUL, priority, position)


def _rule_label(group: Resource, sid: str | None, fallback: str, action: str) -> str:
    return f"rule group '{group.name}' {f'sid {sid}' if sid else fallback} ({action})"


def _stateful_rule(group: Resource, entry: Any, where: str, number: int, priority: int | None, strict: bool,
                   position: int) -> Rule | None:
    if entry is UNKNOWN:
        return Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),), resource=group)
    action = as_str(field(entry, "action"), "action")
    sid = None
    options = field(entry, "ruleOptions")
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and str(option.get("keyword", "")).lower() == "sid":
            settings = option.get("settings")
            if isinstance(settings, list) and settings and isinstance(settings[0], str | int):
                sid = str(settings[0])
    access = _action(action, where)
    if not (access is None or isinstance(access, Access)):
        return None
    header = as_obj(field(entry, "header"), "header")
    upper = str(action).upper() if isinstance(action, str) else None
    label = _rule_label(group, sid, f"rule {number}", upper or "?")
    return _firewall_rule(label, access, group, where, field(header, "protocol"), field(header, "destination"),
                          field(header, "destinationPort"), _order(upper, priority, strict, position))


def _action(action: object, where: str) -> Access | str | None:
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


def _suricata_rule(group: Resource, line: str, where: str, number: int, priority: int | None, strict: bool,
                   position: int) -> Rule | None:
    header, _, options = line.partition("(")
    tokens = suricata.TOKENS.findall(header)
    sid_match = suricata.SID.search(options)
    sid = sid_match.group(1) if sid_match else None
    if len(tokens) != 7 or tokens[4] not in ("->", "<>"):
        problem = f"{line[:60]!r} is not 'action protocol source port -> destination port (options)'"
        if tokens and tokens[0].upper() in ACTIONS:  # a PASS/DROP/REJECT the check cannot read: uncertain
            action = tokens[0].upper()
            doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {problem}")
            return Rule(_rule_label(group, sid, f"rulesString line {number}", action), ACTIONS[action], EMPTY,
                        EVERYTHING, _order(action, priority, strict, position), (doubt,), resource=group)
        raise Malformed(problem)
    action, protocol, _, _, _, destination, port = tokens
    access = _action(action, where)
    if not (access is None or isinstance(access, Access)):
        return None
    label = _rule_label(group, sid, f"rulesString line {number}", action.upper())
    return _firewall_rule(label, access, group, where, protocol, destination, port,
                          _order(action.upper(), priority, strict, position))


def _firewall_rule(label: str, access: Access | str | None, group: Resource, where: str, protocol: object,
                   destination: object, port: object, order: tuple[int, ...] | None) -> Rule | None:
    """A stateful rule. A destination or port the check cannot read (a rule variable, garbage) makes it uncertain
    (it may match anything, matches nothing for sure), never skipped: a DROP that cannot be read is not ignored."""
    assert access is None or isinstance(access, Access)
    uncertain: list[Doubt] = []
    if protocol is UNKNOWN:
        services_protocols: tuple[str, ...] | None = None
    elif isinstance(protocol, str):
        upper = protocol.upper()
        services_protocols = FIREWALL_PROTOCOLS.get(upper)
        if services_protocols is None:
            if upper in NO_CHALK_TRAFFIC or access is not Access.DENY:
                return None  # application protocols match by content: a PASS of them is not counted
            services_protocols = ("tcp",) if upper in APP_TCP else ("udp",) if upper in APP_UDP else (
                "tcp", "udp")
            uncertain.append(Doubt(DoubtKind.EXTERNAL, f"{where}: protocol {protocol} matches by content, which "
                                                       "this check does not evaluate"))
    else:
        raise Malformed("header.protocol is missing")
    destinations = Destinations()
    if destination is UNKNOWN:
        destinations.add_doubt(unknown(where, "destination"))
    elif isinstance(destination, str):
        try:
            destinations.add(destination, suricata.parse_addresses(destination))
        except (suricata.Unresolved, ValueError) as exc:
            destinations.add_doubt(Doubt(DoubtKind.EXTERNAL, f"{where}: {_why(exc, 'destination', destination)}"))
    else:
        raise Malformed("destination is missing")
    if services_protocols is None:
        services = Services.anything(unknown(where, "protocol"))
    elif port is UNKNOWN:
        services = Services(EMPTY, BoxSet.of(services_protocols, ALL_PORTS, ANYWHERE), [unknown(where, "port")])
    elif isinstance(port, str):
        try:
            services = Services.exactly(BoxSet.of(services_protocols, suricata.parse_ports(port), ANYWHERE))
        except (suricata.Unresolved, ValueError) as exc:
            doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {_why(exc, 'destinationPort', port)}")
            services = Services(EMPTY, BoxSet.of(services_protocols, ALL_PORTS, ANYWHERE), [doubt])
    else:
        raise Malformed("destinationPort is missing")
    if uncertain:
        services = Services(EMPTY, services.maybe, [*services.doubts, *uncertain])
    return make_rule(label, access, order, services, destinations, group)


def _why(exc: Exception, name: str, text: str) -> str:
    if isinstance(exc, suricata.Unresolved):
        return f"{name} {text!r} uses a rule variable ({exc}), which this check does not resolve"
    return f"{name} {text!r} cannot be read ({exc})"
