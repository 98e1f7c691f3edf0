"""AWS Network Firewall: the media-check cases of the layer, each with its expected outcome (notes included).

Each entry is ``Case(name, resources, expected, selector)``; ``expected`` is what :func:`.expect.outcome` returns
(``gap`` / ``unverified`` / ``note`` lines). The stacks also allow the plan in their security groups
(``plan_egress()``), so only the firewall policy can leave a gap. The exact message texts are pinned by
tests/coverage/test_messages.py. The rule-group builders are shared with tests/coverage/cases_checks.py.
"""

from __future__ import annotations

from ..helpers import DE1, FIREWALL_POLICY, JP1, RULE_GROUP, UNKNOWN, plan_egress, res
from .expect import MEDIA, TO_DE1, TO_JP1, Case

ALL = [*DE1, *JP1]


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

CASES = [
    Case("five-tuple-pass", [*plan_egress(), _group("media", PASSES), _policy([(_arn("media"), 200)])], []),
    Case("any-and-lists", [*plan_egress(), _group("media", [_stateful("PASS", "IP", "[" + ",".join(ALL) + "]",
                                                                      "[443,3478,10000:60000]")]),
                           _policy([(_arn("media"), 200)])], []),
    Case("any-destination", [*plan_egress(), _group("media", [_stateful("PASS", "UDP", "ANY", "ANY")]),
                             _policy([(_arn("media"), 200)])], []),
    Case("rules-string", [*plan_egress(), _group("media", rules_string="# media\n" + "\n".join(
        f"pass udp any any -> {cidr} [443,3478,10000:60000] (sid:{i};)" for i, cidr in enumerate(ALL, 1))),
        _policy([(_arn("media"), 200)])], []),
    Case("unknown-arns-consider-every-group", [*plan_egress(), _group("media", PASSES, arn=UNKNOWN),
                                               _policy([(UNKNOWN, 200)])], []),
    Case("default-order-drop-does-not-shadow", [
        *plan_egress(), _group("drops", [_stateful("DROP", "IP", "ANY", "ANY")]), _group("media", PASSES),
        _policy([(_arn("drops"), 100), (_arn("media"), 200)], "DEFAULT_ACTION_ORDER")], []),
    Case("missing-rule", [*plan_egress(), _group("media", [r for r in PASSES if r["header"]["destination"] != JP1[1]]),
                          _policy([(_arn("media"), 200)])], [
        f"gap jp1 AWS Network Firewall policy 'fw': missing {MEDIA} to 18.180.220.128/25",
    ]),
    Case("drop-shadows-in-strict-order", [*plan_egress(), _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]),
                                          _group("media", PASSES),
                                          _policy([(_arn("drops"), 100), (_arn("media"), 200)])], [
        f"gap de1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 7 (DROP): udp 3478 {TO_DE1}",
        f"gap jp1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 7 (DROP): udp 3478 {TO_JP1}",
    ]),
    Case("rule-group-not-referenced", [*plan_egress(), _group("media", PASSES), _policy([])], [
        f"gap de1 AWS Network Firewall policy 'fw': missing {MEDIA} {TO_DE1}",
        f"gap jp1 AWS Network Firewall policy 'fw': missing {MEDIA} {TO_JP1}",
    ]),
    # the stateless engine decides first
    Case("stateless-default-drop", [*plan_egress(), _group("media", PASSES),
                                    _fw({"statelessDefaultActions": ["aws:drop"]}, [(_arn("media"), 200)])], [
        f"gap de1 AWS Network Firewall policy 'fw': denied by the stateless default action aws:drop: {MEDIA} {TO_DE1}",
        f"gap jp1 AWS Network Firewall policy 'fw': denied by the stateless default action aws:drop: {MEDIA} {TO_JP1}",
    ]),
    Case("stateless-default-pass", [*plan_egress(), _fw({"statelessDefaultActions": ["aws:pass"],
                                                         "statefulDefaultActions": ["aws:drop_strict"]}, [])], []),
    Case("stateless-forward-before-drop", [*plan_egress(), _group("media", PASSES), _stateless_group("sl", [
        _stateless(1, "aws:forward_to_sfe", [17], ALL, [(443, 443), (3478, 3478), (10000, 60000)]),
        _stateless(2, "aws:drop")]), _fw({"statelessDefaultActions": ["aws:drop"]}, [(_arn("media"), 200)],
                                         [(_arn("sl"), 10)])], []),
    Case("stateless-drop-rule", [*plan_egress(), _group("media", PASSES), _stateless_group("sl", [
        _stateless(5, "aws:drop", [17], [], [(3478, 3478)]), _stateless(9, "aws:pass", [6])]),
        _fw({"statelessDefaultActions": ["aws:forward_to_sfe"]}, [(_arn("media"), 200)], [(_arn("sl"), 10)])], [
        "gap de1 AWS Network Firewall policy 'fw': denied by stateless rule group 'sl' rule priority 5 (aws:drop): "
            f"udp 3478 {TO_DE1}",
        "gap jp1 AWS Network Firewall policy 'fw': denied by stateless rule group 'sl' rule priority 5 (aws:drop): "
            f"udp 3478 {TO_JP1}",
    ]),
    Case("stateless-group-not-in-stack", [*plan_egress(), _group("media", PASSES), _fw(
        {"statelessDefaultActions": ["aws:forward_to_sfe"]}, [(_arn("media"), 200)], [(_arn("elsewhere"), 10)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: AWS Network Firewall policy 'fw': stateless rule group "
        "arn:aws:network-firewall:rule-group/elsewhere is not in this stack",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: AWS Network Firewall policy 'fw': stateless rule group "
        "arn:aws:network-firewall:rule-group/elsewhere is not in this stack",
    ]),
    Case("stateless-default-unknown", [*plan_egress(), _group("media", PASSES),
                                       _fw({"statelessDefaultActions": UNKNOWN}, [(_arn("media"), 200)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: AWS Network Firewall policy 'fw': statelessDefaultActions is unknown",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: AWS Network Firewall policy 'fw': statelessDefaultActions is unknown",
    ]),
    # Suricata negation, and rules the check cannot read are uncertain, never skipped
    Case("negated-destination-drop", [
        *plan_egress(), _group("drops", [_stateful("DROP", "UDP", "!10.0.0.0/8", "ANY", 5)]), _group("media", PASSES),
        _policy([(_arn("drops"), 100), (_arn("media"), 200)])], [
        f"gap de1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 5 (DROP): {MEDIA} {TO_DE1}",
        f"gap jp1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 5 (DROP): {MEDIA} {TO_JP1}",
    ]),
    Case("negated-list-and-port", [*plan_egress(), _group("drops", rules_string=(
        f"drop udp any any -> [0.0.0.0/0, !{JP1[0]}] !3478 (sid:6;)\n"
        "drop udp any any -> [!10.0.0.0/8] [!1:65535] (sid:8;)")),
        _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])], [
        "gap de1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 6 (DROP): udp 443,10000-60000 "
            f"{TO_DE1}",
        "gap jp1 AWS Network Firewall policy 'fw': denied by rule group 'drops' sid 6 (DROP): udp 443,10000-60000 to "
            "18.180.220.128/25, 54.65.63.192/26",
    ]),
    Case("variable-port-drop-is-uncertain", [*plan_egress(), _group("drops", rules_string=(
        "drop udp any any -> $EXTERNAL_NET $MEDIA_PORTS (sid:9;)")),
        _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: destinationPort "
        "'$MEDIA_PORTS' uses the rule variable $MEDIA_PORTS, which the rule group does not define",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: destinationPort "
        "'$MEDIA_PORTS' uses the rule variable $MEDIA_PORTS, which the rule group does not define",
    ]),
    Case("unreadable-drop-is-uncertain", [
        *plan_egress(), _group("drops", [_stateful("DROP", "UDP", "$HOME", "ANY", 4)],
                               rules_string="drop udp any -> any any (sid:3;)"),
        _group("media", PASSES), _policy([(_arn("drops"), 100), (_arn("media"), 200)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: 'drop udp any -> any any "
        "(sid:3;)' is not 'action protocol source port -> destination port (options)'",
        "because: aws.networkfirewall.RuleGroup 'drops' statefulRules[0]: destination '$HOME' uses the "
        "rule variable $HOME, which the rule group does not define",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: 'drop udp any -> any any "
        "(sid:3;)' is not 'action protocol source port -> destination port (options)'",
        "because: aws.networkfirewall.RuleGroup 'drops' statefulRules[0]: destination '$HOME' uses the "
        "rule variable $HOME, which the rule group does not define",
    ]),
    Case("drop-tls-does-not-touch-udp", [*plan_egress(), _group("drops", rules_string=(
        "drop tls any any -> any any (sid:10;)")), _group("media", PASSES),
        _policy([(_arn("drops"), 100), (_arn("media"), 200)])], []),
    # stateful rule order and default actions
    # a DROP at 100 ahead of the media PASSes at 200: STRICT_ORDER would block UDP 3478, the default order passes it
    Case("no-engine-options-is-default-order", [*plan_egress(),
                                                _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]),
                                                _group("media", PASSES),
                                                _fw({}, [(_arn("drops"), 100), (_arn("media"), 200)])], []),
    Case("default-order-unmatched-passes", [*plan_egress(), _fw({"statefulEngineOptions": {
        "ruleOrder": "DEFAULT_ACTION_ORDER"}}, [])], []),
    Case("strict-alert-default-passes", [
        *plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"},
                             "statefulDefaultActions": ["aws:alert_strict"]}, [])], []),
    Case("strict-without-default-passes", [
        *plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"}}, [])], []),
    Case("strict-default-actions-unknown", [
        *plan_egress(), _fw({"statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"},
                             "statefulDefaultActions": UNKNOWN}, [])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: AWS Network Firewall policy 'fw': statefulDefaultActions is unknown",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: AWS Network Firewall policy 'fw': statefulDefaultActions is unknown",
    ]),
    Case("known-arn-unknown-priority", [
        *plan_egress(), _group("drops", [_stateful("DROP", "UDP", "ANY", "3478", 7)]), _group("media", PASSES),
        _policy([(_arn("drops"), UNKNOWN), (_arn("media"), 200)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': udp 3478 {TO_DE1}",
        "because: AWS Network Firewall policy 'fw': the priority of rule group 'drops' is unknown",
        f"unverified jp1 AWS Network Firewall policy 'fw': udp 3478 {TO_JP1}",
        "because: AWS Network Firewall policy 'fw': the priority of rule group 'drops' is unknown",
    ]),
    # --- values unknown during preview ---
    Case("firewall-rule-destination-unknown", [
        *plan_egress(), _group("media", [_stateful("PASS", "UDP", UNKNOWN, "ANY")]),
        _policy([(_arn("media"), 200)])], [
        f"unverified de1 AWS Network Firewall policy 'fw': {MEDIA} {TO_DE1}",
        "because: aws.networkfirewall.RuleGroup 'media' statefulRules[0]: destination is unknown",
        f"unverified jp1 AWS Network Firewall policy 'fw': {MEDIA} {TO_JP1}",
        "because: aws.networkfirewall.RuleGroup 'media' statefulRules[0]: destination is unknown",
    ]),
    # --- malformed inputs ---
    Case("firewall-garbage", [*plan_egress(), _group("media", [*PASSES, 42, _stateful("PASS", "UDP", "$FOO", "ANY")],
                                                     rules_string="this is not suricata"),
                              _policy([(_arn("media"), 200)])], [
        "note: Skipped aws.networkfirewall.RuleGroup 'media' statefulRules[18]: the rule is the number 42, not an "
            "object.",
        "note: Skipped aws.networkfirewall.RuleGroup 'media' rulesString line 1: 'this is not suricata' is not "
            "'action protocol source port -> destination port (options)'.",
    ]),
]
