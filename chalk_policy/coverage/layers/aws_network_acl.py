"""AWS network ACLs: one scope per ACL and direction (egress: the requirement; ingress: the replies).

``aws:ec2/networkAcl:NetworkAcl`` and ``aws:ec2/defaultNetworkAcl:DefaultNetworkAcl`` (inline ``egress`` and
``ingress``: ``ruleNo``, ``action`` allow/deny, ``protocol``, ``cidrBlock``, ``ipv6CidrBlock``, ``fromPort``,
``toPort``; ``subnetIds``; ``tags``/``tagsAll``; ``id``) and ``aws:ec2/networkAclRule:NetworkAclRule``
(``networkAclId``, ``ruleNumber``, ``egress``, ``protocol``, ``ruleAction``, ``cidrBlock``, ``fromPort``,
``toPort``). A subnet has exactly one network ACL, so each ACL is its own scope and the requirement must pass
every ACL of the stack that governs a subnet (like NSGs).

Which ACLs govern a subnet. A network ACL filters only the traffic of the subnets associated with it; every
subnet not associated with another ACL uses its VPC's default network ACL
(docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html). So a ``DefaultNetworkAcl`` is always a scope,
while a ``NetworkAcl`` is one when its ``subnetIds`` lists a subnet or an
``aws:ec2/networkAclAssociation:NetworkAclAssociation`` (``networkAclId``, ``subnetId``) names its ``id``
(registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/network_acl, .../network_acl_association,
.../default_network_acl). One with neither filters nothing: it is skipped with a note. Unknown ``subnetIds``, or
an association whose ``networkAclId`` is unknown (both typical when the ACL is created in the same preview), make
the ACL a scope with a doubt: its gaps are unverified. Associations are read, but do not put the layer in a stack.

Tag selector. Network ACLs apply to subnets, not to instances, so a tag on the clients' security groups cannot
tell which ACL governs the clients. With a selector, an ACL whose ``tags``/``tagsAll`` carry it is a certain
scope; any other ACL may still govern the clients' subnets, so it stays a scope with a doubt (its gaps are
unverified, saying it is not tagged), as with unknown tags. No ACL is silently dropped.

Rules are evaluated per ACL and direction in ascending rule number, first match wins, then the implicit
final deny. Protocol ``-1``/``all`` is every protocol and port, ``tcp``/``6`` and ``udp``/``17`` use
``fromPort..toPort``, others (icmp, ...) carry no Chalk traffic; ``ipv6CidrBlock`` never reaches the IPv4
media ranges. ACLs are stateless, so each ACL is two scopes: its egress rules must allow the requirement,
and its ingress rules must allow the replies. Simplification: a reply's destination port is the client's
ephemeral port, so the ingress rules must allow each protocol of the requirement on 1024-65535 from every
address of the requirement; source ports are not modelled. A ``NetworkAclRule`` belongs to the ACL whose
``id`` equals its ``networkAclId``; an unknown ``networkAclId`` makes it an uncertain rule of every
considered ACL (what it alone allows or denies is unverified); a known id that is not in the stack is noted
and skipped (the id of an ACL skipped for having no subnet is not noted again). An unknown rule number puts the
rule at an unknown position, an unknown action makes it uncertain. An allow that cannot be read is skipped with
a note (that only allows less); a deny that cannot be read is an uncertain deny of its protocols (every address,
every port when the ports are unreadable). ACLs count for the media check only (the advisory checks look at
security groups and firewalls).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, BoxSet
from ..common import SKIPPED_ERRORS, Destinations, Services, make_rule, parse_access, skipping, unknown, unreadable_deny
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..messages import AWS_COMPONENT, all_gaps, items_text, ports_by_protocol, ports_text, region_prefix, replies_text
from ..model import Layer, PortGap, RegionGap, Scope, ScopeContext, ScopeReport, TagSelector
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, of_type, props_of
from .aws_common import PROTOCOLS, Membership, add_cidr, read_services, safe_props

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NETWORK_ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
"""Read to tell which ACLs govern a subnet; not one of the types that put the layer in a stack."""
NETWORK_ACL_TYPES = (NETWORK_ACL, DEFAULT_NETWORK_ACL, NETWORK_ACL_RULE)


class _Acl:
    def __init__(self, resource: Resource, acl_id: str | None, doubts: tuple[Doubt, ...]) -> None:
        self.resource, self.acl_id, self.doubts = resource, acl_id, doubts
        self.egress: list[Rule] = []
        self.ingress: list[Rule] = []

    def add(self, egress: bool, rule: Rule) -> None:
        (self.egress if egress else self.ingress).append(rule)


class _Associations:
    """The network ACL ids the stack's ``NetworkAclAssociation`` resources name (``networkAclId``; each one
    associates that ACL with its ``subnetId``), and those whose ``networkAclId`` is unknown."""

    def __init__(self, resources: Sequence[Resource], notes: list[str]) -> None:
        self.ids: set[str] = set()
        self.floating: list[Resource] = []
        for resource in of_type(resources, NETWORK_ACL_ASSOCIATION):
            with skipping(notes, resource.label):
                self._read(resource)

    def _read(self, resource: Resource) -> None:
        acl_id = as_str(field(props_of(resource), "networkAclId"), "networkAclId")
        if acl_id is None:
            raise Malformed("networkAclId is missing")
        if acl_id is UNKNOWN:
            self.floating.append(resource)
        else:
            self.ids.add(str(acl_id))

    def doubts(self, acl: Resource) -> list[Doubt]:
        return [Doubt(DoubtKind.UNKNOWN, f"{association.label}: networkAclId is unknown, so it may or may not "
                                         f"associate network ACL '{acl.name}' with a subnet")
                for association in self.floating]


def network_acl_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str]
                       ) -> list[Scope]:
    """Two scopes per network ACL that governs (or may govern) a subnet: its egress rules (the requirement) and
    its ingress rules (the replies, see :attr:`Scope.replies`)."""
    membership = Membership([], selector)
    associations = _Associations(resources, notes)
    acls: list[_Acl] = []
    for resource in of_type(resources, NETWORK_ACL, DEFAULT_NETWORK_ACL):
        with skipping(notes, resource.label):
            acl = _read_acl(resource, membership, associations, notes)
            if acl is not None:
                acls.append(acl)
    all_ids = _acl_ids(resources)
    for resource in of_type(resources, NETWORK_ACL_RULE):
        with skipping(notes, resource.label):
            _attach_acl_rule(resource, acls, all_ids, notes)
    scopes = []
    for acl in acls:
        label = f"network ACL '{acl.resource.name}'"
        scopes.append(Scope(label, acl.resource.urn, tuple(acl.egress), acl.doubts))
        scopes.append(Scope(label, acl.resource.urn, tuple(acl.ingress), acl.doubts, replies=True))
    return scopes


def _acl_ids(resources: Sequence[Resource]) -> set[str]:
    """The known ids of every network ACL of the stack, considered or not."""
    found = set()
    for resource in of_type(resources, NETWORK_ACL, DEFAULT_NETWORK_ACL):
        acl_id = field(safe_props(resource), "id")
        if isinstance(acl_id, str):
            found.add(acl_id)
    return found


def _subnet_doubts(resource: Resource, props: Any, associations: _Associations) -> tuple[Doubt, ...] | None:
    """Whether the ACL filters any subnet's traffic: () for sure, doubts when it may, None when it cannot."""
    if resource.type == DEFAULT_NETWORK_ACL:
        return ()  # it governs every subnet of its VPC that no other ACL is associated with
    acl_id, subnets = field(props, "id"), field(props, "subnetIds")
    if (isinstance(subnets, list) and subnets) or (isinstance(acl_id, str) and acl_id in associations.ids):
        return ()
    doubts = associations.doubts(resource)
    if subnets is UNKNOWN:
        doubts.insert(0, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: subnetIds is unknown, so it may be "
                                                  f"associated with no subnet"))
    elif subnets is not None and not isinstance(subnets, list):  # unreadable: never a reason to drop the ACL
        doubts.insert(0, Doubt(DoubtKind.EXTERNAL, f"{resource.label}: subnetIds cannot be read (not a list), so "
                                                   f"it may or may not be associated with a subnet"))
    return tuple(doubts) or None


def _selector_doubts(resource: Resource, props: Any, membership: Membership) -> tuple[Doubt, ...]:
    """Under a tag selector: () when the ACL carries the tag, else why it may or may not govern the clients."""
    member, doubt = membership.of_group(resource, props)
    if member:
        return ()
    if doubt is not None:  # unknown tags
        return (doubt,)
    return (Doubt(DoubtKind.EXTERNAL, f"{resource.label}: it does not carry the tag {membership.selector}, but it "
                                      f"may govern the Chalk clients' subnets (a network ACL applies to subnets, not "
                                      f"to the tagged security groups)"),)


def _read_acl(resource: Resource, membership: Membership, associations: _Associations, notes: list[str]
              ) -> _Acl | None:
    props = props_of(resource)
    subnet_doubts = _subnet_doubts(resource, props, associations)
    if subnet_doubts is None:
        notes.append(f"Skipped {resource.label}: it is associated with no subnet (no subnetIds, and no "
                     f"aws.ec2.NetworkAclAssociation names it), so it filters no traffic.")
        return None
    acl_id = field(props, "id")
    doubts = (*subnet_doubts, *_selector_doubts(resource, props, membership))
    acl = _Acl(resource, acl_id if isinstance(acl_id, str) else None, doubts)
    for egress, key in ((True, "egress"), (False, "ingress")):
        entries = as_list(field(props, key), key)
        if entries is UNKNOWN:
            acl.add(egress, Rule(f"{resource.label} {key}", None, EMPTY, EVERYTHING, None,
                                 (unknown(resource.label, key),), resource=resource))
            continue
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            where = f"{resource.label} {key}[{index}]"
            with skipping(notes, where):
                _add_inline(acl, egress, entry, f"{key}[{index}]", where, notes)
    return acl


def _add_inline(acl: _Acl, egress: bool, entry: object, what: str, where: str, notes: list[str]) -> None:
    item = as_obj(entry, what)
    if item is UNKNOWN:
        acl.add(egress, Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the rule"),),
                             resource=acl.resource))
        return
    rule = _acl_rule(item, "ruleNo", "action", where, acl.resource, notes)
    if rule is not None:
        acl.add(egress, rule)


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
                return  # otherwise it belongs to an ACL associated with no subnet (noted already)
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
            uncertain = rule.uncertain((doubt,))
            _add_by_direction(acl, direction, uncertain, resource)
        return
    for acl in targets:
        _add_by_direction(acl, direction, rule, resource)


def _add_by_direction(acl: _Acl, direction: object, rule: Rule, resource: Resource) -> None:
    if direction is UNKNOWN:
        doubt = unknown(resource.label, "egress (the direction)")
        uncertain = rule.uncertain((doubt,))
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
