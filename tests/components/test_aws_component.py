"""ChalkAwsEgress under the SDK's mock engine: inventory, sharding, stable names, signaling modes, errors."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from chalk_mocks import COMPONENT, EGRESS, INGRESS, POLICY, RULE_GROUP, SG, Engine, Run
from chalk_testkit import ALLOWED_REGIONS
from hypothesis import given
from hypothesis import strategies as st

from chalk_policy.catalog import load_catalog
from chalk_policy.catalog.loader import default_catalog_text
from chalk_policy.components import ChalkAwsEgress, ChalkAwsEgressArgs, ComponentInputError, SignalingMode
from chalk_policy.components.aws import clean_description
from chalk_policy.planning import plan
from chalk_policy.planning.network_firewall import capacity

VPC = "vpc-0a1b2c3d4e5f60718"
PROXY_SG = "sg-0123456789abcdef0"
VERSION = "2026120101"
JP1 = ("13.115.244.0/27", "54.65.63.192/26", "18.180.220.128/25")
US2 = ("34.216.110.128/27", "54.244.51.0/24", "44.234.69.0/25")
OPTION_RULES = {  # straight from PTC's table, not from the planner
    1: ("udp", ((443, 443), (3478, 3478), (10000, 60000))),
    2: ("udp", ((443, 443), (3478, 3478), (5349, 5349))),
    3: ("tcp", ((443, 443), (3478, 3478), (5349, 5349))),
}
ALLOWED_DESCRIPTION = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]{1,255}$")


def build(engine: Engine, **overrides: Any) -> Run:
    """Construct the component under fresh mocks; ``Run.value`` holds its resolved outputs."""
    settings: dict[str, Any] = {"vpc_id": VPC, "regions": ["jp1", "us2"], **overrides}

    def program() -> pulumi.Output[Any]:
        egress = ChalkAwsEgress("chalk", ChalkAwsEgressArgs(**settings))
        return pulumi.Output.all(
            security_group_ids=egress.security_group_ids, rule_counts=egress.rule_counts,
            firewall_policy_arn=egress.firewall_policy_arn, rule_group_arns=egress.rule_group_arns,
            catalog_version=egress.catalog_version, regions=egress.regions)

    return engine.run(program)


def ports_text(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


def expected_media(option: int) -> dict[str, tuple[str, str, str, float, float]]:
    """name -> (security group, cidr, protocol, from, to) for jp1 (shard 1) + us2 (shard 2)."""
    protocol, port_rules = OPTION_RULES[option]
    rules = {}
    for group, cidrs in (("chalk-sg-1-id", JP1), ("chalk-sg-2-id", US2)):
        for cidr in cidrs:
            for ports in port_rules:
                name = f"chalk-egress-{protocol}-{ports_text(ports)}-{cidr.replace('/', '-')}"
                rules[name] = (group, cidr, protocol, float(ports[0]), float(ports[1]))
    return rules


def egress_by_group(run: Run) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for call in run.of(EGRESS):
        groups.setdefault(call.inputs["securityGroupId"], []).append(call.name)
    return groups


# --- inventory ----------------------------------------------------------------------------------------

DEV_INVENTORY = {
    (COMPONENT, "chalk"),
    (SG, "chalk-sg-1"),
    (SG, "chalk-sg-2"),
    (EGRESS, "chalk-egress-udp-443-13.115.244.0-27"),
    (EGRESS, "chalk-egress-udp-443-18.180.220.128-25"),
    (EGRESS, "chalk-egress-udp-443-54.65.63.192-26"),
    (EGRESS, "chalk-egress-udp-3478-13.115.244.0-27"),
    (EGRESS, "chalk-egress-udp-3478-18.180.220.128-25"),
    (EGRESS, "chalk-egress-udp-3478-54.65.63.192-26"),
    (EGRESS, "chalk-egress-udp-10000-60000-13.115.244.0-27"),
    (EGRESS, "chalk-egress-udp-10000-60000-18.180.220.128-25"),
    (EGRESS, "chalk-egress-udp-10000-60000-54.65.63.192-26"),
    (EGRESS, "chalk-egress-udp-443-34.216.110.128-27"),
    (EGRESS, "chalk-egress-udp-443-44.234.69.0-25"),
    (EGRESS, "chalk-egress-udp-443-54.244.51.0-24"),
    (EGRESS, "chalk-egress-udp-3478-34.216.110.128-27"),
    (EGRESS, "chalk-egress-udp-3478-44.234.69.0-25"),
    (EGRESS, "chalk-egress-udp-3478-54.244.51.0-24"),
    (EGRESS, "chalk-egress-udp-10000-60000-34.216.110.128-27"),
    (EGRESS, "chalk-egress-udp-10000-60000-44.234.69.0-25"),
    (EGRESS, "chalk-egress-udp-10000-60000-54.244.51.0-24"),
    (EGRESS, "chalk-egress-tcp-443-0.0.0.0-0"),
    (RULE_GROUP, "chalk-signaling-hosts"),
    (RULE_GROUP, "chalk-media"),
    (POLICY, "chalk-firewall-policy"),
}


def test_dev_inventory_is_exact(engine: Engine) -> None:
    run = build(engine)
    assert run.inventory() == DEV_INVENTORY
    assert len(run.mocks.calls) == len(DEV_INVENTORY)


@pytest.mark.parametrize("encryption", ["standard", "e2ee"])
@pytest.mark.parametrize("option", [1, 2, 3])
def test_inventory_and_key_inputs_per_option_and_encryption(engine: Engine, option: int, encryption: str) -> None:
    run = build(engine, option=option, encryption=encryption)
    protocol = OPTION_RULES[option][0]
    media = expected_media(option)
    peer = {(EGRESS, f"chalk-peer-egress-{protocol}-1024-65535"),
            (INGRESS, f"chalk-peer-ingress-{protocol}-1024-65535")} if encryption == "e2ee" else set()
    fixed = {(COMPONENT, "chalk"), (SG, "chalk-sg-1"), (SG, "chalk-sg-2"), (EGRESS, "chalk-egress-tcp-443-0.0.0.0-0"),
             (RULE_GROUP, "chalk-signaling-hosts"), (RULE_GROUP, "chalk-media"), (POLICY, "chalk-firewall-policy")}
    assert run.inventory() == fixed | peer | {(EGRESS, name) for name in media}

    calls = run.by_name()
    for name, (group, cidr, proto, from_port, to_port) in media.items():
        inputs = calls[name].inputs
        assert (inputs["securityGroupId"], inputs["cidrIpv4"], inputs["ipProtocol"], inputs["fromPort"],
                inputs["toPort"]) == (group, cidr, proto, from_port, to_port), name
        assert "referencedSecurityGroupId" not in inputs
    for shard in (1, 2):
        sg = calls[f"chalk-sg-{shard}"].inputs
        assert sg["vpcId"] == VPC
        assert "egress" not in sg and "ingress" not in sg  # every rule is its own resource
        assert sg["tags"]["chalk:shard"] == str(shard) and sg["tags"]["chalk:catalog-version"] == VERSION
        assert sg["description"] == f"Chalk egress for Vuforia Chalk clients, shard {shard}"
    assert calls["chalk-sg-1"].inputs["tags"]["chalk:regions"] == "jp1"
    assert calls["chalk-sg-2"].inputs["tags"]["chalk:regions"] == "us2"
    signaling = calls["chalk-egress-tcp-443-0.0.0.0-0"].inputs
    assert (signaling["securityGroupId"], signaling["cidrIpv4"], signaling["ipProtocol"], signaling["fromPort"],
            signaling["toPort"]) == ("chalk-sg-1-id", "0.0.0.0/0", "tcp", 443.0, 443.0)
    for direction in ("egress", "ingress") if encryption == "e2ee" else ():
        rule = calls[f"chalk-peer-{direction}-{protocol}-1024-65535"].inputs
        assert (rule["securityGroupId"], rule["referencedSecurityGroupId"], rule["ipProtocol"], rule["fromPort"],
                rule["toPort"]) == ("chalk-sg-1-id", "chalk-sg-1-id", protocol, 1024.0, 65535.0)
        assert "cidrIpv4" not in rule
    peers = 1 if encryption == "e2ee" else 0
    assert run.value["rule_counts"] == {"chalk-sg-1": 9 + 1 + peers, "chalk-sg-2": 9}
    assert run.value["security_group_ids"] == ["chalk-sg-1-id", "chalk-sg-2-id"]
    assert run.value["catalog_version"] == VERSION


# --- sharding -----------------------------------------------------------------------------------------


def test_all_regions_option_1_is_87_media_rules_in_two_groups_within_quota(engine: Engine) -> None:
    run = build(engine, regions="all")
    media = [call for call in run.of(EGRESS) if call.inputs.get("cidrIpv4") != "0.0.0.0/0"]
    assert len(media) == 87
    assert len({call.inputs["cidrIpv4"] for call in media}) == 29
    assert sorted(call.name for call in run.of(SG)) == ["chalk-sg-1", "chalk-sg-2"]
    per_group = {group: len(names) for group, names in egress_by_group(run).items()}
    assert per_group == {"chalk-sg-1-id": 58, "chalk-sg-2-id": 30}  # 57 media + signaling, 30 media
    assert max(per_group.values()) <= 60
    assert run.value["rule_counts"] == {"chalk-sg-1": 58, "chalk-sg-2": 30}
    assert run.value["security_group_ids"] == ["chalk-sg-1-id", "chalk-sg-2-id"]
    assert run.value["regions"] == ["au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"]


def test_a_larger_quota_fits_one_group(engine: Engine) -> None:
    run = build(engine, regions="all", rules_per_group=100)
    assert sorted(call.name for call in run.of(SG)) == ["chalk-sg-1"]
    assert {group: len(names) for group, names in egress_by_group(run).items()} == {"chalk-sg-1-id": 88}
    assert run.value["rule_counts"] == {"chalk-sg-1": 88}


def test_shard_1_always_exists_for_the_signaling_and_peer_rules(engine: Engine) -> None:
    run = build(engine, regions=["us2"], encryption="e2ee")  # us2's ranges all live in shard 2
    calls = run.by_name()
    assert sorted(call.name for call in run.of(SG)) == ["chalk-sg-1", "chalk-sg-2"]
    assert calls["chalk-egress-tcp-443-0.0.0.0-0"].inputs["securityGroupId"] == "chalk-sg-1-id"
    assert calls["chalk-peer-egress-udp-1024-65535"].inputs["securityGroupId"] == "chalk-sg-1-id"
    assert calls["chalk-sg-1"].inputs["tags"]["chalk:regions"] == "none"
    assert run.value["rule_counts"] == {"chalk-sg-1": 2, "chalk-sg-2": 9}


# --- stable names -------------------------------------------------------------------------------------


def shuffled_catalog(tmp_path: Path, seed: int) -> str:
    raw = yaml.safe_load(default_catalog_text())
    rng = random.Random(seed)
    rng.shuffle(raw["regions"])
    rng.shuffle(raw["hosts"])
    for region in raw["regions"]:
        rng.shuffle(region["cidrs"])
    path = tmp_path / f"shuffled-{seed}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return str(path)


def edited_catalog(tmp_path: Path, old: str, new: str) -> str:
    path = tmp_path / "edited.yaml"
    text = default_catalog_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return str(path)


def snapshot(run: Run) -> dict[str, dict[str, Any]]:
    return {call.name: call.inputs for call in run.mocks.calls}


def test_reordering_the_catalog_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    before = snapshot(build(engine, regions="all", encryption="e2ee"))
    for seed in (1, 2):
        path = shuffled_catalog(tmp_path, seed)
        assert [region.id for region in load_catalog(path).regions] != sorted(load_catalog().region_ids)
        after = snapshot(build(engine, regions="all", encryption="e2ee", catalog_path=path))
        assert after == before  # names and every input, sids and host lists included


@pytest.mark.parametrize(("base", "added"), [
    (["jp1"], "us2"), (["jp1"], "au1"), (["jp1"], "sg1"), (["jp1", "us2"], "de1"), (["us2"], "br1"),
    (["us2"], "us1"), (["de1", "ie1"], "in1"), (["sg1"], "jp1"),
])
def test_adding_a_region_renames_and_moves_nothing(engine: Engine, base: list[str], added: str) -> None:
    before = snapshot(build(engine, regions=base))
    after = snapshot(build(engine, regions=[*base, added]))
    assert set(before) <= set(after)
    for name, inputs in before.items():
        if name.startswith("chalk-egress-"):
            assert after[name]["securityGroupId"] == inputs["securityGroupId"], f"{name} moved to another group"


def test_a_changed_range_is_a_new_rule_created_before_the_old_is_deleted(engine: Engine, tmp_path: Path) -> None:
    before = build(engine)
    after = build(engine, catalog_path=edited_catalog(tmp_path, "13.115.244.0/27", "13.115.244.0/26"))
    gone, new = before.names() - after.names(), after.names() - before.names()
    assert gone == {f"chalk-egress-udp-{p}-13.115.244.0-27" for p in ("443", "3478", "10000-60000")}
    assert new == {f"chalk-egress-udp-{p}-13.115.244.0-26" for p in ("443", "3478", "10000-60000")}
    for name in new:
        request = after.monitor.requests[name]
        assert request["deleteBeforeReplaceDefined"] is True  # set explicitly, ...
        assert request.get("deleteBeforeReplace", False) is False  # ... to create-before-delete


def test_a_changed_port_range_is_a_new_rule(engine: Engine, tmp_path: Path) -> None:
    before = build(engine)
    old, new = "{protocol: udp, from_port: 10000, to_port: 60000", "{protocol: udp, from_port: 10000, to_port: 59999"
    after = build(engine, catalog_path=edited_catalog(tmp_path, old, new))
    assert {name for name in after.names() - before.names()} == {
        f"chalk-egress-udp-10000-59999-{cidr.replace('/', '-')}" for cidr in JP1 + US2}


def test_every_security_group_rule_is_create_before_delete(engine: Engine) -> None:
    run = build(engine, encryption="e2ee")
    rules = [call.name for call in run.mocks.calls if call.typ in (EGRESS, INGRESS)]
    assert len(rules) == 21
    for name in rules:
        request = run.monitor.requests[name]
        assert request["deleteBeforeReplaceDefined"] is True and not request.get("deleteBeforeReplace"), name
        assert request["parent"].endswith(f"{COMPONENT}::chalk"), name


# --- signaling modes ----------------------------------------------------------------------------------


def test_network_firewall_mode(engine: Engine) -> None:
    run = build(engine)
    calls = run.by_name()
    chalk_plan = plan(load_catalog(), ["jp1", "us2"], 1)

    hosts = calls["chalk-signaling-hosts"].inputs
    assert hosts["type"] == "STATEFUL"
    source_list = hosts["ruleGroup"]["rulesSource"]["rulesSourceList"]
    assert source_list["generatedRulesType"] == "ALLOWLIST"
    assert source_list["targetTypes"] == ["TLS_SNI", "HTTP_HOST"]
    assert source_list["targets"] == list(chalk_plan.host_names)
    assert len(source_list["targets"]) == 17
    assert hosts["ruleGroup"]["statefulRuleOptions"] == {"ruleOrder": "STRICT_ORDER"}
    assert hosts["capacity"] == 100.0  # 2 target types x (17 hosts + 1) = 36 rules, x2, rounded up to 100

    media = calls["chalk-media"].inputs
    assert media["type"] == "STATEFUL" and media["capacity"] == 100.0  # 18 rules, x2 -> 100
    assert media["ruleGroup"]["statefulRuleOptions"] == {"ruleOrder": "STRICT_ORDER"}
    rules = media["ruleGroup"]["rulesSource"]["statefulRules"]
    expected = {(protocol.upper(), cidr, f"{lo}" if lo == hi else f"{lo}:{hi}")
                for name, (_, cidr, protocol, lo_f, hi_f) in expected_media(1).items()
                for lo, hi in [(int(lo_f), int(hi_f))]}
    assert {(r["header"]["protocol"], r["header"]["destination"], r["header"]["destinationPort"]) for r in rules} \
        == expected
    assert len(rules) == 18
    for rule in rules:
        assert rule["action"] == "PASS"
        assert (rule["header"]["source"], rule["header"]["sourcePort"], rule["header"]["direction"]) == (
            "ANY", "ANY", "FORWARD")
        assert [option["keyword"] for option in rule["ruleOptions"]] == ["sid"]
    sids = [rule["ruleOptions"][0]["settings"][0] for rule in rules]
    assert len(set(sids)) == len(sids)

    policy = calls["chalk-firewall-policy"].inputs["firewallPolicy"]
    assert policy["statelessDefaultActions"] == ["aws:forward_to_sfe"]
    assert policy["statelessFragmentDefaultActions"] == ["aws:forward_to_sfe"]
    assert policy["statefulEngineOptions"] == {"ruleOrder": "STRICT_ORDER"}
    assert policy["statefulDefaultActions"] == ["aws:drop_established", "aws:alert_established"]
    arn = "arn:aws:network-firewall:us-west-2:123456789012:stateful-rulegroup/"
    assert policy["statefulRuleGroupReferences"] == [
        {"resourceArn": f"{arn}chalk-signaling-hosts", "priority": 100.0},
        {"resourceArn": f"{arn}chalk-media", "priority": 200.0},
    ]
    assert run.value["firewall_policy_arn"].endswith("firewall-policy/chalk-firewall-policy")
    assert run.value["rule_group_arns"] == [f"{arn}chalk-signaling-hosts", f"{arn}chalk-media"]
    assert "filtered by the Network Firewall policy" in calls["chalk-egress-tcp-443-0.0.0.0-0"].inputs["description"]


def test_sids_are_stable_across_runs_and_selections(engine: Engine) -> None:
    def sids(run: Run) -> dict[tuple[str, str, str], str]:
        rules = run.by_name()["chalk-media"].inputs["ruleGroup"]["rulesSource"]["statefulRules"]
        return {(r["header"]["protocol"], r["header"]["destination"], r["header"]["destinationPort"]):
                r["ruleOptions"][0]["settings"][0] for r in rules}

    first, second, wider = sids(build(engine)), sids(build(engine)), sids(build(engine, regions="all"))
    assert first == second
    assert all(wider[key] == sid for key, sid in first.items())
    assert sids(build(engine, regions=["us2"])) == {key: sid for key, sid in first.items() if key[1] in US2}


def test_prod_capacity_has_headroom(engine: Engine) -> None:
    run = build(engine, regions="all", encryption="e2ee")
    per_group = {group: len(names) for group, names in egress_by_group(run).items()}
    assert run.value["rule_counts"] == {"chalk-sg-1": 59, "chalk-sg-2": 30}  # 57 media + signaling + peer
    assert per_group == {"chalk-sg-1-id": 59, "chalk-sg-2-id": 30}
    calls = run.by_name()
    sizes = capacity(plan(load_catalog(), "all", 1, "e2ee"))
    assert (sizes.hosts_rules, sizes.media_rules) == (52, 87)  # 2 x (25 hosts + 1); 29 ranges x 3 ports
    assert calls["chalk-signaling-hosts"].inputs["capacity"] == 200.0
    assert calls["chalk-media"].inputs["capacity"] == 200.0


def test_open_443_mode(engine: Engine) -> None:
    run = build(engine, signaling="open-443")
    assert {name for typ, name in run.inventory() if typ in (RULE_GROUP, POLICY)} == set()
    rule = run.by_name()["chalk-egress-tcp-443-0.0.0.0-0"].inputs
    assert (rule["securityGroupId"], rule["cidrIpv4"], rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == (
        "chalk-sg-1-id", "0.0.0.0/0", "tcp", 443.0, 443.0)
    assert rule["description"] == "Chalk signaling HTTPS/WSS to any address (open-443, no host-name filtering)"
    assert run.value["firewall_policy_arn"] is None and run.value["rule_group_arns"] == []
    assert run.inventory() - {(EGRESS, "chalk-egress-tcp-443-0.0.0.0-0")} == DEV_INVENTORY - {
        (EGRESS, "chalk-egress-tcp-443-0.0.0.0-0"), (RULE_GROUP, "chalk-signaling-hosts"),
        (RULE_GROUP, "chalk-media"), (POLICY, "chalk-firewall-policy")}


@pytest.mark.parametrize("port", [3128, 8080])
def test_proxy_mode(engine: Engine, port: int) -> None:
    run = build(engine, signaling=SignalingMode.PROXY, proxy_security_group_id=PROXY_SG, proxy_port=port)
    names = run.names()
    assert "chalk-egress-tcp-443-0.0.0.0-0" not in names
    assert not run.of(RULE_GROUP) and not run.of(POLICY)
    rule = run.by_name()[f"chalk-egress-tcp-{port}-proxy"].inputs
    assert (rule["securityGroupId"], rule["referencedSecurityGroupId"], rule["ipProtocol"], rule["fromPort"],
            rule["toPort"]) == ("chalk-sg-1-id", PROXY_SG, "tcp", float(port), float(port))
    assert "cidrIpv4" not in rule
    assert run.value["rule_counts"] == {"chalk-sg-1": 10, "chalk-sg-2": 9}


def test_proxy_security_group_may_be_an_output(engine: Engine) -> None:
    def program() -> None:
        import pulumi_aws as aws

        proxy = aws.ec2.SecurityGroup("proxy", vpc_id=VPC, description="HTTPS proxy")
        ChalkAwsEgress("chalk", ChalkAwsEgressArgs(vpc_id=VPC, regions="jp1", signaling="proxy",
                                                   proxy_security_group_id=proxy.id))

    run = engine.run(program)
    assert run.by_name()["chalk-egress-tcp-3128-proxy"].inputs["referencedSecurityGroupId"] == "proxy-id"


# --- descriptions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "signaling"), [(1, "network-firewall"), (2, "open-443"), (3, "proxy")])
def test_descriptions_use_only_what_aws_accepts(engine: Engine, option: int, signaling: str) -> None:
    proxy = PROXY_SG if signaling == "proxy" else None
    run = build(engine, regions="all", option=option, encryption="e2ee", signaling=signaling,
                proxy_security_group_id=proxy)
    calls = [call for call in run.mocks.calls if call.typ in (SG, EGRESS, INGRESS)]
    assert calls
    for call in calls:
        assert ALLOWED_DESCRIPTION.match(call.inputs["description"]), (call.name, call.inputs["description"])
    media = [call for call in run.of(EGRESS) if call.name.startswith("chalk-egress-") and "cidrIpv4" in call.inputs]
    # Nothing in a rule changes with the catalog version: a new catalog touches only the rules of changed ranges.
    assert media and not [call.name for call in media if VERSION in call.inputs["description"]]


def test_media_descriptions_name_their_regions(engine: Engine) -> None:
    calls = build(engine).by_name()
    assert calls["chalk-egress-udp-10000-60000-13.115.244.0-27"].inputs["description"] == (
        "Chalk media UDP 10000-60000 to jp1")
    assert calls["chalk-egress-udp-443-54.244.51.0-24"].inputs["description"] == (
        "Chalk media UDP 443 to us2")


@given(st.text(max_size=400))
def test_clean_description_always_fits(text: str) -> None:
    cleaned = clean_description(text)
    assert len(cleaned) <= 255
    assert re.fullmatch(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]*", cleaned)


def test_clean_description_keeps_allowed_text() -> None:
    assert clean_description("Chalk media UDP 443 to jp1, us2 (catalog 2026120101)") == (
        "Chalk media UDP 443 to jp1, us2 (catalog 2026120101)")
    assert clean_description("a<b>&c\"d'e\u00e9") == "abcde"
    assert clean_description("x" * 300) == "x" * 255


# --- tags and outputs ---------------------------------------------------------------------------------


def test_tags_reach_every_taggable_resource(engine: Engine) -> None:
    run = build(engine, tags={"owner": "platform", "chalk:catalog-version": "spoofed"})
    for call in run.mocks.calls:
        if call.typ == COMPONENT:
            continue
        assert call.inputs["tags"]["owner"] == "platform", call.name
        if call.typ in (EGRESS, INGRESS):  # rules don't record the catalog, and drop a user's spoofed value
            assert "chalk:catalog-version" not in call.inputs["tags"], call.name
        else:
            assert call.inputs["tags"]["chalk:catalog-version"] == VERSION, call.name


def test_preview_declares_the_same_resources(engine: Engine) -> None:
    settings = {"vpc_id": VPC, "regions": ["jp1", "us2"]}
    run = engine.run(lambda: ChalkAwsEgress("chalk", ChalkAwsEgressArgs(**settings)), preview=True)
    assert run.inventory() == DEV_INVENTORY
    rule = run.by_name()["chalk-egress-udp-443-13.115.244.0-27"].inputs
    assert isinstance(rule["securityGroupId"], pulumi.output.Unknown)  # the group's id is not known yet


# --- invalid inputs -----------------------------------------------------------------------------------

REGIONS = ALLOWED_REGIONS

BAD_INPUTS = {
    "unknown region": ({"regions": ["jp1", "xx9"]}, f"regions: unknown region xx9; {REGIONS}"),
    "empty regions": ({"regions": []}, f"regions: no region given; {REGIONS}"),
    "all and more": ({"regions": ["all", "jp1"]}, f"regions: 'all' cannot be combined with other regions; {REGIONS}"),
    "bad option": ({"option": 4}, "option: 4 is not a port option; allowed: 1, 2, 3"),
    "bad encryption": ({"encryption": "aes"}, "encryption: 'aes' is not an encryption mode; allowed: e2ee, standard"),
    "short vpc id": ({"vpc_id": "vpc-123"}, "vpc_id: 'vpc-123' is not a VPC id; allowed: vpc- and 8 or 17 "
                     "lower-case hex digits, e.g. vpc-0a1b2c3d4e5f60718"),
    "subnet id": ({"vpc_id": "subnet-0a1b2c3d4e5f60718"}, "vpc_id: 'subnet-0a1b2c3d4e5f60718' is not a VPC id; "
                  "allowed: vpc- and 8 or 17 lower-case hex digits, e.g. vpc-0a1b2c3d4e5f60718"),
    "bad signaling": ({"signaling": "dns"}, "signaling: 'dns' is not a signaling mode; allowed: network-firewall, "
                      "open-443, proxy"),
    "proxy without sg": ({"signaling": "proxy"}, "proxy_security_group_id: required when signaling is 'proxy'; "
                         "allowed: the proxy's security group id, e.g. sg-0a1b2c3d4e5f60718"),
    "proxy with bad sg": ({"signaling": "proxy", "proxy_security_group_id": "vpc-0a1b2c3d"},
                          "proxy_security_group_id: 'vpc-0a1b2c3d' is not a security group id; allowed: sg- and 8 "
                          "or 17 lower-case hex digits, e.g. sg-0a1b2c3d4e5f60718"),
    "proxy sg without proxy": ({"proxy_security_group_id": PROXY_SG},
                               "proxy_security_group_id: only used when signaling is 'proxy', not "
                               "'network-firewall'; allowed: unset, or signaling='proxy'"),
    "proxy port zero": ({"signaling": "proxy", "proxy_security_group_id": PROXY_SG, "proxy_port": 0},
                        "proxy_port: 0 is not a port; allowed: an integer 1-65535"),
    "proxy port too big": ({"signaling": "proxy", "proxy_security_group_id": PROXY_SG, "proxy_port": 70000},
                           "proxy_port: 70000 is not a port; allowed: an integer 1-65535"),
    "proxy port text": ({"signaling": "proxy", "proxy_security_group_id": PROXY_SG, "proxy_port": "3128"},
                        "proxy_port: '3128' is not a port; allowed: an integer 1-65535"),
    "tiny quota": ({"rules_per_group": 4}, "aws rules per group: 4 is too small; allowed: an integer of at least 5 "
                   "(3 rules per range plus 2 reserved)"),
    "bad tags": ({"tags": {"owner": 7}}, "tags: {'owner': 7} is not a tag map; allowed: a mapping of non-empty "
                 "string keys to string values"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_invalid_input_fails_at_construction_with_a_clear_message(engine: Engine, case: str) -> None:
    overrides, message = BAD_INPUTS[case]
    with pytest.raises(ComponentInputError) as raised:
        build(engine, **overrides)
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)


def test_invalid_input_registers_nothing(engine: Engine) -> None:
    def program() -> None:
        with pytest.raises(ComponentInputError):
            ChalkAwsEgress("chalk", ChalkAwsEgressArgs(vpc_id=VPC, regions=["nowhere"]))

    assert engine.run(program).mocks.calls == []


def test_vpc_id_from_another_resource_is_not_checked(engine: Engine) -> None:
    def program() -> None:
        import pulumi_aws as aws

        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        ChalkAwsEgress("chalk", ChalkAwsEgressArgs(vpc_id=vpc.id, regions="jp1"))

    run = engine.run(program)
    assert run.by_name()["chalk-sg-1"].inputs["vpcId"] == "vpc-id"


@pytest.mark.parametrize("regions", [["jp1"], ["us2"], ["jp1", "us2"], "all"])
def test_every_catalog_shard_exists_whatever_the_regions(engine: Engine, regions: Any) -> None:
    # Removing a region must never delete a group the clients still have attached (AWS: DependencyViolation),
    # and adding one must never need a group they do not have yet.
    run = build(engine, regions=regions)
    assert sorted(call.name for call in run.of(SG)) == ["chalk-sg-1", "chalk-sg-2"]


def test_home_net_widens_the_host_name_inspection_to_the_clients(engine: Engine) -> None:
    run = build(engine, home_net=["10.0.0.0/8", "172.16.0.0/12"])
    hosts = run.by_name()["chalk-signaling-hosts"].inputs["ruleGroup"]
    assert hosts["ruleVariables"] == {"ipSets": [{"key": "HOME_NET",
                                                  "ipSet": {"definitions": ["10.0.0.0/8", "172.16.0.0/12"]}}]}
    default = build(engine).by_name()["chalk-signaling-hosts"].inputs["ruleGroup"]
    assert "ruleVariables" not in default  # AWS's default: the firewall's own VPC


@pytest.mark.parametrize("home_net", ["10.0.0.0/8", ["10.0.0.1"], ["fd00::/8"], ["nonsense"]])
def test_a_bad_home_net_is_refused(engine: Engine, home_net: Any) -> None:
    with pytest.raises(ComponentInputError) as raised:
        build(engine, home_net=home_net)
    assert str(raised.value) == (f"home_net: {home_net!r} is not a list of CIDRs; allowed: IPv4 CIDRs of the "
                                 "Chalk clients, e.g. ['10.0.0.0/8']")
