"""AWS security groups: the adopted default security group (class 6).

Semantics (cited in chalk_policy/coverage/layers/aws_security_groups.py):

* registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_security_group (pulumi-aws
  ``aws.ec2.DefaultSecurityGroup``): the provider adopts the VPC's default group, "immediately removes all ingress
  and egress rules in the Security Group", then creates only the rules of the configuration. Its inline ``egress``
  entries have the shape of a security group's (pulumi-aws ``DefaultSecurityGroupEgress``: ``protocol``,
  ``fromPort``, ``toPort``, ``cidrBlocks``, ``prefixListIds``, ...), and it has ``tags``/``tagsAll`` and ``id``.
* docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html: unadopted, the default group allows all
  outbound traffic; adopted with ``egress: []`` it allows none.
"""

from __future__ import annotations

from typing import Any

from chalk_policy.coverage import FindingKind, Options, Resource, TagSelector, check_media

from ..helpers import CATALOG, DE1, EGRESS, JP1, OPTION1, PLAN, PREFIX_LIST, UNKNOWN, egress, group, inline, res
from .expect import outcome

DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
ALL = [*DE1, *JP1]
SELECTOR = TagSelector("chalk", "media")
MISSING = [f"gap de1 AWS security groups{{tag}}: missing udp 443,3478,10000-60000 to {', '.join(DE1)}",
           f"gap jp1 AWS security groups{{tag}}: missing udp 443,3478,10000-60000 to {', '.join(JP1)}"]
ALLOW_ALL = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}


def _missing(selector: TagSelector | None = None) -> list[str]:
    return [line.format(tag=f" tagged {selector}" if selector else "") for line in MISSING]


def _default_group(egress_rules: Any, name: str = "default", **extra: Any) -> Resource:
    """The VPC's default group as the engine shows it after adoption (``id`` is the default group's id)."""
    return res(DEFAULT_SG, name, {"id": f"sg-{name}", "vpcId": "vpc-1", "egress": egress_rules, **extra})


def _media_entries() -> list[dict[str, Any]]:
    return [inline(protocol, low, high, ALL) for protocol, low, high in OPTION1]


def _messages(resources: list[Resource], selector: TagSelector | None = None) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.message) for f in check_media(resources, PLAN, CATALOG, Options(selector)).findings]


def test_default_group_with_media_entries_allows_the_plan() -> None:
    """Class 6, happy path: the default group's inline egress entries count like a security group's."""
    assert outcome([_default_group(_media_entries())]) == []


def test_default_group_missing_a_cidr_is_a_gap() -> None:
    """Class 6, mutation: one CIDR left out of the default group's entries is a gap for that CIDR."""
    entries = [inline(protocol, low, high, ALL[:-1]) for protocol, low, high in OPTION1]
    assert outcome([_default_group(entries)]) == [
        f"gap jp1 AWS security groups: missing udp 443,3478,10000-60000 to {JP1[-1]}"]


def test_adopting_the_default_group_with_empty_egress_removes_its_rules() -> None:
    """Class 6: ``egress: []`` (or no egress) leaves the adopted default group no egress rule, so with nothing else
    the requirement is a gap (the AWS default allow-all is gone)."""
    assert outcome([_default_group([])]) == _missing()
    assert outcome([res(DEFAULT_SG, "default", {"id": "sg-default", "vpcId": "vpc-1"})]) == _missing()


def test_default_group_with_an_allow_all_entry_allows_everything() -> None:
    """Class 6: protocol -1 to 0.0.0.0/0 allows every protocol and port."""
    assert outcome([_default_group([ALLOW_ALL])]) == []
    assert outcome([_default_group([{**ALLOW_ALL, "protocol": "icmp"}])]) == _missing()  # icmp carries no media


def test_default_group_prefix_lists_resolve() -> None:
    """Class 6: ``prefixListIds`` of a default group's entry resolve against the stack's managed prefix lists."""
    prefix_list = res(PREFIX_LIST, "pl", {"id": "pl-1", "entries": [{"cidr": cidr} for cidr in ALL]})
    entries = [inline(protocol, low, high, prefix_lists=["pl-1"]) for protocol, low, high in OPTION1]
    assert outcome([prefix_list, _default_group(entries)]) == []
    assert outcome([prefix_list, _default_group(entries[:2])]) == [
        f"gap {region} AWS security groups: missing udp 10000-60000 to {', '.join(cidrs)}"
        for region, cidrs in (("de1", DE1), ("jp1", JP1))]


def test_default_group_unknown_egress_is_unverified() -> None:
    """Class 6: egress unknown during preview: what it may allow is unverified, never a gap."""
    assert outcome([_default_group(UNKNOWN)]) == [
        f"unverified {region} AWS security groups: udp 443,3478,10000-60000 to {', '.join(cidrs)}"
        for region, cidrs in (("de1", DE1), ("jp1", JP1))]


def test_default_group_malformed_entry_is_skipped_with_a_note() -> None:
    """Class 6: a malformed entry never raises; it is skipped with a note and the rest still counts."""
    findings = _messages([_default_group([*_media_entries(), {"protocol": "udp", "fromPort": "x", "toPort": 1}])])
    assert findings == [(FindingKind.NOTE, "Skipped aws.ec2.DefaultSecurityGroup 'default' egress[3]: fromPort is the "
                                           "string 'x', not an integer.")]


# --- with a clientTag selector (class 6) ------------------------------------------------------------------------


def test_tagged_default_group_with_allow_all_counts_under_a_selector() -> None:
    """Class 6, happy path under a clientTag: a tagged default group (tags or tagsAll) is a selected group."""
    for tags in ({"tags": {"chalk": "media"}}, {"tags": {}, "tagsAll": {"chalk": "media"}}):
        assert outcome([_default_group([ALLOW_ALL], **tags)], selector=SELECTOR) == [], tags


def test_tagged_default_group_with_empty_egress_is_a_gap_not_an_untagged_stack() -> None:
    """Class 6, mutation under a clientTag: the tagged default group is the clients' group, so its empty egress is a
    plain gap, not "no security group carries the tag" (the default group carries it)."""
    stack = [_default_group([], tags={"chalk": "media"})]
    assert outcome(stack, selector=SELECTOR) == _missing(SELECTOR)
    messages = [message for _, message in _messages(stack, SELECTOR)]
    assert len(messages) == 2
    assert all("no security group carries the tag" not in message for message in messages), messages
    assert messages[0].startswith("Region de1 (Germany): AWS security groups tagged chalk=media do not allow UDP 443, "
                                  "3478, 10000-60000 to")


def test_untagged_default_group_does_not_count_under_a_selector() -> None:
    """Class 6: an untagged default group's allow-all does not cover the tagged clients' group."""
    stack = [_default_group([ALLOW_ALL], tags={"chalk": "other"}), group("clients", [], tags={"chalk": "media"})]
    assert outcome(stack, selector=SELECTOR) == _missing(SELECTOR)


def test_only_an_untagged_default_group_under_a_selector_says_no_group_carries_the_tag() -> None:
    """Class 6: a selector that no group carries (the default group included) is reported as such."""
    for entries in ([ALLOW_ALL], []):
        findings = _messages([_default_group(entries)], SELECTOR)
        assert [kind for kind, _ in findings] == [FindingKind.VIOLATION] * 2, entries
        assert all("no security group carries the tag chalk=media" in message for _, message in findings), findings


def test_default_group_with_unknown_tags_is_unverified_under_a_selector() -> None:
    """Class 6: unknown tags: the selector may or may not pick it, so what it allows is unverified."""
    stack = [_default_group([ALLOW_ALL], tags=UNKNOWN, tagsAll=UNKNOWN)]
    assert outcome(stack, selector=SELECTOR) == [
        f"unverified {region} AWS security groups tagged chalk=media: udp 443,3478,10000-60000 to {', '.join(cidrs)}"
        for region, cidrs in (("de1", DE1), ("jp1", JP1))]


def test_standalone_rules_of_a_tagged_default_group_count_under_a_selector() -> None:
    """Class 6: a SecurityGroupEgressRule whose securityGroupId is the tagged default group's id belongs to it."""
    rules = [egress(f"r{low}-{cidr}", cidr, protocol, low, high, securityGroupId="sg-default")
             for protocol, low, high in OPTION1 for cidr in ALL]
    assert outcome([_default_group([], tags={"chalk": "media"}), *rules], selector=SELECTOR) == []
    assert outcome([_default_group([], tags={"chalk": "other"}), *rules], selector=SELECTOR) == _missing(SELECTOR)
    assert rules[0].type == EGRESS
