"""The recording provider (engine/recorder), driven over gRPC exactly as the Pulumi engine drives a plugin.

Each package's provider runs as a subprocess started the way the engine starts a plugin (engine address as the
first argument, engine flags after it); the test reads the port it prints and talks to it with the generated
``ResourceProviderStub``. No Pulumi CLI is needed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc as pulumi_rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "engine"
sys.path.insert(0, str(ENGINE))

from recorder import model  # noqa: E402
from recorder.props import SECRET_SIG, SIG_KEY, UNKNOWN  # noqa: E402
from recorder.replacements import REPLACE_ON_CHANGE  # noqa: E402

SG = "aws:ec2/securityGroup:SecurityGroup"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NSG = "azure-native:network:NetworkSecurityGroup"
RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
DIFF = provider_pb2.DiffResponse
KIND = provider_pb2.PropertyDiff.Kind


@dataclass
class Plugin:
    stub: provider_pb2_grpc.ResourceProviderStub
    channel: grpc.Channel
    log: Path
    process: subprocess.Popen[str]

    def records(self, urn: str) -> list[dict[str, Any]]:
        lines = self.log.read_text().splitlines()
        return [record for record in map(json.loads, lines) if record.get("urn") == urn]


def _launch(package: str, log: Path) -> subprocess.Popen[str]:
    """Start the plugin as the engine does: engine address first, engine flags after it."""
    env = {**os.environ, "PYTHONPATH": str(ENGINE), "CHALK_RECORDER_LOG": str(log)}
    command = [sys.executable, "-u", "-m", "recorder", "--package", package, "127.0.0.1:1",
               "--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:1"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _connect(process: subprocess.Popen[str], log: Path) -> Plugin:
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline()  # the handshake: the port alone on the first line
    if not line.strip().isdigit():
        process.kill()
        pytest.fail(f"no port from the provider: {line!r} {process.stderr.read()}")
    channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
    return Plugin(provider_pb2_grpc.ResourceProviderStub(channel), channel, log, process)


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Plugin]]:
    logs = {package: tmp_path_factory.mktemp(package) / "calls.jsonl" for package in ("aws", "azure-native")}
    processes = {package: _launch(package, log) for package, log in logs.items()}  # both start at once
    try:
        connected = {package: _connect(process, logs[package]) for package, process in processes.items()}
        yield connected
        for plugin in connected.values():
            plugin.channel.close()
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def aws(plugins: dict[str, Plugin]) -> Plugin:
    return plugins["aws"]


@pytest.fixture(scope="module")
def azure(plugins: dict[str, Plugin]) -> Plugin:
    return plugins["azure-native"]


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(message)
    return result


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::chalk::{type_token}::{name}"


def configure(plugin: Plugin, args: dict[str, Any]) -> provider_pb2.ConfigureResponse:
    response: provider_pb2.ConfigureResponse = plugin.stub.Configure(
        provider_pb2.ConfigureRequest(args=struct(args), acceptSecrets=True))
    return response


def check(plugin: Plugin, type_token: str, name: str, news: dict[str, Any],
          olds: dict[str, Any] | None = None) -> dict[str, Any]:
    request = provider_pb2.CheckRequest(urn=urn(type_token, name), type=type_token, name=name,
                                        news=struct(news), olds=struct(olds or {}))
    response = plugin.stub.Check(request)
    assert not response.failures
    return plain(response.inputs)


def diff(plugin: Plugin, type_token: str, old: dict[str, Any], new: dict[str, Any]) -> provider_pb2.DiffResponse:
    request = provider_pb2.DiffRequest(urn=urn(type_token, "r"), type=type_token, id="some-id", olds=struct(old),
                                       old_inputs=struct(old), news=struct(new))
    response: provider_pb2.DiffResponse = plugin.stub.Diff(request)
    return response


def create(plugin: Plugin, type_token: str, name: str, inputs: dict[str, Any],
           preview: bool = False) -> provider_pb2.CreateResponse:
    request = provider_pb2.CreateRequest(urn=urn(type_token, name), type=type_token, properties=struct(inputs),
                                         preview=preview)
    response: provider_pb2.CreateResponse = plugin.stub.Create(request)
    return response


SG_INPUTS = {"vpcId": "vpc-0abc", "description": "Chalk egress", "tags": {"Name": "chalk"}}
RULE_INPUTS = {"securityGroupId": "sg-0123", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "udp", "fromPort": 3478,
               "toPort": 3478, "description": "media"}


# --- plugin protocol ---------------------------------------------------------------------------------------


def test_plugin_info_reports_the_installed_sdk_version(aws: Plugin) -> None:
    import importlib.metadata

    assert aws.stub.GetPluginInfo(empty_pb2.Empty()).version == importlib.metadata.version("pulumi_aws")


def test_handshake_configure_and_schema(aws: Plugin) -> None:
    handshake = aws.stub.Handshake(provider_pb2.ProviderHandshakeRequest(engine_address="127.0.0.1:1"))
    assert (handshake.accept_secrets, handshake.accept_resources, handshake.accept_outputs) == (True, True, True)
    configured = configure(aws, {"region": "eu-west-1"})
    assert (configured.acceptSecrets, configured.supportsPreview, configured.acceptResources,
            configured.acceptOutputs) == (True, True, True, False)
    schema = json.loads(aws.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema)
    assert schema["name"] == "aws"


def test_special_values_match_the_sdk() -> None:
    assert pulumi_rpc.UNKNOWN == UNKNOWN
    assert (pulumi_rpc._special_sig_key, pulumi_rpc._special_secret_sig) == (SIG_KEY, SECRET_SIG)


def test_invoke_is_refused(aws: Plugin) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        aws.stub.Invoke(provider_pb2.InvokeRequest(tok="aws:index/getRegion:getRegion"))
    assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "aws:index/getRegion:getRegion is not modelled" in str(refused.value.details())


# --- check -------------------------------------------------------------------------------------------------


def test_check_auto_names_and_keeps_the_old_name(aws: Plugin) -> None:
    first = check(aws, SG, "chalk-sg", SG_INPUTS)
    assert re.fullmatch(r"chalk-sg-[0-9a-f]{7}", first["name"])
    assert first["__defaults"] == ["name"]
    assert {key: first[key] for key in SG_INPUTS} == SG_INPUTS
    again = check(aws, SG, "chalk-sg", SG_INPUTS, olds=first)
    assert again["name"] == first["name"]


def test_check_leaves_explicit_names_and_prefixes_alone(aws: Plugin) -> None:
    assert check(aws, SG, "x", {**SG_INPUTS, "name": "fixed"})["name"] == "fixed"
    prefixed = check(aws, SG, "x", {**SG_INPUTS, "namePrefix": "chalk-"})
    assert "name" not in prefixed and prefixed["__defaults"] == []
    assert "name" not in check(aws, EGRESS, "rule", RULE_INPUTS)


def test_check_fails_a_name_over_the_length_cap(aws: Plugin) -> None:
    token = "aws:lb/targetGroup:TargetGroup"
    request = provider_pb2.CheckRequest(urn=urn(token, "t" * 30), type=token, news=struct({"port": 3128}))
    failures = aws.stub.Check(request).failures
    assert [failure.property for failure in failures] == ["name"]
    assert "longer than maximum length 32" in failures[0].reason


# --- diff --------------------------------------------------------------------------------------------------


def test_diff_without_changes_is_none(aws: Plugin) -> None:
    inputs = check(aws, SG, "same", SG_INPUTS)
    response = diff(aws, SG, inputs, inputs)
    assert response.changes == DIFF.DIFF_NONE
    assert list(response.replaces) == []


def test_security_group_description_change_replaces(aws: Plugin) -> None:
    old = check(aws, SG, "sg", SG_INPUTS)
    response = diff(aws, SG, old, {**old, "description": "something else"})
    assert response.changes == DIFF.DIFF_SOME
    assert list(response.replaces) == ["description"]
    assert response.detailedDiff["description"].kind == KIND.Value("UPDATE_REPLACE")
    assert response.hasDetailedDiff and not response.deleteBeforeReplace


def test_rule_cidr_change_updates_in_place(aws: Plugin) -> None:
    old = check(aws, EGRESS, "rule", RULE_INPUTS)
    response = diff(aws, EGRESS, old, {**old, "cidrIpv4": "10.1.0.0/16", "tags": {"a": "b"}})
    assert response.changes == DIFF.DIFF_SOME
    assert list(response.replaces) == []
    assert sorted(response.diffs) == ["cidrIpv4", "tags"]
    assert response.detailedDiff["cidrIpv4"].kind == KIND.Value("UPDATE")
    assert response.detailedDiff["tags"].kind == KIND.Value("ADD")


def test_unknown_values_count_as_changes(aws: Plugin) -> None:
    old = check(aws, EGRESS, "rule", RULE_INPUTS)
    unknown_port = diff(aws, EGRESS, old, {**old, "toPort": UNKNOWN})
    assert list(unknown_port.diffs) == ["toPort"] and list(unknown_port.replaces) == []
    unknown_group = diff(aws, EGRESS, old, {**old, "securityGroupId": UNKNOWN})
    assert list(unknown_group.replaces) == ["securityGroupId"]


def test_rule_source_kind_change_replaces(aws: Plugin) -> None:
    old = check(aws, EGRESS, "rule", RULE_INPUTS)
    new = {key: value for key, value in old.items() if key != "cidrIpv4"} | {"referencedSecurityGroupId": "sg-9"}
    response = diff(aws, EGRESS, old, new)
    assert sorted(response.replaces) == ["cidrIpv4", "referencedSecurityGroupId"]
    assert response.detailedDiff["cidrIpv4"].kind == KIND.Value("DELETE_REPLACE")


def test_secrets_compare_by_value(aws: Plugin) -> None:
    old = check(aws, SG, "secret", {**SG_INPUTS, "description": {SIG_KEY: SECRET_SIG, "value": "hidden"}})
    assert diff(aws, SG, old, {**old, "description": "hidden"}).changes == DIFF.DIFF_NONE


def test_explicit_name_replacement_deletes_first(aws: Plugin) -> None:
    old = check(aws, SG, "named", {**SG_INPUTS, "name": "fixed"})
    response = diff(aws, SG, old, {**old, "vpcId": "vpc-other"})
    assert list(response.replaces) == ["vpcId"]
    assert response.deleteBeforeReplace


def test_replace_table_covers_every_type_the_project_creates() -> None:
    assert REPLACE_ON_CHANGE[SG] >= {"name", "namePrefix", "description", "vpcId"}
    assert REPLACE_ON_CHANGE[EGRESS] == frozenset({"securityGroupId", "region"})
    assert {"capacity", "name"} <= REPLACE_ON_CHANGE["aws:networkfirewall/ruleGroup:RuleGroup"]
    assert len(REPLACE_ON_CHANGE) == 13


def test_value_dependent_replacements() -> None:
    token = "aws:networkfirewall/ruleGroup:RuleGroup"
    group: dict[str, Any] = {"name": "g", "capacity": 100, "type": "STATEFUL",
                             "ruleGroup": {"rulesSource": {"rulesString": "x"}}}
    strict = {**group, "ruleGroup": {**group["ruleGroup"], "statefulRuleOptions": {"ruleOrder": "STRICT_ORDER"}}}
    assert model.diff(token, group, group, strict, "aws").replaces == ["ruleGroup"]
    assert model.diff(token, group, group, {**group, "type": "STATELESS"}, "aws").replaces == []
    balancer = "aws:lb/loadBalancer:LoadBalancer"
    nlb: dict[str, Any] = {"name": "n", "loadBalancerType": "network", "subnets": ["subnet-a", "subnet-b"]}
    assert model.diff(balancer, nlb, nlb, {**nlb, "subnets": ["subnet-a"]}, "aws").replaces == ["subnets"]
    assert model.diff(balancer, nlb, nlb, {**nlb, "subnets": [*nlb["subnets"], "subnet-c"]}, "aws").replaces == []


def test_engine_autonaming_options_win() -> None:
    proposed = model.check(SG, urn(SG, "sg"), {}, {}, "aws", model.Autonaming("PROPOSE", "chalk-dev-sg"))
    assert proposed.inputs["name"] == "chalk-dev-sg"
    disabled = model.check(SG, urn(SG, "sg"), {}, {}, "aws", model.Autonaming("DISABLE", ""))
    assert "name" not in disabled.inputs


# --- create / update / read / delete -----------------------------------------------------------------------


def test_create_mints_ids_and_keeps_inputs(aws: Plugin) -> None:
    configure(aws, {"region": "eu-west-1"})
    inputs = check(aws, SG, "created", SG_INPUTS)
    response = create(aws, SG, "created", inputs)
    outputs = plain(response.properties)
    assert re.fullmatch(r"sg-[0-9a-f]{17}", response.id)
    assert outputs["arn"] == f"arn:aws:ec2:eu-west-1:123456789012:security-group/{response.id}"
    assert outputs["id"] == response.id and outputs["ownerId"] == "123456789012"
    assert {key: outputs[key] for key in SG_INPUTS} == SG_INPUTS
    assert outputs["name"] == inputs["name"] and "__defaults" not in outputs
    rule = create(aws, EGRESS, "rule", check(aws, EGRESS, "rule", RULE_INPUTS))
    assert re.fullmatch(r"sgr-[0-9a-f]{17}", rule.id)
    assert plain(rule.properties)["securityGroupRuleId"] == rule.id


def test_create_preview_leaves_computed_values_unknown(aws: Plugin) -> None:
    response = create(aws, SG, "previewed", check(aws, SG, "previewed", SG_INPUTS), preview=True)
    outputs = plain(response.properties)
    assert response.id == ""
    assert outputs["arn"] == UNKNOWN and outputs["ownerId"] == UNKNOWN
    assert outputs["description"] == SG_INPUTS["description"]


def test_update_keeps_the_id_and_computed_outputs(aws: Plugin) -> None:
    old_inputs = check(aws, EGRESS, "rule", RULE_INPUTS)
    created = create(aws, EGRESS, "rule", old_inputs)
    olds = plain(created.properties)
    news = {**old_inputs, "cidrIpv4": "192.168.0.0/16"}
    request = provider_pb2.UpdateRequest(urn=urn(EGRESS, "rule"), type=EGRESS, id=created.id, olds=struct(olds),
                                         old_inputs=struct(old_inputs), news=struct(news))
    outputs = plain(aws.stub.Update(request).properties)
    assert outputs["id"] == created.id and outputs["arn"] == olds["arn"]
    assert outputs["cidrIpv4"] == "192.168.0.0/16"


def test_launch_template_update_makes_a_new_version(aws: Plugin) -> None:
    old_inputs = check(aws, LAUNCH_TEMPLATE, "lt", {"imageId": "ami-1", "updateDefaultVersion": True})
    created = create(aws, LAUNCH_TEMPLATE, "lt", old_inputs)
    olds = plain(created.properties)
    assert re.fullmatch(r"lt-[0-9a-f]{17}", created.id) and olds["latestVersion"] == 1

    def update(preview: bool) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(urn=urn(LAUNCH_TEMPLATE, "lt"), type=LAUNCH_TEMPLATE, id=created.id,
                                             olds=struct(olds), old_inputs=struct(old_inputs), preview=preview,
                                             news=struct({**old_inputs, "imageId": "ami-2"}))
        return plain(aws.stub.Update(request).properties)

    assert update(preview=True)["latestVersion"] == UNKNOWN
    applied = update(preview=False)
    assert applied["latestVersion"] == 2 and applied["defaultVersion"] == 2


def test_read_returns_the_stored_state(aws: Plugin) -> None:
    state = {"id": "sg-1", "arn": "arn:x", "description": "d"}
    request = provider_pb2.ReadRequest(urn=urn(SG, "read"), type=SG, id="sg-1", properties=struct(state),
                                       inputs=struct({"description": "d"}))
    response = aws.stub.Read(request)
    assert response.id == "sg-1"
    assert plain(response.properties) == state and plain(response.inputs) == {"description": "d"}
    missing = aws.stub.Read(provider_pb2.ReadRequest(urn=urn(SG, "gone"), type=SG, id="sg-2"))
    assert missing.id == ""


def test_delete_answers_empty(aws: Plugin) -> None:
    request = provider_pb2.DeleteRequest(urn=urn(SG, "deleted"), type=SG, id="sg-3", properties=struct({"a": 1}))
    assert aws.stub.Delete(request) == empty_pb2.Empty()


# --- the log -----------------------------------------------------------------------------------------------


def test_every_call_is_one_log_line(aws: Plugin) -> None:
    name = f"logged-{uuid.uuid4().hex[:8]}"
    inputs = check(aws, SG, name, SG_INPUTS)
    created = create(aws, SG, name, inputs)
    request = provider_pb2.DiffRequest(urn=urn(SG, name), type=SG, id=created.id, olds=created.properties,
                                       old_inputs=struct(inputs), news=struct({**inputs, "description": "new"}))
    aws.stub.Diff(request)
    aws.stub.Delete(provider_pb2.DeleteRequest(urn=urn(SG, name), type=SG, id=created.id))
    records = aws.records(urn(SG, name))
    assert [record["method"] for record in records] == ["Check", "Create", "Diff", "Delete"]
    check_record, create_record, diff_record, delete_record = records
    assert all(record["type"] == SG and record["package"] == "aws" and record["pid"] == aws.process.pid
               for record in records)
    assert check_record["inputs"]["name"] == inputs["name"] and check_record["news"] == SG_INPUTS
    assert create_record["id"] == created.id and create_record["preview"] is False
    assert diff_record["replaces"] == ["description"] and diff_record["changes"] == "DIFF_SOME"
    assert delete_record["id"] == created.id
    assert isinstance(check_record["ts"], float)


def test_secret_values_are_redacted_in_the_log(aws: Plugin) -> None:
    name = f"secret-{uuid.uuid4().hex[:8]}"
    check(aws, SG, name, {**SG_INPUTS, "description": {SIG_KEY: SECRET_SIG, "value": "hunter2"}})
    assert "hunter2" not in aws.log.read_text()
    assert aws.records(urn(SG, name))[0]["news"]["description"]["value"] == "[secret]"


# --- azure-native ------------------------------------------------------------------------------------------


def test_azure_auto_name_and_ids(azure: Plugin) -> None:
    configure(azure, {"subscriptionId": "11111111-2222-3333-4444-555555555555"})
    inputs = check(azure, NSG, "chalk-nsg", {"resourceGroupName": "rg-chalk", "location": "westeurope"})
    assert re.fullmatch(r"chalk-nsg[0-9a-f]{8}", inputs["networkSecurityGroupName"])
    assert inputs["__createBeforeDelete"] is True and inputs["azureApiVersion"] == "2024-05-01"
    response = create(azure, NSG, "chalk-nsg", inputs)
    assert response.id == ("/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-chalk/providers/"
                           f"Microsoft.Network/networkSecurityGroups/{inputs['networkSecurityGroupName']}")
    outputs = plain(response.properties)
    assert outputs["provisioningState"] == "Succeeded" and outputs["name"] == inputs["networkSecurityGroupName"]
    assert "__createBeforeDelete" not in outputs


def test_azure_rule_collection_group_id_names_its_policy(azure: Plugin) -> None:
    inputs = check(azure, RULE_COLLECTION_GROUP, "rcg", {"resourceGroupName": "rg", "firewallPolicyName": "fp-1",
                                                         "priority": 200})
    response = create(azure, RULE_COLLECTION_GROUP, "rcg", inputs)
    assert response.id.endswith(
        f"/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fp-1/ruleCollectionGroups/"
        f"{inputs['ruleCollectionGroupName']}")


def test_azure_path_parameters_replace(azure: Plugin) -> None:
    old = check(azure, NSG, "nsg", {"resourceGroupName": "rg-a", "location": "westeurope", "securityRules": []})
    moved = diff(azure, NSG, old, {**old, "resourceGroupName": "rg-b"})
    assert list(moved.replaces) == ["resourceGroupName"] and not moved.deleteBeforeReplace
    rules = diff(azure, NSG, old, {**old, "securityRules": [{"name": "allow"}]})
    assert rules.changes == DIFF.DIFF_SOME and list(rules.replaces) == []
