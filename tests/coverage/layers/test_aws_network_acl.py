"""AWS network ACLs: which ACLs govern a subnet, and how a clientTag selects them (class 5).

Semantics (cited in chalk_policy/coverage/layers/aws_network_acl.py):

* docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html: a network ACL filters the traffic of the subnets
  associated with it; a subnet not explicitly associated with an ACL uses the VPC's default network ACL.
* registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/network_acl (``subnet_ids``),
  .../network_acl_association (``network_acl_id``, ``subnet_id``), .../default_network_acl (adopts the default ACL).
* A clientTag names the clients' security groups; network ACLs apply to subnets, not instances, so an ACL without
  the tag may still govern the clients' subnet: it stays a scope with a doubt (unverified), never silently dropped.
"""

from __future__ import annotations

from typing import Any

from chalk_policy.coverage import (
    FindingKind,
    Options,
    Resource,
    TagSelector,
    check_least_privilege,
    check_media,
    check_option_consistency,
)

from ..helpers import CATALOG, DE1, JP1, OPTION1, PLAN, UNKNOWN, group, inline, plan_egress, res
from .cases_aws_network_acl import CASES
from .expect import outcome

NACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
ALL = [*DE1, *JP1]
MEDIA = "udp 443,3478,10000-60000"
REPLIES = "udp 1024-65535"
REGIONS = (("de1", DE1), ("jp1", JP1))


def _entry(number: int, action: str, protocol: str = "-1", low: int = 0, high: int = 0,
           cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"ruleNo": number, "action": action, "protocol": protocol, "fromPort": low, "toPort": high,
            "cidrBlock": cidr}


OPEN = [_entry(100, "allow")]
CLOSED = [_entry(100, "deny")]


def _acl(name: str, egress: Any = OPEN, ingress: Any = OPEN, type_: str = NACL, **extra: Any) -> Resource:
    return res(type_, name, {"id": f"acl-{name}", "egress": egress, "ingress": ingress, **extra})


def _association(name: str, acl_id: Any, subnet_id: Any = "subnet-1") -> Resource:
    return res(ASSOCIATION, name, {"networkAclId": acl_id, "subnetId": subnet_id})


def _media_allows() -> list[dict[str, Any]]:
    """One allow per (port range, CIDR) of option 1 (a NACL entry has one range and one CIDR)."""
    pairs = [(low, high, cidr) for _, low, high in OPTION1 for cidr in ALL]
    return [_entry(100 + index, "allow", "udp", low, high, cidr) for index, (low, high, cidr) in enumerate(pairs)]


def _reply_allows() -> list[dict[str, Any]]:
    return [_entry(100 + index, "allow", "udp", 1024, 65535, cidr) for index, cidr in enumerate(ALL)]


def _denied_everywhere(name: str) -> list[str]:
    """A deny-all ACL (rule 100 both ways) that governs the clients: every region, egress then replies."""
    return [*(f"gap {region} network ACL '{name}': denied by rule 100 (deny): {MEDIA} to {', '.join(cidrs)}"
              for region, cidrs in REGIONS),
            *(f"gap {region} network ACL '{name}' (replies): denied by rule 100 (deny): {REPLIES} to {', '.join(cidrs)}"
              for region, cidrs in REGIONS)]


def _unverified_everywhere(name: str) -> list[str]:
    return [*(f"unverified {region} network ACL '{name}': {MEDIA} to {', '.join(cidrs)}" for region, cidrs in REGIONS),
            *(f"unverified {region} network ACL '{name}' (replies): {REPLIES} to {', '.join(cidrs)}"
              for region, cidrs in REGIONS)]


def _findings(resources: list[Resource], selector: TagSelector | None = None) -> list[tuple[FindingKind, str]]:
    result = check_media(resources, PLAN, CATALOG, Options(selector))
    return [(finding.kind, finding.message) for finding in result.findings]


def _notes(resources: list[Resource], selector: TagSelector | None = None) -> list[str]:
    return [message for kind, message in _findings(resources, selector) if kind is FindingKind.NOTE]


# --- subnet association (class 5) -------------------------------------------------------------------------------


def test_an_acl_with_subnet_ids_that_allows_media_and_replies_passes() -> None:
    """Class 5, happy path: an associated ACL that allows the media and the replies has no finding."""
    assert outcome([_acl("subnets", _media_allows(), _reply_allows(), subnetIds=["subnet-1"])]) == []


def test_an_associated_deny_all_acl_is_a_gap() -> None:
    """Class 5, the mutation of the happy path: the same ACL denying everything is a certain gap."""
    assert outcome([_acl("subnets", CLOSED, CLOSED, subnetIds=["subnet-1"])]) == _denied_everywhere("subnets")


def test_an_acl_associated_with_no_subnet_filters_nothing() -> None:
    """Class 5: an ACL with no subnetIds and no association filters no traffic, so its deny-all is no gap; it is
    skipped with a note (security groups decide alone)."""
    for subnets in ({}, {"subnetIds": []}, {"subnetIds": None}):
        stack = [*plan_egress(), _acl("spare", CLOSED, CLOSED, **subnets)]
        assert outcome(stack) == [], subnets
        assert _notes(stack) == ["Skipped aws.ec2.NetworkAcl 'spare': it is associated with no subnet (no subnetIds, "
                                 "and no aws.ec2.NetworkAclAssociation names it), so it filters no traffic."]


def test_a_stack_with_only_an_unassociated_acl_is_not_applicable() -> None:
    """Class 5: nothing in the stack filters the clients' egress, so the media check does not apply."""
    result = check_media([_acl("spare", CLOSED, CLOSED)], PLAN, CATALOG)
    assert not result.applicable
    assert [f.message for f in result.findings] == [
        "Skipped aws.ec2.NetworkAcl 'spare': it is associated with no subnet (no subnetIds, and no "
        "aws.ec2.NetworkAclAssociation names it), so it filters no traffic."]


def test_a_network_acl_association_makes_the_acl_a_scope() -> None:
    """Class 5: NetworkAclAssociation (networkAclId, subnetId) associates the ACL named by id with a subnet."""
    stack = [*plan_egress(), _acl("subnets", CLOSED, CLOSED), _association("assoc", "acl-subnets")]
    assert outcome(stack) == _denied_everywhere("subnets")
    assert _notes(stack) == []


def test_an_association_of_another_acl_does_not_make_this_one_a_scope() -> None:
    """Class 5, mutation: the association names a different ACL id (one outside the stack)."""
    stack = [*plan_egress(), _acl("subnets", CLOSED, CLOSED), _association("assoc", "acl-0123456789abcdef0")]
    assert outcome(stack) == []
    assert [note.split(":")[0] for note in _notes(stack)] == ["Skipped aws.ec2.NetworkAcl 'subnets'"]


def test_an_association_with_an_unknown_subnet_id_still_associates_the_acl() -> None:
    """Class 5: the subnet is unknown during preview, but the association still puts the ACL on a subnet."""
    stack = [_acl("subnets", CLOSED, CLOSED), _association("assoc", "acl-subnets", UNKNOWN)]
    assert outcome(stack) == _denied_everywhere("subnets")


def test_an_association_with_an_unknown_acl_id_is_a_doubt() -> None:
    """Class 5: an association whose networkAclId is unknown (the ACL is created in the same preview) may name the
    ACL: its gaps are unverified, with the reason."""
    stack = [_acl("subnets", CLOSED, CLOSED), _association("assoc", UNKNOWN)]
    assert outcome(stack) == _unverified_everywhere("subnets")
    unverified = [message for kind, message in _findings(stack) if kind is FindingKind.UNVERIFIED]
    assert len(unverified) == 4
    assert all(message.endswith("can only be verified at `pulumi up`: aws.ec2.NetworkAclAssociation 'assoc': "
                                "networkAclId is unknown, so it may or may not associate network ACL 'subnets' with "
                                "a subnet.") for message in unverified), unverified


def test_unknown_subnet_ids_are_a_doubt() -> None:
    """Class 5: subnetIds unknown during preview: the ACL may govern no subnet, so its gaps are unverified."""
    stack = [_acl("subnets", CLOSED, CLOSED, subnetIds=UNKNOWN)]
    assert outcome(stack) == _unverified_everywhere("subnets")
    assert all("aws.ec2.NetworkAcl 'subnets': subnetIds is unknown, so it may be associated with no subnet" in message
               for kind, message in _findings(stack) if kind is FindingKind.UNVERIFIED)


def test_a_subnet_id_that_is_unknown_in_a_known_list_still_associates() -> None:
    """Class 5: one subnet whose id is unknown is still a subnet: the ACL governs it."""
    assert outcome([_acl("subnets", CLOSED, CLOSED, subnetIds=[UNKNOWN])]) == _denied_everywhere("subnets")


def test_the_default_network_acl_is_always_a_scope() -> None:
    """Class 5: the default network ACL governs every subnet not associated elsewhere, subnetIds or not."""
    assert outcome([_acl("default", CLOSED, CLOSED, DEFAULT_NACL)]) == _denied_everywhere("default")
    assert outcome([_acl("default", OPEN, OPEN, DEFAULT_NACL)]) == []


def test_an_association_alone_does_not_put_the_layer_in_a_stack() -> None:
    """Class 5: NetworkAclAssociation is read, not one of the layer's resource types."""
    result = check_media([_association("assoc", "acl-elsewhere")], PLAN, CATALOG)
    assert (result.applicable, result.reason) == (False, "the stack has no security groups, NSGs or firewall policies")


def test_rules_of_an_unassociated_acl_are_not_noted_as_outside_the_stack() -> None:
    """Class 5: a NetworkAclRule of the skipped ACL belongs to it (its id is in the stack): no second note."""
    rule = res(NACL_RULE, "deny", {"networkAclId": "acl-spare", "ruleNumber": 50, "egress": True, "protocol": "-1",
                                   "ruleAction": "deny", "cidrBlock": "0.0.0.0/0", "fromPort": 0, "toPort": 0})
    stack = [*plan_egress(), _acl("spare"), rule]
    assert outcome(stack) == []
    assert len(_notes(stack)) == 1 and "'spare': it is associated with no subnet" in _notes(stack)[0]


def test_malformed_and_unknown_associations_never_raise() -> None:
    """Class 5: a malformed association is skipped with a note; a wholly unknown one is a doubt."""
    stack = [*plan_egress(), _acl("subnets", CLOSED, CLOSED), res(ASSOCIATION, "broken", {"subnetId": "subnet-1"})]
    assert outcome(stack) == []
    assert "Skipped aws.ec2.NetworkAclAssociation 'broken': networkAclId is missing." in _notes(stack)
    assert outcome([_acl("subnets", CLOSED, CLOSED), res(ASSOCIATION, "later", UNKNOWN)]) == (
        _unverified_everywhere("subnets"))
    for garbage in (None, 7, "x", [], {"networkAclId": ["acl-subnets"]}, {"networkAclId": {}}):
        stack = [_acl("subnets", CLOSED, CLOSED), res(ASSOCIATION, "garbage", garbage)]
        assert isinstance(outcome(stack), list)
    # An unreadable subnetIds is no reason to drop the ACL (that would fail open): a doubt, as for unknown ones.
    stack = [_acl("subnets", CLOSED, CLOSED, subnetIds="subnet-1")]
    assert outcome(stack) == _unverified_everywhere("subnets")
    assert all(message.endswith("aws.ec2.NetworkAcl 'subnets': subnetIds cannot be read (not a list), so it may or "
                                "may not be associated with a subnet.") for _, message in _findings(stack))


# --- clientTag selection (class 5) ------------------------------------------------------------------------------

SELECTOR = TagSelector("chalk", "media")


def test_a_tagged_acl_is_a_certain_scope() -> None:
    """Class 5, happy path under a clientTag: an ACL carrying the tag (tags or tagsAll) is a certain scope."""
    for tags in ({"tags": {"chalk": "media"}}, {"tags": {}, "tagsAll": {"chalk": "media"}}):
        assert outcome([_acl("clients", _media_allows(), _reply_allows(), subnetIds=["s"], **tags)],
                       selector=SELECTOR) == [], tags
        assert outcome([_acl("clients", CLOSED, CLOSED, subnetIds=["s"], **tags)],
                       selector=SELECTOR) == _denied_everywhere("clients"), tags


def test_an_untagged_deny_all_acl_is_never_silently_dropped() -> None:
    """Class 5, the bug: with a clientTag, an untagged ACL that denies everything produced no finding. It may govern
    the clients' subnets, so its gaps are unverified, saying it is not tagged."""
    clients = group("clients", [inline("udp", low, high, ALL) for _, low, high in OPTION1], tags={"chalk": "media"})
    for tags in ({}, {"tags": {"chalk": "other"}}, {"tags": {"owner": "media"}}):
        stack = [clients, _acl("untagged", CLOSED, CLOSED, subnetIds=["s"], **tags)]
        assert outcome(stack, selector=SELECTOR) == _unverified_everywhere("untagged"), tags
        findings = _findings(stack, SELECTOR)
        assert {kind for kind, _ in findings} == {FindingKind.UNVERIFIED}
        assert all(message.endswith(
            "cannot be verified from this stack: aws.ec2.NetworkAcl 'untagged': it does not carry the tag chalk=media, "
            "but it may govern the Chalk clients' subnets (a network ACL applies to subnets, not to the tagged "
            "security groups).") for _, message in findings), findings


def test_an_untagged_allowing_acl_has_no_finding() -> None:
    """Class 5: the doubt only turns gaps into unverified; an untagged ACL that allows everything adds nothing."""
    assert outcome([_acl("untagged", subnetIds=["s"])], selector=SELECTOR) == []


def test_an_acl_with_unknown_tags_is_a_doubt() -> None:
    """Class 5: unknown tags: the selector may or may not pick it (the reason says so)."""
    stack = [_acl("later", CLOSED, CLOSED, subnetIds=["s"], tags=UNKNOWN, tagsAll=UNKNOWN)]
    assert outcome(stack, selector=SELECTOR) == _unverified_everywhere("later")
    assert all("its tags are unknown, so the selector chalk=media may or may not pick it" in message
               for _, message in _findings(stack, SELECTOR))


def test_an_untagged_default_network_acl_is_a_doubt_under_a_selector() -> None:
    """Class 5: the default ACL is a scope like any other; untagged, under a selector, its gaps are unverified."""
    assert outcome([_acl("default", CLOSED, CLOSED, DEFAULT_NACL)], selector=SELECTOR) == (
        _unverified_everywhere("default"))
    assert outcome([_acl("default", CLOSED, CLOSED, DEFAULT_NACL, tags={"chalk": "media"})], selector=SELECTOR) == (
        _denied_everywhere("default"))


def test_an_unassociated_acl_is_skipped_under_a_selector_too() -> None:
    """Class 5: tagged or not, an ACL on no subnet filters nothing."""
    stack = [_acl("spare", CLOSED, CLOSED, tags={"chalk": "media"})]
    result = check_media(stack, PLAN, CATALOG, Options(SELECTOR))
    assert not result.applicable
    assert [f.message for f in result.findings] == [
        "Skipped aws.ec2.NetworkAcl 'spare': it is associated with no subnet (no subnetIds, and no "
        "aws.ec2.NetworkAclAssociation names it), so it filters no traffic."]


def test_rules_attach_to_an_untagged_acl_under_a_selector() -> None:
    """Class 5: a NetworkAclRule of an untagged (so doubtful) ACL is part of it, not dropped as before."""
    rule = res(NACL_RULE, "deny", {"networkAclId": "acl-untagged", "ruleNumber": 50, "egress": True,
                                   "protocol": "udp", "ruleAction": "deny", "cidrBlock": JP1[0], "fromPort": 3478,
                                   "toPort": 3478})
    stack = [_acl("untagged", subnetIds=["s"]), rule]
    assert outcome(stack, selector=SELECTOR) == [f"unverified jp1 network ACL 'untagged': udp 3478 to {JP1[0]}"]
    assert outcome(stack) == [f"gap jp1 network ACL 'untagged': denied by rule 50 (deny): udp 3478 to {JP1[0]}"]


def test_network_acls_count_for_the_media_check_only() -> None:
    """A network ACL is a media-check layer only: least privilege and option consistency do not apply to it."""
    resources = next(case.resources for case in CASES if case.name == "default-network-acl")
    assert check_media(resources, PLAN, CATALOG).applicable
    assert not check_least_privilege(resources, PLAN, CATALOG).applicable
    assert not check_option_consistency(resources, PLAN, CATALOG).applicable
