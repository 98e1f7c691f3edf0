"""Suricata rule text as AWS Network Firewall reads it: addresses, ports and rule variables.

Addresses: CIDRs, ``ANY``, ``$VARIABLE``, negation ``!x``, lists ``[a, !b]`` (nested; a list of negations only is
"any but"). Ports: ``ANY``, ``443``, ``10000:60000``, ``1024:``, ``!53``, ``[443,3478,!5000]`` and ``$VARIABLE``.

Rule variables (docs.aws.amazon.com/network-firewall/latest/APIReference/API_RuleVariables.html;
docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-examples.html, "Rule with variables") come from
the rule group's ``ruleGroup.ruleVariables`` as pulumi-aws shows them: ``ipSets[]`` ``{key, ipSet: {definitions: [CIDR,
...]}}`` and ``portSets[]`` ``{key, portSet: {definitions: [port, ...]}}``. Two address variables are predefined
(docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html, "HOME_NET"):

* ``$HOME_NET`` defaults to the CIDR of the VPC the firewall is deployed in, which is not in the stack. The check
  treats that default as holding every Chalk client (as a source it reaches ALL clients: the clients are assumed
  to be in, or listed in, the firewall's home network) and none of Chalk's media ranges (public addresses of Chalk's
  media servers, never in the customer's VPC).
* ``$EXTERNAL_NET`` defaults to ``!$HOME_NET``: it holds no client as a source, and every media range as a
  destination.

So an address is kept as two sets (:class:`Split`): what it holds inside ``$HOME_NET`` (where clients send from) and
outside it (where media ranges are). A ``HOME_NET`` defined in ``ipSets`` is a concrete set, and then both sides
are the same. A variable that is not defined, whose definition cannot be read, or an IP set reference (``@NAME``,
a prefix list) raises :class:`Unresolved`; one whose definition is unknown during preview raises
:class:`UnknownVariable` (the caller makes the rule uncertain either way).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..addresses import EMPTY_ADDRESSES, Addresses
from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, PORT_MAX, PORT_MIN, BoxSet, parse_ipv4
from ..resources import UNKNOWN
from ..resources import field as get

Ranges = tuple[tuple[int, int], ...]
SID = re.compile(r"\bsid\s*:\s*(\d+)")
TOKENS = re.compile(r"!?\[[^\]]*\]|\S+")
HOME_NET, EXTERNAL_NET = "HOME_NET", "EXTERNAL_NET"


class Unresolved(ValueError):
    """An address or port the check cannot resolve (an undefined rule variable, garbage): the rule is uncertain."""


class UnknownVariable(Unresolved):
    """A rule variable whose definition is unknown during preview."""


@dataclass(frozen=True)
class Split:
    """A Suricata address: the addresses it holds inside ``$HOME_NET`` and those outside it."""

    home: Addresses
    """Inside ``$HOME_NET``: what decides whether a source holds the clients."""
    away: Addresses
    """Outside ``$HOME_NET``: what decides whether a destination holds media ranges."""

    @staticmethod
    def of(addresses: Addresses) -> Split:
        return Split(addresses, addresses)

    def __or__(self, other: Split) -> Split:
        return Split(self.home | other.home, self.away | other.away)

    def __sub__(self, other: Split) -> Split:
        return Split(self.home - other.home, self.away - other.away)

    def invert(self) -> Split:
        return Split(ANYWHERE - self.home, ANYWHERE - self.away)


EVERY_ADDRESS = Split.of(ANYWHERE)
NO_ADDRESS = Split.of(EMPTY_ADDRESSES)
DEFAULT_HOME = Split(ANYWHERE, EMPTY_ADDRESSES)
"""``$HOME_NET`` by default: the firewall's VPC, assumed to hold every client and no media range."""


@dataclass
class Variables:
    """The rule variables of one rule group."""

    addresses: dict[str, Split] = field(default_factory=dict)
    ports: dict[str, Ranges] = field(default_factory=dict)
    problems: dict[str, Unresolved] = field(default_factory=dict)
    """Variables defined but not resolvable: unknown (preview) or unreadable definitions."""
    unknown: bool = False
    """``ruleVariables`` (or one of its lists) is unknown: any variable may be defined or redefined."""

    def address(self, name: str) -> Split:
        if name in self.addresses:
            return self.addresses[name]
        self._fail(name)
        if name == HOME_NET:
            return DEFAULT_HOME
        if name == EXTERNAL_NET:
            return self.address(HOME_NET).invert()
        raise Unresolved(f"the rule variable ${name}, which the rule group does not define")

    def port(self, name: str) -> Ranges:
        if name in self.ports:
            return self.ports[name]
        self._fail(name)
        raise Unresolved(f"the rule variable ${name}, which the rule group does not define")

    def _fail(self, name: str) -> None:
        if name in self.problems:
            raise self.problems[name]
        if self.unknown:
            raise UnknownVariable(f"the rule variable ${name}, while the rule group's ruleVariables are unknown")


def read_variables(rule_group: Any) -> Variables:
    """``ruleGroup.ruleVariables`` of a rule group (``rule_group``: the ``ruleGroup`` object, None or UNKNOWN).
    Never raises: what cannot be read makes the variables it names unresolvable."""
    found = Variables()
    variables = get(rule_group, "ruleVariables") if isinstance(rule_group, dict) else rule_group
    if variables is UNKNOWN:
        found.unknown = True
    elif isinstance(variables, dict):
        _read_sets(found, variables.get("ipSets"), "ipSet", _ip_definitions, found.addresses)
        _read_sets(found, variables.get("portSets"), "portSet", _port_definitions, found.ports)
    return found


def _read_sets(found: Variables, entries: Any, key: str, parse: Callable[[list[Any]], Any],
               into: dict[str, Any]) -> None:
    if entries is UNKNOWN:
        found.unknown = True
    for entry in entries if isinstance(entries, list) else []:
        name = get(entry, "key") if isinstance(entry, dict) else (UNKNOWN if entry is UNKNOWN else None)
        if name is UNKNOWN:
            found.unknown = True
        elif isinstance(name, str):
            _read_set(found, name, get(entry, key), parse, into)


def _read_set(found: Variables, name: str, body: Any, parse: Callable[[list[Any]], Any],
              into: dict[str, Any]) -> None:
    definitions = get(body, "definitions") if isinstance(body, dict) else body
    if definitions is UNKNOWN or (isinstance(definitions, list) and any(item is UNKNOWN for item in definitions)):
        found.problems[name] = UnknownVariable(f"the rule variable ${name}, whose definition is unknown")
        return
    try:
        if not isinstance(definitions, list):
            raise ValueError("its definitions are missing")
        into[name] = parse(definitions)
    except ValueError as exc:
        found.problems[name] = Unresolved(f"the rule variable ${name}, whose definition cannot be read ({exc})")


def _ip_definitions(definitions: list[Any]) -> Split:
    addresses = EMPTY_ADDRESSES
    for item in definitions:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a CIDR")
        parsed = parse_ipv4(item)  # IPv6 CIDRs hold no IPv4 client or media range
        addresses = addresses | (parsed if parsed is not None else EMPTY_ADDRESSES)
    return Split.of(addresses)


def _port_definitions(definitions: list[Any]) -> Ranges:
    ranges = [port for item in definitions for port in parse_ports(str(item))]
    return BoxSet.of(("tcp",), ranges, ANYWHERE).ports("tcp")


_Set = TypeVar("_Set", Split, BoxSet)


def _bracketed(text: str, parse: Callable[[str], _Set], nothing: _Set, every: _Set) -> _Set:
    """``[a, !b, ...]``: the union of the plain items (every value when there are none) minus the negated ones."""
    if not text.endswith("]"):
        raise ValueError("unbalanced brackets")
    plus, minus, positive = nothing, nothing, False
    for item in split_list(text[1:-1]):
        if item.startswith("!"):
            minus = minus | parse(item[1:])
        else:
            plus, positive = plus | parse(item), True
    return (plus if positive else every) - minus


def split_list(text: str) -> list[str]:
    """``a, [b, c], !d`` -> its top-level items."""
    items, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            raise ValueError("unbalanced brackets")
        current += char
    if depth != 0:
        raise ValueError("unbalanced brackets")
    items.append(current.strip())
    return [item for item in items if item]


def parse_addresses(text: str, variables: Variables | None = None) -> Split:
    """A Suricata address: ``1.2.3.0/24``, ``any``, ``$VAR``, ``!x``, ``[x, !y]`` (nested)."""
    variables = variables or Variables()
    text = text.strip()
    if text.startswith("!"):
        return parse_addresses(text[1:], variables).invert()
    if text.startswith("["):
        return _bracketed(text, lambda item: parse_addresses(item, variables), NO_ADDRESS, EVERY_ADDRESS)
    if text.upper() == "ANY":
        return EVERY_ADDRESS
    if text.startswith("$"):
        return variables.address(text[1:])
    if text.startswith("@"):
        raise Unresolved(f"the IP set reference {text}, which this check does not resolve")
    addresses = parse_ipv4(text)
    return Split.of(addresses if addresses is not None else EMPTY_ADDRESSES)


def parse_ports(text: str, variables: Variables | None = None) -> Ranges:
    """A Suricata port: ``443``, ``10000:60000``, ``1024:``, ``any``, ``!53``, ``$VAR``, ``[443, 3478, !5000:6000]``."""
    return _port_box(text, variables or Variables()).ports("tcp")


_EVERY_PORT = BoxSet.of(("tcp",), ALL_PORTS, ANYWHERE)


def _port_box(spec: str, variables: Variables) -> BoxSet:
    spec = spec.strip()
    if spec.startswith("!"):
        return _EVERY_PORT - _port_box(spec[1:], variables)
    if spec.startswith("["):
        return _bracketed(spec, lambda item: _port_box(item, variables), EMPTY, _EVERY_PORT)
    if spec.upper() == "ANY":
        return _EVERY_PORT
    if spec.startswith("$"):
        return BoxSet.of(("tcp",), variables.port(spec[1:]), ANYWHERE)
    low, colon, high = spec.partition(":")
    try:
        start = int(low) if low else PORT_MIN
        end = (int(high) if high else PORT_MAX) if colon else start
    except ValueError:
        raise ValueError(f"{spec!r} is not a port, 'a:b' range or ANY") from None
    if not PORT_MIN <= start <= end <= PORT_MAX:
        raise ValueError(f"{spec!r} is not a port range")
    return BoxSet.of(("tcp",), ((start, end),), ANYWHERE)


def every_client_port(ranges: Ranges) -> bool:
    """Whether source ports ``ranges`` hold every port a client may send from (1-65535)."""
    return any(low <= 1 and high >= PORT_MAX for low, high in ranges)
