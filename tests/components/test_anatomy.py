"""The contract the three components share (chalk_policy.components.anatomy) and the component provider's schema:
inputs as args or keywords, checked by name; outputs registered under the schema's names; sdk/schema.json current."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from chalk_mocks import Engine
from pulumi.errors import InputPropertiesError
from pulumi.provider.server import ComponentInitError

from chalk_policy.components import (
    ChalkAwsEgress,
    ChalkAwsEgressArgs,
    ChalkAzureEgress,
    ChalkSquidProxy,
    ComponentInputError,
)
from chalk_policy.components import aws as aws_module
from chalk_policy.components.anatomy import output_names
from chalk_policy.components.aws import AwsEgressSettings
from chalk_policy.components.azure import AzureEgressSettings, ChalkAzureEgressArgs
from chalk_policy.components.provider import PACKAGE, ChalkProvider, components, schema, version
from chalk_policy.components.proxy import ChalkSquidProxyArgs, SquidProxySettings

ROOT = Path(__file__).resolve().parents[2]
VPC = "vpc-0a1b2c3d4e5f60718"
COMPONENTS = [  # component, its args TypedDict, its settings dataclass, minimal inputs
    (ChalkAwsEgress, ChalkAwsEgressArgs, AwsEgressSettings, {"vpc_id": VPC, "regions": ["jp1"]}),
    (ChalkAzureEgress, ChalkAzureEgressArgs, AzureEgressSettings,
     {"resource_group_name": "rg-chalk", "location": "westeurope", "regions": ["de1"]}),
    (ChalkSquidProxy, ChalkSquidProxyArgs, SquidProxySettings,
     {"vpc_id": VPC, "subnet_ids": ["subnet-0a1b2c3d4e5f60718"], "regions": ["jp1"], "client_cidrs": ["10.0.0.0/8"]}),
]
IDS = [component.__name__ for component, *_ in COMPONENTS]


@pytest.mark.parametrize(("component", "args", "settings", "inputs"), COMPONENTS, ids=IDS)
def test_the_args_and_the_settings_list_the_same_inputs(component: Any, args: Any, settings: Any,
                                                       inputs: dict[str, Any]) -> None:
    """The TypedDict (the schema, documented) and the settings dataclass (the defaults) are one contract."""
    fields = {field.name: field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
              for field in dataclasses.fields(settings)}
    assert fields == {key: key in args.__required_keys__ for key in args.__required_keys__ | args.__optional_keys__}
    assert set(inputs) >= {key for key, required in fields.items() if required}


@pytest.mark.parametrize(("component", "args", "settings", "inputs"), COMPONENTS, ids=IDS)
def test_keywords_and_an_args_mapping_build_the_same_resources(engine: Engine, component: Any, args: Any,
                                                                settings: Any, inputs: dict[str, Any]) -> None:
    by_args = engine.run(lambda: component("chalk", args(**inputs)))
    by_keywords = engine.run(lambda: component("chalk", **inputs))
    assert by_args.inventory() == by_keywords.inventory()
    assert {call.name: call.inputs for call in by_args.mocks.calls} == \
        {call.name: call.inputs for call in by_keywords.mocks.calls}


def test_numbers_from_yaml_and_json_languages_are_whole(engine: Engine) -> None:
    """`option: 1` arrives as 1.0 from YAML and the JSON-based SDKs; 1.5 is still refused."""
    whole = engine.run(lambda: ChalkAzureEgress("chalk", resource_group_name="rg-chalk", location="westeurope",
                                                regions=["de1"], option=2.0, priority_window=[100.0, 4096.0]))
    ints = engine.run(lambda: ChalkAzureEgress("chalk", resource_group_name="rg-chalk", location="westeurope",
                                               regions=["de1"], option=2, priority_window=[100, 4096]))
    assert {call.name: call.inputs for call in whole.mocks.calls} == \
        {call.name: call.inputs for call in ints.mocks.calls}

    def fraction() -> None:
        with pytest.raises(ComponentInputError, match=r"^option: 1\.5 is not a port option; allowed: 1, 2, 3$"):
            ChalkAwsEgress("chalk", vpc_id=VPC, regions=["jp1"], option=1.5)

    engine.run(fraction)


@pytest.mark.parametrize(("build", "message"), [
    pytest.param(lambda: ChalkAwsEgress("chalk", ChalkAwsEgressArgs(vpc_id=VPC, regions=["jp1"]), option=2),
                 "ChalkAwsEgress: inputs given both as args and as keywords (option); allowed: one or the other",
                 id="args-and-keywords"),
    pytest.param(lambda: ChalkAwsEgress("chalk", vpc_id=VPC, regions=["jp1"], rules_per_grup=100),
                 "ChalkAwsEgress: unknown input 'rules_per_grup'; allowed: vpc_id, regions, option, encryption, "
                 "signaling, proxy_security_group_id, proxy_port, rules_per_group, catalog_path, overlay_path, "
                 "home_net, tags", id="misspelt-keyword"),
    pytest.param(lambda: ChalkAwsEgress("chalk", regions=["jp1"]), "ChalkAwsEgress: vpc_id: required",
                 id="missing"),
    pytest.param(lambda: ChalkAwsEgress("chalk", ["jp1"]),  # type: ignore[call-overload]
                 "ChalkAwsEgress: args: ['jp1'] is not a mapping of inputs; allowed: the component's args (a dict), "
                 "or the inputs as keyword arguments", id="args-not-a-mapping"),
    pytest.param(lambda: ChalkAwsEgress("chalk", vpc_id=VPC, regions=pulumi.Output.from_input(["jp1"])),
                 "regions: a pulumi.Output; ChalkAwsEgress needs its value when the program runs, because it decides "
                 "which resources exist (nothing is created inside apply); allowed: a plain value, e.g. from "
                 "pulumi.Config().require_object(...)", id="regions-output"),
])
def test_bad_inputs_are_one_line_naming_them(engine: Engine, build: Any, message: str) -> None:
    def program() -> None:
        with pytest.raises(ComponentInputError) as raised:
            build()
        assert str(raised.value) == message

    engine.run(program)


def test_an_input_may_be_an_output_where_the_schema_says_so(engine: Engine) -> None:
    """vpc_id is a pulumi.Input: an Output of another resource is passed through to the security groups."""
    run = engine.run(lambda: ChalkAwsEgress("chalk", vpc_id=pulumi.Output.from_input(VPC), regions=["jp1"]))
    assert {call.inputs["vpcId"] for call in run.mocks.calls if "vpcId" in call.inputs} == {VPC}


@pytest.mark.parametrize(("component", "args", "settings", "inputs"), COMPONENTS, ids=IDS)
def test_the_registered_outputs_are_the_schemas(engine: Engine, monkeypatch: pytest.MonkeyPatch, component: Any,
                                                args: Any, settings: Any, inputs: dict[str, Any]) -> None:
    registered: dict[str, Any] = {}
    monkeypatch.setattr(component, "register_outputs", lambda self, outputs: registered.update(outputs))
    engine.run(lambda: component("chalk", **inputs))
    outputs = schema()["resources"][f"{PACKAGE}:index:{component.__name__}"]["properties"]
    assert set(outputs) <= set(registered)
    assert set(registered) - set(outputs) <= {"chalkIntent"}  # the stack intent, for the policy pack
    assert len(output_names(component)) == len(outputs)


def test_the_schema_has_every_component_with_documented_inputs_and_outputs() -> None:
    served = schema()
    assert (served["name"], served["version"]) == (PACKAGE, version())
    assert sorted(served["resources"]) == [f"chalk:index:{name}" for name in sorted(IDS)]
    assert [component.__name__ for component in components()] == IDS
    for token, resource in served["resources"].items():
        assert resource["isComponent"] is True
        assert resource["description"], token
        for kind in ("inputProperties", "properties"):
            undocumented = [name for name, prop in resource[kind].items() if not prop.get("description")]
            assert not undocumented, (token, kind, undocumented)
            assert not [name for name, prop in resource[kind].items() if "\n    " in prop["description"]], token
    aws = served["resources"]["chalk:index:ChalkAwsEgress"]
    assert aws["requiredInputs"] == ["regions", "vpcId"]
    assert aws["inputProperties"]["regions"]["plain"] is True  # decides which resources exist
    assert "plain" not in aws["inputProperties"]["vpcId"]  # may be another resource's output
    assert [(e["name"], e["value"]) for e in served["types"]["chalk:index:Encryption"]["enum"]] == [
        ("STANDARD", "standard"), ("E2EE", "e2ee")]


def test_sdk_schema_json_is_the_providers_schema() -> None:
    """sdk/schema.json is checked in for reviewers and SDK generation; regenerate it with `make schema`."""
    assert json.loads((ROOT / "sdk" / "schema.json").read_text(encoding="utf-8")) == schema(), \
        "sdk/schema.json is stale: run `make schema`"


@pytest.mark.parametrize(("token", "inputs", "path", "reason"), [
    pytest.param("chalk:index:ChalkAwsEgress", {"vpcId": "vpc-xyz", "regions": ["de1"]}, "vpcId",
                 "'vpc-xyz' is not a VPC id; allowed: vpc- and 8 or 17 lower-case hex digits",
                 id="schema-name"),
    pytest.param("chalk:index:ChalkAzureEgress",
                 {"resourceGroupName": "rg", "location": "westeurope", "regions": ["de1"], "option": 4.0}, "option",
                 "4 is not a port option; allowed: 1, 2, 3", id="same-name"),
    pytest.param("chalk:index:ChalkAwsEgress", {"vpcId": VPC, "regions": ["de1"], "signaling": "proxy"},
                 "proxySecurityGroupId", "required when signaling is 'proxy'", id="other-input-named"),
    pytest.param("chalk:index:ChalkAwsEgress", {"vpcId": VPC, "regions": ["de1"], "catalogPath": "/no/such.yaml"},
                 "", "/no/such.yaml: 1 problem in the catalog\n  /no/such.yaml: file not found", id="catalog"),
])
def test_the_provider_turns_an_input_error_into_the_engines_invalid_input(engine: Engine, token: str,
                                                                          inputs: dict[str, Any], path: str,
                                                                          reason: str) -> None:
    """Other languages get the component's error as the engine's invalid-input error, named as they wrote it
    (vpcId), not the SDK's "Unexpected <class 'Exception'>" with a traceback of our code."""
    provider = ChalkProvider()

    def program() -> None:
        with pytest.raises(InputPropertiesError) as raised:
            provider.construct("chalk", token, inputs)
        assert raised.value.message.startswith(f"{path}: {reason}" if path else reason)
        assert raised.value.errors is not None and len(raised.value.errors) == 1
        error = raised.value.errors[0]
        assert error["property_path"] == path
        assert error["reason"].startswith(reason)
        assert "vpc_id" not in raised.value.message and "Traceback" not in raised.value.message

    engine.run(program)


def test_the_provider_leaves_other_errors_to_the_sdk(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug of ours is not an input error: it keeps the SDK's report, with the traceback a maintainer needs."""
    provider = ChalkProvider()
    def bug(settings: AwsEgressSettings) -> None:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(aws_module, "_validate", bug)

    def program() -> None:
        with pytest.raises(ComponentInitError) as raised:
            provider.construct("chalk", "chalk:index:ChalkAwsEgress", {"vpcId": VPC, "regions": ["de1"]})
        assert isinstance(raised.value.inner, ZeroDivisionError)

    engine.run(program)
