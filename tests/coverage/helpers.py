"""Tiny builders for engine-form resources (camelCase props), shared by the coverage tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from chalk_policy.catalog import load_catalog
from chalk_policy.coverage import CheckResult, FindingKind, Resource
from chalk_policy.planning import plan

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
CATALOG = load_catalog()
PLAN = plan(CATALOG, "de1,jp1", 1)
JP1 = ("13.115.244.0/27", "18.180.220.128/25", "54.65.63.192/26")
DE1 = ("18.156.18.128/25", "18.195.48.224/27", "52.59.186.0/27")
OPTION1 = (("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 60000))

SG = "aws:ec2/securityGroup:SecurityGroup"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
RCG = "azure-native:network:FirewallPolicyRuleCollectionGroup"


def res(type_: str, name: str, props: Any) -> Resource:
    return Resource(type_, f"urn:pulumi:dev::chalk::{type_}::{name}", name, props)


def egress(name: str, cidr: Any, protocol: Any = "udp", low: Any = 10000, high: Any = 60000, **extra: Any
           ) -> Resource:
    props = {"securityGroupId": "sg-1", "ipProtocol": protocol, "fromPort": low, "toPort": high, "cidrIpv4": cidr}
    return res(EGRESS, name, {**props, **extra})


def plan_egress(cidrs: Sequence[str] = (*DE1, *JP1), ports: Iterable[tuple[str, int, int]] = OPTION1,
                skip: tuple[str, int] | None = None) -> list[Resource]:
    """One SecurityGroupEgressRule per (cidr, protocol, port range), as ChalkAwsEgress builds them."""
    return [egress(f"{protocol}-{low}-{cidr}", cidr, protocol, low, high)
            for protocol, low, high in ports for cidr in cidrs if (cidr, low) != skip]


def group(name: str, egress_rules: Any = None, **extra: Any) -> Resource:
    return res(SG, name, {"id": f"sg-{name}", "egress": egress_rules if egress_rules is not None else [], **extra})


def inline(protocol: Any, low: Any, high: Any, cidrs: Any = None, prefix_lists: Any = None) -> dict[str, Any]:
    entry = {"protocol": protocol, "fromPort": low, "toPort": high}
    if cidrs is not None:
        entry["cidrBlocks"] = cidrs
    if prefix_lists is not None:
        entry["prefixListIds"] = prefix_lists
    return entry


def nsg_rule(name: str, priority: Any, access: str = "Allow", protocol: Any = "Udp", prefixes: Any = None,
             ports: Any = None, direction: str = "Outbound") -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name, "priority": priority, "direction": direction, "access": access,
                            "protocol": protocol, "sourceAddressPrefix": "*", "sourcePortRange": "*"}
    prefixes = list((*DE1, *JP1)) if prefixes is None else prefixes
    ports = ["443", "3478", "10000-60000"] if ports is None else ports
    rule["destinationAddressPrefixes" if isinstance(prefixes, list) else "destinationAddressPrefix"] = prefixes
    rule["destinationPortRanges" if isinstance(ports, list) else "destinationPortRange"] = ports
    return rule


DENY_INTERNET = nsg_rule("chalk-deny-internet", 4096, "Deny", "*", "Internet", "*")
"""The outbound Deny of 'Internet' a compliant NSG ends with (ahead of Azure's AllowInternetOutBound)."""


def nsg(name: str, rules: Any, **extra: Any) -> Resource:
    return res(NSG, name, {"name": name, "resourceGroupName": "rg", "securityRules": rules, **extra})


def violations(result: CheckResult) -> list[str]:
    return [f.message for f in result.findings if f.kind is FindingKind.VIOLATION]


def unverified(result: CheckResult) -> list[str]:
    return [f.message for f in result.findings if f.kind is FindingKind.UNVERIFIED]


def notes(result: CheckResult) -> list[str]:
    return [f.message for f in result.findings if f.kind is FindingKind.NOTE]
