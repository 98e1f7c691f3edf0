"""Never an exception: garbage at every depth is skipped with a note; empty stacks are not applicable."""

from __future__ import annotations

from typing import Any

import pytest

from chalk_policy.coverage import FindingKind, Options, Resource, TagSelector, check_all, check_media

from .helpers import (
    CATALOG,
    EGRESS,
    FIREWALL_POLICY,
    NSG,
    PLAN,
    PREFIX_LIST,
    PREFIX_LIST_ENTRY,
    RCG,
    RULE_GROUP,
    SECURITY_RULE,
    SG,
    SG_RULE,
    UNKNOWN,
    res,
)

TYPES = [SG, EGRESS, SG_RULE, PREFIX_LIST, PREFIX_LIST_ENTRY, RULE_GROUP, FIREWALL_POLICY, NSG, SECURITY_RULE, RCG]
GARBAGE: list[Any] = [None, 0, 1.5, True, "x", UNKNOWN, [], [None], [UNKNOWN], {}, {"a": [1, {"b": None}]},
                      [{"protocol": ["udp"], "fromPort": {}, "toPort": "9" * 30}]]
KEYS = ["egress", "cidrIpv4", "ipProtocol", "fromPort", "toPort", "entries", "firewallPolicy", "ruleGroup",
        "securityRules", "ruleCollections", "tags", "type", "priority", "protocol", "destinationPortRange",
        "networkSecurityGroupName", "prefixListId", "id", "arn"]


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize("value", GARBAGE, ids=[repr(v)[:20] for v in GARBAGE])
def test_garbage_never_raises(type_: str, value: Any) -> None:
    resources = [res(type_, "whole", value), res(type_, "fields", {key: value for key in KEYS})]
    for options in (Options(), Options(TagSelector("chalk", "media"))):
        for result in check_all(resources, PLAN, CATALOG, options):
            assert all(isinstance(finding.message, str) and finding.message for finding in result.findings)


def test_stack_without_firewall_resources_is_not_applicable() -> None:
    result = check_media([Resource("aws:s3/bucket:Bucket", "urn:b", "b", {})], PLAN, CATALOG)
    assert (result.applicable, result.reason, result.findings) == (
        False, "the stack has no security groups, NSGs or firewall policies", ())


def test_selector_matching_no_nsg_is_a_violation() -> None:
    """Review finding: "not applicable" let an untagged (so unchecked) NSG pass; the clients' egress is unchecked."""
    stack = [res(NSG, "nsg", {"name": "nsg", "securityRules": [], "tags": {}})]
    result = check_media(stack, PLAN, CATALOG, Options(TagSelector("chalk", "media")))
    assert (result.applicable, result.reason, [(f.kind, f.message) for f in result.findings]) == (True, "", [(
        FindingKind.VIOLATION, "No NSG of the stack carries the tag chalk=media, so the Chalk clients' egress is not "
        "checked. Tag the NSG that governs the Chalk clients with chalk=media, or change the policy's clientTag.")])


def test_notes_are_findings_of_kind_note() -> None:
    result = check_media([res(EGRESS, "x", "not an object")], PLAN, CATALOG)
    assert [(f.kind, f.message) for f in result.findings if f.kind is FindingKind.NOTE] == [
        (FindingKind.NOTE, "Skipped aws.vpc.SecurityGroupEgressRule 'x': properties are the string 'not an object', "
                           "not an object.")]
