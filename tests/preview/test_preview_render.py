"""Text and JSON views of a recorded run."""

from __future__ import annotations

import dataclasses
import json

from preview_kit import COMPONENT_URN, RULE_URN, SG_URN, STACK_URN, states

from chalk_policy.preview import PreviewResult
from chalk_policy.preview.engine import UNKNOWN, ResourceRecord
from chalk_policy.preview.quotas import aws_egress_per_group, quota_lines, rule_group_use
from chalk_policy.preview.render import to_dict, to_json, to_text

RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def test_json_shape(tiny_results: dict[bool, PreviewResult]) -> None:
    data = json.loads(to_json(tiny_results[False]))
    assert list(data) == ["config", "steps", "duration", "changeSummary", "chalkStackOutputs"]
    assert list(states(data)) == [STACK_URN, COMPONENT_URN, SG_URN, RULE_URN.format(0), RULE_URN.format(1)]
    stack, component, sg, rule0, _ = data["steps"]
    assert stack == {"op": "create", "urn": STACK_URN,
                     "newState": {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack"},
                     "detailedDiff": None}
    assert component["newState"] == {"urn": COMPONENT_URN, "custom": False, "type": "tiny:index:Egress",
                                     "parent": STACK_URN}
    assert sg["newState"] == {
        "urn": SG_URN, "custom": True, "type": "aws:ec2/securityGroup:SecurityGroup",
        "inputs": {"description": "tiny egress", "vpcId": "vpc-123"}, "parent": COMPONENT_URN,
        "propertyDependencies": {"description": [], "vpcId": []}}
    assert rule0 == {"op": "create", "urn": RULE_URN.format(0), "newState": {
        "urn": RULE_URN.format(0), "custom": True, "type": RULE,
        # sorted keys and whole numbers as integers, like Go's encoding/json of the engine's property map
        "inputs": {"cidrIpv4": "10.0.0.0/8", "fromPort": 443, "ipProtocol": "udp", "securityGroupId": "main-sg-id",
                   "toPort": 443},
        "parent": COMPONENT_URN, "dependencies": [SG_URN],
        "propertyDependencies": {"cidrIpv4": [], "fromPort": [], "ipProtocol": [], "securityGroupId": [SG_URN],
                                 "toPort": []}}, "detailedDiff": None}
    assert list(rule0["newState"]) == ["urn", "custom", "type", "inputs", "parent", "dependencies",
                                       "propertyDependencies"]  # apitype.ResourceV3's order
    assert data["changeSummary"] == {"create": 5}
    assert data["chalkStackOutputs"] == {"cidrs": ["10.0.0.0/8", "172.16.0.0/12"], "ruleCount": 2,
                                         "sgArn": "arn:aws:ec2:eu-west-1:123456789012:security-group/main-sg",
                                         "sgId": "main-sg-id", "stack": "dev"}


def test_json_keeps_the_unknown_sentinel_in_preview(tiny_results: dict[bool, PreviewResult]) -> None:
    data = to_dict(tiny_results[True])
    rules = [s for s in states(data).values() if s["type"] == RULE]
    assert [r["inputs"]["securityGroupId"] for r in rules] == [UNKNOWN, UNKNOWN]
    assert UNKNOWN == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert data["chalkStackOutputs"]["sgId"] == UNKNOWN


def test_json_violations_are_an_extension_key(tiny_results: dict[bool, PreviewResult]) -> None:
    violation = {"policy": "chalk-media-egress-required", "level": "mandatory", "message": "Region jp1: ..."}
    data = to_dict(tiny_results[True], [violation])
    assert list(data)[-2:] == ["chalkStackOutputs", "chalkPolicyViolations"]
    assert data["chalkPolicyViolations"] == [violation]
    assert to_dict(tiny_results[True], [])["chalkPolicyViolations"] == []
    assert "chalkPolicyViolations" not in to_dict(tiny_results[True])


def test_json_step_order_follows_dependencies(tiny_results: dict[bool, PreviewResult]) -> None:
    """Tree order puts a resource before a sibling it depends on when its type sorts first; the steps don't."""
    base = tiny_results[True]
    sg = base.by_type("aws:ec2/securityGroup:SecurityGroup")[0]
    early = dataclasses.replace(_rule("a-first", sg.urn), type="aws:a/first:First", parent_urn=sg.parent_urn,
                                dependencies=(f"{sg.urn[:-len(sg.name)]}late",))
    late = dataclasses.replace(sg, urn=f"{sg.urn[:-len(sg.name)]}late", name="late", dependencies=())
    result = dataclasses.replace(base, resources=(*base.resources[:1], early, late, *base.resources[1:]))
    urns = list(states(to_dict(result)))
    assert urns.index(late.urn) < urns.index(early.urn)
    assert urns[:2] == [STACK_URN, COMPONENT_URN]


def test_text_tree_quotas_and_outputs(tiny_results: dict[bool, PreviewResult]) -> None:
    text = to_text(tiny_results[True])
    lines = text.splitlines()
    assert "stack 'dev' (project 'tiny')" in lines[0] and "4 resources" in lines[0]
    assert "pulumi:pulumi:Stack  tiny-dev" in lines
    assert "  tiny:index:Egress  main  (component)" in lines
    assert "    aws:ec2/securityGroup:SecurityGroup  main-sg  vpcId=vpc-123" in lines
    assert (f"    {RULE}  main-egress-0  securityGroupId=(main-sg) ipProtocol=udp fromPort=443 toPort=443 "
            "cidrIpv4=10.0.0.0/8") in lines
    quota = next(line for line in lines if line.strip().startswith("main-sg") and "/60" in line)
    assert quota.split() == ["main-sg", "2/60", "ok"]
    assert lines[lines.index("Outputs:") + 1:] == [
        '  cidrs: ["10.0.0.0/8", "172.16.0.0/12"]', "  ruleCount: 2", "  sgArn: <computed>", "  sgId: <computed>",
        "  stack: dev"]
    assert UNKNOWN not in text


def _rule(name: str, group_urn: str, quota_group_id: str = UNKNOWN) -> ResourceRecord:
    return ResourceRecord(urn=f"urn:x::{name}", type=RULE, name=name, custom=True, parent_urn=None, parent_type=None,
                          dependencies=(group_urn,), inputs={"securityGroupId": quota_group_id}, outputs={}, id=None,
                          property_dependencies={"securityGroupId": (group_urn,)})


def test_egress_quota_counts_rules_per_group_and_flags_overflow(tiny_results: dict[bool, PreviewResult]) -> None:
    base = tiny_results[True]
    sg = base.by_type("aws:ec2/securityGroup:SecurityGroup")[0]
    extra = tuple(_rule(f"extra-{i}", sg.urn) for i in range(59))
    result = dataclasses.replace(base, resources=base.resources + extra)
    (line,) = aws_egress_per_group(result)
    assert (line.subject, line.used, line.limit, line.over) == ("main-sg", 61, 60, True)
    assert "main-sg     61/60     OVER" in to_text(result)
    # The quota comes from the stack's awsRulesPerGroup.
    config = dataclasses.replace(base.config, values={**base.config.values, "tiny:awsRulesPerGroup": 100})
    (line,) = aws_egress_per_group(dataclasses.replace(result, config=config))
    assert (line.limit, line.over) == (100, False)


def test_network_firewall_capacity_estimates() -> None:
    assert rule_group_use({"ruleGroup": {"rulesSource": {"rulesSourceList": {
        "targets": ["a.example", "b.example", "c.example"], "targetTypes": ["TLS_SNI", "HTTP_HOST"]}}}}) == 6
    assert rule_group_use({"ruleGroup": {"rulesSource": {"statefulRules": [{}, {}]}}}) == 2
    assert rule_group_use({"rules": "pass tls any any -> any 443 (sid:1;)\n# comment\n\nalert ip any any\n"}) == 2
    stateless = {"statelessRules": [{"ruleDefinition": {"matchAttributes": {
        "sources": [{}, {}], "destinations": [{}, {}, {}], "protocols": [6, 17]}}}]}
    assert rule_group_use({"ruleGroup": {"rulesSource": {"statelessRulesAndCustomActions": stateless}}}) == 12
    assert rule_group_use({"ruleGroup": UNKNOWN}) is None


def test_no_quota_lines_for_unrelated_resources(tiny_results: dict[bool, PreviewResult]) -> None:
    base = tiny_results[True]
    component_only = dataclasses.replace(base, resources=base.resources[:1])
    assert quota_lines(component_only) == []
