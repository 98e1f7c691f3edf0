"""The chalk-media pack through the real analyzer protocol, on the resources of the project's own program.

The pack runs as the Pulumi engine starts it (``python -u -m pulumi.policy <engine> <pack-dir>``) and is
driven over gRPC: GetAnalyzerInfo, Configure (schema defaults + overrides), AnalyzeStack.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from analyzer import Analyzer, struct
from chalk_testkit import ALLOWED_REGIONS
from policy_kit import STACKS, recorded
from pulumi.runtime.proto import analyzer_pb2

from chalk_policy.policies import POLICY_NAMES

EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
JP1_FIRST = "13.115.244.0/27"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SG_FIX = ("Add an aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port {ports}) or use "
          "chalk_policy.components.aws.ChalkAwsEgress.")

Props = dict[str, Any]
Mutation = Callable[[list[tuple[str, str, str, Props]]], list[tuple[str, str, str, Props]]]


def resources(stack: str, mutate: Mutation | None = None) -> list[analyzer_pb2.AnalyzerResource]:
    """The stack's custom resources as AnalyzeStack carries them: type, urn, name, outputs (engine form)."""
    records = [(r.type, r.urn, r.name, copy.deepcopy(r.outputs)) for r in recorded(stack).resources if r.custom]
    if mutate is not None:
        records = mutate(records)
    return [analyzer_pb2.AnalyzerResource(type=t, urn=urn, name=name, properties=struct(props))
            for t, urn, name, props in records]


def mandatory(diagnostics: list[dict[str, str]]) -> list[str]:
    return [d["message"] for d in diagnostics if d["level"] == "mandatory"]


def body(message: str) -> str:
    """The violation text without the policy description the SDK puts on the first line."""
    return message.split("\n", 1)[1]


def test_the_pack_describes_its_policies(packs: dict[str, Analyzer]) -> None:
    info = packs["dev"].info
    assert info.name == "chalk-media"
    assert [p.name for p in info.policies] == list(POLICY_NAMES)
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels["chalk-media-egress-required"] == analyzer_pb2.MANDATORY
    assert levels["chalk-signaling-hosts-required"] == analyzer_pb2.MANDATORY
    assert levels["chalk-media-egress-least-privilege"] == analyzer_pb2.ADVISORY
    for policy in info.policies:
        assert policy.description.endswith(".") and policy.remediation_steps and policy.url.startswith("http")
        assert set(policy.configSchema.properties) >= {"regions", "option", "encryption", "clientTag"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes(packs: dict[str, Analyzer], stack: str) -> None:
    pack = packs[stack]
    pack.configure()
    diagnostics = pack.analyze_stack(resources(stack))
    assert mandatory(diagnostics) == []


def _drop(predicate: Callable[[str, str, Props], bool]) -> Mutation:
    return lambda records: [r for r in records if not predicate(r[0], r[2], r[3])]


def _edit(name: str, change: Callable[[Props], None]) -> Mutation:
    def mutate(records: list[tuple[str, str, str, Props]]) -> list[tuple[str, str, str, Props]]:
        hits = [r for r in records if r[2] == name]
        assert hits, name
        for record in hits:
            change(record[3])
        return records
    return mutate


def _narrow(props: Props) -> None:
    props["toPort"] = 50000


def _to_tcp(props: Props) -> None:
    props["ipProtocol"] = "tcp"


SG_CASES = {
    "one CIDR removed": (
        _drop(lambda t, _n, p: t == EGRESS and p.get("cidrIpv4") == JP1_FIRST),
        f"Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to {JP1_FIRST}. "
        + SG_FIX.format(ports="443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; ip_protocol udp, "
                                "from_port 10000, to_port 60000")),
    "port range narrowed": (
        _edit("chalk-egress-udp-10000-60000-13.115.244.0-27", _narrow),
        f"Region jp1 (Japan): AWS security groups do not allow UDP 50001-60000 to {JP1_FIRST}. "
        + SG_FIX.format(ports="50001, to_port 60000")),
    "UDP swapped for TCP": (
        _edit("chalk-egress-udp-3478-13.115.244.0-27", _to_tcp),
        f"Region jp1 (Japan): AWS security groups do not allow UDP 3478 to {JP1_FIRST}. "
        + SG_FIX.format(ports="3478, to_port 3478")),
}


@pytest.mark.parametrize("case", list(SG_CASES))
def test_a_security_group_gap_is_one_mandatory_violation(packs: dict[str, Analyzer], case: str) -> None:
    mutate, expected = SG_CASES[case]
    pack = packs["dev"]
    pack.configure()
    messages = mandatory(pack.analyze_stack(resources("dev", mutate)))
    assert [body(m) for m in messages] == [expected]
    assert messages[0].startswith("The stack's firewall resources must allow outbound traffic")


def test_dropping_a_region_fails_both_layers(packs: dict[str, Analyzer]) -> None:
    def without_us2(records: list[tuple[str, str, str, Props]]) -> list[tuple[str, str, str, Props]]:
        us2 = ("34.216.110.128/27", "54.244.51.0/24", "44.234.69.0/25")
        kept = [r for r in records if not (r[0] == EGRESS and r[3].get("cidrIpv4") in us2)]
        for kind, _urn, _name, props in kept:
            if kind == RULE_GROUP and props["ruleGroup"]["rulesSource"].get("statefulRules"):
                rules = props["ruleGroup"]["rulesSource"]["statefulRules"]
                rules[:] = [rule for rule in rules if rule["header"]["destination"] not in us2]
        return kept

    pack = packs["dev"]
    pack.configure()
    messages = [body(m) for m in mandatory(pack.analyze_stack(resources("dev", without_us2)))]
    assert len(messages) == 2
    assert messages[0].startswith("Region us2 (US West Coast): AWS security groups do not allow UDP 443, 3478, "
                                  "10000-60000 to 34.216.110.128/27, 44.234.69.0/25, 54.244.51.0/24.")
    assert messages[1].startswith("Region us2 (US West Coast): AWS Network Firewall policy 'chalk-firewall-policy' "
                                  "does not pass UDP 443, 3478, 10000-60000 to 34.216.110.128/27, 44.234.69.0/25, "
                                  "54.244.51.0/24.")


def test_policy_config_overrides_the_stack(packs: dict[str, Analyzer]) -> None:
    pack = packs["dev"]
    pack.configure({"chalk-media-egress-required": {"fromStackConfig": False, "regions": ["jp1", "de1"]}})
    messages = [body(m) for m in mandatory(pack.analyze_stack(resources("dev")))]
    assert [m.split(":", 1)[0] for m in messages] == ["Region de1 (Germany)", "Region de1 (Germany)"]


def test_a_bad_policy_config_is_a_clear_mandatory_violation(packs: dict[str, Analyzer]) -> None:
    pack = packs["dev"]
    pack.configure({"chalk-media-egress-required": {"fromStackConfig": False, "regions": ["mars1"]}})
    messages = [body(m) for m in mandatory(pack.analyze_stack(resources("dev")))]
    assert messages == [f"Cannot check Chalk egress: policy config: regions: unknown region mars1; {ALLOWED_REGIONS}"]


def test_unknown_values_and_malformed_resources_never_crash(packs: dict[str, Analyzer]) -> None:
    def garble(records: list[tuple[str, str, str, Props]]) -> list[tuple[str, str, str, Props]]:
        first = records[0]
        return [*records,
                (EGRESS, first[1] + "-x", "garbage", {"cidrIpv4": 42, "fromPort": "abc", "ipProtocol": ["udp"]}),
                (EGRESS, first[1] + "-u", "unknown", {"cidrIpv4": UNKNOWN, "fromPort": 1, "toPort": UNKNOWN,
                                                       "ipProtocol": "udp", "securityGroupId": UNKNOWN}),
                ("azure-native:network:NetworkSecurityGroup", first[1] + "-n", "nsg", {"securityRules": UNKNOWN}),
                (RULE_GROUP, first[1] + "-r", "rg", {"ruleGroup": "not an object"})]

    pack = packs["dev"]
    pack.configure()
    diagnostics = pack.analyze_stack(resources("dev", garble))
    assert all("can't run policy" not in d["message"] for d in diagnostics)
    unverified = [d["message"] for d in diagnostics if d["policy"] == "chalk-egress-unverified"]
    assert any("Skipped aws.vpc.SecurityGroupEgressRule 'garbage'" in m for m in unverified)
    assert any("nsg" in m and "unknown" in m for m in unverified), unverified
    assert diagnostics  # the NSG whose rules are unknown cannot be verified, so something is said


NSG = "azure-native:network:NetworkSecurityGroup"


def _nsg_deny(name: str, source: str) -> Mutation:
    """An Outbound Deny of TCP 3478 at priority 100, from ``source``, added to every NSG."""
    def mutate(records: list[tuple[str, str, str, Props]]) -> list[tuple[str, str, str, Props]]:
        for kind, _urn, _name, props in records:
            if kind == NSG:
                props["securityRules"].append({
                    "name": name, "priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp",
                    "sourceAddressPrefix": source, "sourcePortRange": "*", "destinationAddressPrefix": "*",
                    "destinationPortRange": "3478"})
        return records
    return mutate


def test_a_higher_priority_nsg_deny_is_a_mandatory_violation(packs: dict[str, Analyzer]) -> None:
    deny_stun_first = _nsg_deny("deny-turn", "*")

    pack = packs["azure-tcp"]
    pack.configure()
    assert mandatory(pack.analyze_stack(resources("azure-tcp"))) == []
    messages = [body(m) for m in mandatory(pack.analyze_stack(resources("azure-tcp", deny_stun_first)))]
    ranges = {"de1 (Germany)": "18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27",
              "ie1 (Ireland)": "3.249.63.128/25, 52.215.127.0/24, 52.215.253.0/26, 54.171.127.192/26"}
    assert messages == [
        f"Region {region}: NSG 'chalk-azure-nsg' denies TCP 3478 to {cidrs} with rule 'deny-turn' (priority 100), "
        "before any allow. Renumber or narrow that Deny (no priority is below 100), then allow (protocol Tcp, "
        "destination_port_ranges 3478) ahead of it, or use chalk_policy.components.azure.ChalkAzureEgress."
        for region, cidrs in ranges.items()]


def test_client_cidrs_in_the_pack_config_decide_a_deny_limited_to_some_sources(packs: dict[str, Analyzer]) -> None:
    """A Deny from one subnet: unverified without clientCidrs (advisory), a mandatory gap when the configured
    clients are in that subnet, nothing when they are elsewhere (Configure carries the policy config)."""
    deny_from_subnet = _nsg_deny("deny-lab", "10.30.0.0/16")

    def configured(clients: list[str] | None) -> list[dict[str, str]]:
        settings = {} if clients is None else {"clientCidrs": clients}
        pack.configure({name: settings for name in ("chalk-media-egress-required", "chalk-egress-unverified")})
        return pack.analyze_stack(resources("azure-tcp", deny_from_subnet))

    pack = packs["azure-tcp"]
    unknown = configured(None)
    assert mandatory(unknown) == []
    assert any("rule 'deny-lab'" in d["message"] and "clientCidrs" in d["message"] for d in unknown)
    inside = configured(["10.30.4.0/24"])
    assert len(mandatory(inside)) == 2 and all("rule 'deny-lab'" in m for m in mandatory(inside))
    assert mandatory(configured(["10.40.0.0/16"])) == [] and not any(
        "deny-lab" in d["message"] for d in configured(["10.40.0.0/16"]))
