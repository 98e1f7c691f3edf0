"""AWS network ACLs: one scope per ACL and direction (egress: the requirement; ingress: the replies).

``aws:ec2/networkAcl:NetworkAcl`` and ``aws:ec2/defaultNetworkAcl:DefaultNetworkAcl`` (inline ``egress`` and
``ingress``: ``ruleNo``, ``action`` allow/deny, ``protocol``, ``cidrBlock``, ``ipv6CidrBlock``, ``fromPort``,
``toPort``) and ``aws:ec2/networkAclRule:NetworkAclRule`` (``networkAclId``, ``ruleNumber``, ``egress``,
``protocol``, ``ruleAction``, ``cidrBlock``, ``fromPort``, ``toPort``). A subnet has exactly one network ACL,
so each ACL is its own scope and the requirement must pass every ACL of the stack (like NSGs); with a tag
selector only ACLs whose ``tags``/``tagsAll`` carry it count (unknown tags: its gaps are unverified).
Rules are evaluated per ACL and direction in ascending rule number, first match wins, then the implicit
final deny. Protocol ``-1``/``all`` is every protocol and port, ``tcp``/``6`` and ``udp``/``17`` use
``fromPort..toPort``, others (icmp, ...) carry no Chalk traffic; ``ipv6CidrBlock`` never reaches the IPv4
media ranges. ACLs are stateless, so each ACL is two scopes: its egress rules must allow the requirement,
and its ingress rules must allow the replies. Simplification: a reply's destination port is the client's
ephemeral port, so the ingress rules must allow each protocol of the requirement on 1024-65535 from every
address of the requirement; source ports are not modelled. A ``NetworkAclRule`` belongs to the ACL whose
``id`` equals its ``networkAclId``; an unknown ``networkAclId`` makes it an uncertain rule of every
considered ACL (what it alone allows or denies is unverified); a known id that is not in the stack is noted
and skipped. An unknown rule number puts the rule at an unknown position, an unknown action makes it
uncertain. An allow that cannot be read is skipped with a note (that only allows less); a deny that cannot
be read is an uncertain deny of its protocols (every address, every port when the ports are unreadable).
ACLs count for the media check only (the advisory checks look at security groups and firewalls).

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, BoxSet
from ..common import SKIPPED_ERRORS, Destinations, Services, make_rule, parse_access, skipping, unknown, unreadable_deny
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..messages import AWS_COMPONENT, all_gaps, items_text, ports_by_protocol, ports_text, region_prefix, replies_text
from ..model import Layer, PortGap, RegionGap, Scope, ScopeContext, ScopeReport, TagSelector
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, props_of
from .aws_common import PROTOCOLS, Membership, add_cidr, read_services, safe_props

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NETWORK_ACL_TYPES = (NETWORK_ACL, DEFAULT_NETWORK_ACL, NETWORK_ACL_RULE)
EPHEMERAL_PORTS = (1024, 65535)
"""The client ports a network ACL's ingress rules must allow for the replies (the simplification above)."""


class _Acl:
    def __init__(self, resource: Resource, acl_id: str | None, doubt: Doubt | None) -> None:
        self.resource, self.acl_id, self.doubt = resource, acl_id, doubt
        self.egress: list[Rule] = []
        self.ingress: list[Rule] = []

    def add(self, egress: bool, rule: Rule) -> None:
        (self.egress if egress else self.ingress).append(rule)


def network_acl_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str]
                       ) -> list[Scope]:
    """Two scopes per considered network ACL: its egress rules (the requirement) and its ingress rules (the
    replies, see :attr:`Scope.replies`)."""
    membership = Membership([], selector)
    acls: list[_Acl] = []
    for resource in resources:
        if resource.type in (NETWORK_ACL, DEFAULT_NETWORK_ACL):
            with skipping(notes, resource.label):
                acl = _read_acl(resource, membership, notes)
                if acl is not None:
                    acls.append(acl)
    all_ids = _acl_ids(resources)
    for resource in resources:
        if resource.type == NETWORK_ACL_RULE:
            with skipping(notes, resource.label):
                _attach_acl_rule(resource, acls, all_ids, notes)
    scopes = []
    for acl in acls:
        label = f"network ACL '{acl.resource.name}'"
        doubts = (acl.doubt,) if acl.doubt else ()
        scopes.append(Scope(label, acl.resource.urn, tuple(acl.egress), doubts))
        scopes.append(Scope(label, acl.resource.urn, tuple(acl.ingress), doubts,
                            replies=True))
    return scopes


def _acl_ids(resources: Sequence[Resource]) -> set[str]:
    """The known ids of every network ACL of the stack, selected or not."""
    found = set()
    for resource in resources:
        if resource.type in (NETWORK_ACL, DEFAULT_NETWORK_ACL):
            acl_id = field(safe_props(resource), "id")
            if isinstance(acl_id, str):
                found.add(acl_id)
    return found


def _read_acl(resource: Resource, membership: Membership, notes: list[str]) -> _Acl | None:
    props = props_of(resource)
    member, doubt = membership.of_group(resource, props)
    if not member and doubt is None:
        return None
    acl_id = field(props, "id")
    acl = _Acl(resource, acl_id if isinstance(acl_id, str) else None, doubt)
    for egress, key in ((True, "egress"), (False, "ingress")):
        entries = as_list(field(props, key), key)
        if entries is UNKNOWN:
            acl.add(egress, Rule(f"{resource.label} {key}", None, EMPTY, EVERYTHING, None,
                                 (unknown(resource.label, key),), resource=resource))
            continue
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            where = f"{resource.label} {key}[{index}]"
            with skipping(notes, where):
                item = as_obj(entry, f"{key}[{index}]")
                if item is UNKNOWN:
                    acl.add(egress, Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),),
                                         resource=resource))
                    continue
                rule = _acl_rule(item, "ruleNo", "action", where, resource, notes)
                if rule is not None:
                    acl.add(egress, rule)
    return acl


def _attach_acl_rule(resource: Resource, acls: Sequence[_Acl], all_ids: set[str], notes: list[str]) -> None:
    props = props_of(resource)
    if props is UNKNOWN:
        targets, direction = list(acls), UNKNOWN
        acl_id: object = UNKNOWN
    else:
        acl_id = as_str(field(props, "networkAclId"), "networkAclId")
        if acl_id is None:
            raise Malformed("networkAclId is missing")
        direction = field(props, "egress")
        if acl_id is UNKNOWN:
            targets = list(acls)
        else:
            targets = [acl for acl in acls if acl.acl_id == acl_id]
            if not targets:
                if acl_id not in all_ids:
                    notes.append(f"Skipped {resource.label}: network ACL {acl_id} is not in this stack.")
                return  # otherwise it belongs to an ACL the tag selector does not pick
    if not targets:
        return
    if props is UNKNOWN:
        rule: Rule | None = Rule(resource.label, None, EMPTY, EVERYTHING, None,
                                 (unknown(resource.label, "every property"),), resource=resource)
    else:
        rule = _acl_rule(props, "ruleNumber", "ruleAction", resource.label, resource, notes)
    if rule is None:
        return
    if acl_id is UNKNOWN:
        for acl in targets:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: networkAclId is unknown, so it may or may not "
                                             f"belong to network ACL '{acl.resource.name}'")
            uncertain = replace(rule, sure=EMPTY, doubts=tuple(dict.fromkeys((*rule.doubts, doubt))))
            _add_by_direction(acl, direction, uncertain, resource)
        return
    for acl in targets:
        _add_by_direction(acl, direction, rule, resource)


def _add_by_direction(acl: _Acl, direction: object, rule: Rule, resource: Resource) -> None:
    if direction is UNKNOWN:
        doubt = unknown(resource.label, "egress (the direction)")
        uncertain = replace(rule, sure=EMPTY, doubts=tuple(dict.fromkeys((*rule.doubts, doubt))))
        acl.add(True, uncertain)
        acl.add(False, uncertain)
    else:
        acl.add(bool(direction), rule)  # egress defaults to false (an ingress rule)


def _acl_rule(item: Any, number_key: str, action_key: str, where: str, resource: Resource, notes: list[str]
              ) -> Rule | None:
    """One network ACL entry (inline or a NetworkAclRule): ``rule N (allow|deny)`` at order (N,)."""
    access = parse_access(as_str(field(item, action_key), action_key), action_key, "allow or deny")
    number = as_int(field(item, number_key), number_key)
    if number is None:
        raise Malformed(f"{number_key} is missing")
    known = number if isinstance(number, int) else None
    doubts = () if known is not None else (unknown(where, number_key),)
    label = f"rule {known if known is not None else '?'} ({access.value if access else '?'})"
    order = (known,) if known is not None else None
    services: Services | None = None
    try:
        services = read_services(field(item, "protocol"), field(item, "fromPort"), field(item, "toPort"), where)
        destinations = Destinations()
        cidr = as_str(field(item, "cidrBlock"), "cidrBlock")
        if cidr is not None:
            add_cidr(destinations, cidr, where, "cidrBlock")
        elif field(item, "ipv6CidrBlock") is None:
            raise Malformed("cidrBlock is missing")
    except SKIPPED_ERRORS as exc:
        if access is Access.ALLOW:  # skipping an allow only ever allows less: noted by the caller
            raise
        if services is None:  # the protocol or ports cannot be read: every port of its protocols
            protocol = field(item, "protocol")
            text = str(protocol).strip().lower() if isinstance(protocol, str | int) else ""
            box = BoxSet.of((PROTOCOLS[text],), ALL_PORTS, ANYWHERE) if text in PROTOCOLS else EVERYTHING
        else:  # the destination cannot be read: its services to every address
            box = services.maybe
        what = f"{'deny rule' if access is Access.DENY else 'rule'} {known if known is not None else '?'}"
        return unreadable_deny(label, order, box, where, "", exc, resource, notes, doubts, known, what)
    return make_rule(label, access, order, services, destinations, resource, extra_doubts=doubts, priority=known)



def _scopes(ctx: ScopeContext) -> list[Scope]:
    return network_acl_scopes(ctx.resources, ctx.selector, ctx.notes)


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    replies = report.replies

    def items(gaps: Sequence[PortGap]) -> str:
        return replies_text(gaps) if replies else items_text(gaps)

    head, everything = region_prefix(gap.region, gap.region_name), all_gaps(gap)
    clauses = ([f"does not allow {items(gap.missing)}"] if gap.missing else []) + [
        f"denies {items(denial.gaps)} with {denial.rule}, before any allow" for denial in gap.denied]
    fix = "; ".join(f"protocol {protocol}, ports {ports_text(ports)}"
                    for protocol, ports in ports_by_protocol(everything))
    limit = min((denial.priority for denial in gap.denied if denial.priority is not None), default=None)
    kind, per = ("an ingress allow rule", "per CIDR for the replies") if replies else (
        "an egress allow rule", "per port range and CIDR")
    stateless = "Network ACLs are stateless: " if replies else ""
    if limit is not None and limit <= 1:  # nothing can be numbered ahead of rule 1
        return (f"{head}: {report.scope} {'; '.join(clauses)}. {stateless}{'r' if replies else 'R'}enumber or "
                f"narrow that deny (no rule number is below 1), then add {kind} {per} ({fix}) ahead of it.")
    numbered = f" numbered below {limit}" if limit is not None else ""
    add = "add" if replies else "Add"
    return f"{head}: {report.scope} {'; '.join(clauses)}. {stateless}{add} {kind}{numbered} {per} ({fix})."


LAYER = Layer(id="aws-network-acl", cloud="aws", resource_types=frozenset(NETWORK_ACL_TYPES), scopes=_scopes,
              gap_message=_gap_message, component=AWS_COMPONENT, advisory=False)
