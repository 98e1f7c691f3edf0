"""Text and JSON views of an offline preview."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .engine import STACK_TYPE, PreviewResult, ResourceRecord, is_secret, is_unknown
from .quotas import SG, quota_lines, sections

UNKNOWN_TEXT = "<computed>"
SECRET_TEXT = "[secret]"

KEY_INPUTS = (
    "vpcId", "securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "prefixListId",
    "referencedSecurityGroupId", "type", "capacity", "egress", "ingress", "cidrBlocks",
    "resourceGroupName", "location", "networkSecurityGroupName", "securityRules", "priority", "direction", "access",
    "protocol", "destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange",
    "destinationPortRanges", "firewallPolicyName",
)
NESTED_INPUTS = {
    "securityRules": ("rule", ("priority", "direction", "access", "protocol", "destinationAddressPrefix",
                               "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges")),
    "ruleCollections": ("collection", ("ruleCollectionType", "priority", "action")),
}
"""Inline lists shown one entry a line under their resource (Azure NSG rules, firewall rule collections)."""
NESTED_RULE_INPUTS = ("ruleType", "ipProtocols", "sourceAddresses", "destinationAddresses", "destinationPorts",
                      "targetFqdns", "protocols")
MAX_LIST_ITEMS = 4


def plain(value: Any) -> Any:
    """Engine values for people and tools: whole numbers as integers (protobuf numbers are doubles; the CLI's JSON
    prints 443, not 443.0) and secrets masked as ``[secret]`` like ``pulumi preview --json``. Unknowns stay as the
    engine's sentinel string."""
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def to_dict(result: PreviewResult) -> dict[str, Any]:
    """``{"stack", "project", "resources": [{"type", "name", "parent", "inputs"}], "outputs"}``; the root stack
    is not a resource, and ``parent`` is the parent's type token (None for the stack's children)."""
    return {
        "stack": result.stack,
        "project": result.project,
        "resources": [
            {"type": r.type, "name": r.name,
             "parent": r.parent_type if r.parent_type and r.parent_urn != result.stack_urn else None,
             "inputs": plain(r.inputs)}
            for r in result.resources
        ],
        "outputs": plain(result.exports),
    }


def to_json(result: PreviewResult) -> str:
    return json.dumps(to_dict(result), indent=2)


def _scalar(value: Any) -> str:
    value = plain(value)
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def _value(value: Any) -> str:
    value = plain(value)
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            shown = ",".join(_scalar(v) for v in value[:MAX_LIST_ITEMS])
            more = f",...+{len(value) - MAX_LIST_ITEMS}" if len(value) > MAX_LIST_ITEMS else ""
            return f"[{shown}{more}]"
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    return _scalar(value)


def _inputs_text(record: ResourceRecord, names: dict[str, str]) -> str:
    parts = []
    for key in KEY_INPUTS:
        if key not in record.inputs:
            continue
        value = record.inputs[key]
        deps = [names[u] for u in record.property_dependencies.get(key, ()) if u in names]
        if is_unknown(value) and len(deps) == 1:
            parts.append(f"{key}=({deps[0]})")
        else:
            parts.append(f"{key}={_value(value)}")
    return " ".join(parts)


def _entry_text(entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    parts = []
    for key in keys:
        if key not in entry:
            continue
        value = plain(entry[key])
        if key == "action" and isinstance(value, dict) and "type" in value:
            value = value["type"]
        elif key == "protocols" and isinstance(value, list):
            value = [f"{p.get('protocolType')}:{p.get('port')}" if isinstance(p, dict) else p for p in value]
        parts.append(f"{key}={_value(value)}")
    return " ".join(parts)


def _nested_lines(record: ResourceRecord, indent: str) -> list[str]:
    """One line per inline NSG rule or firewall rule collection (and its rules), under the resource."""
    lines = []
    for key, (label, keys) in NESTED_INPUTS.items():
        entries = record.inputs.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            detail = _entry_text(entry, keys)
            lines.append(f"{indent}{label} {_scalar(entry.get('name', '?'))}{'  ' + detail if detail else ''}")
            rules = entry.get("rules") if key == "ruleCollections" else None
            for rule in rules if isinstance(rules, list) else ():
                if isinstance(rule, dict):
                    detail = _entry_text(rule, NESTED_RULE_INPUTS)
                    lines.append(f"{indent}  rule {_scalar(rule.get('name', '?'))}{'  ' + detail if detail else ''}")
    return lines


def to_text(result: PreviewResult) -> str:
    custom = sum(1 for r in result.resources if r.custom)
    mode = "dry run, like pulumi preview" if result.preview else "as if applied"
    lines = [
        f"Offline preview of stack '{result.stack}' (project '{result.project}') under the Pulumi SDK mock engine "
        f"({mode}): {len(result.resources)} resources, {custom} custom, {len(result.resources) - custom} component(s)",
        f"{UNKNOWN_TEXT}: known only after the cloud creates it; (name): taken from that resource",
        "",
    ]
    names = {r.urn: r.name for r in result.resources}
    depth = {result.stack_urn: 0}
    lines.append(f"{STACK_TYPE}  {result.project}-{result.stack}")
    for record in result.resources:
        level = depth.get(record.parent_urn or result.stack_urn, 0) + 1
        depth[record.urn] = level
        kind = "" if record.custom else "  (component)"
        read = "  (read)" if record.read else ""
        detail = _inputs_text(record, names) if record.custom else ""
        lines.append(f"{'  ' * level}{record.type}  {record.name}{kind}{read}{'  ' + detail if detail else ''}")
        if record.custom:
            lines.extend(_nested_lines(record, "  " * (level + 1)))

    lines += ["", "Resources by type:"]
    for type_token, count in sorted(Counter(r.type for r in result.resources).items()):
        lines.append(f"  {count:5d}  {type_token}")

    grouped = sections(quota_lines(result))
    if grouped:
        lines += ["", "Quotas and budgets:"]
        for section, entries in grouped.items():
            lines.append(f"  {section}:")
            width = max(len(e.subject) for e in entries)
            for entry in entries:
                used = "?" if entry.used is None else str(entry.used)
                limit = "?" if entry.limit is None else str(entry.limit)
                status = "OVER" if entry.over else ("ok" if entry.used is not None and entry.limit is not None
                                                    else "unknown")
                note = f"  ({entry.note})" if entry.note else ""
                lines.append(f"    {entry.subject:<{width}}  {used:>5}/{limit:<5}  {status}{note}")
    elif result.by_type(SG):
        lines += ["", "Quotas and budgets: none apply"]

    if result.diagnostics:
        lines += ["", "Diagnostics:"]
        lines += [f"  {severity}: {message}" for severity, message in result.diagnostics]

    lines += ["", "Outputs:"]
    if not result.exports:
        lines.append("  (none)")
    for key, value in sorted(result.exports.items()):
        shown = _mark_unknowns(plain(value))
        text = _scalar(shown) if not isinstance(shown, (list, dict)) else json.dumps(shown, separators=(", ", ": "))
        lines.append(f"  {key}: {text.replace(json.dumps(UNKNOWN_TEXT), UNKNOWN_TEXT)}")
    return "\n".join(lines)


def _mark_unknowns(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, list):
        return [_mark_unknowns(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark_unknowns(v) for k, v in value.items()}
    return value
