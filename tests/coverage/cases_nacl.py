"""AWS network ACL cases: (id, resources, options selector) -> expected violations (exact)."""
from __future__ import annotations

from chalk_policy.coverage import TagSelector

from .helpers import DE1, JP1, OPTION1, UNKNOWN, res

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

NACL_CASES = [
    ("allow-both-ways", [_acl("subnets", _media_egress(), _replies())], None),
    ("protocol-all-and-ignored-entries", [_acl("subnets", [
        _entry(50, "deny", "icmp", 0, 0), _entry(60, "deny", "-1", 0, 0, cidr=None, ipv6CidrBlock="::/0"),
        _entry(100, "allow", "-1", 0, 0)], [_entry(100, "allow", "all", 0, 0)])], None),
    ("missing-egress", [_acl("subnets", [r for r in _media_egress() if r["cidrBlock"] != JP1[0]], _replies())],
     None),
    ("missing-reply-ingress", [_acl("subnets", _media_egress(), _replies(protocol="tcp"))], None),
    ("narrow-reply-ports", [_acl("subnets", _media_egress(), [
        _entry(100 + i, "allow", "udp", 32768, 65535, c) for i, c in enumerate(ALL)])], None),
    ("deny-shadows-allow", [_acl("subnets", [_entry(100, "deny", "udp", 3478, 3478), *_OPEN],
                                 [_entry(100, "deny", "17", 1024, 65535, JP1[0]), *_OPEN])], None),
    ("deny-after-allow", [_acl("subnets", [*_media_egress(), _entry(200, "deny", "-1", 0, 0)],
                               [*_replies(), _entry(200, "deny", "-1", 0, 0)])], None),
    ("standalone-rules-by-id", [
        _acl("subnets", [], []),
        _rule("out", "acl-subnets", 100, True), _rule("in", "acl-subnets", 100, False),
        _rule("elsewhere", "acl-0123456789abcdef0", 50, True, "deny"),
    ], None),
    ("unknown-network-acl-id", [_acl("subnets", [], _OPEN), _rule("out", UNKNOWN, 100, True)], None),
    ("unreadable-deny", [_acl("subnets", [_entry(90, "deny", "udp", 3478, 3478, "13.115.244.0/33"), *_OPEN],
                              [_entry(90, "allow", "udp", 1024, 65535, "garbage"), *_OPEN])], None),
    ("default-network-acl", [_acl("default", [*_OPEN, _entry(101, "allow", "-1", 0, 0, cidr=None,
                                                             ipv6CidrBlock="::/0")], _OPEN, DEFAULT_NACL)], None),
    ("default-network-acl-without-ingress", [_acl("default", _OPEN, [], DEFAULT_NACL)], None),
    ("selector-excludes-untagged", [
        _acl("clients", _media_egress(), _replies(), tags={}, tagsAll={"chalk": "media"}),
        _acl("other", [], [], tags={"chalk": "other"}),
        _rule("other-out", "acl-other", 100, True, "deny"),
    ], TagSelector("chalk", "media")),
]
