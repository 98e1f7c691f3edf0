"""Findings are computed once per analysis and shared by the policies that report them; the pack converts the
SDK's resources once per analysis, not once per policy; nothing is ever carried over to another analysis."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from analyzer import struct
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, PolicyCustomTimeouts, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyResource, _PolicyAnalyzerServicer
from pulumi_policy.proxy import unknown_checking_proxy

from chalk_policy.coverage import Resource
from chalk_policy.policies import build_policies, pack
from chalk_policy.policies.analysis import CHECKS
from chalk_policy.policies.runner import run_policies

EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
REGIONS = {"regions": ["jp1"]}
CONFIG = {"chalk-media-egress-required": REGIONS, "chalk-signaling-hosts-required": REGIONS,
          "chalk-media-egress-least-privilege": REGIONS, "chalk-option-consistency": REGIONS,
          "chalk-egress-unverified": REGIONS}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _props(cidr: str) -> dict[str, Any]:
    return {"cidrIpv4": cidr, "ipProtocol": "udp", "fromPort": 443, "toPort": 443, "tags": {"a": [1, {"b": UNKNOWN}]}}


def _stack(cidr: str) -> list[Resource]:
    return [Resource(EGRESS, f"urn:{cidr}", "r", _props(cidr))]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each coverage check runs."""
    counted: Counter[str] = Counter()
    for name, check in list(CHECKS.items()):
        def count(*args: Any, _check: Callable[..., Any] = check, _name: str = name) -> Any:
            counted[_name] += 1
            return _check(*args)

        monkeypatch.setitem(CHECKS, name, count)
    return counted


def test_each_check_runs_once_per_analysis_though_two_policies_report_the_media_and_hosts_ones(
        calls: Counter[str]) -> None:
    first = run_policies(_stack("13.115.244.0/27"), config=CONFIG)
    assert calls == dict.fromkeys(CHECKS, 1)
    # Another stack (or other settings) is a new analysis: computed again, never a stale result.
    second = run_policies(_stack("54.65.63.192/26"), config=CONFIG)
    assert calls == dict.fromkeys(CHECKS, 2)
    assert [v.message for v in first] != [v.message for v in second]


def test_policies_with_other_settings_get_their_own_results(calls: Counter[str]) -> None:
    config = {**CONFIG, "chalk-egress-unverified": {"regions": ["us2"]}}
    run_policies(_stack("13.115.244.0/27"), config=config)
    assert calls["chalk-media-egress-required"] == calls["chalk-signaling-hosts-required"] == 2


@pytest.fixture
def servicer() -> _PolicyAnalyzerServicer:
    """The SDK's analyzer service with our policies, as PolicyPack builds it (without a gRPC server): the pack's
    assumptions about the SDK are checked here, on the installed version."""
    service = _PolicyAnalyzerServicer("chalk-media", "0.0.1", build_policies(), EnforcementLevel.ADVISORY, None, None,
                                      None, None, None, None, None)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy in service.GetAnalyzerInfo(empty_pb2.Empty(), None).policies:
        request.policyConfig[policy.name].CopyFrom(analyzer_pb2.PolicyConfig(
            enforcementLevel=policy.enforcementLevel, properties=struct({**REGIONS, "fromStackConfig": False})))
    service.Configure(request, None)
    return service


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URNs the pack converted to the engine's resources, in order."""
    converted: list[str] = []
    original = pack.to_resource

    def to_resource(resource_type: str, urn: str, name: str, props: Any) -> Resource:
        converted.append(urn)
        return original(resource_type, urn, name, props)

    monkeypatch.setattr(pack, "to_resource", to_resource)
    return converted


def _request(*cidrs: str) -> analyzer_pb2.AnalyzeStackRequest:
    return analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(type=EGRESS, urn=f"urn:{cidr}", name="r", properties=struct(_props(cidr)))
        for cidr in cidrs])


def test_the_pack_converts_the_resources_once_per_analysis_and_runs_each_check_once(
        servicer: _PolicyAnalyzerServicer, conversions: list[str], calls: Counter[str]) -> None:
    first = servicer.AnalyzeStack(_request("13.115.244.0/27", "10.0.0.0/8"), None)
    assert conversions == ["urn:13.115.244.0/27", "urn:10.0.0.0/8"]  # not once per policy (5 policies)
    assert calls == dict.fromkeys(CHECKS, 1)
    again = servicer.AnalyzeStack(_request("13.115.244.0/27", "10.0.0.0/8"), None)
    assert len(conversions) == 4 and calls == dict.fromkeys(CHECKS, 2)  # a new call is a new analysis
    assert again == first
    other = servicer.AnalyzeStack(_request("54.65.63.192/26"), None)
    assert [d.message for d in other.diagnostics] != [d.message for d in first.diagnostics]


def _args(cidr: str) -> StackValidationArgs:
    """What the SDK passes a stack policy: resources built for it, properties behind unknown-checking proxies."""
    props = unknown_checking_proxy(deserialize_properties(_props(cidr)))
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    resource = PolicyResource(EGRESS, props, f"urn:{cidr}", "r", options, None, None, [], {})
    return StackValidationArgs([resource], {**REGIONS, "fromStackConfig": False})


def test_without_the_sdks_call_identity_equal_content_is_the_same_analysis_and_other_content_a_new_one(
        calls: Counter[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack._Analyses, "analysis", None)  # whatever an earlier test analysed
    media = next(policy for policy in build_policies() if policy.name == "chalk-media-egress-required")
    hosts = next(policy for policy in build_policies() if policy.name == "chalk-signaling-hosts-required")
    reported: list[str] = []

    def report(message: str, urn: str | None = None) -> None:  # closes over no AnalyzeResponse
        reported.append(message)

    media.validate(_args("13.115.244.0/27"), report)
    hosts.validate(_args("13.115.244.0/27"), report)
    media.validate(_args("13.115.244.0/27"), report)
    assert calls["chalk-media-egress-required"] == 1 and calls["chalk-signaling-hosts-required"] == 1
    media.validate(_args("54.65.63.192/26"), report)
    assert calls["chalk-media-egress-required"] == 2


def test_plain_unwraps_the_sdks_proxies_with_unknowns_as_sentinels() -> None:
    props = {"a": [1, {"b": UNKNOWN, "__target": "x"}], "c": UNKNOWN, "d": None, "e": 2.5, "f": True}
    assert pack.plain(unknown_checking_proxy(props)) == props
    assert pack.plain(props) == props
