"""AWS security groups: the media-check cases of the layer, each with its expected outcome (notes included).

Each entry is ``Case(name, resources, expected, selector)``; ``expected`` is what :func:`.expect.outcome` returns
(``gap`` / ``unverified`` / ``note`` lines). The exact message texts are pinned by tests/coverage/test_messages.py.
"""

from __future__ import annotations

from chalk_policy.coverage import TagSelector

from ..helpers import (
    DE1,
    JP1,
    OPTION1,
    PREFIX_LIST,
    PREFIX_LIST_ENTRY,
    SECRET,
    SECRET_SIG,
    SG_RULE,
    UNKNOWN,
    egress,
    group,
    inline,
    plan_egress,
    res,
)
from .expect import MEDIA, TO_DE1, TO_JP1, Case

ALL = [*DE1, *JP1]


def _sg_rule(name, cidrs, low, high, protocol="udp", kind="egress"):
    return res(SG_RULE, name, {"type": kind, "securityGroupId": "sg-1", "protocol": protocol, "fromPort": low,
                               "toPort": high, "cidrBlocks": cidrs})


CASES = [
    Case("egress-rules", plan_egress(), []),
    Case("inline-egress", [group("g", [inline(p, lo, hi, ALL) for p, lo, hi in OPTION1])], []),
    Case("security-group-rule", [_sg_rule(f"r{lo}", ALL, lo, hi) for _, lo, hi in OPTION1]
         + [_sg_rule("ingress", ["0.0.0.0/0"], 0, 65535, kind="ingress")], []),
    Case("prefix-list-by-id", [res(PREFIX_LIST, "pl", {"id": "pl-1", "entries": [{"cidr": c} for c in ALL]})]
         + [egress(f"r{lo}", None, "udp", lo, hi, prefixListId="pl-1") for _, lo, hi in OPTION1], []),
    Case("prefix-list-entries", [res(PREFIX_LIST, "pl", {"id": "pl-2", "entries": []})]
         + [res(PREFIX_LIST_ENTRY, f"e{i}", {"prefixListId": "pl-2", "cidr": c}) for i, c in enumerate(ALL)]
         + [group("g", [inline("udp", lo, hi, prefix_lists=["pl-2"]) for _, lo, hi in OPTION1])], []),
    Case("port-ranges-together", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 30000),
                                                    ("udp", 30001, 45000), ("udp", 44000, 60000)]), []),
    Case("wider-cidrs", [egress(f"w{lo}-{c}", c, "udp", lo, hi) for _, lo, hi in OPTION1
                         for c in ("13.115.0.0/16", "18.0.0.0/8", "54.65.0.0/16", "52.59.186.0/24")], []),
    Case("protocol-all", [egress("all", "0.0.0.0/0", "-1", 0, 0)], []),
    Case("ports-as-float-and-string", [egress(f"f{lo}-{c}", c, "17", float(lo), str(hi)) for _, lo, hi in OPTION1
                                       for c in ALL], []),
    Case("missing-cidr", [r for r in plan_egress() if r.props["cidrIpv4"] != "13.115.244.0/27"], [
        f"gap jp1 AWS security groups: missing {MEDIA} to 13.115.244.0/27",
    ]),
    Case("narrowed-ports", [r for r in plan_egress() if r.name != "udp-10000-54.65.63.192/26"]
         + [egress("narrow", "54.65.63.192/26", "udp", 10000, 59999)], [
        "gap jp1 AWS security groups: missing udp 60000 to 54.65.63.192/26",
    ]),
    Case("gap-between-ranges", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 30000),
                                                  ("udp", 30002, 60000)]), [
        f"gap de1 AWS security groups: missing udp 30001 {TO_DE1}",
        f"gap jp1 AWS security groups: missing udp 30001 {TO_JP1}",
    ]),
    Case("udp-swapped-for-tcp", plan_egress(DE1) + plan_egress(JP1, [(("tcp"), lo, hi) for _, lo, hi in OPTION1]), [
        f"gap jp1 AWS security groups: missing {MEDIA} {TO_JP1}",
    ]),
    Case("dropped-region", plan_egress(DE1), [
        f"gap jp1 AWS security groups: missing {MEDIA} {TO_JP1}",
    ]),
    Case("prefix-list-missing-entry", [
        res(PREFIX_LIST, "pl", {"id": "pl-1", "entries": [{"cidr": c} for c in ALL[1:]]}),
        *(egress(f"r{lo}", None, "udp", lo, hi, prefixListId="pl-1") for _, lo, hi in OPTION1)], [
        f"gap de1 AWS security groups: missing {MEDIA} to 18.156.18.128/25",
    ]),
    Case("referenced-group-and-ipv6", [
        *plan_egress(DE1), egress("peer", None, "udp", 10000, 60000, referencedSecurityGroupId="sg-2"),
        egress("v6", None, "udp", 0, 65535, cidrIpv6="::/0")], [
        f"gap jp1 AWS security groups: missing {MEDIA} {TO_JP1}",
    ]),
    Case("tag-selector-excludes-group", [
        group("media", [inline("udp", lo, hi, list(DE1)) for _, lo, hi in OPTION1], tags={"chalk": "media"}),
        group("other", [inline("udp", lo, hi, list(JP1)) for _, lo, hi in OPTION1], tags={"chalk": "other"}),
        egress("rule-of-other", JP1[0], "udp", 443, 443, securityGroupId="sg-other"),
        egress("rule-of-media", JP1[0], "udp", 443, 443, securityGroupId="sg-media"),
    ], [
        "gap jp1 AWS security groups tagged chalk=media: missing udp 443 to 18.180.220.128/25, 54.65.63.192/26; "
            f"udp 3478,10000-60000 {TO_JP1}",
    ], TagSelector("chalk", "media")),
    Case("tag-selector-reads-tags-all", [
        group("media", [inline("udp", lo, hi, ALL) for _, lo, hi in OPTION1], tags={}, tagsAll={"chalk": "media"}),
    ], [], TagSelector("chalk", "media")),
    Case("tag-selector-matches-no-group", [
        group("media", [inline("udp", lo, hi, ALL) for _, lo, hi in OPTION1], tags={"chalk": "other"}),
    ], [
        f"gap de1 AWS security groups tagged chalk=media: missing {MEDIA} {TO_DE1}",
        f"gap jp1 AWS security groups tagged chalk=media: missing {MEDIA} {TO_JP1}",
    ], TagSelector("chalk", "media")),
    # --- values unknown during preview ---
    Case("whole-egress-list-unknown", [group("g", UNKNOWN)], [
        f"unverified de1 AWS security groups: {MEDIA} {TO_DE1}",
        "because: aws.ec2.SecurityGroup 'g': egress is unknown",
        f"unverified jp1 AWS security groups: {MEDIA} {TO_JP1}",
        "because: aws.ec2.SecurityGroup 'g': egress is unknown",
    ]),
    Case("cidr-unknown", [r for r in plan_egress() if r.props["cidrIpv4"] != JP1[0]]
         + [egress(f"u{lo}", UNKNOWN, "udp", lo, hi) for _, lo, hi in OPTION1], [
        f"unverified jp1 AWS security groups: {MEDIA} to 13.115.244.0/27",
        "because: aws.vpc.SecurityGroupEgressRule 'u10000': cidrIpv4 is unknown",
        "because: aws.vpc.SecurityGroupEgressRule 'u3478': cidrIpv4 is unknown",
        "because: aws.vpc.SecurityGroupEgressRule 'u443': cidrIpv4 is unknown",
    ]),
    Case("port-unknown", [r for r in plan_egress() if r.name != f"udp-10000-{JP1[0]}"]
         + [egress("u", JP1[0], "udp", 10000, UNKNOWN)], [
        "unverified jp1 AWS security groups: udp 10000-60000 to 13.115.244.0/27",
        "because: aws.vpc.SecurityGroupEgressRule 'u': toPort is unknown",
    ]),
    Case("security-group-id-unknown-under-selector", [group("media", [], tags={"chalk": "media"})] + [
        egress(r.name, r.props["cidrIpv4"], "udp", r.props["fromPort"], r.props["toPort"], securityGroupId=UNKNOWN)
        for r in plan_egress()], [
        f"unverified de1 AWS security groups tagged chalk=media: {MEDIA} {TO_DE1}",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-18.156.18.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-18.195.48.224/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-52.59.186.0/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-18.156.18.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-18.195.48.224/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-52.59.186.0/27': securityGroupId is unknown, "
        "so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-18.156.18.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-18.195.48.224/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-52.59.186.0/27': securityGroupId is unknown, "
        "so it may or may not belong to a group tagged chalk=media",
        f"unverified jp1 AWS security groups tagged chalk=media: {MEDIA} {TO_JP1}",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-13.115.244.0/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-18.180.220.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-10000-54.65.63.192/26': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-13.115.244.0/27': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-18.180.220.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-3478-54.65.63.192/26': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-13.115.244.0/27': securityGroupId is unknown, "
        "so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-18.180.220.128/25': securityGroupId is "
        "unknown, so it may or may not belong to a group tagged chalk=media",
        "because: aws.vpc.SecurityGroupEgressRule 'udp-443-54.65.63.192/26': securityGroupId is unknown, "
        "so it may or may not belong to a group tagged chalk=media",
    ], TagSelector("chalk", "media")),
    Case("props-unknown", [res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "u", UNKNOWN)], [
        f"unverified de1 AWS security groups: {MEDIA} {TO_DE1}",
        "because: aws.vpc.SecurityGroupEgressRule 'u': every property is unknown",
        f"unverified jp1 AWS security groups: {MEDIA} {TO_JP1}",
        "because: aws.vpc.SecurityGroupEgressRule 'u': every property is unknown",
    ]),
    Case("prefix-list-id-unknown", [egress("p", None, "udp", 0, 65535, prefixListId=UNKNOWN)], [
        f"unverified de1 AWS security groups: {MEDIA} {TO_DE1}",
        "because: aws.vpc.SecurityGroupEgressRule 'p': prefixListId is unknown",
        f"unverified jp1 AWS security groups: {MEDIA} {TO_JP1}",
        "because: aws.vpc.SecurityGroupEgressRule 'p': prefixListId is unknown",
    ]),
    Case("prefix-list-not-in-stack", [*plan_egress(DE1), egress("p", None, "udp", 0, 65535, prefixListId="pl-0abc")], [
        f"unverified jp1 AWS security groups: {MEDIA} {TO_JP1}",
        "because: aws.vpc.SecurityGroupEgressRule 'p': prefix list pl-0abc is not in this stack",
    ]),
    Case("secret-value-known", [egress(r.name, {SECRET: SECRET_SIG, "value": r.props["cidrIpv4"]}, "udp",
                                       r.props["fromPort"], r.props["toPort"]) for r in plan_egress()], []),
    Case("secret-plaintext-known", [egress(r.name, {SECRET: SECRET_SIG, "plaintext": '"' + r.props["cidrIpv4"] + '"'},
                                           "udp", r.props["fromPort"], r.props["toPort"]) for r in plan_egress()], []),
    Case("secret-ciphertext-unknown", [
        *plan_egress(DE1), egress("s", {SECRET: SECRET_SIG, "ciphertext": "xyz"}, "udp", 0, 65535)], [
        f"unverified jp1 AWS security groups: {MEDIA} {TO_JP1}",
        "because: aws.vpc.SecurityGroupEgressRule 's': cidrIpv4 is unknown",
    ]),
    # --- malformed inputs ---
    Case("props-not-a-dict", [*plan_egress(), res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "x",
                                                  ["not", "a", "dict"])], [
        "note: Skipped aws.vpc.SecurityGroupEgressRule 'x': properties are a list, not an object.",
    ]),
    Case("egress-not-a-list", [*plan_egress(), group("g", "0.0.0.0/0")], [
        "note: Skipped aws.ec2.SecurityGroup 'g': egress is the string '0.0.0.0/0', not a list.",
    ]),
    Case("port-garbage", [*plan_egress(), egress("garbage", "0.0.0.0/0", "udp", "abc", 60000)], [
        "note: Skipped aws.vpc.SecurityGroupEgressRule 'garbage': fromPort is the string 'abc', not an integer.",
    ]),
    Case("cidr-garbage", [*plan_egress(), egress("garbage", "not-a-cidr", "udp", 1, 2)], [
        "note: Skipped aws.vpc.SecurityGroupEgressRule 'garbage': 'not-a-cidr' is not an IP address or CIDR.",
    ]),
]
