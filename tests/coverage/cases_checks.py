"""Cases for the signaling-hosts, least-privilege and option-consistency checks."""
from __future__ import annotations

from .helpers import CATALOG, DE1, JP1, PLAN, RULE_GROUP, UNKNOWN, egress, nsg, nsg_rule, plan_egress, res
from .layers.cases_aws_network_firewall import _group, _policy, _stateful
from .layers.cases_azure_firewall import _collection, _network, _rcg

ALL = [*DE1, *JP1]
HOSTS = list(PLAN.host_names)


def allowlist(name, targets, types=("TLS_SNI", "HTTP_HOST"), kind="ALLOWLIST", arn=None):
    return res(RULE_GROUP, name, {"arn": arn or f"arn:{name}", "type": "STATEFUL", "ruleGroup": {"rulesSource": {
        "rulesSourceList": {"generatedRulesType": kind, "targetTypes": list(types), "targets": list(targets)}}}})


def app_rule(name, targets, protocols=(("Https", 443),)):
    return {"ruleType": "ApplicationRule", "name": name, "sourceAddresses": ["*"], "targetFqdns": list(targets),
            "protocols": [{"protocolType": kind, "port": port} for kind, port in protocols]}


def referenced(*groups, order="STRICT_ORDER"):
    """The groups and a firewall policy referencing them (priorities 100, 200, ... in the given order)."""
    return [*groups, _policy([(g.props["arn"], 100 * i) for i, g in enumerate(groups, 1)], order)]


OPEN_443 = _group("open", [_stateful("PASS", "TCP", "ANY", "443")])

HOSTS_CASES = [
    ("aws-allowlist-exact", referenced(allowlist("hosts", HOSTS))),
    ("aws-allowlist-wildcards", referenced(allowlist("hosts", [".vuforia.com", ".amazonaws.com", ".twilio.com",
                                                               "vuforiachalk.com"]))),
    ("aws-allowlist-missing-hosts", referenced(allowlist("hosts", HOSTS[2:]))),
    ("aws-allowlist-http-only", referenced(allowlist("hosts", HOSTS, types=("HTTP_HOST",)))),
    ("aws-denylist-is-not-an-allowlist", referenced(allowlist("hosts", HOSTS, kind="DENYLIST"))),
    ("aws-allowlist-without-policy", [allowlist("hosts", HOSTS[2:])]),
    ("aws-allowlist-not-referenced", [allowlist("hosts", HOSTS[2:]), *referenced(OPEN_443)]),
    ("aws-allowlist-arns-unknown", [allowlist("hosts", HOSTS[2:], arn=UNKNOWN), _policy([(UNKNOWN, 100)])]),
    ("aws-pass-443-before-filter", referenced(OPEN_443, allowlist("hosts", HOSTS[2:]))),
    ("aws-pass-443-after-filter", referenced(allowlist("hosts", HOSTS[2:]), OPEN_443)),
    ("aws-pass-443-default-order", referenced(allowlist("hosts", HOSTS[2:]), OPEN_443,
                                              order="DEFAULT_ACTION_ORDER")),
    ("azure-application-rule", [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule("sig", HOSTS)])])]),
    ("azure-wildcards", [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule(
        "sig", ["*.vuforia.com", "*.amazonaws.com", "*.twilio.com", "vuforiachalk.com"])])])]),
    ("azure-apex-not-matched-by-wildcard", [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule(
        "sig", ["*.vuforia.com", "*.amazonaws.com", "*.twilio.com", "*.vuforiachalk.com"])])])]),
    ("azure-http-only", [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule("sig", HOSTS, [("Http", 80)])])])]),
    ("azure-deny-collection-shadows", [_rcg("rcg", [
        _collection("sig", 200, "Allow", [app_rule("sig", HOSTS)]),
        _collection("no-twilio", 100, "Deny", [app_rule("deny", ["*.twilio.com"])])])]),
    ("no-allowlist", plan_egress()),
    ("azure-network-rule-allows-https-anywhere", [_rcg("rcg", [
        _collection("sig", 200, "Allow", [app_rule("sig", HOSTS[:3])]),
        _collection("web", 300, "Allow", [_network("https", ["TCP"], ["*"], ["443"])])])]),
    ("azure-network-rule-https-unknown-destination", [_rcg("rcg", [
        _collection("web", 300, "Allow", [{**_network("https", ["TCP"], ["*"], ["443"]),
                                           "destinationAddresses": UNKNOWN}]),
        _collection("sig", 200, "Allow", [app_rule("sig", [h for h in HOSTS if h != "vuforiachalk.com"])])])]),
    ("azure-network-rule-https-to-one-range", [_rcg("rcg", [
        _collection("web", 300, "Allow", [_network("https", ["TCP"], ["52.0.0.0/8"], ["443"])]),
        _collection("sig", 200, "Allow", [app_rule("sig", [h for h in HOSTS if h != "vuforiachalk.com"])])])]),
]

LEAST_PRIVILEGE_CASES = [
    ("catalog-ranges-only", plan_egress(), 1),
    ("tcp-443-anywhere-is-signaling", [*plan_egress(), egress("sig", "0.0.0.0/0", "tcp", 443, 443)], 1),
    ("tcp-443-anywhere-with-option-3", [egress("sig", "0.0.0.0/0", "tcp", 443, 443)], 3),
    ("tcp-443-5349-anywhere-with-option-3", [egress("sig", "0.0.0.0/0", "tcp", 443, 5349)], 3),
    ("udp-range-anywhere", [egress("open", "0.0.0.0/0", "udp", 10000, 60000)], 1),
    ("all-traffic-anywhere", [egress("all", "0.0.0.0/0", "-1", 0, 0)], 1),
    ("cidr-wider-than-catalog", [egress("wide", "13.115.0.0/16", "udp", 3478, 3478)], 1),
    ("short-prefix", [egress("short", "10.0.0.0/7", "udp", 3478, 3478)], 1),
    ("unrelated-host-is-fine", [egress("dns", "8.8.8.8/32", "udp", 0, 65535)], 1),
    ("non-media-port-anywhere", [egress("ntp", "0.0.0.0/0", "udp", 123, 123)], 1),
    ("nsg-internet-allow", [nsg("chalk-nsg", [nsg_rule("open", 100, "Allow", "Udp", "Internet", "*"),
                                              nsg_rule("deny", 4096, "Deny", "*", "Internet", "*")])], 1),
    ("nsg-without-deny-uses-default", [nsg("chalk-nsg", [nsg_rule("media", 100)])], 1),
    ("nsg-with-deny", [nsg("chalk-nsg", [nsg_rule("media", 100), nsg_rule("deny", 4096, "Deny", "*", "*", "*")])], 1),
    ("azure-firewall-star", [_rcg("rcg", [_collection("c", 100, "Allow", [_network("r", ["Any"], ["*"], ["*"])])])],
     1),
]

OPTION_CASES = [
    ("configured-option-allowed", plan_egress(), 1),
    ("stack-built-for-option-2", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 5349, 5349)]),
     1),
    ("stack-allows-options-2-and-3", plan_egress(ports=[("udp", 443, 443), ("udp", 3478, 3478), ("udp", 5349, 5349),
                                                        ("tcp", 443, 443), ("tcp", 3478, 3478), ("tcp", 5349, 5349)]),
     1),
    ("option-3-partially", plan_egress(ports=[("tcp", 443, 443), ("tcp", 5349, 5349)]), 3),
    ("nothing-allowed", plan_egress(ports=[("udp", 1, 2)]), 1),
    ("partial-ranges-only", plan_egress(ALL[:-1]), 1),
]
_ = CATALOG
