"""The AWS Network Firewall layer: each bug class with a happy path and the mutation that would have hidden it.

Class 1: sources and direction (stateful headers, Suricata lines, stateless match attributes).
Class 2: a policy without ``statefulEngineOptions`` (or its ``ruleOrder``) uses DEFAULT_ACTION_ORDER.
Class 3: the RuleGroup's top-level ``rules`` input and rule variables (``ipSets``/``portSets``, ``$HOME_NET``,
``$EXTERNAL_NET``).
Class 4: domain allowlists as AWS generates them (TLS_SNI vs HTTP_HOST, DEFAULT_ACTION_ORDER vs STRICT_ORDER) for
the signaling-hosts check.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalk_policy.coverage import check_media, check_signaling_hosts
from chalk_policy.coverage.layers.aws_nfw_stateful import group_rules

from ..helpers import CATALOG, DE1, FIREWALL_POLICY, JP1, PLAN, RULE_GROUP, UNKNOWN, res
from .expect import outcome

ALL = [*DE1, *JP1]
HOSTS = list(PLAN.host_names)
FW = "AWS Network Firewall policy 'fw'"
MEDIA_PORTS = "udp 443,3478,10000-60000"
PASSES = "\n".join(f"pass udp any any -> {cidr} [443,3478,10000:60000] (sid:{n};)" for n, cidr in enumerate(ALL, 1))


def header(action: str, protocol: str, destination: str, port: str, sid: int | None = None, source: str = "ANY",
           source_port: str = "ANY", direction: str = "FORWARD") -> dict[str, Any]:
    rule: dict[str, Any] = {"action": action, "header": {
        "protocol": protocol, "source": source, "sourcePort": source_port, "destination": destination,
        "destinationPort": port, "direction": direction}}
    if sid is not None:
        rule["ruleOptions"] = [{"keyword": "sid", "settings": [str(sid)]}]
    return rule


def group(name: str, text: str | None = None, stateful: list[Any] | None = None, rules: Any = None,
          variables: Any = None) -> Any:
    props: dict[str, Any] = {"arn": f"arn:{name}", "type": "STATEFUL"}
    if text is not None or stateful is not None or variables is not None:
        source = {**({"rulesString": text} if text is not None else {}),
                  **({"statefulRules": stateful} if stateful is not None else {})}
        props["ruleGroup"] = {"rulesSource": source, **({"ruleVariables": variables} if variables is not None
                                                       else {})}
    if rules is not None:
        props["rules"] = rules
    return res(RULE_GROUP, name, props)


def policy(refs: list[tuple[str, Any]], order: Any = "STRICT_ORDER", defaults: Any = ("aws:drop_established",),
           stateless: list[tuple[str, int]] = (), **body: Any) -> Any:
    firewall: dict[str, Any] = {
        "statefulDefaultActions": list(defaults) if isinstance(defaults, list | tuple) else defaults,
        "statefulRuleGroupReferences": [{"resourceArn": f"arn:{name}", "priority": prio} for name, prio in refs],
        "statelessRuleGroupReferences": [{"resourceArn": f"arn:{name}", "priority": prio}
                                         for name, prio in stateless], **body}
    if order is not None:
        firewall["statefulEngineOptions"] = {"ruleOrder": order}
    return res(FIREWALL_POLICY, "fw", {"firewallPolicy": firewall})


def ip_set(key: str, definitions: Any) -> dict[str, Any]:
    return {"key": key, "ipSet": {"definitions": definitions}}


def denied(rule: str, items: str, regions: tuple[str, ...] = ("de1", "jp1")) -> list[str]:
    cidrs = {"de1": ", ".join(DE1), "jp1": ", ".join(JP1)}
    return [f"gap {region} {FW}: denied by {rule}: {items} to {cidrs[region]}" for region in regions]


def unverified(items: str) -> list[str]:
    return [f"unverified de1 {FW}: {items} to {', '.join(DE1)}", f"unverified jp1 {FW}: {items} to {', '.join(JP1)}"]


MEDIA = group("media", PASSES)


def drop_first(text: str | None = None, **kwargs: Any) -> list[Any]:
    """A rule group 'd' at priority 100 ahead of the media PASSes at 200 (STRICT_ORDER)."""
    return [group("d", text, **kwargs), MEDIA, policy([("d", 100), ("media", 200)])]


# --- class 1: sources and direction -----------------------------------------------------------------------------

def test_class1_pass_from_the_media_ranges_does_not_pass_the_clients_egress() -> None:
    """docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-basic.html: a rule matches
    by source too. Clients never send from Chalk's media ranges, so that PASS is not theirs: the DROP decides."""
    drop_all = group("d", "drop udp any any -> any any (sid:2;)")
    from_any = group("p", "pass udp any any -> any any (sid:1;)")
    from_media = group("p", f"pass udp [{','.join(ALL)}] any -> any any (sid:1;)")
    assert outcome([from_any, drop_all, policy([("p", 100), ("d", 200)])]) == []
    assert outcome([from_media, drop_all, policy([("p", 100), ("d", 200)])]) == denied(
        "rule group 'd' sid 2 (DROP)", MEDIA_PORTS)
    structured = group("p", stateful=[header("PASS", "UDP", "ANY", "ANY", 1, source=f"[{','.join(ALL)}]")])
    assert outcome([structured, drop_all, policy([("p", 100), ("d", 200)])]) == denied(
        "rule group 'd' sid 2 (DROP)", MEDIA_PORTS)


def test_class1_direction_any_matches_the_reverse_tuple() -> None:
    """``<>`` (structured direction ANY) also matches with the rule's destination side as the clients and its source
    side as the media destination (suricata-examples.html: a structured ANY rule is generated with ``<>``)."""
    drop_all = group("d", "drop udp any any -> any any (sid:2;)")
    both = group("p", f"pass udp [{','.join(ALL)}] any <> any any (sid:1;)")
    assert outcome([both, drop_all, policy([("p", 100), ("d", 200)])]) == []
    structured = group("p", stateful=[header("PASS", "UDP", "ANY", "ANY", 1, source=f"[{','.join(ALL)}]",
                                             direction="ANY")])
    assert outcome([structured, drop_all, policy([("p", 100), ("d", 200)])]) == []
    # an inbound-only drop never sees the clients' packets; the same rule both ways does
    assert outcome(drop_first("drop udp $EXTERNAL_NET any -> $HOME_NET any (sid:7;)")) == []
    assert outcome(drop_first("drop udp $EXTERNAL_NET any <> $HOME_NET any (sid:7;)")) == denied(
        "rule group 'd' sid 7 (DROP)", MEDIA_PORTS)


def test_class1_direction_any_swaps_the_ports() -> None:
    """In reverse, the rule's source port is the media port: ``13.115.244.0/27 3478 <> any any`` drops UDP 3478
    to that range only, and as ``->`` (from a media range) nothing of the clients'."""
    assert outcome(drop_first(f"drop udp {JP1[0]} 3478 <> any any (sid:7;)")) == [
        f"gap jp1 {FW}: denied by rule group 'd' sid 7 (DROP): udp 3478 to {JP1[0]}"]
    assert outcome(drop_first(f"drop udp {JP1[0]} 3478 -> any any (sid:7;)")) == []


def test_class1_drop_limited_to_another_source_is_unverified_or_no_gap() -> None:
    resources = drop_first("drop udp 10.9.0.0/16 any -> any 3478 (sid:7;)")
    assert outcome(resources) == unverified("udp 3478")  # clientCidrs not configured
    assert outcome(resources, clients=["10.1.0.0/16"]) == []  # the clients are outside that source
    assert outcome(resources, clients=["10.9.1.0/24"]) == denied("rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome(drop_first("drop udp any any -> any 3478 (sid:7;)"), clients=["10.1.0.0/16"]) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478")


def test_class1_source_ports_other_than_any_reach_only_some_clients() -> None:
    assert outcome([group("p", "pass udp any any -> any any (sid:1;)"), policy([("p", 100)])]) == []
    assert outcome([group("p", "pass udp any 1024:65535 -> any any (sid:1;)"), policy([("p", 100)])]) == (
        unverified(MEDIA_PORTS))
    assert outcome([group("p", "pass udp any 1:65535 -> any any (sid:1;)"), policy([("p", 100)])]) == []


def test_class1_check_message_names_the_source() -> None:
    result = check_media(drop_first("drop udp 10.9.0.0/16 any -> any 3478 (sid:7;)"), PLAN, CATALOG)
    assert "it applies only to sources 10.9.0.0/16, which may not cover the clients (their addresses are not " \
           "configured: set the policy's clientCidrs)" in result.unverified[0].message


def _stateless_group(rules: list[Any]) -> Any:
    return res(RULE_GROUP, "sl", {"arn": "arn:sl", "type": "STATELESS", "ruleGroup": {"rulesSource": {
        "statelessRulesAndCustomActions": {"statelessRules": rules}}}})


def _stateless(priority: int, action: str, sources: Any = (), source_ports: Any = (), ports: Any = ()) -> Any:
    return {"priority": priority, "ruleDefinition": {"actions": [action], "matchAttributes": {
        "protocols": [17], "sources": [{"addressDefinition": cidr} for cidr in sources],
        "sourcePorts": [{"fromPort": lo, "toPort": hi} for lo, hi in source_ports],
        "destinationPorts": [{"fromPort": lo, "toPort": hi} for lo, hi in ports]}}}


def test_class1_stateless_sources_and_source_ports() -> None:
    """docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-rule-groups-5-tuple.html: sources and
    source ports are match attributes; stateless rules see one packet, one way."""
    def stack(rule: Any) -> list[Any]:
        return [MEDIA, _stateless_group([rule]), policy([("media", 200)], stateless=[("sl", 10)],
                                                        statelessDefaultActions=["aws:forward_to_sfe"])]
    drop = "rule group 'sl' rule priority 5 (aws:drop)"
    assert outcome(stack(_stateless(5, "aws:drop", ports=[(3478, 3478)]))) == denied(
        f"stateless {drop}", "udp 3478")
    assert outcome(stack(_stateless(5, "aws:drop", ALL, ports=[(3478, 3478)]))) == []  # the replies' source
    assert outcome(stack(_stateless(5, "aws:drop", ["10.9.0.0/16"], ports=[(3478, 3478)]))) == unverified(
        "udp 3478")
    assert outcome(stack(_stateless(5, "aws:drop", ["10.9.0.0/16"], ports=[(3478, 3478)])),
                   clients=["10.1.0.0/16"]) == []
    assert outcome(stack(_stateless(5, "aws:drop", source_ports=[(1024, 2048)], ports=[(3478, 3478)]))) == (
        unverified("udp 3478"))
    assert outcome(stack(_stateless(5, "aws:drop", source_ports=[(0, 65535)], ports=[(3478, 3478)]))) == denied(
        f"stateless {drop}", "udp 3478")


def test_class1_unknown_source_and_direction_are_uncertain() -> None:
    assert outcome(drop_first(stateful=[header("DROP", "UDP", "ANY", "3478", 7, source=UNKNOWN)])) == (
        unverified("udp 3478"))
    inbound = header("DROP", "UDP", "$HOME_NET", "ANY", 7, source="$EXTERNAL_NET", direction=UNKNOWN)
    assert outcome(drop_first(stateful=[inbound])) == unverified(MEDIA_PORTS)  # maybe both ways
    assert outcome(drop_first(stateful=[{**inbound, "header": {**inbound["header"], "direction": "FORWARD"}}])) == []


# --- class 2: the default rule order ----------------------------------------------------------------------------

@pytest.mark.parametrize("engine_options", [None, {}, {"ruleOrder": None}, {"ruleOrder": "DEFAULT_ACTION_ORDER"}])
def test_class2_without_rule_order_the_policy_uses_default_action_order(engine_options: Any) -> None:
    """docs.aws.amazon.com/network-firewall/latest/APIReference/API_StatefulEngineOptions.html: DEFAULT_ACTION_ORDER
    is the default; every PASS runs before any DROP, so a DROP at a lower priority does not shadow it."""
    body = {} if engine_options is None else {"statefulEngineOptions": engine_options}
    drops = group("d", "drop udp any any -> any 3478 (sid:7;)")
    assert outcome([drops, MEDIA, policy([("d", 100), ("media", 200)], order=None, **body)]) == []
    # mutations: STRICT_ORDER shadows the PASS; a DROP that no PASS overrides still blocks in default order
    assert outcome([drops, MEDIA, policy([("d", 100), ("media", 200)])]) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome([drops, policy([("d", 100)], order=None, **body)]) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478")


def test_class2_only_an_unknown_rule_order_is_unknown() -> None:
    drops = group("d", "drop udp any any -> any 3478 (sid:7;)")
    assert outcome([drops, MEDIA, policy([("d", 100), ("media", 200)], order=UNKNOWN)]) == unverified("udp 3478")
    result = check_media([drops, MEDIA, policy([("d", 100), ("media", 200)], order=UNKNOWN)], PLAN, CATALOG)
    assert result.unverified[0].message.endswith(
        f"can only be verified at `pulumi up`: {FW}: statefulEngineOptions.ruleOrder is unknown.")


def test_class2_hosts_check_uses_default_action_order_too() -> None:
    """In default action order every PASS (of every allowlist) runs before any generated drop."""
    lists = [allowlist("a", HOSTS[:10]), allowlist("b", HOSTS[10:])]
    assert hosts_violations([*lists, policy([("a", 100), ("b", 200)], order=None)]) == []
    assert len(hosts_violations([*lists, policy([("a", 100), ("b", 200)])])) == 1


# --- class 3: the flat ``rules`` input and rule variables ---------------------------------------------------------

def test_class3_the_flat_rules_input_is_read() -> None:
    """pulumi-aws ``aws.networkfirewall.RuleGroup(rules=...)``: Suricata flat format, instead of ``ruleGroup``."""
    assert outcome([group("media", rules=PASSES), policy([("media", 200)])]) == []
    assert outcome([group("d", rules="drop udp any any -> any 3478 (sid:7;)"), MEDIA,
                    policy([("d", 100), ("media", 200)])]) == denied("rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome([group("d", rules=UNKNOWN), MEDIA, policy([("d", 100), ("media", 200)])]) == unverified(
        MEDIA_PORTS)


def test_class3_rules_echoed_as_rules_string_are_read_once() -> None:
    both = group("media", PASSES, rules=PASSES)
    assert len(group_rules(both, 200, True, [])) == len(ALL)
    assert len(group_rules(group("media", PASSES, rules=PASSES.replace("udp", "tcp")), 200, True, [])) == (
        2 * len(ALL))


def test_class3_ip_set_variables_make_a_drop_certain() -> None:
    """docs.aws.amazon.com/network-firewall/latest/APIReference/API_RuleVariables.html (pulumi-aws shape
    ``ruleVariables.ipSets[{key, ipSet{definitions}}]``): ``$MEDIA`` is the media ranges, so the DROP is a gap."""
    text = "drop udp any any -> $MEDIA 3478 (sid:7;)"
    defined = {"ipSets": [ip_set("MEDIA", ALL)]}
    assert outcome(drop_first(text, variables=defined)) == denied("rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome(drop_first(text)) == unverified("udp 3478")  # undefined: stays uncertain
    assert outcome(drop_first(text, variables={"ipSets": [ip_set("MEDIA", UNKNOWN)]})) == unverified("udp 3478")
    assert outcome(drop_first(text, variables={"ipSets": [ip_set("MEDIA", ["10.0.0.0/8"])]})) == []
    structured = [header("DROP", "UDP", "$MEDIA", "ANY", 7)]
    assert outcome(drop_first(stateful=structured, variables=defined)) == denied(
        "rule group 'd' sid 7 (DROP)", MEDIA_PORTS)


def test_class3_port_set_variables() -> None:
    text = "drop udp any any -> any $STUN (sid:7;)"
    ports = {"portSets": [{"key": "STUN", "portSet": {"definitions": ["3478"]}}]}
    assert outcome(drop_first(text, variables=ports)) == denied("rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome(drop_first(text)) == unverified(MEDIA_PORTS)
    structured = [header("DROP", "UDP", "ANY", "$STUN", 7)]
    assert outcome(drop_first(stateful=structured, variables=ports)) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478")


def test_class3_home_net_and_external_net_defaults() -> None:
    """$HOME_NET defaults to the firewall's VPC (taken to hold the clients, never a media range); $EXTERNAL_NET
    defaults to !$HOME_NET (every media range, no client)."""
    outbound = "drop udp $HOME_NET any -> $EXTERNAL_NET 3478 (sid:7;)"
    assert outcome(drop_first(outbound)) == denied("rule group 'd' sid 7 (DROP)", "udp 3478")
    assert outcome(drop_first(outbound), clients=["10.1.0.0/16"]) == denied("rule group 'd' sid 7 (DROP)",
                                                                             "udp 3478")
    assert outcome(drop_first("drop udp any any -> $HOME_NET any (sid:7;)")) == []
    assert outcome(drop_first("drop udp $EXTERNAL_NET any -> any any (sid:7;)")) == []


def test_class3_a_defined_home_net_is_judged_against_the_clients() -> None:
    home = {"ipSets": [ip_set("HOME_NET", ["10.9.0.0/16"])]}
    outbound = "drop udp $HOME_NET any -> $EXTERNAL_NET 3478 (sid:7;)"
    assert outcome(drop_first(outbound, variables=home)) == unverified("udp 3478")
    assert outcome(drop_first(outbound, variables=home), clients=["10.1.0.0/16"]) == []
    assert outcome(drop_first(outbound, variables=home), clients=["10.9.1.0/24"]) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478")
    # $EXTERNAL_NET is !$HOME_NET: a HOME_NET holding the jp1 ranges leaves only de1 outside
    jp1_home = {"ipSets": [ip_set("HOME_NET", ["10.9.0.0/16", *JP1])]}
    assert outcome(drop_first(outbound, variables=jp1_home), clients=["10.9.1.0/24"]) == denied(
        "rule group 'd' sid 7 (DROP)", "udp 3478", ("de1",))


def test_class3_garbage_variables_never_raise() -> None:
    for variables in (UNKNOWN, "x", [], {"ipSets": "x"}, {"ipSets": [None, 3, {"key": UNKNOWN}]},
                      {"ipSets": [ip_set("MEDIA", "x")]}, {"ipSets": [ip_set("MEDIA", ["garbage"])]},
                      {"portSets": [{"key": "STUN", "portSet": {"definitions": ["x"]}}]}, {"ipSets": UNKNOWN}):
        result = check_media(drop_first("drop udp any any -> $MEDIA $STUN (sid:7;)", variables=variables), PLAN,
                             CATALOG)
        assert not result.violations, variables


# --- class 4: domain allowlists -----------------------------------------------------------------------------------

def allowlist(name: str, targets: list[str], types: tuple[str, ...] = ("TLS_SNI",)) -> Any:
    return res(RULE_GROUP, name, {"arn": f"arn:{name}", "type": "STATEFUL", "ruleGroup": {"rulesSource": {
        "rulesSourceList": {"generatedRulesType": "ALLOWLIST", "targetTypes": list(types),
                            "targets": targets}}}})


def hosts_violations(resources: list[Any]) -> list[str]:
    return [finding.message for finding in check_signaling_hosts(resources, PLAN).violations]


ORDERS = ["DEFAULT_ACTION_ORDER", "STRICT_ORDER"]


@pytest.mark.parametrize("order", ORDERS)
def test_class4_a_tls_sni_allowlist_passes_its_hosts_and_drops_the_others(order: str) -> None:
    """docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html: "For
    Allow, traffic of the specified protocol type that does not match the domain specifications is denied"."""
    assert hosts_violations([allowlist("h", HOSTS), policy([("h", 100)], order)]) == []
    [message] = hosts_violations([allowlist("h", HOSTS[2:]), policy([("h", 100)], order)])
    assert message.startswith(f"AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS "
                              f"on TCP 443): {HOSTS[0]}, {HOSTS[1]}. Add them")


def test_class4_an_http_host_only_allowlist_does_not_filter_https() -> None:
    """HTTP_HOST generates ``pass http`` / ``drop http`` rules only (suricata-examples.html, "HTTP allow list"):
    they neither pass nor drop TLS. In default action order unmatched TLS passes; in STRICT_ORDER it meets the
    stateful default action."""
    http_only = allowlist("h", HOSTS, ("HTTP_HOST",))
    result = check_signaling_hosts([http_only, policy([("h", 100)], "DEFAULT_ACTION_ORDER")], PLAN)
    assert result.applicable and result.findings == ()
    assert hosts_violations([http_only, policy([("h", 100)], "STRICT_ORDER", defaults=())]) == []
    assert hosts_violations([http_only, policy([("h", 100)], "STRICT_ORDER", defaults=["aws:alert_strict"])]) == []
    [message] = hosts_violations([http_only, policy([("h", 100)], "STRICT_ORDER")])  # aws:drop_established
    assert message.startswith(f"AWS Network Firewall domain allowlists do not allow {len(HOSTS)} Chalk signaling")
    # adding TLS_SNI lets them out in STRICT_ORDER too
    assert hosts_violations([allowlist("h", HOSTS, ("HTTP_HOST", "TLS_SNI")), policy([("h", 100)])]) == []


@pytest.mark.parametrize("order", ORDERS)
def test_class4_two_allowlists(order: str) -> None:
    """Default action order: every generated PASS before any generated DROP, so the lists add up. STRICT_ORDER: the
    first allowlist's drop drops the TLS hosts of a later one."""
    lists = [allowlist("a", HOSTS[:15]), allowlist("b", HOSTS[15:])]
    found = hosts_violations([*lists, policy([("a", 100), ("b", 200)], order)])
    if order == "DEFAULT_ACTION_ORDER":
        assert found == []
        return
    assert found == [
        f"AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS on TCP 443): {HOSTS[15]}, "
        f"{HOSTS[16]}. They are listed, but rule group 'a' drops them first: in STRICT_ORDER an ALLOWLIST rule group "
        "drops TLS to every host it does not list, before later rule groups are evaluated. Add them to the targets "
        "of an ALLOWLIST rule group with target type TLS_SNI (a leading dot allows a domain and its subdomains) or "
        "use chalk_policy.components.aws.ChalkAwsEgress."]


def test_class4_drop_strict_drops_the_handshake_before_the_sni() -> None:
    """aws:drop_strict drops the TCP handshake that no rule passes, before any SNI is seen: unverified, never
    certainly allowed (aws:drop_established lets the handshake through)."""
    assert hosts_violations([allowlist("h", HOSTS), policy([("h", 100)])]) == []
    result = check_signaling_hosts([allowlist("h", HOSTS), policy([("h", 100)], defaults=["aws:drop_strict"])],
                                   PLAN)
    assert not result.violations
    assert "with aws:drop_strict the TCP handshake is dropped" in result.unverified[0].message


def test_class4_a_policy_passing_https_first_lets_every_host_out() -> None:
    opened = group("open", stateful=[header("PASS", "TCP", "ANY", "443")])
    for order in ORDERS:
        assert hosts_violations([opened, allowlist("h", HOSTS[2:]),
                                 policy([("open", 100), ("h", 200)], order)]) == []
    assert len(hosts_violations([opened, allowlist("h", HOSTS[2:]), policy([("h", 100), ("open", 200)])])) == 1


# --- robustness: the new fields never raise -----------------------------------------------------------------------

GARBAGE: list[Any] = [None, 0, True, "x", "[", "$", "!", UNKNOWN, [], [None], [UNKNOWN], {}, {"a": 1}]


@pytest.mark.parametrize("value", GARBAGE, ids=[repr(value)[:12] for value in GARBAGE])
def test_garbage_in_the_new_fields_never_raises(value: Any) -> None:
    headers = [header("DROP", "UDP", "ANY", "3478", 1)] * 6
    for index, key in enumerate(("source", "sourcePort", "direction", "destination", "destinationPort", "protocol")):
        headers[index] = {**headers[index], "header": {**headers[index]["header"], key: value}}
    stateless = {"priority": 1, "ruleDefinition": {"actions": ["aws:drop"], "matchAttributes": {
        "sources": value, "sourcePorts": value}}}
    resources = [group("d", stateful=headers, rules=value, variables=value), group("e", rules=value),
                 allowlist("h", value), _stateless_group([stateless]), MEDIA,
                 policy([("d", 100), ("e", 150), ("media", 200), ("h", 300)], order=value, defaults=value,
                        stateless=[("sl", 1)])]
    for result in (check_media(resources, PLAN, CATALOG), check_signaling_hosts(resources, PLAN)):
        assert all(isinstance(finding.message, str) and finding.message for finding in result.findings)


def test_class4_unknown_rule_order_never_makes_a_shadowed_host_certain() -> None:
    lists = [allowlist("a", HOSTS[:15]), allowlist("b", HOSTS[15:])]
    result = check_signaling_hosts([*lists, policy([("a", 100), ("b", 200)], order=UNKNOWN)], PLAN)
    assert not result.violations
    assert "statefulEngineOptions.ruleOrder is unknown" in result.unverified[0].message
    # with one allowlist the order does not matter: its unlisted hosts are dropped either way
    assert len(hosts_violations([allowlist("h", HOSTS[2:]), policy([("h", 100)], order=UNKNOWN)])) == 1
