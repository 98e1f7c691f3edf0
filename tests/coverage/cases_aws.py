"""AWS cases: (id, resources, options selector) -> expected violations (exact)."""
from __future__ import annotations

from chalk_policy.coverage import TagSelector

from .helpers import (
    DE1,
    JP1,
    OPTION1,
    PREFIX_LIST,
    PREFIX_LIST_ENTRY,
    SG_RULE,
    egress,
    group,
    inline,
    plan_egress,
    res,
)

ALL = [*DE1, *JP1]


def _sg_rule(name, cidrs, low, high, protocol="udp", kind="egress"):
    return res(SG_RULE, name, {"type": kind, "securityGroupId": "sg-1", "protocol": protocol, "fromPort": low,
                               "toPort": high, "cidrBlocks": cidrs})


SECURITY_GROUP_CASES = [
    ("egress-rules", plan_egress(), None),
    ("inline-egress", [group("g", [inline(p, lo, hi, ALL) for p, lo, hi in OPTION1])], None),
    ("security-group-rule", [_sg_rule(f"r{lo}", ALL, lo, hi) for _, lo, hi in OPTION1]
     + [_sg_rule("ingress", ["0.0.0.0/0"], 0, 65535, kind="ingress")], None),
    ("prefix-list-by-id", [res(PREFIX_LIST, "pl", {"id": "pl-1", "entries": [{"cidr": c} for c in ALL]})]
     + [egress(f"r{lo}", None, "udp", lo, hi, prefixListId="pl-1") for _, lo, hi in OPTION1], None),
    ("prefix-list-entries", [res(PREFIX_LIST, "pl", {"id": "pl-2", "entries": []})]
     + [res(PREFIX_LIST_ENTRY, f"e{i}", {"prefixListId": "pl-2", "cidr": c}) for i, c in enumerate(ALL)]
     + [group("g", [inline("udp", lo, hi, prefix_lists=["pl-2"]) for _, lo, hi in OPTION1])], None),
    ("port-ranges-together", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 30000),
                                                ("udp", 30001, 45000), ("udp", 44000, 60000)]), None),
    ("wider-cidrs", [egress(f"w{lo}-{c}", c, "udp", lo, hi) for _, lo, hi in OPTION1
                     for c in ("13.115.0.0/16", "18.0.0.0/8", "54.65.0.0/16", "52.59.186.0/24")], None),
    ("protocol-all", [egress("all", "0.0.0.0/0", "-1", 0, 0)], None),
    ("ports-as-float-and-string", [egress(f"f{lo}-{c}", c, "17", float(lo), str(hi)) for _, lo, hi in OPTION1
                                   for c in ALL], None),
    ("missing-cidr", [r for r in plan_egress() if r.props["cidrIpv4"] != "13.115.244.0/27"], None),
    ("narrowed-ports", [r for r in plan_egress() if r.name != "udp-10000-54.65.63.192/26"]
     + [egress("narrow", "54.65.63.192/26", "udp", 10000, 59999)], None),
    ("gap-between-ranges", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 10000, 30000),
                                              ("udp", 30002, 60000)]), None),
    ("udp-swapped-for-tcp", plan_egress(DE1) + plan_egress(JP1, [(("tcp"), lo, hi) for _, lo, hi in OPTION1]),
     None),
    ("dropped-region", plan_egress(DE1), None),
    ("prefix-list-missing-entry", [res(PREFIX_LIST, "pl", {"id": "pl-1", "entries": [{"cidr": c} for c in ALL[1:]]})]
     + [egress(f"r{lo}", None, "udp", lo, hi, prefixListId="pl-1") for _, lo, hi in OPTION1], None),
    ("referenced-group-and-ipv6", [
        *plan_egress(DE1), egress("peer", None, "udp", 10000, 60000, referencedSecurityGroupId="sg-2"),
        egress("v6", None, "udp", 0, 65535, cidrIpv6="::/0")], None),
    ("tag-selector-excludes-group", [
        group("media", [inline("udp", lo, hi, list(DE1)) for _, lo, hi in OPTION1], tags={"chalk": "media"}),
        group("other", [inline("udp", lo, hi, list(JP1)) for _, lo, hi in OPTION1], tags={"chalk": "other"}),
        egress("rule-of-other", JP1[0], "udp", 443, 443, securityGroupId="sg-other"),
        egress("rule-of-media", JP1[0], "udp", 443, 443, securityGroupId="sg-media"),
    ], TagSelector("chalk", "media")),
    ("tag-selector-reads-tags-all", [
        group("media", [inline("udp", lo, hi, ALL) for _, lo, hi in OPTION1], tags={}, tagsAll={"chalk": "media"}),
    ], TagSelector("chalk", "media")),
    ("tag-selector-matches-no-group", [
        group("media", [inline("udp", lo, hi, ALL) for _, lo, hi in OPTION1], tags={"chalk": "other"}),
    ], TagSelector("chalk", "media")),
]
