"""Azure review findings: unreadable Deny rules, standalone rule attachment, firewall policies and classic firewalls,
tag selectors that pick no NSG."""
from __future__ import annotations

from chalk_policy.coverage import TagSelector

from .cases_more import DENY_INTERNET, _collection, _network, _rcg
from .helpers import DE1, JP1, NSG, RCG, SECURITY_RULE, UNKNOWN, nsg, nsg_rule, res

ALL = [*DE1, *JP1]
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
AZURE_FIREWALL = "azure-native:network:AzureFirewall"
SUB = "/subscriptions/0000/resourceGroups"


def _nsg_id(group: str, name: str = "chalk-nsg") -> str:
    return f"{SUB}/{group}/providers/Microsoft.Network/networkSecurityGroups/{name}"


def _twin(logical: str, group: str, with_id: bool = False):
    """An NSG named 'chalk-nsg' in resource group ``group`` that denies the Internet and allows nothing."""
    props = {"name": "chalk-nsg", "resourceGroupName": group, "securityRules": [DENY_INTERNET]}
    return res(NSG, logical, {**props, "id": _nsg_id(group)} if with_id else props)


def _standalone(**props):
    return res(SECURITY_RULE, "media", {**nsg_rule("chalk-media-udp", 100), **props})


def _classic(name, collections, **extra):
    return res(AZURE_FIREWALL, name, {"name": name, "networkRuleCollections": collections, **extra})


def _classic_collection(name, priority, action, rules):
    return {"name": name, "priority": priority, "action": {"type": action}, "rules": rules}


def _classic_rule(name, protocols=("UDP",), addresses=None, ports=("443", "3478", "10000-60000")):
    return {"name": name, "protocols": list(protocols), "sourceAddresses": ["*"],
            "destinationAddresses": list(ALL if addresses is None else addresses), "destinationPorts": list(ports)}


_RCG_ID = f"{SUB}/rg/providers/Microsoft.Network/firewallPolicies/{{}}/ruleCollectionGroups/{{}}"

AZURE_CASES = [
    # finding 1: a Deny that cannot be read is an uncertain deny, not skipped
    ("nsg-deny-prefix-garbage", [nsg("chalk-nsg", [nsg_rule("bad", 90, "Deny", "Udp", "not a prefix!", "3478"),
                                                   nsg_rule("m", 100), DENY_INTERNET])], None),
    ("nsg-allow-garbage-is-skipped", [nsg("chalk-nsg", [nsg_rule("m", 100, prefixes=list(DE1)),
                                                        nsg_rule("bad", 110, "Allow", "Udp", list(JP1), "lots"),
                                                        DENY_INTERNET])], None),
    ("firewall-deny-rule-garbage", [_rcg("rcg", [
        _collection("media", 200, "Allow", [_network("media")]),
        _collection("block", 100, "Deny", [_network("odd", ["Any"], ["*"], ["lots"])])])], None),
    ("security-rule-name-case-insensitive", [nsg("chalk-nsg", [DENY_INTERNET]),
                                             _standalone(networkSecurityGroupName="CHALK-NSG",
                                                         resourceGroupName="RG")], None),
    # finding 2: same-named NSGs in different resource groups
    ("security-rule-by-id", [_twin("nsg-a", "rg-a", True), _twin("nsg-b", "rg-b", True), _standalone(
        id=f"{_nsg_id('RG-B', 'Chalk-NSG')}/securityRules/chalk-media-udp")], None),
    ("security-rule-by-resource-group", [_twin("nsg-a", "rg-a"), _twin("nsg-b", "rg-b"),
                                         _standalone(networkSecurityGroupName="chalk-nsg", resourceGroupName="rg-b")],
     None),
    ("security-rule-resource-group-unknown", [_twin("nsg-a", "rg-a"), _twin("nsg-b", "rg-b"), _standalone(
        networkSecurityGroupName="chalk-nsg", resourceGroupName=UNKNOWN)], None),
    ("security-rule-nsg-elsewhere", [_twin("nsg-a", "rg-a"),
                                     _standalone(networkSecurityGroupName="chalk-nsg", resourceGroupName="rg-b")],
     None),
    # finding 3: the policy of a rule collection group
    ("rcg-policy-from-id", [
        _rcg("media", [_collection("media", 100, "Allow", [_network("media")])], priority=200),
        res(RCG, "deny", {"id": _RCG_ID.format("FW-Policy", "deny"), "priority": 100, "ruleCollections": [
            _collection("stun", 100, "Deny", [_network("stun", ["Any"], ["*"], ["3478"])])]})], None),
    ("rcg-policy-unknown-not-merged", [
        _rcg("media", [_collection("media", 100, "Allow", [_network("media", ports=["443", "10000-60000"])])],
             policy=UNKNOWN),
        _rcg("stun", [_collection("stun", 100, "Allow", [_network("stun", ports=["3478"])])], policy=UNKNOWN)],
     None),
    # finding 4: firewall policies without groups, classic firewalls
    ("firewall-policy-without-groups", [res(FIREWALL_POLICY, "fw", {"name": "fw", "resourceGroupName": "rg"})],
     None),
    ("firewall-policy-with-group", [res(FIREWALL_POLICY, "fw", {"name": "FW-POLICY", "resourceGroupName": "rg"}),
                                    _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])])], None),
    ("only-policy-adopts-group-of-unknown-policy", [
        res(FIREWALL_POLICY, "fw", {"resourceGroupName": "rg"}),  # auto-named: its name is unknown in preview
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])], policy=UNKNOWN)], None),
    ("two-policies-group-of-unknown-policy", [
        res(FIREWALL_POLICY, "fw", {"name": "fw", "resourceGroupName": "rg"}),
        res(FIREWALL_POLICY, "fw2", {"name": "fw2", "resourceGroupName": "rg"}),
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])], policy=UNKNOWN)], None),
    ("classic-firewall", [_classic("afw", [_classic_collection("media", 100, "Allow", [_classic_rule("media")])])],
     None),
    ("classic-firewall-deny-first", [_classic("afw", [
        _classic_collection("media", 200, "Allow", [_classic_rule("media")]),
        _classic_collection("block", 100, "Deny", [_classic_rule("stun", ["Any"], ["*"], ["3478"])])])], None),
    ("classic-firewall-unreadable-collection", [_classic("afw", [
        _classic_collection("media", 200, "Allow", [_classic_rule("media")]),
        {"name": "block", "priority": 100, "action": {"type": "Block"}, "rules": []}])], None),
    ("classic-firewall-without-rules", [_classic("afw", [])], None),
    ("firewall-with-policy-is-the-policy", [_classic("afw", [], firewallPolicy={"id": "/x/firewallPolicies/p"}),
                                            nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET])], None),
    # finding 5: a selector that picks no NSG
    ("selector-picks-no-nsg", [nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET], tags={"chalk": "other"})],
     TagSelector("chalk", "media")),
    ("selector-picks-no-nsg-with-firewall", [
        nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET], tags={}),
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])])], TagSelector("chalk")),
]
