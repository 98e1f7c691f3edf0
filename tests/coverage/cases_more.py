"""Azure NSG, Network Firewall, Azure Firewall, layered and unknown/malformed cases."""
from __future__ import annotations

from chalk_policy.coverage import TagSelector

from .helpers import (
    DE1,
    FIREWALL_POLICY,
    JP1,
    OPTION1,
    RCG,
    RULE_GROUP,
    SECRET,
    SECRET_SIG,
    SECURITY_RULE,
    UNKNOWN,
    egress,
    group,
    inline,
    nsg,
    nsg_rule,
    plan_egress,
    res,
)

ALL = [*DE1, *JP1]
DENY_INTERNET = nsg_rule("chalk-deny-internet", 4096, "Deny", "*", "Internet", "*")

NSG_CASES = [
    ("inline-rules", [nsg("chalk-nsg", [nsg_rule("chalk-media-udp", 100), DENY_INTERNET])], None),
    ("standalone-security-rule", [nsg("chalk-nsg", [DENY_INTERNET]), res(SECURITY_RULE, "media", {
        **nsg_rule("chalk-media-udp", 100), "networkSecurityGroupName": "chalk-nsg", "resourceGroupName": "rg"})],
     None),
    ("single-prefix-and-port-strings", [nsg("chalk-nsg", [
        nsg_rule(f"p{i}", 100 + i, "Allow", "udp", cidr, "443,3478,10000-60000") for i, cidr in enumerate(ALL)]
        + [DENY_INTERNET])], None),
    ("star-protocol-and-ports", [nsg("chalk-nsg", [nsg_rule("any", 100, "Allow", "*", ALL, "*"), DENY_INTERNET])],
     None),
    ("internet-prefix", [nsg("chalk-nsg", [nsg_rule("net", 100, "Allow", "Udp", "Internet", "*"), DENY_INTERNET])],
     None),
    ("default-allow-internet", [nsg("chalk-nsg", [])], None),
    ("deny-after-allow", [nsg("chalk-nsg", [nsg_rule("deny-all", 300, "Deny", "*", "*", "*"),
                                            nsg_rule("chalk-media-udp", 200)])], None),
    ("inbound-deny-ignored", [nsg("chalk-nsg", [nsg_rule("in", 100, "Deny", "*", "*", "*", "Inbound")])], None),
    ("deny-shadows-fully", [nsg("chalk-nsg", [nsg_rule("deny-all", 200, "Deny", "*", "*", "*"),
                                              nsg_rule("chalk-media-udp", 300)])], None),
    ("deny-shadows-partially", [nsg("chalk-nsg", [nsg_rule("deny-all", 200, "Deny", "*", "52.59.186.0/27", "3478"),
                                                  nsg_rule("chalk-media-udp", 300), DENY_INTERNET])], None),
    ("virtual-network-does-not-cover", [nsg("chalk-nsg", [nsg_rule("vnet", 100, "Allow", "*", "VirtualNetwork", "*"),
                                                          DENY_INTERNET])], None),
    ("missing-cidr", [nsg("chalk-nsg", [nsg_rule("chalk-media-udp", 100, prefixes=ALL[:-1]), DENY_INTERNET])], None),
    ("tcp-instead-of-udp", [nsg("chalk-nsg", [nsg_rule("chalk-media", 100, protocol="Tcp"), DENY_INTERNET])], None),
    ("second-nsg-lacks", [nsg("good", [nsg_rule("m", 100), DENY_INTERNET]),
                          nsg("bad", [nsg_rule("m", 100, prefixes=list(DE1)), DENY_INTERNET])], None),
    ("tag-selector-skips-nsg", [nsg("good", [nsg_rule("m", 100), DENY_INTERNET], tags={"chalk": "yes"}),
                                nsg("other", [DENY_INTERNET], tags={})], TagSelector("chalk")),
    ("service-tag-not-modelled", [nsg("chalk-nsg", [nsg_rule("tag", 100, "Allow", "*", "AzureCloud", "*"),
                                                    DENY_INTERNET])], None),
]


def _stateful(action, protocol, destination, port, sid=None):
    rule = {"action": action, "header": {"protocol": protocol, "source": "ANY", "sourcePort": "ANY",
                                         "destination": destination, "destinationPort": port, "direction": "FORWARD"}}
    if sid is not None:
        rule["ruleOptions"] = [{"keyword": "sid", "settings": [str(sid)]}]
    return rule


def _group(name, stateful=None, rules_string=None, arn=None):
    source = {}
    if stateful is not None:
        source["statefulRules"] = stateful
    if rules_string is not None:
        source["rulesString"] = rules_string
    return res(RULE_GROUP, name, {"arn": arn or f"arn:aws:network-firewall:rule-group/{name}", "type": "STATEFUL",
                                  "ruleGroup": {"rulesSource": source}})


def _policy(refs, order="STRICT_ORDER", name="fw"):
    return res(FIREWALL_POLICY, name, {"firewallPolicy": {
        "statefulEngineOptions": {"ruleOrder": order}, "statefulDefaultActions": ["aws:drop_established"],
        "statefulRuleGroupReferences": [{"resourceArn": arn, "priority": prio} for arn, prio in refs]}})


def _fw(body, refs, stateless_refs=(), name="fw"):
    """A firewall policy with exactly ``body`` plus its stateful and stateless references."""
    return res(FIREWALL_POLICY, name, {"firewallPolicy": {
        **body, "statefulRuleGroupReferences": [{"resourceArn": arn, "priority": prio} for arn, prio in refs],
        "statelessRuleGroupReferences": [{"resourceArn": arn, "priority": prio} for arn, prio in stateless_refs]}})


def _stateless(priority, action, protocols=(), destinations=(), ports=()):
    return {"priority": priority, "ruleDefinition": {"actions": [action], "matchAttributes": {
        "protocols": list(protocols), "destinations": [{"addressDefinition": d} for d in destinations],
        "destinationPorts": [{"fromPort": lo, "toPort": hi} for lo, hi in ports]}}}


def _stateless_group(name, rules):
    return res(RULE_GROUP, name, {"arn": _arn(name), "type": "STATELESS", "ruleGroup": {"rulesSource": {
        "statelessRulesAndCustomActions": {"statelessRules": rules}}}})


def _arn(name):
    return f"arn:aws:network-firewall:rule-group/{name}"


PASSES = [_stateful("PASS", "UDP", cidr, port) for cidr in ALL for port in ("443", "3478", "10000:60000")]
NETWORK_FIREWALL_CASES = [
    ("five-tuple-pass", [*plan_egress(), _group("media", PASSES), _policy([(_arn("media"), 200)])], None),
    ("any-and-lists", [*plan_egress(), _group("media", [_stateful("PASS", "IP", "[" + ",".join(ALL) + "]",
                                                                  "[443,3478,10000:60000]")]),
                       _policy([(_arn("media"), 200)])], None),
    ("any-destination", [*plan_egress(), _group("media", [_stateful("PASS", "UDP", "ANY", "ANY")]),
                         _policy([(_arn("media"), 200)])], None),
    ("rules-string", [*plan_egress(), _group("media", rules_string="# media\n" + "\n".join(
        f"pass udp any any -> {cidr} [443,3478,10000:60000] (sid:{i};)" for i, cidr in enumerate(ALL, 1))),
        _policy([(_arn("media"), 200)])], None),
    ("unknown-arns-consider-every-group", [*plan_egress(), _group("media", PASSES, arn=UNKNOWN),
                                           _policy([(UNKNOWN, 200)])], None),
    ("default-order-drop-does-not-shadow", [*plan_egress(), _group("drops", [_stateful("DROP", "IP", "ANY", "ANY")]),
                                            _group("media", PASSES),
                                            _policy([(_arn("drops"), 100), (_arn("media"), 200)],
                                                    "DEFAULT_ACTION_ORDER")], None),
    ("missing-rule", [*plan_egress(), _group("media", [r for r in PASSES if r["header"]["destination"] != JP1[1]]),
                      _policy([(_arn("media"), 200)])], None),
    ("drop-shadows-in-strict-order", [*plan_egress(), _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]),
                                      _group("media", PASSES),
                                      _policy([(_arn("drops"), 100), (_arn("media"), 200)])], None),
    ("rule-group-not-referenced", [*plan_egress(), _group("media", PASSES), _policy([])], None),
    # the stateless engine decides first
    ("stateless-default-drop", [*plan_egress(), _group("media", PASSES),
                                _fw({"statelessDefaultActions": ["aws:drop"]}, [(_arn("media"), 200)])], None),
    ("stateless-default-pass", [*plan_egress(), _fw({"statelessDefaultActions": ["aws:pass"],
                                                     "statefulDefaultActions": ["aws:drop_strict"]}, [])], None),
    ("stateless-forward-before-drop", [*plan_egress(), _group("media", PASSES), _stateless_group("sl", [
        _stateless(1, "aws:forward_to_sfe", [17], ALL, [(443, 443), (3478, 3478), (10000, 60000)]),
        _stateless(2, "aws:drop")]), _fw({"statelessDefaultActions": ["aws:drop"]}, [(_arn("media"), 200)],
                                         [(_arn("sl"), 10)])], None),
    ("stateless-drop-rule", [*plan_egress(), _group("media", PASSES), _stateless_group("sl", [
        _stateless(5, "aws:drop", [17], [], [(3478, 3478)]), _stateless(9, "aws:pass", [6])]),
        _fw({"statelessDefaultActions": ["aws:forward_to_sfe"]}, [(_arn("media"), 200)], [(_arn("sl"), 10)])],
     None),
    ("stateless-group-not-in-stack", [*plan_egress(), _group("media", PASSES), _fw(
        {"statelessDefaultActions": ["aws:forward_to_sfe"]}, [(_arn("media"), 200)], [(_arn("elsewhere"), 10)])],
     None),
    ("stateless-default-unknown", [*plan_egress(), _group("media", PASSES),
                                   _fw({"statelessDefaultActions": UNKNOWN}, [(_arn("media"), 200)])], None),
    # Suricata negation, and rules the check cannot read are uncertain, never skipped
    ("negated-destination-drop", [*plan_egress(), _group("drops", [_stateful("DROP", "UDP", "!10.0.0.0/8", "ANY", 5)]),
                                  _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])],
     None),
    ("negated-list-and-port", [*plan_egress(), _group("drops", rules_string=(
        f"drop udp any any -> [0.0.0.0/0, !{JP1[0]}] !3478 (sid:6;)\n"
        "drop udp any any -> [!10.0.0.0/8] [!1:65535] (sid:8;)")),
        _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])], None),
    ("variable-port-drop-is-uncertain", [*plan_egress(), _group("drops", rules_string=(
        "drop udp any any -> $EXTERNAL_NET $MEDIA_PORTS (sid:9;)")),
        _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])], None),
    ("unreadable-drop-is-uncertain", [*plan_egress(), _group("drops", [_stateful("DROP", "UDP", "$HOME", "ANY", 4)],
                                                             rules_string="drop udp any -> any any (sid:3;)"),
                                      _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])],
     None),
    ("drop-tls-does-not-touch-udp", [*plan_egress(), _group("drops", rules_string=(
        "drop tls any any -> any any (sid:10;)")), _group("media", PASSES),
        _policy([(_arn("drops"), 100), (_arn("media"), 200)])], None),
    # stateful rule order and default actions
    # a DROP at 100 ahead of the media PASSes at 200: STRICT_ORDER would block UDP 3478, the default order passes it
    ("no-engine-options-is-default-order", [*plan_egress(),
                                            _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]),
                                            _group("media", PASSES),
                                            _fw({}, [(_arn("drops"), 100), (_arn("media"), 200)])], None),
    ("default-order-unmatched-passes", [*plan_egress(), _fw({"statefulEngineOptions": {
        "ruleOrder": "DEFAULT_ACTION_ORDER"}}, [])], None),
    ("strict-alert-default-passes", [*plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"},
                                                          "statefulDefaultActions": ["aws:alert_strict"]}, [])], None),
    ("strict-without-default-passes", [*plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"}},
                                                           [])], None),
    ("strict-default-actions-unknown", [*plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"},
                                                             "statefulDefaultActions": UNKNOWN}, [])], None),
    ("known-arn-unknown-priority", [*plan_egress(), _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]),
                                    _group("media", PASSES), _policy([(_arn("drops"), UNKNOWN), (_arn("media"), 200)])],
     None),
]


def _rcg(name, collections, priority=500, policy="fw-policy"):
    return res(RCG, name, {"firewallPolicyName": policy, "resourceGroupName": "rg", "priority": priority,
                           "ruleCollections": collections})


def _collection(name, priority, action, rules):
    return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": priority,
            "action": {"type": action}, "rules": rules}


def _network(name, protocols=("UDP",), addresses=None, ports=("443", "3478", "10000-60000")):
    return {"ruleType": "NetworkRule", "name": name, "ipProtocols": list(protocols), "sourceAddresses": ["*"],
            "destinationAddresses": list(ALL if addresses is None else addresses), "destinationPorts": list(ports)}


AZURE_FIREWALL_CASES = [
    ("network-rule", [nsg("chalk-nsg", []), _rcg("rcg", [_collection("chalk-media", 100, "Allow",
                                                                      [_network("chalk-media-udp")])])], None),
    ("any-protocol-star", [_rcg("rcg", [_collection("c", 100, "Allow", [_network("r", ["Any"], ["*"], ["*"])])])],
     None),
    ("missing-port", [_rcg("rcg", [_collection("c", 100, "Allow", [_network("r", ports=["443", "10000-60000"])])])],
     None),
    ("deny-collection-shadows", [_rcg("rcg", [
        _collection("chalk-media", 200, "Allow", [_network("media")]),
        _collection("block-stun", 100, "Deny", [_network("stun", ["Any"], ["*"], ["3478"])])])], None),
    ("deny-group-later-does-not-shadow", [
        _rcg("rcg", [_collection("chalk-media", 200, "Allow", [_network("media")])], priority=100),
        _rcg("deny", [_collection("deny-all", 100, "Deny", [_network("all", ["Any"], ["*"], ["*"])])], priority=200)],
     None),
]

UNKNOWN_CASES = [
    ("whole-egress-list-unknown", [group("g", UNKNOWN)], None),
    ("cidr-unknown", [r for r in plan_egress() if r.props["cidrIpv4"] != JP1[0]]
     + [egress(f"u{lo}", UNKNOWN, "udp", lo, hi) for _, lo, hi in OPTION1], None),
    ("port-unknown", [r for r in plan_egress() if r.name != f"udp-10000-{JP1[0]}"]
     + [egress("u", JP1[0], "udp", 10000, UNKNOWN)], None),
    ("security-group-id-unknown-under-selector", [group("media", [], tags={"chalk": "media"})] + [
        egress(r.name, r.props["cidrIpv4"], "udp", r.props["fromPort"], r.props["toPort"], securityGroupId=UNKNOWN)
        for r in plan_egress()], TagSelector("chalk", "media")),
    ("props-unknown", [res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "u", UNKNOWN)], None),
    ("prefix-list-id-unknown", [egress("p", None, "udp", 0, 65535, prefixListId=UNKNOWN)], None),
    ("prefix-list-not-in-stack", [*plan_egress(DE1), egress("p", None, "udp", 0, 65535, prefixListId="pl-0abc")],
     None),
    ("secret-value-known", [egress(r.name, {SECRET: SECRET_SIG, "value": r.props["cidrIpv4"]}, "udp",
                                   r.props["fromPort"], r.props["toPort"]) for r in plan_egress()], None),
    ("secret-plaintext-known", [egress(r.name, {SECRET: SECRET_SIG, "plaintext": '"' + r.props["cidrIpv4"] + '"'},
                                       "udp", r.props["fromPort"], r.props["toPort"]) for r in plan_egress()], None),
    ("secret-ciphertext-unknown", [*plan_egress(DE1), egress("s", {SECRET: SECRET_SIG, "ciphertext": "xyz"},
                                                                             "udp", 0, 65535)], None),
    ("nsg-rules-unknown", [nsg("chalk-nsg", UNKNOWN)], None),
    ("nsg-rule-priority-unknown", [nsg("chalk-nsg", [nsg_rule("deny", UNKNOWN, "Deny", "*", "*", "3478"),
                                                     nsg_rule("m", 200), DENY_INTERNET])], None),
    ("nsg-tags-unknown-under-selector", [nsg("chalk-nsg", [DENY_INTERNET], tags=UNKNOWN)], TagSelector("chalk")),
    ("security-rule-nsg-name-unknown", [nsg("chalk-nsg", [DENY_INTERNET]), res(SECURITY_RULE, "media", {
        **nsg_rule("chalk-media-udp", 100), "networkSecurityGroupName": UNKNOWN, "resourceGroupName": "rg"})], None),
    ("firewall-rule-destination-unknown", [*plan_egress(), _group("media", [_stateful("PASS", "UDP", UNKNOWN, "ANY")]),
                                           _policy([(_arn("media"), 200)])], None),
]

MALFORMED_CASES = [
    ("props-not-a-dict", [*plan_egress(), res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "x",
                                              ["not", "a", "dict"])], None),
    ("egress-not-a-list", [*plan_egress(), group("g", "0.0.0.0/0")], None),
    ("port-garbage", [*plan_egress(), egress("garbage", "0.0.0.0/0", "udp", "abc", 60000)], None),
    ("cidr-garbage", [*plan_egress(), egress("garbage", "not-a-cidr", "udp", 1, 2)], None),
    ("nsg-port-garbage", [nsg("chalk-nsg", [nsg_rule("m", 100), nsg_rule("bad", 90, "Deny", "*", "*", "lots"),
                                            DENY_INTERNET])], None),
    ("nsg-rule-not-an-object", [nsg("chalk-nsg", [nsg_rule("m", 100), "deny everything", DENY_INTERNET])], None),
    ("firewall-garbage", [*plan_egress(), _group("media", [*PASSES, 42, _stateful("PASS", "UDP", "$FOO", "ANY")],
                                                 rules_string="this is not suricata"),
                          _policy([(_arn("media"), 200)])], None),
]
_ = inline
