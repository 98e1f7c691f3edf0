"""AWS network ACLs: the media-check cases of the layer, each with its expected outcome (notes included).

Each entry is ``Case(name, resources, expected, selector)``; ``expected`` is what :func:`.expect.outcome` returns
(``gap`` / ``unverified`` / ``note`` lines; ``(replies)`` marks an ACL's inbound rules, which must let the replies
in). The exact message texts are pinned by tests/coverage/test_messages.py.
"""

from __future__ import annotations

from chalk_policy.coverage import TagSelector

from ..helpers import DE1, JP1, OPTION1, UNKNOWN, res
from .expect import MEDIA, REPLIES, TO_DE1, TO_JP1, Case

NACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ALL = [*DE1, *JP1]


def _entry(number, action, protocol, low, high, cidr="0.0.0.0/0", **extra):
    return {"ruleNo": number, "action": action, "protocol": protocol, "fromPort": low, "toPort": high,
            "cidrBlock": cidr, **extra}


def _media_egress(start=100):
    """One allow per (port range, CIDR) of option 1, as a NACL needs them (one range and CIDR per entry)."""
    return [_entry(start + index, "allow", "udp", low, high, cidr)
            for index, ((_, low, high), cidr) in enumerate((p, c) for p in OPTION1 for c in ALL)]


def _replies(start=100, protocol="udp"):
    return [_entry(start + index, "allow", protocol, 1024, 65535, cidr) for index, cidr in enumerate(ALL)]


def _acl(name, egress, ingress, type_=NACL, **extra):
    """A NetworkAcl filters only its subnets' traffic, so each gets one (a DefaultNetworkAcl needs none)."""
    subnets = {"subnetIds": [f"subnet-{name}"]} if type_ == NACL else {}
    return res(type_, name, {"id": f"acl-{name}", **subnets, "egress": egress, "ingress": ingress, **extra})


def _rule(name, acl_id, number, egress, action="allow", protocol="-1", low=0, high=0, cidr="0.0.0.0/0"):
    return res(NACL_RULE, name, {"networkAclId": acl_id, "ruleNumber": number, "egress": egress,
                                 "protocol": protocol, "ruleAction": action, "cidrBlock": cidr, "fromPort": low,
                                 "toPort": high})


_OPEN = [_entry(32000, "allow", "-1", 0, 0)]

CASES = [
    Case("allow-both-ways", [_acl("subnets", _media_egress(), _replies())], []),
    Case("protocol-all-and-ignored-entries", [_acl("subnets", [
        _entry(50, "deny", "icmp", 0, 0), _entry(60, "deny", "-1", 0, 0, cidr=None, ipv6CidrBlock="::/0"),
        _entry(100, "allow", "-1", 0, 0)], [_entry(100, "allow", "all", 0, 0)])], []),
    Case("missing-egress", [_acl("subnets", [r for r in _media_egress() if r["cidrBlock"] != JP1[0]], _replies())], [
        f"gap jp1 network ACL 'subnets': missing {MEDIA} to 13.115.244.0/27",
    ]),
    Case("missing-reply-ingress", [_acl("subnets", _media_egress(), _replies(protocol="tcp"))], [
        f"gap de1 network ACL 'subnets' (replies): missing {REPLIES} {TO_DE1}",
        f"gap jp1 network ACL 'subnets' (replies): missing {REPLIES} {TO_JP1}",
    ]),
    Case("narrow-reply-ports", [_acl("subnets", _media_egress(), [
        _entry(100 + i, "allow", "udp", 32768, 65535, c) for i, c in enumerate(ALL)])], [
        f"gap de1 network ACL 'subnets' (replies): missing udp 1024-32767 {TO_DE1}",
        f"gap jp1 network ACL 'subnets' (replies): missing udp 1024-32767 {TO_JP1}",
    ]),
    Case("deny-shadows-allow", [_acl("subnets", [_entry(100, "deny", "udp", 3478, 3478), *_OPEN],
                                     [_entry(100, "deny", "17", 1024, 65535, JP1[0]), *_OPEN])], [
        f"gap de1 network ACL 'subnets': denied by rule 100 (deny): udp 3478 {TO_DE1}",
        f"gap jp1 network ACL 'subnets': denied by rule 100 (deny): udp 3478 {TO_JP1}",
        f"gap jp1 network ACL 'subnets' (replies): denied by rule 100 (deny): {REPLIES} to 13.115.244.0/27",
    ]),
    Case("deny-after-allow", [_acl("subnets", [*_media_egress(), _entry(200, "deny", "-1", 0, 0)],
                                   [*_replies(), _entry(200, "deny", "-1", 0, 0)])], []),
    Case("standalone-rules-by-id", [
        _acl("subnets", [], []),
        _rule("out", "acl-subnets", 100, True), _rule("in", "acl-subnets", 100, False),
        _rule("elsewhere", "acl-0123456789abcdef0", 50, True, "deny"),
    ], [
        "note: Skipped aws.ec2.NetworkAclRule 'elsewhere': network ACL acl-0123456789abcdef0 is not in this stack.",
    ]),
    Case("unknown-network-acl-id", [_acl("subnets", [], _OPEN), _rule("out", UNKNOWN, 100, True)], [
        f"unverified de1 network ACL 'subnets': {MEDIA} {TO_DE1}",
        "because: aws.ec2.NetworkAclRule 'out': networkAclId is unknown, so it may or may not belong to "
        "network ACL 'subnets'",
        f"unverified jp1 network ACL 'subnets': {MEDIA} {TO_JP1}",
        "because: aws.ec2.NetworkAclRule 'out': networkAclId is unknown, so it may or may not belong to "
        "network ACL 'subnets'",
    ]),
    Case("unreadable-deny", [_acl("subnets", [_entry(90, "deny", "udp", 3478, 3478, "13.115.244.0/33"), *_OPEN],
                                  [_entry(90, "allow", "udp", 1024, 65535, "garbage"), *_OPEN])], [
        f"unverified de1 network ACL 'subnets': udp 3478 {TO_DE1}",
        "because: aws.ec2.NetworkAcl 'subnets' egress[0]: the deny rule 90 cannot be read "
        "('13.115.244.0/33' is not an IP address or CIDR)",
        f"unverified jp1 network ACL 'subnets': udp 3478 {TO_JP1}",
        "because: aws.ec2.NetworkAcl 'subnets' egress[0]: the deny rule 90 cannot be read "
        "('13.115.244.0/33' is not an IP address or CIDR)",
        "note: aws.ec2.NetworkAcl 'subnets' egress[0]: the deny rule 90 may deny traffic but cannot be read "
            "('13.115.244.0/33' is not an IP address or CIDR); what it may deny is reported as unverified.",
        "note: Skipped aws.ec2.NetworkAcl 'subnets' ingress[0]: 'garbage' is not an IP address or CIDR.",
    ]),
    Case("default-network-acl", [_acl("default", [*_OPEN, _entry(101, "allow", "-1", 0, 0, cidr=None,
                                                                 ipv6CidrBlock="::/0")], _OPEN, DEFAULT_NACL)], []),
    Case("default-network-acl-without-ingress", [_acl("default", _OPEN, [], DEFAULT_NACL)], [
        f"gap de1 network ACL 'default' (replies): missing {REPLIES} {TO_DE1}",
        f"gap jp1 network ACL 'default' (replies): missing {REPLIES} {TO_JP1}",
    ]),
    Case("selector-excludes-untagged", [
        _acl("clients", _media_egress(), _replies(), tags={}, tagsAll={"chalk": "media"}),
        _acl("other", [], [], tags={"chalk": "other"}),
        _rule("other-out", "acl-other", 100, True, "deny"),
    ], [
        f"unverified de1 network ACL 'other': {MEDIA} {TO_DE1}",
        "because: aws.ec2.NetworkAcl 'other': it does not carry the tag chalk=media, but it may govern "
        "the Chalk clients' subnets (a network ACL applies to subnets, not to the tagged security groups)",
        f"unverified jp1 network ACL 'other': {MEDIA} {TO_JP1}",
        "because: aws.ec2.NetworkAcl 'other': it does not carry the tag chalk=media, but it may govern "
        "the Chalk clients' subnets (a network ACL applies to subnets, not to the tagged security groups)",
        f"unverified de1 network ACL 'other' (replies): {REPLIES} {TO_DE1}",
        "because: aws.ec2.NetworkAcl 'other': it does not carry the tag chalk=media, but it may govern "
        "the Chalk clients' subnets (a network ACL applies to subnets, not to the tagged security groups)",
        f"unverified jp1 network ACL 'other' (replies): {REPLIES} {TO_JP1}",
        "because: aws.ec2.NetworkAcl 'other': it does not carry the tag chalk=media, but it may govern "
        "the Chalk clients' subnets (a network ACL applies to subnets, not to the tagged security groups)",
    ], TagSelector("chalk", "media")),
]
