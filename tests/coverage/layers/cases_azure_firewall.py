"""Azure Firewall (policies and classic firewalls): the media-check cases of the layer, each with its expected
outcome (notes included).

Each entry is ``Case(name, resources, expected, selector)``; ``expected`` is what :func:`.expect.outcome` returns
(``gap`` / ``unverified`` / ``note`` lines). The exact message texts are pinned by tests/coverage/test_messages.py.
The rule-collection builders are shared with cases_azure_nsg.py, tests/coverage/cases_checks.py and
test_azure_firewall.py.
"""

from __future__ import annotations

from ..helpers import DE1, DENY_INTERNET, JP1, RCG, UNKNOWN, nsg, nsg_rule, res
from .expect import MEDIA, TO_DE1, TO_JP1, Case

ALL = [*DE1, *JP1]
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
AZURE_FIREWALL = "azure-native:network:AzureFirewall"
SUB = "/subscriptions/0000/resourceGroups"
_RCG_ID = f"{SUB}/rg/providers/Microsoft.Network/firewallPolicies/{{}}/ruleCollectionGroups/{{}}"


def _rcg(name, collections, priority=500, policy="fw-policy"):
    return res(RCG, name, {"firewallPolicyName": policy, "resourceGroupName": "rg", "priority": priority,
                           "ruleCollections": collections})


def _collection(name, priority, action, rules):
    return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": priority,
            "action": {"type": action}, "rules": rules}


def _network(name, protocols=("UDP",), addresses=None, ports=("443", "3478", "10000-60000")):
    return {"ruleType": "NetworkRule", "name": name, "ipProtocols": list(protocols), "sourceAddresses": ["*"],
            "destinationAddresses": list(ALL if addresses is None else addresses), "destinationPorts": list(ports)}


def _classic(name, collections, **extra):
    return res(AZURE_FIREWALL, name, {"name": name, "networkRuleCollections": collections, **extra})


def _classic_collection(name, priority, action, rules):
    return {"name": name, "priority": priority, "action": {"type": action}, "rules": rules}


def _classic_rule(name, protocols=("UDP",), addresses=None, ports=("443", "3478", "10000-60000")):
    return {"name": name, "protocols": list(protocols), "sourceAddresses": ["*"],
            "destinationAddresses": list(ALL if addresses is None else addresses), "destinationPorts": list(ports)}


CASES = [
    Case("network-rule", [nsg("chalk-nsg", []), _rcg("rcg", [_collection("chalk-media", 100, "Allow",
                                                                          [_network("chalk-media-udp")])])], []),
    Case("any-protocol-star", [_rcg("rcg", [_collection("c", 100, "Allow", [_network("r", ["Any"], ["*"], ["*"])])])],
         []),
    Case("missing-port", [
        _rcg("rcg", [_collection("c", 100, "Allow", [_network("r", ports=["443", "10000-60000"])])])], [
        f"gap de1 Azure Firewall policy 'fw-policy': missing udp 3478 {TO_DE1}",
        f"gap jp1 Azure Firewall policy 'fw-policy': missing udp 3478 {TO_JP1}",
    ]),
    Case("deny-collection-shadows", [_rcg("rcg", [
        _collection("chalk-media", 200, "Allow", [_network("media")]),
        _collection("block-stun", 100, "Deny", [_network("stun", ["Any"], ["*"], ["3478"])])])], [
        "gap de1 Azure Firewall policy 'fw-policy': denied by rule 'stun' of rule collection 'block-stun' "
            f"(priority 100) in group 'rcg' (priority 500): udp 3478 {TO_DE1}",
        "gap jp1 Azure Firewall policy 'fw-policy': denied by rule 'stun' of rule collection 'block-stun' "
            f"(priority 100) in group 'rcg' (priority 500): udp 3478 {TO_JP1}",
    ]),
    Case("deny-group-later-does-not-shadow", [
        _rcg("rcg", [_collection("chalk-media", 200, "Allow", [_network("media")])], priority=100),
        _rcg("deny", [_collection("deny-all", 100, "Deny", [_network("all", ["Any"], ["*"], ["*"])])], priority=200),
    ], []),
    # finding 1: a Deny that cannot be read is an uncertain deny, not skipped
    Case("firewall-deny-rule-garbage", [_rcg("rcg", [
        _collection("media", 200, "Allow", [_network("media")]),
        _collection("block", 100, "Deny", [_network("odd", ["Any"], ["*"], ["lots"])])])], [
        f"unverified de1 Azure Firewall policy 'fw-policy': {MEDIA} {TO_DE1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' "
        "ruleCollections[1].rules[0]: the Deny rule 'odd' cannot be read (port 'lots' is not '*', a port "
        "or a 'from-to' range)",
        f"unverified jp1 Azure Firewall policy 'fw-policy': {MEDIA} {TO_JP1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' "
        "ruleCollections[1].rules[0]: the Deny rule 'odd' cannot be read (port 'lots' is not '*', a port "
        "or a 'from-to' range)",
        "note: azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' ruleCollections[1].rules[0]: the Deny "
            "rule 'odd' may deny traffic but cannot be read (port 'lots' is not '*', a port or a 'from-to' range); "
            "what it may deny is reported as unverified.",
    ]),
    # finding 3: the policy of a rule collection group
    Case("rcg-policy-from-id", [
        _rcg("media", [_collection("media", 100, "Allow", [_network("media")])], priority=200),
        res(RCG, "deny", {"id": _RCG_ID.format("FW-Policy", "deny"), "priority": 100, "ruleCollections": [
            _collection("stun", 100, "Deny", [_network("stun", ["Any"], ["*"], ["3478"])])]})], [
        "gap de1 Azure Firewall policy 'fw-policy': denied by rule 'stun' of rule collection 'stun' (priority 100) "
            f"in group 'deny' (priority 100): udp 3478 {TO_DE1}",
        "gap jp1 Azure Firewall policy 'fw-policy': denied by rule 'stun' of rule collection 'stun' (priority 100) "
            f"in group 'deny' (priority 100): udp 3478 {TO_JP1}",
    ]),
    Case("rcg-policy-unknown-not-merged", [
        _rcg("media", [_collection("media", 100, "Allow", [_network("media", ports=["443", "10000-60000"])])],
             policy=UNKNOWN),
        _rcg("stun", [_collection("stun", 100, "Allow", [_network("stun", ports=["3478"])])], policy=UNKNOWN)], [
        f"unverified de1 Azure Firewall policy of rule collection group 'media': udp 3478 {TO_DE1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'media': its firewall policy is "
        "unknown, so it may be evaluated together with other rule collection groups of the stack",
        f"unverified jp1 Azure Firewall policy of rule collection group 'media': udp 3478 {TO_JP1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'media': its firewall policy is "
        "unknown, so it may be evaluated together with other rule collection groups of the stack",
        f"unverified de1 Azure Firewall policy of rule collection group 'stun': udp 443,10000-60000 {TO_DE1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'stun': its firewall policy is "
        "unknown, so it may be evaluated together with other rule collection groups of the stack",
        f"unverified jp1 Azure Firewall policy of rule collection group 'stun': udp 443,10000-60000 {TO_JP1}",
        "because: azure_native.network.FirewallPolicyRuleCollectionGroup 'stun': its firewall policy is "
        "unknown, so it may be evaluated together with other rule collection groups of the stack",
    ]),
    # finding 4: firewall policies without groups, classic firewalls
    Case("firewall-policy-without-groups", [res(FIREWALL_POLICY, "fw", {"name": "fw", "resourceGroupName": "rg"})], [
        f"gap de1 Azure Firewall policy 'fw': missing {MEDIA} {TO_DE1}",
        f"gap jp1 Azure Firewall policy 'fw': missing {MEDIA} {TO_JP1}",
    ]),
    Case("firewall-policy-with-group", [res(FIREWALL_POLICY, "fw", {"name": "FW-POLICY", "resourceGroupName": "rg"}),
                                        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])])], []),
    Case("only-policy-adopts-group-of-unknown-policy", [
        res(FIREWALL_POLICY, "fw", {"resourceGroupName": "rg"}),  # auto-named: its name is unknown in preview
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])], policy=UNKNOWN)], []),
    Case("two-policies-group-of-unknown-policy", [
        res(FIREWALL_POLICY, "fw", {"name": "fw", "resourceGroupName": "rg"}),
        res(FIREWALL_POLICY, "fw2", {"name": "fw2", "resourceGroupName": "rg"}),
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])], policy=UNKNOWN)], [
        f"unverified de1 Azure Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: Azure Firewall policy 'fw': rule collection group 'rcg' of unknown policy may belong "
        "to it",
        f"unverified jp1 Azure Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: Azure Firewall policy 'fw': rule collection group 'rcg' of unknown policy may belong "
        "to it",
        f"unverified de1 Azure Firewall policy 'fw2': {MEDIA} {TO_DE1}",
        "because: Azure Firewall policy 'fw2': rule collection group 'rcg' of unknown policy may belong "
        "to it",
        f"unverified jp1 Azure Firewall policy 'fw2': {MEDIA} {TO_JP1}",
        "because: Azure Firewall policy 'fw2': rule collection group 'rcg' of unknown policy may belong "
        "to it",
    ]),
    Case("classic-firewall", [_classic("afw", [_classic_collection("media", 100, "Allow", [_classic_rule("media")])])],
         []),
    Case("classic-firewall-deny-first", [_classic("afw", [
        _classic_collection("media", 200, "Allow", [_classic_rule("media")]),
        _classic_collection("block", 100, "Deny", [_classic_rule("stun", ["Any"], ["*"], ["3478"])])])], [
        "gap de1 Azure Firewall 'afw': denied by rule 'stun' of network rule collection 'block' (priority 100): udp "
            f"3478 {TO_DE1}",
        "gap jp1 Azure Firewall 'afw': denied by rule 'stun' of network rule collection 'block' (priority 100): udp "
            f"3478 {TO_JP1}",
    ]),
    Case("classic-firewall-unreadable-collection", [_classic("afw", [
        _classic_collection("media", 200, "Allow", [_classic_rule("media")]),
        {"name": "block", "priority": 100, "action": {"type": "Block"}, "rules": []}])], [
        f"unverified de1 Azure Firewall 'afw': {MEDIA} {TO_DE1}",
        "because: azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule "
        "collection 'block' cannot be read (action.type is 'Block'; allowed: Allow or Deny)",
        f"unverified jp1 Azure Firewall 'afw': {MEDIA} {TO_JP1}",
        "because: azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule "
        "collection 'block' cannot be read (action.type is 'Block'; allowed: Allow or Deny)",
        "note: azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule collection 'block' may "
            "deny traffic but cannot be read (action.type is 'Block'; allowed: Allow or Deny); "
            "what it may deny is reported as unverified.",
    ]),
    Case("classic-firewall-without-rules", [_classic("afw", [])], [
        f"gap de1 Azure Firewall 'afw': missing {MEDIA} {TO_DE1}",
        f"gap jp1 Azure Firewall 'afw': missing {MEDIA} {TO_JP1}",
    ]),
    Case("firewall-with-policy-is-the-policy", [_classic("afw", [], firewallPolicy={"id": "/x/firewallPolicies/p"}),
                                                nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET])], []),
]
