"""Azure NSGs: the media-check cases of the layer, each with its expected outcome (notes included).

Each entry is ``Case(name, resources, expected, selector)``; ``expected`` is what :func:`.expect.outcome` returns
(``gap`` / ``unverified`` / ``note`` / ``untagged`` lines). The exact message texts are pinned by
tests/coverage/test_messages.py.
"""

from __future__ import annotations

from chalk_policy.coverage import TagSelector

from ..helpers import DE1, DENY_INTERNET, JP1, NSG, SECURITY_RULE, UNKNOWN, nsg, nsg_rule, res
from .cases_azure_firewall import SUB, _collection, _network, _rcg
from .expect import MEDIA, TO_DE1, TO_JP1, Case

ALL = [*DE1, *JP1]


def _nsg_id(group: str, name: str = "chalk-nsg") -> str:
    return f"{SUB}/{group}/providers/Microsoft.Network/networkSecurityGroups/{name}"


def _twin(logical: str, group: str, with_id: bool = False):
    """An NSG named 'chalk-nsg' in resource group ``group`` that denies the Internet and allows nothing."""
    props = {"name": "chalk-nsg", "resourceGroupName": group, "securityRules": [DENY_INTERNET]}
    return res(NSG, logical, {**props, "id": _nsg_id(group)} if with_id else props)


def _standalone(**props):
    return res(SECURITY_RULE, "media", {**nsg_rule("chalk-media-udp", 100), **props})


CASES = [
    Case("inline-rules", [nsg("chalk-nsg", [nsg_rule("chalk-media-udp", 100), DENY_INTERNET])], []),
    Case("standalone-security-rule", [nsg("chalk-nsg", [DENY_INTERNET]), res(SECURITY_RULE, "media", {
        **nsg_rule("chalk-media-udp", 100), "networkSecurityGroupName": "chalk-nsg", "resourceGroupName": "rg"})], []),
    Case("single-prefix-and-port-strings", [nsg("chalk-nsg", [
        nsg_rule(f"p{i}", 100 + i, "Allow", "udp", cidr, "443,3478,10000-60000") for i, cidr in enumerate(ALL)]
        + [DENY_INTERNET])], []),
    Case("star-protocol-and-ports", [nsg("chalk-nsg", [nsg_rule("any", 100, "Allow", "*", ALL, "*"), DENY_INTERNET])],
         []),
    Case("internet-prefix", [nsg("chalk-nsg", [nsg_rule("net", 100, "Allow", "Udp", "Internet", "*"), DENY_INTERNET])],
         []),
    Case("default-allow-internet", [nsg("chalk-nsg", [])], []),
    Case("deny-after-allow", [nsg("chalk-nsg", [nsg_rule("deny-all", 300, "Deny", "*", "*", "*"),
                                                nsg_rule("chalk-media-udp", 200)])], []),
    Case("inbound-deny-ignored", [nsg("chalk-nsg", [nsg_rule("in", 100, "Deny", "*", "*", "*", "Inbound")])], []),
    Case("deny-shadows-fully", [nsg("chalk-nsg", [nsg_rule("deny-all", 200, "Deny", "*", "*", "*"),
                                                  nsg_rule("chalk-media-udp", 300)])], [
        f"gap de1 NSG 'chalk-nsg': denied by rule 'deny-all' (priority 200): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'deny-all' (priority 200): {MEDIA} {TO_JP1}",
    ]),
    Case("deny-shadows-partially", [nsg("chalk-nsg", [nsg_rule("deny-all", 200, "Deny", "*", "52.59.186.0/27", "3478"),
                                                      nsg_rule("chalk-media-udp", 300), DENY_INTERNET])], [
        "gap de1 NSG 'chalk-nsg': denied by rule 'deny-all' (priority 200): udp 3478 to 52.59.186.0/27",
    ]),
    # a Deny at priority 100: no Allow can be numbered ahead of it (the fix says to renumber or narrow it)
    Case("deny-at-first-priority", [nsg("chalk-nsg", [nsg_rule("deny-stun", 100, "Deny", "*", "*", "3478"),
                                                      nsg_rule("chalk-media-udp", 200), DENY_INTERNET])], [
        f"gap de1 NSG 'chalk-nsg': denied by rule 'deny-stun' (priority 100): udp 3478 {TO_DE1}",
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'deny-stun' (priority 100): udp 3478 {TO_JP1}",
    ]),
    Case("virtual-network-does-not-cover", [
        nsg("chalk-nsg", [nsg_rule("vnet", 100, "Allow", "*", "VirtualNetwork", "*"), DENY_INTERNET])], [
        f"gap de1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
    ]),
    Case("missing-cidr", [nsg("chalk-nsg", [nsg_rule("chalk-media-udp", 100, prefixes=ALL[:-1]), DENY_INTERNET])], [
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} to 54.65.63.192/26",
    ]),
    Case("tcp-instead-of-udp", [nsg("chalk-nsg", [nsg_rule("chalk-media", 100, protocol="Tcp"), DENY_INTERNET])], [
        f"gap de1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
    ]),
    Case("second-nsg-lacks", [nsg("good", [nsg_rule("m", 100), DENY_INTERNET]),
                              nsg("bad", [nsg_rule("m", 100, prefixes=list(DE1)), DENY_INTERNET])], [
        f"gap jp1 NSG 'bad': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
    ]),
    Case("tag-selector-skips-nsg", [nsg("good", [nsg_rule("m", 100), DENY_INTERNET], tags={"chalk": "yes"}),
                                    nsg("other", [DENY_INTERNET], tags={})], [], TagSelector("chalk")),
    Case("service-tag-not-modelled", [nsg("chalk-nsg", [nsg_rule("tag", 100, "Allow", "*", "AzureCloud", "*"),
                                                        DENY_INTERNET])], [
        f"gap de1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
        "note: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: service tag 'AzureCloud' "
            "(rule 'tag') is not modelled; it is treated as matching no Chalk range.",
    ]),
    # --- values unknown during preview ---
    Case("nsg-rules-unknown", [nsg("chalk-nsg", UNKNOWN)], [
        f"unverified de1 NSG 'chalk-nsg': {MEDIA} {TO_DE1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg': securityRules is unknown",
        f"unverified jp1 NSG 'chalk-nsg': {MEDIA} {TO_JP1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg': securityRules is unknown",
    ]),
    Case("nsg-rule-priority-unknown", [nsg("chalk-nsg", [nsg_rule("deny", UNKNOWN, "Deny", "*", "*", "3478"),
                                                         nsg_rule("m", 200), DENY_INTERNET])], [
        f"unverified de1 NSG 'chalk-nsg': udp 3478 {TO_DE1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: priority is "
        "unknown",
        f"unverified jp1 NSG 'chalk-nsg': udp 3478 {TO_JP1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: priority is "
        "unknown",
    ]),
    Case("nsg-tags-unknown-under-selector", [nsg("chalk-nsg", [DENY_INTERNET], tags=UNKNOWN)], [
        f"unverified de1 NSG 'chalk-nsg': {MEDIA} {TO_DE1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg': its tags are unknown, so the "
        "selector chalk may or may not pick it",
        f"unverified jp1 NSG 'chalk-nsg': {MEDIA} {TO_JP1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg': its tags are unknown, so the "
        "selector chalk may or may not pick it",
    ], TagSelector("chalk")),
    Case("security-rule-nsg-name-unknown", [nsg("chalk-nsg", [DENY_INTERNET]), res(SECURITY_RULE, "media", {
        **nsg_rule("chalk-media-udp", 100), "networkSecurityGroupName": UNKNOWN, "resourceGroupName": "rg"})], [
        f"unverified de1 NSG 'chalk-nsg': {MEDIA} {TO_DE1}",
        "because: azure_native.network.SecurityRule 'media': the NSG it belongs to is unknown",
        f"unverified jp1 NSG 'chalk-nsg': {MEDIA} {TO_JP1}",
        "because: azure_native.network.SecurityRule 'media': the NSG it belongs to is unknown",
    ]),
    # --- malformed inputs ---
    Case("nsg-port-garbage", [nsg("chalk-nsg", [nsg_rule("m", 100), nsg_rule("bad", 90, "Deny", "*", "*", "lots"),
                                                DENY_INTERNET])], [
        f"unverified de1 NSG 'chalk-nsg': {MEDIA} {TO_DE1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule "
        "'bad' cannot be read (port 'lots' is not '*', a port or a 'from-to' range)",
        f"unverified jp1 NSG 'chalk-nsg': {MEDIA} {TO_JP1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule "
        "'bad' cannot be read (port 'lots' is not '*', a port or a 'from-to' range)",
        "note: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule 'bad' may deny "
            "traffic but cannot be read (port 'lots' is not '*', a port or a 'from-to' range); "
            "what it may deny is reported as unverified.",
    ]),
    Case("nsg-rule-not-an-object", [nsg("chalk-nsg", [nsg_rule("m", 100), "deny everything", DENY_INTERNET])], [
        "note: Skipped azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the rule is the "
            "string 'deny everything', not an object.",
    ]),
    # finding 1: a Deny that cannot be read is an uncertain deny, not skipped
    Case("nsg-deny-prefix-garbage", [nsg("chalk-nsg", [nsg_rule("bad", 90, "Deny", "Udp", "not a prefix!", "3478"),
                                                       nsg_rule("m", 100), DENY_INTERNET])], [
        f"unverified de1 NSG 'chalk-nsg': udp 3478 {TO_DE1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: the Deny rule "
        "'bad' cannot be read ('not a prefix!' is not a CIDR, address or service tag)",
        f"unverified jp1 NSG 'chalk-nsg': udp 3478 {TO_JP1}",
        "because: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: the Deny rule "
        "'bad' cannot be read ('not a prefix!' is not a CIDR, address or service tag)",
        "note: azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: the Deny rule 'bad' may deny "
            "traffic but cannot be read ('not a prefix!' is not a CIDR, address or service tag); "
            "what it may deny is reported as unverified.",
    ]),
    Case("nsg-allow-garbage-is-skipped", [nsg("chalk-nsg", [nsg_rule("m", 100, prefixes=list(DE1)),
                                                            nsg_rule("bad", 110, "Allow", "Udp", list(JP1), "lots"),
                                                            DENY_INTERNET])], [
        f"gap jp1 NSG 'chalk-nsg': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
        "note: Skipped azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: port 'lots' is not "
            "'*', a port or a 'from-to' range.",
    ]),
    Case("security-rule-name-case-insensitive", [nsg("chalk-nsg", [DENY_INTERNET]),
                                                 _standalone(networkSecurityGroupName="CHALK-NSG",
                                                             resourceGroupName="RG")], []),
    # finding 2: same-named NSGs in different resource groups
    Case("security-rule-by-id", [_twin("nsg-a", "rg-a", True), _twin("nsg-b", "rg-b", True), _standalone(
        id=f"{_nsg_id('RG-B', 'Chalk-NSG')}/securityRules/chalk-media-udp")], [
        f"gap de1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
    ]),
    Case("security-rule-by-resource-group", [
        _twin("nsg-a", "rg-a"), _twin("nsg-b", "rg-b"),
        _standalone(networkSecurityGroupName="chalk-nsg", resourceGroupName="rg-b")], [
        f"gap de1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
    ]),
    Case("security-rule-resource-group-unknown", [_twin("nsg-a", "rg-a"), _twin("nsg-b", "rg-b"), _standalone(
        networkSecurityGroupName="chalk-nsg", resourceGroupName=UNKNOWN)], [
        f"unverified de1 NSG 'nsg-a': {MEDIA} {TO_DE1}",
        "because: azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its "
        "resource group is unknown",
        f"unverified jp1 NSG 'nsg-a': {MEDIA} {TO_JP1}",
        "because: azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its "
        "resource group is unknown",
        f"unverified de1 NSG 'nsg-b': {MEDIA} {TO_DE1}",
        "because: azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its "
        "resource group is unknown",
        f"unverified jp1 NSG 'nsg-b': {MEDIA} {TO_JP1}",
        "because: azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its "
        "resource group is unknown",
    ]),
    Case("security-rule-nsg-elsewhere", [_twin("nsg-a", "rg-a"),
                                         _standalone(networkSecurityGroupName="chalk-nsg", resourceGroupName="rg-b")], [
        f"gap de1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_DE1}",
        f"gap jp1 NSG 'nsg-a': denied by rule 'chalk-deny-internet' (priority 4096): {MEDIA} {TO_JP1}",
        "note: Skipped azure_native.network.SecurityRule 'media': NSG 'chalk-nsg' (resource group 'rg-b') is not in "
            "this stack.",
    ]),
    # finding 5: a selector that picks no NSG
    Case("selector-picks-no-nsg", [nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET], tags={"chalk": "other"})], [
        "untagged: No NSG of the stack carries the tag chalk=media",
    ], TagSelector("chalk", "media")),
    Case("selector-picks-no-nsg-with-firewall", [
        nsg("chalk-nsg", [nsg_rule("m", 100), DENY_INTERNET], tags={}),
        _rcg("rcg", [_collection("media", 100, "Allow", [_network("media")])])], [
        "untagged: No NSG of the stack carries the tag chalk",
    ], TagSelector("chalk")),
]
