"""Quota and budget lines computed from recorded registrations (generic: type tokens and engine inputs only)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .engine import PreviewResult, ResourceRecord, is_unknown

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
NFW_RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
NSG = "azure-native:network:NetworkSecurityGroup"
NSG_RULE = "azure-native:network:SecurityRule"

AWS_RULES_PER_GROUP_KEY = "awsRulesPerGroup"
AWS_DEFAULT_RULES_PER_GROUP = 60
AZURE_RULES_PER_NSG = 1000
AZURE_ADDRESSES_PER_NSG = 4000
"""IP addresses and ranges in one NSG, source or destination counted separately (Azure networking limits)."""
NFW_STATEFUL_CAPACITY_PER_POLICY = 30000
UNKNOWN_GROUP = "(group not known)"


@dataclass(frozen=True)
class QuotaLine:
    section: str
    """e.g. ``AWS outbound rules per security group``."""
    subject: str
    """the resource the line is about (logical name)."""
    used: int | None
    """None when it can't be known offline."""
    limit: int | None
    note: str = ""

    @property
    def over(self) -> bool:
        return self.used is not None and self.limit is not None and self.used > self.limit


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _seq(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def rules_per_group_quota(result: PreviewResult) -> int:
    if result.config is None:
        return AWS_DEFAULT_RULES_PER_GROUP
    return _int(result.config.get(AWS_RULES_PER_GROUP_KEY, AWS_DEFAULT_RULES_PER_GROUP), AWS_DEFAULT_RULES_PER_GROUP)


def group_name_of(record: ResourceRecord, key: str, groups: Mapping[str, ResourceRecord],
                  ids: Mapping[str, str]) -> str:
    """The logical name of the security group a rule's ``key`` input points at: through the property's
    dependencies (works during a preview, when ids are unknown), else by the mock id, else the literal id."""
    for urn in record.property_dependencies.get(key, ()):
        if urn in groups:
            return groups[urn].name
    value = record.inputs.get(key)
    if isinstance(value, str) and not is_unknown(value):
        return ids.get(value, value)
    return UNKNOWN_GROUP


def _inline_rule_count(rule: Any) -> int:
    if not isinstance(rule, Mapping):
        return 1
    targets = sum(len(_seq(rule.get(k))) for k in ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups"))
    return max(1, targets + (1 if rule.get("self") is True else 0))


def aws_egress_per_group(result: PreviewResult) -> list[QuotaLine]:
    groups = {r.urn: r for r in result.resources if r.type == SG}
    if not groups and not any(r.type in (SG_EGRESS_RULE, SG_RULE) for r in result.resources):
        return []
    ids = {r.id or str(r.outputs.get("id", "")): r.name for r in groups.values() if r.id or r.outputs.get("id")}
    counts: dict[str, int] = {g.name: 0 for g in groups.values()}
    unknown_inline: set[str] = set()
    for group in groups.values():
        egress = group.inputs.get("egress")
        if is_unknown(egress):
            unknown_inline.add(group.name)
        counts[group.name] += sum(_inline_rule_count(rule) for rule in _seq(egress))
    for record in result.resources:
        if record.type == SG_EGRESS_RULE:
            name = group_name_of(record, "securityGroupId", groups, ids)
            counts[name] = counts.get(name, 0) + 1
        elif record.type == SG_RULE and record.inputs.get("type") == "egress":
            name = group_name_of(record, "securityGroupId", groups, ids)
            counts[name] = counts.get(name, 0) + _inline_rule_count(record.inputs)
    quota = rules_per_group_quota(result)
    section = f"AWS outbound rules per security group (quota {quota}, config {AWS_RULES_PER_GROUP_KEY})"
    return [QuotaLine(section, name, None if name in unknown_inline else count, quota,
                      "inline egress not known offline" if name in unknown_inline else "")
            for name, count in sorted(counts.items())]


def _stateless_rule_capacity(rule: Any) -> int | None:
    attrs = rule.get("ruleDefinition", {}).get("matchAttributes") if isinstance(rule, Mapping) else None
    if not isinstance(attrs, Mapping):
        return None
    total = 1
    for key in ("sources", "destinations", "sourcePorts", "destinationPorts", "protocols"):
        total *= max(1, len(_seq(attrs.get(key))))
    return total


def _suricata_rules(text: Any) -> int | None:
    if not isinstance(text, str) or is_unknown(text):
        return None
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def rule_group_use(inputs: Mapping[str, Any]) -> int | None:
    """An estimate of the capacity a rule group's rules consume (AWS's documented counting); None if unknown."""
    if "rules" in inputs:
        return _suricata_rules(inputs["rules"])
    group = inputs.get("ruleGroup")
    source = group.get("rulesSource") if isinstance(group, Mapping) else None
    if not isinstance(source, Mapping):
        return None
    if isinstance(source.get("rulesSourceList"), Mapping):
        src = source["rulesSourceList"]
        return len(_seq(src.get("targets"))) * max(1, len(_seq(src.get("targetTypes"))))
    if "statefulRules" in source:
        return len(_seq(source["statefulRules"]))
    if "rulesString" in source:
        return _suricata_rules(source["rulesString"])
    stateless = source.get("statelessRulesAndCustomActions")
    if isinstance(stateless, Mapping):
        parts = [_stateless_rule_capacity(rule) for rule in _seq(stateless.get("statelessRules"))]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
    return None


def network_firewall_capacity(result: PreviewResult) -> list[QuotaLine]:
    lines = []
    stateful_total = 0
    for record in result.by_type(NFW_RULE_GROUP):
        capacity = record.inputs.get("capacity")
        cap = None if capacity is None or is_unknown(capacity) else _int(capacity, 0)
        used = rule_group_use(record.inputs)
        kind = str(record.inputs.get("type", "?"))
        if kind == "STATEFUL" and cap is not None:
            stateful_total += cap
        lines.append(QuotaLine("AWS Network Firewall rule group capacity (declared; fixed at creation)",
                               record.name, used, cap, f"{kind.lower()}, estimated use of the declared capacity"))
    if any(line.note.startswith("stateful") for line in lines):
        lines.append(QuotaLine("AWS Network Firewall stateful capacity per firewall policy", "all stateful groups",
                               stateful_total, NFW_STATEFUL_CAPACITY_PER_POLICY, "sum of declared capacities"))
    return lines


def _nsg_rules(result: PreviewResult) -> dict[str, list[Mapping[str, Any]]]:
    """Rules per NSG (logical name): its inline ``securityRules`` plus the standalone rules that target it."""
    nsgs = result.by_type(NSG)
    rules: dict[str, list[Mapping[str, Any]]] = {}
    by_physical: dict[str, str] = {}
    for nsg in nsgs:
        rules[nsg.name] = [r if isinstance(r, Mapping) else {} for r in _seq(nsg.inputs.get("securityRules"))]
        physical = nsg.inputs.get("networkSecurityGroupName")
        if isinstance(physical, str):
            by_physical[physical] = nsg.name
    for rule in result.by_type(NSG_RULE):
        target = rule.inputs.get("networkSecurityGroupName")
        name = by_physical.get(target, target) if isinstance(target, str) and not is_unknown(target) else None
        if name is None:
            for urn in rule.property_dependencies.get("networkSecurityGroupName", ()):
                name = next((n.name for n in nsgs if n.urn == urn), None)
        rules.setdefault(name or UNKNOWN_GROUP, []).append(rule.inputs)
    return rules


def _is_address(value: Any) -> bool:
    """An IP address or CIDR (what Azure's per-NSG address limit counts); service tags, ``*`` and ASGs are not."""
    if not isinstance(value, str) or is_unknown(value):
        return False
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _addresses(rule: Mapping[str, Any], side: str) -> int | None:
    single, many = rule.get(f"{side}AddressPrefix"), rule.get(f"{side}AddressPrefixes")
    if is_unknown(single) or is_unknown(many) or any(is_unknown(v) for v in _seq(many)):
        return None
    return int(_is_address(single)) + sum(_is_address(v) for v in _seq(many))


def azure_rules_per_nsg(result: PreviewResult) -> list[QuotaLine]:
    return [QuotaLine("Azure rules per network security group", name, len(rules), AZURE_RULES_PER_NSG)
            for name, rules in sorted(_nsg_rules(result).items())]


def azure_addresses_per_nsg(result: PreviewResult) -> list[QuotaLine]:
    lines = []
    for name, rules in sorted(_nsg_rules(result).items()):
        for side in ("destination", "source"):
            counts = [_addresses(rule, side) for rule in rules]
            used = None if any(c is None for c in counts) else sum(c for c in counts if c is not None)
            if used == 0 and side == "source":
                continue  # only "*" and tags: nothing to report
            lines.append(QuotaLine(f"Azure {side} IP addresses and ranges per network security group", name, used,
                                   AZURE_ADDRESSES_PER_NSG, "" if used is not None else "prefixes not known offline"))
    return lines


def quota_lines(result: PreviewResult) -> list[QuotaLine]:
    lines: list[QuotaLine] = []
    for compute in (aws_egress_per_group, network_firewall_capacity, azure_rules_per_nsg,
                    azure_addresses_per_nsg):
        lines.extend(compute(result))
    return lines


def sections(lines: Iterable[QuotaLine]) -> dict[str, list[QuotaLine]]:
    grouped: dict[str, list[QuotaLine]] = {}
    for line in lines:
        grouped.setdefault(line.section, []).append(line)
    return grouped
