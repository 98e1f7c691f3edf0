"""Text and JSON views of a recorded run."""

from __future__ import annotations

import dataclasses
import json

from chalk_policy.preview import PreviewResult
from chalk_policy.preview.engine import UNKNOWN, ResourceRecord
from chalk_policy.preview.quotas import aws_egress_per_group, quota_lines, rule_group_use
from chalk_policy.preview.render import to_dict, to_json, to_text

RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def test_json_shape(tiny_results: dict[bool, PreviewResult]) -> None:
    data = json.loads(to_json(tiny_results[False]))
    assert list(data) == ["stack", "project", "resources", "outputs"]
    assert (data["stack"], data["project"]) == ("dev", "tiny")
    assert all(list(r) == ["type", "name", "parent", "inputs"] for r in data["resources"])
    assert "pulumi:pulumi:Stack" not in {r["type"] for r in data["resources"]}
    assert data["resources"][0] == {"type": "tiny:index:Egress", "name": "main", "parent": None, "inputs": {}}
    assert data["resources"][2] == {
        "type": RULE, "name": "main-egress-0", "parent": "tiny:index:Egress",
        "inputs": {"securityGroupId": "main-sg-id", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "udp",
                   "fromPort": 443, "toPort": 443}}
    assert data["outputs"] == {"sgId": "main-sg-id",
                               "sgArn": "arn:aws:ec2:eu-west-1:123456789012:security-group/main-sg",
                               "cidrs": ["10.0.0.0/8", "172.16.0.0/12"], "ruleCount": 2, "stack": "dev"}


def test_json_keeps_the_unknown_sentinel_in_preview(tiny_results: dict[bool, PreviewResult]) -> None:
    data = to_dict(tiny_results[True])
    assert {r["inputs"]["securityGroupId"] for r in data["resources"] if r["type"] == RULE} == {UNKNOWN}
    assert data["outputs"]["sgId"] == UNKNOWN


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
