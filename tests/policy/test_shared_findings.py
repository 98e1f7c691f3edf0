"""Findings are computed once per analysis and shared by the policies that report them."""

from __future__ import annotations

from typing import Any

import pytest

from chalk_policy.coverage import Resource
from chalk_policy.policies import pack
from chalk_policy.policies.runner import run_policies

CONFIG = {"chalk-media-egress-required": {"regions": ["jp1"]}, "chalk-signaling-hosts-required": {"regions": ["jp1"]},
          "chalk-egress-unverified": {"regions": ["jp1"]}}


def _stack(cidr: str) -> list[Resource]:
    return [Resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", f"urn:{cidr}", "r",
                     {"cidrIpv4": cidr, "ipProtocol": "udp", "fromPort": 443, "toPort": 443})]


def test_the_media_and_hosts_checks_run_once_for_their_policy_and_the_unverified_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for name in ("check_media", "check_signaling_hosts"):
        original = getattr(pack, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(pack, name, counted)
    first = run_policies(_stack("13.115.244.0/27"), config=CONFIG)
    assert sorted(calls) == ["check_media", "check_signaling_hosts"]
    # Another stack (or other settings) is a new analysis: computed again, never a stale result.
    second = run_policies(_stack("54.65.63.192/26"), config=CONFIG)
    assert sorted(calls) == ["check_media", "check_media", "check_signaling_hosts", "check_signaling_hosts"]
    assert [v.message for v in first] != [v.message for v in second]
