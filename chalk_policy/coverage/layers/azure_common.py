"""Readers shared by the Azure layers: resource ids, port ranges, address prefixes, service tags and tags."""

from __future__ import annotations

from typing import Any

import netaddr

from ..addresses import EMPTY_ADDRESSES, Addresses
from ..boxes import ANYWHERE, PORT_MAX, PORT_MIN, PUBLIC, parse_ipv4
from ..model import TagSelector
from ..resources import UNKNOWN, Malformed, as_list, as_str

PRIVATE_TAGS = {"virtualnetwork", "azureloadbalancer"}
ANYWHERE_TAGS = {"*", "any", "0.0.0.0/0"}


def id_part(resource_id: object, kind: str, after: str | None = None) -> str | None:
    """``<name>`` of ``.../<kind>/<name>`` in an Azure id (case-insensitive), optionally followed by ``/<after>/``."""
    if not isinstance(resource_id, str):
        return None
    parts = resource_id.strip("/").split("/")
    lowered = [part.casefold() for part in parts]
    for index in range(len(parts) - 1):
        if lowered[index] == kind.casefold() and (
                after is None or (index + 2 < len(parts) and lowered[index + 2] == after.casefold())):
            return parts[index + 1]
    return None


def nsg_id_of(resource_id: object) -> str | None:
    """The NSG id (``/subscriptions/../networkSecurityGroups/<name>``) at the start of an NSG or rule id."""
    if not isinstance(resource_id, str) or id_part(resource_id, "networkSecurityGroups") is None:
        return None
    parts = resource_id.strip("/").split("/")
    end = next(index for index, part in enumerate(parts) if part.casefold() == "networksecuritygroups") + 2
    return "/" + "/".join(parts[:end]).casefold()


def joined(single: object, many: object, single_name: str, many_name: str) -> list[Any] | Any:
    """``single`` and the items of ``many`` as one list; UNKNOWN when either is unknown as a whole."""
    one = as_str(single, single_name)
    items = as_list(many, many_name)
    if one is UNKNOWN or items is UNKNOWN:
        return UNKNOWN
    return [*([] if one is None else [one]), *items]  # type: ignore[misc]


def port_ranges(value: object) -> list[tuple[int, int]]:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        raise Malformed(f"port {value!r} is not a string")
    ranges = []
    for item in value.split(","):
        item = item.strip()
        if item in ("*", "Any", "any"):
            ranges.append((PORT_MIN, PORT_MAX))
            continue
        low, dash, high = item.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise Malformed(f"port {item!r} is not '*', a port or a 'from-to' range")
        start, end = int(low), int(high) if dash else int(low)
        if not PORT_MIN <= start <= end <= PORT_MAX:
            raise Malformed(f"port range {item!r} is out of 0-65535 or reversed")
        ranges.append((start, end))
    return ranges


def is_literal(lowered: str) -> bool:
    """Whether a (lower-cased) prefix is written as an address, a CIDR or an ``a-b`` range, not as a tag."""
    return lowered[:1].isdigit() or ":" in lowered


def literal(text: str) -> Addresses | None:
    """The addresses of an address, CIDR or ``a-b`` range: None when it is not IPv4 (IPv6); raises Malformed."""
    lowered = text.strip().lower()
    if "-" in lowered and lowered.replace("-", "").replace(".", "").isdigit():
        first, _, last = lowered.partition("-")
        try:
            span = netaddr.IPRange(first, last)
            return Addresses.between(span.first, span.last)
        except (netaddr.AddrFormatError, ValueError):
            raise Malformed(f"{text!r} is not an address range") from None
    try:
        return parse_ipv4(text)
    except ValueError as exc:
        raise Malformed(str(exc)) from None


def is_tag(lowered: str) -> bool:
    """Whether a (lower-cased) prefix that is not a literal reads as a service tag (``AzureCloud.WestEurope``)."""
    return lowered.replace(".", "").replace("_", "").isalnum()


def address(text: str, where: str, notes: list[str], rule_name: str) -> Addresses | None:
    """The addresses of one destination prefix: None when it is not IPv4 (IPv6); raises Malformed for garbage."""
    lowered = text.strip().lower()
    if lowered in ANYWHERE_TAGS:
        return ANYWHERE
    if lowered == "internet":
        return PUBLIC
    if lowered in PRIVATE_TAGS:
        return EMPTY_ADDRESSES
    if is_literal(lowered):
        return literal(text)
    if is_tag(lowered):
        notes.append(f"{where}: service tag '{text}' (rule '{rule_name}') is not modelled; it is treated as "
                     "matching no Chalk range.")
        return EMPTY_ADDRESSES
    raise Malformed(f"{text!r} is not a CIDR, address or service tag")


def tag_selects(tags: object, selector: TagSelector) -> bool | None:
    """Whether a resource's ``tags`` match ``selector``; None when that is unknown (the tags, or the value of a
    matching name, are unknown during preview).

    Azure Resource Manager treats tag *names* case-insensitively and tag *values* case-sensitively
    (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources: "Tag names are
    case-insensitive for operations ... Tag values are case-sensitive"), so ``Chalk`` and ``chalk`` are the same
    tag, while ``media`` and ``Media`` are different values. A name present with a null value is absent."""
    if tags is UNKNOWN:
        return None
    if not isinstance(tags, dict):
        return False
    wanted = selector.key.casefold()
    values = [value for name, value in tags.items() if isinstance(name, str) and name.casefold() == wanted]
    if any(value is not None and value is not UNKNOWN and (selector.value is None or value == selector.value)
           for value in values):
        return True
    return None if any(value is UNKNOWN for value in values) else False
