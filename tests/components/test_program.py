"""The chalk-network program (root __main__.py) under mocks, with each stack's config as the CLI would pass it."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalk_mocks import (
    ASG,
    AZ_POLICY,
    EGRESS,
    INGRESS,
    LAUNCH_TEMPLATE,
    NLB,
    NSG,
    PROJECT_DIR,
    PROXY_COMPONENT,
    RCG,
    SG,
    Engine,
    load_stack_config,
    run_program,
)
from chalk_testkit import ALLOWED_REGIONS

from chalk_policy.components import AzureInputError, ComponentInputError, ProxyInputError
from chalk_policy.components.program import DEFAULTS, ProgramConfigError, parse_settings

STACKS = sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml")
                for path in (PROJECT_DIR / "stacks").glob("Pulumi.*.yaml"))
ALL = ["au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"]
ARN = "arn:aws:network-firewall:us-west-2:123456789012"
NETWORK_FIREWALL_EXPORTS = {
    "firewallPolicyArn": f"{ARN}:firewall-policy/chalk-firewall-policy",
    "ruleGroupArns": [f"{ARN}:stateful-rulegroup/chalk-signaling-hosts", f"{ARN}:stateful-rulegroup/chalk-media"],
    "catalogVersion": "2026120101",
    "securityGroupIds": ["chalk-sg-1-id", "chalk-sg-2-id"],
}
AZURE_EXPORTS = {
    "nsgId": "chalk-azure-nsg-id",
    "nsgName": "chalk-azure-nsg",
    "azureFirewallPolicyId": "chalk-azure-firewall-policy-id",
    "ruleCollectionGroupId": "chalk-azure-rule-collection-group-id",
}
EXPECTED = {
    "dev": {**NETWORK_FIREWALL_EXPORTS, "ruleCounts": {"chalk-sg-1": 10, "chalk-sg-2": 9}, "regions": ["jp1", "us2"]},
    "prod": {**NETWORK_FIREWALL_EXPORTS, "ruleCounts": {"chalk-sg-1": 59, "chalk-sg-2": 30}, "regions": ALL,
             **AZURE_EXPORTS, "nsgRuleCount": 4},
    "azure-tcp": {**AZURE_EXPORTS, "nsgRuleCount": 3, "catalogVersion": "2026120101", "regions": ["de1", "ie1"]},
    "proxy": {"firewallPolicyArn": None, "ruleGroupArns": [], "catalogVersion": "2026120101",
              "securityGroupIds": ["chalk-sg-1-id", "chalk-sg-2-id"], "ruleCounts": {"chalk-sg-1": 10, "chalk-sg-2": 0},
              "regions": ["jp1"],
              "proxyEndpoint": "chalk-proxy-nlb-0123456789abcdef.elb.us-west-2.amazonaws.com:3128",
              "proxySecurityGroupId": "chalk-proxy-lb-sg-id", "proxyAutoScalingGroupName": "chalk-proxy-asg"},
}
PROVIDER_KEYS = {"aws": "aws:region", "azure": "azure-native:location"}


def stack_file(stack: str) -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]


def test_the_expected_stacks_exist() -> None:
    assert STACKS == ["azure-tcp", "dev", "prod", "proxy"]


@pytest.mark.parametrize("stack", STACKS)
def test_program_runs_each_stack(engine: Engine, stack: str) -> None:
    run = run_program(engine, stack)
    assert run.exports == EXPECTED[stack]
    config = stack_file(stack)
    clouds = config.get("chalk-network:clouds", ["aws"])
    assert bool(run.of(SG)) == ("aws" in clouds) and bool(run.of(NSG)) == ("azure" in clouds)
    for group in run.of(SG):
        assert group.inputs["vpcId"] == config["chalk-network:awsVpcId"]
        assert config["chalk-network:tags"].items() <= group.inputs["tags"].items()
    for resource in (*run.of(NSG), *run.of(AZ_POLICY)):
        assert resource.inputs["resourceGroupName"] == config["chalk-network:azureResourceGroup"]
        assert resource.inputs["location"] == config["chalk-network:azureLocation"]
        assert resource.inputs["location"] == config["azure-native:location"]
        assert config["chalk-network:tags"].items() <= resource.inputs["tags"].items()


def test_dev_is_standard_encryption_with_network_firewall(engine: Engine) -> None:
    run = run_program(engine, "dev")
    assert not run.of(INGRESS)
    assert len(run.of(EGRESS)) == 19
    assert stack_file("dev")["aws:region"] == "us-west-2"


def test_prod_is_every_region_with_e2ee(engine: Engine) -> None:
    run = run_program(engine, "prod")
    assert [call.name for call in run.of(INGRESS)] == ["chalk-peer-ingress-udp-1024-65535"]
    assert len(run.of(EGRESS)) == 87 + 1 + 1
    assert stack_file("prod")["aws:region"] == "us-east-1"


def test_azure_tcp_is_tcp_only_in_two_european_regions(engine: Engine) -> None:
    run = run_program(engine, "azure-tcp")
    assert not run.of(SG) and not run.of(EGRESS)
    (nsg,) = run.of(NSG)
    assert [(r["name"], r["priority"], r["protocol"], r["access"]) for r in nsg.inputs["securityRules"]] == [
        ("chalk-media-tcp", 101, "Tcp", "Allow"), ("chalk-signaling-https", 104, "Tcp", "Allow"),
        ("chalk-deny-internet", 4096, "*", "Deny")]
    assert nsg.inputs["securityRules"][0]["destinationPortRanges"] == ["443", "3478", "5349"]
    (group,) = run.of(RCG)
    media, _ = group.inputs["ruleCollections"]
    assert [r["ipProtocols"] for r in media["rules"]] == [["TCP"]]


def test_prod_builds_both_clouds_from_the_same_plan(engine: Engine) -> None:
    run = run_program(engine, "prod")
    (nsg,) = run.of(NSG)
    names = [r["name"] for r in nsg.inputs["securityRules"]]
    assert names == ["chalk-media-udp", "chalk-peer-udp", "chalk-signaling-https", "chalk-deny-internet"]
    aws_cidrs = {call.inputs["cidrIpv4"] for call in run.of(EGRESS) if "cidrIpv4" in call.inputs} - {"0.0.0.0/0"}
    assert set(nsg.inputs["securityRules"][0]["destinationAddressPrefixes"]) == aws_cidrs
    assert stack_file("prod")["azure-native:location"] == "eastus"


def test_azure_config_overrides_reach_the_component(engine: Engine) -> None:
    policy = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub"
              "/providers/Microsoft.Network/firewallPolicies/fwp-hub")
    run = run_program(engine, "azure-tcp", {
        "chalk-network:azurePriorityStart": "2000",
        "chalk-network:azurePriorityEnd": "2010",
        "chalk-network:azureDenyInternet": "false",
        "chalk-network:azureFirewallPolicyId": policy,
        "chalk-network:azureSourceAddresses": '["10.20.0.0/16"]',
        "chalk-network:azureRuleCollectionGroupPriority": "700",
    })
    (nsg,) = run.of(NSG)
    assert [(r["name"], r["priority"]) for r in nsg.inputs["securityRules"]] == [
        ("chalk-media-tcp", 2001), ("chalk-signaling-https", 2004)]
    assert not run.of(AZ_POLICY)
    (group,) = run.of(RCG)
    assert (group.inputs["firewallPolicyName"], group.inputs["resourceGroupName"], group.inputs["priority"]) == (
        "fwp-hub", "rg-hub", 700)
    assert all(rule["sourceAddresses"] == ["10.20.0.0/16"]
               for collection in group.inputs["ruleCollections"] for rule in collection["rules"])
    assert run.exports["azureFirewallPolicyId"] == policy


def test_config_overrides_reach_the_component(engine: Engine) -> None:
    run = run_program(engine, "dev", {
        "chalk-network:option": "3",
        "chalk-network:awsSignaling": "proxy",
        "chalk-network:awsProxySecurityGroupId": "sg-0123456789abcdef0",
        "chalk-network:awsRulesPerGroup": "100",
    })
    names = {call.name for call in run.of(EGRESS)}
    assert "chalk-egress-tcp-3128-proxy" in names and "chalk-egress-tcp-5349-13.115.244.0-27" in names
    assert run.exports["firewallPolicyArn"] is None and run.exports["ruleGroupArns"] == []
    assert run.exports["ruleCounts"] == {"chalk-sg-1": 19}


def test_catalog_overlay_path_is_read(engine: Engine, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [{"cidr": "13.115.245.0/27", "source": "ptc-av", "evidence": "retrieved"}]}]}))
    run = run_program(engine, "dev", {"chalk-network:catalogOverlay": str(overlay)})
    assert run.exports["catalogVersion"] == "2026120101"
    assert "chalk-egress-udp-443-13.115.245.0-27" in {call.name for call in run.of(EGRESS)}


def test_proxy_stack_sends_signaling_through_the_squid_fleet(engine: Engine) -> None:
    run = run_program(engine, "proxy")
    config = stack_file("proxy")
    assert [call.name for call in run.of(PROXY_COMPONENT)] == ["chalk-proxy"]
    client_rules = {call.name: call.inputs for call in run.of(EGRESS) if call.name.startswith("chalk-egress-")}
    signaling = client_rules["chalk-egress-tcp-3128-proxy"]
    assert (signaling["securityGroupId"], signaling["referencedSecurityGroupId"], signaling["fromPort"]) == (
        "chalk-sg-1-id", "chalk-proxy-lb-sg-id", 3128)
    assert not any(rule.get("cidrIpv4") == "0.0.0.0/0" for rule in client_rules.values())  # no 443 to anywhere
    (group,) = run.of(ASG)
    assert group.inputs["vpcZoneIdentifiers"] == config["chalk-network:awsProxySubnetIds"]
    assert (group.inputs["minSize"], group.inputs["maxSize"], group.inputs["desiredCapacity"]) == (2, 4, 2)
    (nlb,) = run.of(NLB)
    assert nlb.inputs["internal"] is True and nlb.inputs["subnets"] == config["chalk-network:awsProxySubnetIds"]
    (template,) = run.of(LAUNCH_TEMPLATE)
    assert template.inputs["instanceType"] == "t3.small"
    assert "chalk-proxy-lb-ingress-tcp-3128-10.40.0.0-16" in run.names()


def test_proxy_config_overrides_reach_the_component(engine: Engine) -> None:
    run = run_program(engine, "proxy", {
        "chalk-network:awsProxyPort": "8080",
        "chalk-network:awsProxyInstanceType": "t4g.small",
        "chalk-network:awsProxyMinSize": "1",
        "chalk-network:awsProxyDesiredSize": "3",
        "chalk-network:awsProxyMaxSize": "6",
    })
    assert "chalk-egress-tcp-8080-proxy" in run.names()
    (group,) = run.of(ASG)
    assert (group.inputs["minSize"], group.inputs["desiredCapacity"], group.inputs["maxSize"]) == (1, 3, 6)
    (template,) = run.of(LAUNCH_TEMPLATE)
    assert template.inputs["instanceType"] == "t4g.small" and template.inputs["imageId"].endswith("-arm64")
    assert run.exports["proxyEndpoint"].endswith(":8080")


def test_public_proxy_clients_need_the_stack_opt_in(engine: Engine) -> None:
    public = {"chalk-network:awsProxyClientCidrs": '["8.8.8.0/24"]'}
    with pytest.raises(ProxyInputError, match=r"^client_cidrs: '8.8.8.0/24' holds public addresses"):
        run_program(engine, "proxy", public)

    run = run_program(engine, "proxy", public | {"chalk-network:awsProxyAllowPublicClients": "true"})
    (template,) = run.of(LAUNCH_TEMPLATE)
    squid_conf = base64.b64decode(template.inputs["userData"]).decode()
    assert "# WARNING: public client networks, allowed on purpose: 8.8.8.0/24." in squid_conf


def test_proxy_disabled_builds_no_proxy(engine: Engine) -> None:
    run = run_program(engine, "dev", {"chalk-network:awsProxySubnetIds": '["subnet-0a1b2c3d4e5f60718"]'})
    assert not run.of(PROXY_COMPONENT) and "proxyEndpoint" not in run.exports


CLOUDS = "allowed: aws, azure"
PROGRAM_ERRORS = {
    "unknown cloud": ("dev", {"chalk-network:clouds": '["aws", "gcp"]'}, ProgramConfigError,
                      f"clouds: 'gcp' not available in this program; {CLOUDS}"),
    "no clouds": ("dev", {"chalk-network:clouds": "[]"}, ProgramConfigError,
                  "clouds: [] is not a list of clouds; allowed: a non-empty list of aws, azure"),
    "no vpc": ("dev", {"chalk-network:awsVpcId": ""}, ProgramConfigError,
               "awsVpcId: required when clouds includes aws; allowed: the VPC id of the Chalk clients, "
               "e.g. vpc-0a1b2c3d4e5f60718"),
    "aws added without vpc": ("azure-tcp", {"chalk-network:clouds": '["azure", "aws"]'}, ProgramConfigError,
                              "awsVpcId: required when clouds includes aws; allowed: the VPC id of the Chalk "
                              "clients, e.g. vpc-0a1b2c3d4e5f60718"),
    "bad vpc": ("dev", {"chalk-network:awsVpcId": "vpc-xyz"}, ComponentInputError,
                "vpc_id: 'vpc-xyz' is not a VPC id; allowed: vpc- and 8 or 17 lower-case hex digits, "
                "e.g. vpc-0a1b2c3d4e5f60718"),
    "bad signaling": ("dev", {"chalk-network:awsSignaling": "squid"}, ComponentInputError,
                      "signaling: 'squid' is not a signaling mode; allowed: network-firewall, open-443, proxy"),
    "unknown region": ("dev", {"chalk-network:regions": '["jp1", "mars1"]'}, ComponentInputError,
                       "regions: unknown region mars1; " + ALLOWED_REGIONS),
    "unknown azure region": ("azure-tcp", {"chalk-network:regions": '["de1", "mars1"]'}, AzureInputError,
                             "regions: unknown region mars1; " + ALLOWED_REGIONS),
    "bad tags": ("dev", {"chalk-network:tags": '{"owner": 1}'}, ProgramConfigError,
                 "tags: {'owner': 1} is not a tag map; allowed: an object of string keys and values"),
    "azure without resource group": ("azure-tcp", {"chalk-network:azureResourceGroup": ""}, ProgramConfigError,
                                     "azureResourceGroup: required when clouds includes azure; allowed: the resource "
                                     "group of the Chalk NSG, e.g. rg-chalk-network"),
    "azure added without resource group": ("dev", {"chalk-network:clouds": '["aws", "azure"]'}, ProgramConfigError,
                                           "azureResourceGroup: required when clouds includes azure; allowed: the "
                                           "resource group of the Chalk NSG, e.g. rg-chalk-network"),
    "azure without location": ("azure-tcp", {"chalk-network:azureLocation": ""}, ProgramConfigError,
                               "azureLocation: required when clouds includes azure; allowed: an Azure location name, "
                               "e.g. westeurope"),
    "display-name location": ("azure-tcp", {"chalk-network:azureLocation": "West Europe"}, AzureInputError,
                              "location: 'West Europe' is not an Azure location name; allowed: the programmatic "
                              "name, lower case without spaces, e.g. westeurope or germanywestcentral"),
    "window too small": ("azure-tcp", {"chalk-network:azurePriorityEnd": "102"}, AzureInputError,
                         "priority window: 100-102 is too small for the plan; allowed: a window of at least 6 "
                         "priorities, e.g. 100-105"),
    "window outside": ("azure-tcp", {"chalk-network:azurePriorityEnd": "5000"}, AzureInputError,
                       "priority_window: (100, 5000) is outside the NSG priorities; allowed: 100 <= start <= end "
                       "<= 4096"),
    "bad policy id": ("azure-tcp", {"chalk-network:azureFirewallPolicyId": "fwp-hub"}, AzureInputError,
                      "firewall_policy_id: 'fwp-hub' is not a firewall policy id; allowed: None or /subscriptions/"
                      "<id>/resourceGroups/<group>/providers/Microsoft.Network/firewallPolicies/<name>"),
    "bad source": ("azure-tcp", {"chalk-network:azureSourceAddresses": '["corp-lan"]'}, AzureInputError,
                   "source_addresses: 'corp-lan' is not an address; allowed: '*' or IPv4 addresses and CIDRs without "
                   "host bits, e.g. 10.20.0.0/16"),
    "proxy without subnets": ("proxy", {"chalk-network:awsProxySubnetIds": "[]"}, ProgramConfigError,
                              "awsProxySubnetIds: required when awsProxyEnabled is true; allowed: private subnets "
                              "with a NAT route, one per availability zone, e.g. [subnet-0a1b2c3d4e5f60718, "
                              "subnet-0b2c3d4e5f6071829]"),
    "proxy sizes": ("proxy", {"chalk-network:awsProxyDesiredSize": "5"}, ProgramConfigError,
                    "awsProxyMinSize, awsProxyDesiredSize, awsProxyMaxSize: 2, 5, 4; allowed: 0 <= min <= desired "
                    "<= max, desired >= 1"),
    "proxy min above desired": ("proxy", {"chalk-network:awsProxyMinSize": "3"}, ProgramConfigError,
                                "awsProxyMinSize, awsProxyDesiredSize, awsProxyMaxSize: 3, 2, 4; allowed: 0 <= min "
                                "<= desired <= max, desired >= 1"),
    "proxy with open-443": ("proxy", {"chalk-network:awsSignaling": "open-443"}, ProgramConfigError,
                            "awsSignaling: 'open-443' contradicts awsProxyEnabled (the clients' signaling then goes "
                            "through the proxy); allowed: proxy, or leave it unset"),
    "proxy and an existing proxy": ("proxy", {"chalk-network:awsProxySecurityGroupId": "sg-0123456789abcdef0"},
                                    ProgramConfigError,
                                    "awsProxySecurityGroupId: set while awsProxyEnabled is true, which builds its "
                                    "own proxy security group; allowed: empty, or awsProxyEnabled false for an "
                                    "existing proxy"),
    "proxy on azure only": ("azure-tcp", {"chalk-network:awsProxyEnabled": "true"}, ProgramConfigError,
                            "awsProxyEnabled: the proxy is built on AWS; allowed: clouds including aws, or "
                            "awsProxyEnabled false"),
    "proxy bad subnet": ("proxy", {"chalk-network:awsProxySubnetIds": '["subnet-1"]'}, ProxyInputError,
                         "subnet_ids: 'subnet-1' is not a subnet id; allowed: subnet- and 8 or 17 lower-case hex "
                         "digits, e.g. subnet-0a1b2c3d4e5f60718"),
    "proxy subnets not a list": ("proxy", {"chalk-network:awsProxySubnetIds": '"subnet-0a1b2c3d4e5f60718"'},
                                 ProgramConfigError,
                                 "awsProxySubnetIds: 'subnet-0a1b2c3d4e5f60718' is not a list of strings; allowed: "
                                 "e.g. [subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829]"),
    "bad rcg priority": ("azure-tcp", {"chalk-network:azureRuleCollectionGroupPriority": "70000"}, AzureInputError,
                         "rule_collection_group_priority: 70000 is out of range; allowed: an integer 100-65000"),
}


@pytest.mark.parametrize("case", list(PROGRAM_ERRORS))
def test_bad_stack_config_fails_with_a_clear_message(engine: Engine, case: str) -> None:
    stack, overrides, error, message = PROGRAM_ERRORS[case]
    with pytest.raises(error) as raised:
        run_program(engine, stack, overrides)
    assert str(raised.value) == message


# --- Pulumi.yaml and the program agree ----------------------------------------------------------------


def test_pulumi_yaml_declares_exactly_the_keys_the_program_reads() -> None:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    assert project["name"] == "chalk-network"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert project["stackConfigDir"] == "stacks"
    declared = project["config"]
    assert set(declared) == {"regions", *DEFAULTS}
    assert "default" not in declared["regions"]  # required
    assert {key: decl["default"] for key, decl in declared.items() if "default" in decl} == dict(DEFAULTS)
    for key, decl in declared.items():
        assert decl["type"] in ("string", "integer", "boolean", "array", "object") and decl["description"], key
        assert decl["type"] != "array" or decl["items"] == {"type": "string"}, key
    assert {key: decl["type"] for key, decl in declared.items() if key.startswith("azure")} == {
        "azureResourceGroup": "string", "azureLocation": "string", "azurePriorityStart": "integer",
        "azurePriorityEnd": "integer", "azureDenyInternet": "boolean", "azureFirewallPolicyId": "string",
        "azureSourceAddresses": "array", "azureRuleCollectionGroupPriority": "integer"}
    assert "azure" in declared["clouds"]["description"]


def test_stack_files_set_only_declared_keys() -> None:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    for stack in STACKS:
        keys = set(stack_file(stack))
        own = {key.removeprefix("chalk-network:") for key in keys if key.startswith("chalk-network:")}
        assert own <= set(project["config"]), stack
        clouds = stack_file(stack).get("chalk-network:clouds", DEFAULTS["clouds"])
        assert keys - {f"chalk-network:{key}" for key in own} == {PROVIDER_KEYS[cloud] for cloud in clouds}, stack


def test_loader_applies_defaults_and_rejects_a_missing_required_key(tmp_path: Path) -> None:
    _, config = load_stack_config("dev")
    assert config["chalk-network:awsSignaling"] == "network-firewall"
    assert json.loads(config["chalk-network:regions"]) == ["jp1", "us2"]
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "stacks" / "Pulumi.empty.yaml").write_text("config: {}\n")
    with pytest.raises(ValueError, match=r"Stack 'empty' is missing configuration value 'regions'$"):
        load_stack_config("empty", tmp_path)


def test_parse_settings_resolves_the_overlay_against_the_project_dir() -> None:
    settings = parse_settings({"regions": ["jp1"], "awsVpcId": "vpc-0a1b2c3d", "catalogOverlay": "overlays/x.yaml"},
                              "/srv/chalk-network")
    assert settings.catalog_overlay == "/srv/chalk-network/overlays/x.yaml"
    assert settings.aws_proxy_security_group_id is None
    args = settings.aws_args()
    assert (args["regions"], args["option"], args["encryption"], args["signaling"], args["rules_per_group"]) == (
        ("jp1",), 1, "standard", "network-firewall", 60)
    azure = parse_settings({"regions": ["de1"], "clouds": ["azure"], "azureResourceGroup": "rg-x",
                            "azureLocation": "westeurope"}, "/srv").azure_args()
    keys = ("resource_group_name", "location", "regions", "priority_window", "deny_internet", "firewall_policy_id",
            "source_addresses", "rule_collection_group_priority")
    assert tuple(dict(azure)[key] for key in keys) == (
        "rg-x", "westeurope", ("de1",), (100, 4096), True, None, ("*",), 500)
    with pytest.raises(ProgramConfigError) as raised:
        parse_settings({}, "/srv")
    assert str(raised.value) == ("regions: required; allowed: a list of Chalk region ids, names or country codes, "
                                 "or [all]")


@pytest.mark.parametrize(("raw", "message"), [
    ({"azureDenyInternet": "yes"}, "azureDenyInternet: 'yes' is not a boolean; allowed: true or false"),
    ({"azurePriorityStart": "100"}, "azurePriorityStart: '100' is not an integer; allowed: an integer"),
    ({"azureSourceAddresses": "10.0.0.0/8"},
     "azureSourceAddresses: '10.0.0.0/8' is not a list of addresses; allowed: e.g. ['*'] or ['10.20.0.0/16']"),
])
def test_parse_settings_checks_azure_value_types(raw: dict[str, Any], message: str) -> None:
    base = {"regions": ["de1"], "clouds": ["azure"], "azureResourceGroup": "rg-x", "azureLocation": "westeurope"}
    with pytest.raises(ProgramConfigError) as raised:
        parse_settings({**base, **raw}, "/srv")
    assert str(raised.value) == message
