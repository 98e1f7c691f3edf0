"""Suricata rule text as AWS Network Firewall reads it: addresses, ports, rule variables and headers.

Addresses: CIDRs, ``ANY``, ``$EXTERNAL_NET``/``$HOME_NET`` and other variables (resolved through the rule
group's ``ruleVariables``), negation ``!x``, lists ``[a, !b]`` (nested; a list of negations only is "any but").
Ports: ``ANY``, ``443``, ``10000:60000``, ``1024:``, ``!53``, ``[443,3478,!5000]`` and ``$VARIABLE``. A variable
that is not defined raises :class:`Unresolved` (the caller makes the rule uncertain).
"""

from __future__ import annotations

import re

import netaddr

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, PORT_MAX, PORT_MIN, BoxSet, parse_ipv4

ANY_ADDRESS = {"ANY", "$EXTERNAL_NET", "0.0.0.0/0"}
SID = re.compile(r"\bsid\s*:\s*(\d+)")
TOKENS = re.compile(r"!?\[[^\]]*\]|\S+")


class Unresolved(ValueError):
    """A destination or port the check cannot resolve (a rule variable, garbage): the rule is uncertain."""


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


def parse_addresses(text: str) -> netaddr.IPSet:
    """A Suricata address: ``1.2.3.0/24``, ``any``, ``$EXTERNAL_NET``, ``!x``, ``[x, !y]`` (nested)."""
    text = text.strip()
    if text.startswith("!"):
        return ANYWHERE - parse_addresses(text[1:])
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError("unbalanced brackets")
        plus, minus, positive = netaddr.IPSet(), netaddr.IPSet(), False
        for item in split_list(text[1:-1]):
            if item.startswith("!"):
                minus = minus | parse_addresses(item[1:])
            else:
                plus, positive = plus | parse_addresses(item), True
        return (plus if positive else ANYWHERE) - minus
    if text.upper() in ANY_ADDRESS:
        return ANYWHERE
    if text.startswith("$"):
        raise Unresolved(text)
    addresses = parse_ipv4(text)
    return addresses if addresses is not None else netaddr.IPSet()


def parse_ports(text: str) -> tuple[tuple[int, int], ...]:
    """A Suricata port: ``443``, ``10000:60000``, ``1024:``, ``any``, ``!53``, ``[443, 3478, !5000:6000]``."""
    every = BoxSet.of(("tcp",), ALL_PORTS, ANYWHERE)

    def box(spec: str) -> BoxSet:
        spec = spec.strip()
        if spec.startswith("!"):
            return every - box(spec[1:])
        if spec.startswith("["):
            if not spec.endswith("]"):
                raise ValueError("unbalanced brackets")
            plus, minus, positive = EMPTY, EMPTY, False
            for item in split_list(spec[1:-1]):
                if item.startswith("!"):
                    minus = minus | box(item[1:])
                else:
                    plus, positive = plus | box(item), True
            return (plus if positive else every) - minus
        if spec.upper() == "ANY":
            return every
        if spec.startswith("$"):
            raise Unresolved(spec)
        low, colon, high = spec.partition(":")
        try:
            start = int(low) if low else PORT_MIN
            end = (int(high) if high else PORT_MAX) if colon else start
        except ValueError:
            raise ValueError(f"{spec!r} is not a port, 'a:b' range or ANY") from None
        if not PORT_MIN <= start <= end <= PORT_MAX:
            raise ValueError(f"{spec!r} is not a port range")
        return BoxSet.of(("tcp",), ((start, end),), ANYWHERE)

    return box(text).ports("tcp")

