"""ChalkAzureEgress under the SDK's mock engine: exact NSG rules, stable priorities, limits, firewall policy, errors."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from chalk_mocks import AZ_COMPONENT, AZ_POLICY, NSG, PROJECT_DIR, RCG, Engine, Run
from chalk_testkit import ALLOWED_REGIONS

from chalk_policy.catalog import load_catalog
from chalk_policy.catalog.loader import default_catalog_text
from chalk_policy.components import AzureInputError, ChalkAzureEgress, ChalkAzureEgressArgs
from chalk_policy.components import azure as azure_module
from chalk_policy.planning import AzureAccess, AzureBudget, AzureRule, Destination, Plan, plan

VERSION = "2026120101"
RG = "rg-chalk-network-tcp"
ALL = ["au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"]
DE1_IE1 = ["3.249.63.128/25", "18.156.18.128/25", "18.195.48.224/27", "52.59.186.0/27", "52.215.127.0/24",
           "52.215.253.0/26", "54.171.127.192/26"]
OPTION_RULES = {  # straight from PTC's table, not from the planner
    1: ("Udp", ["443", "3478", "10000-60000"]),
    2: ("Udp", ["443", "3478", "5349"]),
    3: ("Tcp", ["443", "3478", "5349"]),
}
POLICY_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub-network"
             "/providers/Microsoft.Network/firewallPolicies/fwp-hub")


def build(engine: Engine, preview: bool = False, **overrides: Any) -> Run:
    """Construct the component under fresh mocks; ``Run.value`` holds its resolved outputs."""
    settings: dict[str, Any] = {"resource_group_name": RG, "location": "westeurope", "regions": ["de1", "ie1"],
                                **overrides}

    def program() -> pulumi.Output[Any]:
        egress = ChalkAzureEgress("chalk-azure", ChalkAzureEgressArgs(**settings))
        return pulumi.Output.all(
            nsg_id=egress.nsg_id, nsg_name=egress.nsg_name, rule_count=egress.rule_count,
            firewall_policy_id=egress.firewall_policy_id, rule_collection_group_id=egress.rule_collection_group_id,
            catalog_version=egress.catalog_version, regions=egress.regions)

    return engine.run(program, preview=preview)


def nsg_rules(run: Run) -> list[dict[str, Any]]:
    (nsg,) = run.of(NSG)
    return list(nsg.inputs["securityRules"])


def rule(name: str, priority: int, access: str, protocol: str, prefixes: list[str], ports: list[str],
         description: str) -> dict[str, Any]:
    """A security rule in engine form (camelCase, numbers as floats), single or list fields as Azure wants."""
    expected: dict[str, Any] = {"name": name, "priority": float(priority), "direction": "Outbound", "access": access,
                                "protocol": protocol, "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                "description": description}
    expected.update({"destinationAddressPrefix": prefixes[0]} if len(prefixes) == 1
                    else {"destinationAddressPrefixes": prefixes})
    expected.update({"destinationPortRange": ports[0]} if len(ports) == 1 else {"destinationPortRanges": ports})
    return expected


def expected_rules(option: int, encryption: str, start: int = 100, end: int = 4096,
                   cidrs: list[str] = DE1_IE1, regions: str = "de1, ie1") -> list[dict[str, Any]]:
    protocol, ports = OPTION_RULES[option]
    tag = f"(Chalk catalog {VERSION})"
    media_offset, peer_offset = (0, 2) if protocol == "Udp" else (1, 3)
    rules = [rule(f"chalk-media-{protocol.lower()}", start + media_offset, "Allow", protocol, cidrs, ports,
                  f"Chalk media {protocol.upper()} to {regions} {tag}")]
    if encryption == "e2ee":
        rules.append(rule(f"chalk-peer-{protocol.lower()}", start + peer_offset, "Allow", protocol,
                          ["VirtualNetwork"], ["1024-65535"],
                          f"Chalk E2EE peer-to-peer {protocol.upper()} in the network {tag}"))
    rules.append(rule("chalk-signaling-https", start + 4, "Allow", "Tcp", ["Internet"], ["443"],
                      f"Chalk signaling HTTPS/WSS; host names are filtered by the firewall policy {tag}"))
    rules.append(rule("chalk-deny-internet", end, "Deny", "*", ["Internet"], ["*"],
                      f"Deny other Internet egress (after the Chalk allows; Chalk catalog {VERSION})"))
    return rules


# --- exact NSG rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", [1, 2, 3])
@pytest.mark.parametrize("encryption", ["standard", "e2ee"])
def test_exact_nsg_rules_per_option_and_encryption(engine: Engine, option: int, encryption: str) -> None:
    run = build(engine, option=option, encryption=encryption)
    assert nsg_rules(run) == expected_rules(option, encryption)
    assert run.inventory() == {(AZ_COMPONENT, "chalk-azure"), (NSG, "chalk-azure-nsg"),
                               (AZ_POLICY, "chalk-azure-firewall-policy"), (RCG, "chalk-azure-rule-collection-group")}
    (nsg,) = run.of(NSG)
    assert (nsg.inputs["resourceGroupName"], nsg.inputs["location"]) == (RG, "westeurope")
    assert run.value["rule_count"] == (4 if encryption == "e2ee" else 3)


def test_the_tcp_stack_rules_in_full(engine: Engine) -> None:
    """azure-tcp: de1 + ie1, option 3, standard encryption: three rules."""
    rules = nsg_rules(build(engine, option=3))
    assert [(r["name"], r["priority"], r["protocol"], r["access"]) for r in rules] == [
        ("chalk-media-tcp", 101, "Tcp", "Allow"),
        ("chalk-signaling-https", 104, "Tcp", "Allow"),
        ("chalk-deny-internet", 4096, "*", "Deny"),
    ]
    assert rules[0]["destinationAddressPrefixes"] == DE1_IE1
    assert rules[0]["destinationPortRanges"] == ["443", "3478", "5349"]


def test_e2ee_allows_peer_media_inside_the_virtual_network(engine: Engine) -> None:
    peers = [r for r in nsg_rules(build(engine, option=1, encryption="e2ee")) if r["name"].startswith("chalk-peer")]
    assert peers == [rule("chalk-peer-udp", 102, "Allow", "Udp", ["VirtualNetwork"], ["1024-65535"],
                          f"Chalk E2EE peer-to-peer UDP in the network (Chalk catalog {VERSION})")]


@pytest.mark.parametrize("window", [(100, 4096), (1000, 1010), (300, 305), (4091, 4096)])
def test_priorities_are_unique_within_the_window_and_the_deny_is_last(engine: Engine, window: tuple[int, int]) -> None:
    rules = nsg_rules(build(engine, option=1, encryption="e2ee", priority_window=window))
    assert rules == expected_rules(1, "e2ee", *window)
    priorities = [r["priority"] for r in rules]
    assert len(set(priorities)) == len(priorities)
    assert all(window[0] <= p <= window[1] for p in priorities)
    assert rules[-1]["name"] == "chalk-deny-internet" and rules[-1]["priority"] == window[1]
    assert max(priorities) == window[1] and priorities == sorted(priorities)


def test_without_the_deny_rule(engine: Engine) -> None:
    rules = nsg_rules(build(engine, option=3, deny_internet=False, priority_window=(200, 204)))
    assert rules == expected_rules(3, "standard", 200, 204)[:-1]
    assert all(r["access"] == "Allow" for r in rules)


@pytest.mark.parametrize("option", [1, 2, 3])
@pytest.mark.parametrize("encryption", ["standard", "e2ee"])
def test_all_regions_fit_azure_limits(engine: Engine, option: int, encryption: str) -> None:
    run = build(engine, regions="all", option=option, encryption=encryption)
    rules = nsg_rules(run)
    all_cidrs = list(plan(load_catalog(), "all", option, encryption).cidrs)
    assert len(all_cidrs) == 29
    assert rules == expected_rules(option, encryption, cidrs=all_cidrs, regions=", ".join(ALL))
    addresses = sum(len(r.get("destinationAddressPrefixes", [])) + ("destinationAddressPrefix" in r) for r in rules)
    assert addresses <= 4000 and len(rules) <= 1000
    assert all(len(r["name"]) <= 80 and len(r["description"]) <= 140 for r in rules)
    assert all(100 <= r["priority"] <= 4096 for r in rules)
    assert run.value["regions"] == ALL


# --- stability ----------------------------------------------------------------------------------------


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


def snapshot(run: Run) -> dict[str, dict[str, Any]]:
    return {call.name: call.inputs for call in run.mocks.calls}


def test_reordering_the_catalog_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    before = snapshot(build(engine, regions="all", encryption="e2ee"))
    for seed in (1, 2):
        path = shuffled_catalog(tmp_path, seed)
        assert [region.id for region in load_catalog(path).regions] != sorted(load_catalog().region_ids)
        after = snapshot(build(engine, regions="all", encryption="e2ee", catalog_path=path))
        assert after == before  # names, priorities, prefix and host lists included


@pytest.mark.parametrize(("base", "added"), [(["de1"], "ie1"), (["de1", "ie1"], "jp1"), (["us2"], "au1"),
                                             (["sg1"], "br1")])
@pytest.mark.parametrize("option", [1, 3])
def test_adding_a_region_renumbers_nothing(engine: Engine, base: list[str], added: str, option: int) -> None:
    before = {r["name"]: r for r in nsg_rules(build(engine, regions=base, option=option, encryption="e2ee"))}
    after = {r["name"]: r for r in nsg_rules(build(engine, regions=[*base, added], option=option, encryption="e2ee"))}
    assert list(after) == list(before)
    assert {name: r["priority"] for name, r in after.items()} == {name: r["priority"] for name, r in before.items()}
    media = f"chalk-media-{OPTION_RULES[option][0].lower()}"
    old, new = before[media], after[media]
    assert set(old.get("destinationAddressPrefixes", [old.get("destinationAddressPrefix")])) < set(
        new["destinationAddressPrefixes"])


def test_a_changed_range_is_an_in_place_update_of_the_same_rule(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    path.write_text(default_catalog_text().replace("18.156.18.128/25", "18.156.18.0/24"))
    before, after = build(engine), build(engine, catalog_path=str(path))
    assert before.names() == after.names()
    prefixes = nsg_rules(after)[0]["destinationAddressPrefixes"]
    assert "18.156.18.0/24" in prefixes and "18.156.18.128/25" not in prefixes
    assert [r["priority"] for r in nsg_rules(after)] == [r["priority"] for r in nsg_rules(before)]


def test_every_child_is_create_before_delete_under_the_component(engine: Engine) -> None:
    run = build(engine)
    for name in ("chalk-azure-nsg", "chalk-azure-firewall-policy", "chalk-azure-rule-collection-group"):
        request = run.monitor.requests[name]
        assert request["deleteBeforeReplaceDefined"] is True and not request.get("deleteBeforeReplace"), name
        assert request["parent"].endswith(f"{AZ_COMPONENT}::chalk-azure"), name


# --- Azure Firewall policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("option", [1, 2, 3])
@pytest.mark.parametrize("regions", [["de1", "ie1"], "all"])
def test_firewall_rule_collections_hold_exactly_the_plan(engine: Engine, option: int, regions: Any) -> None:
    run = build(engine, regions=regions, option=option, encryption="e2ee")
    chalk_plan = plan(load_catalog(), regions, option, "e2ee")
    (group,) = run.of(RCG)
    assert group.inputs["priority"] == 500 and group.inputs["resourceGroupName"] == RG
    assert group.inputs["firewallPolicyName"] == "chalk-azure-firewall-policy"  # the policy's name output
    media, signaling = group.inputs["ruleCollections"]
    protocol, ports = OPTION_RULES[option]
    assert media == {
        "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "chalk-media", "priority": 100,
        "action": {"type": "Allow"},
        "rules": [{"ruleType": "NetworkRule", "name": f"chalk-media-{protocol.lower()}",
                   "description": f"Chalk media {protocol.upper()} (catalog {VERSION})",
                   "ipProtocols": [protocol.upper()], "sourceAddresses": ["*"],
                   "destinationAddresses": list(chalk_plan.cidrs), "destinationPorts": ports}],
    }
    assert signaling == {
        "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "chalk-signaling", "priority": 200,
        "action": {"type": "Allow"},
        "rules": [{"ruleType": "ApplicationRule", "name": "chalk-signaling",
                   "description": f"Chalk signaling HTTPS/WSS (catalog {VERSION})", "sourceAddresses": ["*"],
                   "targetFqdns": list(chalk_plan.host_names), "protocols": [{"protocolType": "Https", "port": 443}]}],
    }
    assert "de1.vss.twilio.com" in signaling["rules"][0]["targetFqdns"]
    if regions != "all":
        assert media["rules"][0]["destinationAddresses"] == DE1_IE1


def test_a_new_firewall_policy_is_standard_tier_in_the_location(engine: Engine) -> None:
    (policy,) = build(engine, tags={"owner": "platform-network"}).of(AZ_POLICY)
    assert policy.inputs == {"resourceGroupName": RG, "location": "westeurope", "sku": {"tier": "Standard"},
                             "threatIntelMode": "Alert",
                             "tags": {"owner": "platform-network", "chalk-catalog-version": VERSION}}


def test_an_existing_firewall_policy_gets_only_the_rule_collection_group(engine: Engine) -> None:
    run = build(engine, firewall_policy_id=POLICY_ID, rule_collection_group_priority=1200,
                source_addresses=["10.20.0.0/16", "10.30.1.4"])
    assert not run.of(AZ_POLICY)
    (group,) = run.of(RCG)
    assert (group.inputs["firewallPolicyName"], group.inputs["resourceGroupName"]) == ("fwp-hub", "rg-hub-network")
    assert group.inputs["priority"] == 1200
    for collection in group.inputs["ruleCollections"]:
        assert all(r["sourceAddresses"] == ["10.20.0.0/16", "10.30.1.4"] for r in collection["rules"])
    assert run.value["firewall_policy_id"] == POLICY_ID
    (nsg,) = run.of(NSG)
    assert nsg.inputs["resourceGroupName"] == RG  # the NSG stays in the component's resource group


# --- outputs, tags, preview ---------------------------------------------------------------------------


def test_outputs(engine: Engine) -> None:
    run = build(engine, option=3)
    assert run.value == {
        "nsg_id": "chalk-azure-nsg-id", "nsg_name": "chalk-azure-nsg", "rule_count": 3,
        "firewall_policy_id": "chalk-azure-firewall-policy-id",
        "rule_collection_group_id": "chalk-azure-rule-collection-group-id",
        "catalog_version": VERSION, "regions": ["de1", "ie1"],
    }


def test_tags_reach_the_nsg_and_policy_and_the_catalog_tag_wins(engine: Engine) -> None:
    run = build(engine, tags={"owner": "platform", "chalk-catalog-version": "spoofed"})
    for call in (*run.of(NSG), *run.of(AZ_POLICY)):
        assert call.inputs["tags"] == {"owner": "platform", "chalk-catalog-version": VERSION}, call.name


def test_preview_declares_the_same_resources(engine: Engine) -> None:
    run = build(engine, preview=True)
    assert {name for _, name in run.inventory()} == {"chalk-azure", "chalk-azure-nsg", "chalk-azure-firewall-policy",
                                                     "chalk-azure-rule-collection-group"}
    assert nsg_rules(run) == expected_rules(1, "standard")
    assert run.value is None  # the ids are unknown during a preview, so the outputs never resolve


def test_the_aws_side_does_not_import_the_azure_sdk() -> None:
    code = ("import sys, chalk_policy.components as c, chalk_policy.components.program as p; c.ChalkAwsEgress; "
            "p.parse_settings({'regions': ['jp1'], 'awsVpcId': 'vpc-0a1b2c3d'}, '.').aws_args(); "
            "print('pulumi_azure_native' in sys.modules, 'pulumi_aws' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR, check=True)
    assert result.stdout.split() == ["False", "True"]


# --- invalid inputs -----------------------------------------------------------------------------------

REGIONS = ALLOWED_REGIONS
POLICY_SHAPE = ("allowed: None or /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/"
                "firewallPolicies/<name>")
WINDOW_SHAPE = "allowed: 100 <= start <= end <= 4096"

BAD_INPUTS = {
    "unknown region": ({"regions": ["de1", "mars1"]}, f"regions: unknown region mars1; {REGIONS}"),
    "bad option": ({"option": 4}, "option: 4 is not a port option; allowed: 1, 2, 3"),
    "bad encryption": ({"encryption": "aes"}, "encryption: 'aes' is not an encryption mode; allowed: e2ee, standard"),
    "window too small": ({"priority_window": (100, 102)},
                         "priority window: 100-102 is too small for the plan; allowed: a window of at least 6 "
                         "priorities, e.g. 100-105"),
    "window too small for e2ee udp": ({"priority_window": (4000, 4004), "encryption": "e2ee"},
                                      "priority window: 4000-4004 is too small for the plan; allowed: a window of at "
                                      "least 6 priorities, e.g. 4000-4005"),
    "window below 100": ({"priority_window": (50, 200)},
                         f"priority_window: (50, 200) is outside the NSG priorities; {WINDOW_SHAPE}"),
    "window above 4096": ({"priority_window": (4000, 5000)},
                          f"priority_window: (4000, 5000) is outside the NSG priorities; {WINDOW_SHAPE}"),
    "window reversed": ({"priority_window": (300, 200)},
                        f"priority_window: (300, 200) is outside the NSG priorities; {WINDOW_SHAPE}"),
    "window not a pair": ({"priority_window": (100,)},
                          "priority_window: (100,) is not a window; allowed: (start, end), two integers with "
                          "100 <= start <= end <= 4096"),
    "window of text": ({"priority_window": ("100", "200")},
                       "priority_window: ('100', '200') is not a window; allowed: (start, end), two integers with "
                       "100 <= start <= end <= 4096"),
    "display-name location": ({"location": "West Europe"},
                              "location: 'West Europe' is not an Azure location name; allowed: the programmatic name, "
                              "lower case without spaces, e.g. westeurope or germanywestcentral"),
    "empty location": ({"location": ""},
                       "location: '' is not an Azure location name; allowed: the programmatic name, lower case "
                       "without spaces, e.g. westeurope or germanywestcentral"),
    "bad resource group": ({"resource_group_name": "rg chalk."},
                           "resource_group_name: 'rg chalk.' is not a resource group name; allowed: 1-90 letters, "
                           "digits, '_', '-', '.', '(' or ')', not ending in '.', e.g. rg-chalk-network"),
    "empty resource group": ({"resource_group_name": ""},
                             "resource_group_name: '' is not a resource group name; allowed: 1-90 letters, digits, "
                             "'_', '-', '.', '(' or ')', not ending in '.', e.g. rg-chalk-network"),
    "policy name not id": ({"firewall_policy_id": "fwp-hub"},
                           f"firewall_policy_id: 'fwp-hub' is not a firewall policy id; {POLICY_SHAPE}"),
    "policy id of a firewall": ({"firewall_policy_id": POLICY_ID.replace("firewallPolicies", "azureFirewalls")},
                                f"firewall_policy_id: {POLICY_ID.replace('firewallPolicies', 'azureFirewalls')!r} is "
                                f"not a firewall policy id; {POLICY_SHAPE}"),
    "bad source address": ({"source_addresses": ["10.0.0.0/33"]},
                           "source_addresses: '10.0.0.0/33' is not an address; allowed: '*' or IPv4 addresses and "
                           "CIDRs without host bits, e.g. 10.20.0.0/16"),
    "source with host bits": ({"source_addresses": ["10.0.0.1/16"]},
                              "source_addresses: '10.0.0.1/16' is not an address; allowed: '*' or IPv4 addresses and "
                              "CIDRs without host bits, e.g. 10.20.0.0/16"),
    "source as one string": ({"source_addresses": "10.0.0.0/16"},
                             "source_addresses: '10.0.0.0/16' is not a list of addresses; allowed: a non-empty list "
                             "of '*' or IPv4 addresses and CIDRs, e.g. ['10.20.0.0/16']"),
    "no sources": ({"source_addresses": []},
                   "source_addresses: [] is not a list of addresses; allowed: a non-empty list of '*' or IPv4 "
                   "addresses and CIDRs, e.g. ['10.20.0.0/16']"),
    "rcg priority too low": ({"rule_collection_group_priority": 99},
                             "rule_collection_group_priority: 99 is out of range; allowed: an integer 100-65000"),
    "rcg priority too high": ({"rule_collection_group_priority": 65001},
                              "rule_collection_group_priority: 65001 is out of range; allowed: an integer 100-65000"),
    "rcg priority text": ({"rule_collection_group_priority": "500"},
                          "rule_collection_group_priority: '500' is out of range; allowed: an integer 100-65000"),
    "deny not a boolean": ({"deny_internet": "yes"},
                           "deny_internet: 'yes' is not a boolean; allowed: True or False"),
    "bad tags": ({"tags": {"owner/team": "x"}},
                 "tags: {'owner/team': 'x'} is not an Azure tag map; allowed: at most 49 tags (one is "
                 "chalk-catalog-version), names of 1-512 characters without < > % & \\ ? /, string values of at "
                 "most 256 characters"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_fails_at_construction_with_a_clear_message(engine: Engine, case: str) -> None:
    overrides, message = BAD_INPUTS[case]
    with pytest.raises(AzureInputError) as raised:
        build(engine, **overrides)
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)


def test_bad_input_registers_nothing(engine: Engine) -> None:
    def program() -> None:
        with pytest.raises(AzureInputError):
            ChalkAzureEgress("chalk-azure", resource_group_name=RG, location="westeurope", regions=["de1"],
                             priority_window=(100, 101))

    assert engine.run(program).mocks.calls == []


def crafted(rules: list[AzureRule]) -> Any:
    """A stand-in for the planner that returns these rules (what a broken custom catalog or planner could give)."""
    return lambda chalk_plan, window, deny_internet: AzureBudget(window, tuple(rules))


MEDIA = AzureRule("chalk-media-udp", 100, AzureAccess.ALLOW, "Udp", ("3.249.63.128/25",), ("443",), "Chalk media")
LIMITS = {
    "too many addresses": ([MEDIA, replace(MEDIA, name="more", priority=101,
                                           destination_prefixes=tuple(f"10.{i // 256}.{i % 256}.0/24"
                                                                      for i in range(4000)))],
                           "regions: 4001 destination prefixes exceed the NSG limit; allowed: at most 4000 per NSG"),
    "too many rules": ([replace(MEDIA, name=f"r{i}", priority=100 + i) for i in range(1001)],
                       "regions: 1001 rules exceed the NSG limit; allowed: at most 1000 rules per NSG"),
    "long name": ([replace(MEDIA, name="x" * 81)],
                  f"rule name {'x' * 81!r} is not an NSG rule name; allowed: 1-80 letters, digits, '_', '.', '-', "
                  "starting with a letter or digit"),
    "bad name": ([replace(MEDIA, name="chalk media")],
                 "rule name 'chalk media' is not an NSG rule name; allowed: 1-80 letters, digits, '_', '.', '-', "
                 "starting with a letter or digit"),
    "long description": ([replace(MEDIA, description="d" * 141)],
                         "rule chalk-media-udp: description of 141 characters; allowed: at most 140"),
    "same priority": ([MEDIA, replace(MEDIA, name="chalk-media-tcp")],
                      "rule chalk-media-tcp: priority 100 is taken or outside the window; allowed: a unique priority "
                      "in priority_window (100, 4096)"),
    "outside window": ([replace(MEDIA, priority=99)],
                       "rule chalk-media-udp: priority 99 is taken or outside the window; allowed: a unique priority "
                       "in priority_window (100, 4096)"),
}


@pytest.mark.parametrize("case", list(LIMITS))
def test_planned_rules_are_checked_against_azure_limits(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                         case: str) -> None:
    rules, message = LIMITS[case]
    monkeypatch.setattr(azure_module, "azure_budget", crafted(rules))
    with pytest.raises(AzureInputError) as raised:
        build(engine)
    assert str(raised.value) == message


def test_the_planner_refuses_a_plan_over_the_address_limit(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog with 4000 more ranges (built as a plan: loading such a file takes seconds) is refused by name."""
    real = azure_module.azure_budget

    def planner(chalk_plan: Plan, window: tuple[int, int], deny_internet: bool) -> AzureBudget:
        many = tuple(Destination(f"10.{i // 256}.{i % 256}.0/24", ("de1",)) for i in range(4000))
        bigger = replace(chalk_plan, media_rules=tuple(
            replace(rule, destinations=rule.destinations + many) for rule in chalk_plan.media_rules))
        return real(bigger, window, deny_internet=deny_internet)

    monkeypatch.setattr(azure_module, "azure_budget", planner)
    with pytest.raises(AzureInputError) as raised:
        build(engine)
    assert str(raised.value) == ("azure: 4009 destination prefixes exceed the NSG limit; allowed: at most 4000 per "
                                 "NSG (select fewer regions)")
