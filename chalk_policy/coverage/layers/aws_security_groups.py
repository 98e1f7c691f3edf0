"""AWS security groups: one scope, the union of every considered egress entry.

Allow-only and unioned, so the scope "AWS security groups" allows what any considered egress entry allows:
inline ``egress`` of ``aws:ec2/securityGroup:SecurityGroup`` and ``aws:ec2/defaultSecurityGroup:DefaultSecurityGroup``,
``aws:vpc/securityGroupEgressRule``, and ``aws:ec2/securityGroupRule`` with ``type: egress``. Protocol
``-1``/``all`` is every protocol and port (``fromPort``/``toPort`` ignored); ``tcp``/``6`` and ``udp``/``17`` use
``fromPort..toPort``; other protocols (icmp, ...) carry no Chalk traffic. Destinations:
``cidrIpv4``/``cidrBlocks``, and managed prefix lists by id (``prefixListId``/``prefixListIds``) resolved against
``aws:ec2/managedPrefixList`` (``id`` -> ``entries[].cidr``) and ``aws:ec2/managedPrefixListEntry``
(``prefixListId``, ``cidr``). Referenced security groups, ``self`` and IPv6 never reach the IPv4 media ranges.

Default security group. ``aws:ec2/defaultSecurityGroup:DefaultSecurityGroup`` adopts a VPC's default group and
has the shape of a security group (inline ``egress`` entries with ``protocol``, ``fromPort``, ``toPort``,
``cidrBlocks``, ``prefixListIds``, ...; ``tags``/``tagsAll``; ``id``: pulumi-aws ``DefaultSecurityGroupEgress``),
so it is read like one, tag selection and standalone rules naming its ``id`` included. Its inline rules are
absolute: when the provider adopts the group it "immediately removes all ingress and egress rules in the Security
Group" and then creates only the rules of the configuration
(registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_security_group). So ``egress: []``
(or no ``egress``) leaves it no egress rule at all, although the AWS default group otherwise allows all outbound
traffic (docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html).

Without a tag selector every egress entry in the stack counts. With one, only groups whose ``tags`` or
``tagsAll`` (which adds the provider's default tags) carry it count, and a standalone rule counts when its
``securityGroupId`` is the ``id`` of such a group. Unknown tags, an unknown ``securityGroupId`` (a group
created in the same preview) or an unknown prefix list id make the rule *uncertain*: what it alone could
allow is unverified, never a gap. A prefix list id that is not in the stack (e.g. AWS-managed) is uncertain
too, as "cannot be verified from the stack". A selector that no group carries is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..boxes import EMPTY, EVERYTHING, parse_ipv4
from ..common import Destinations, make_rule, skipping, unknown
from ..evaluate import Access, Dest, Doubt, DoubtKind, Rule
from ..messages import AWS_COMPONENT, all_gaps, distinct_ranges, items_text, region_prefix
from ..model import Layer, RegionGap, Scope, ScopeContext, ScopeReport, TagSelector
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_obj, as_str, field, has_type, of_type, props_of
from .aws_common import GROUP_TYPES, Membership, add_cidr, read_services

EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
SECURITY_GROUP_TYPES = (*GROUP_TYPES, EGRESS_RULE, SECURITY_GROUP_RULE)
TITLE = "AWS security groups"


class _PrefixLists:
    def __init__(self, resources: Sequence[Resource], notes: list[str]) -> None:
        self.known: dict[str, Destinations] = {}
        self.floating = Destinations()
        """Entries whose prefix list id is unknown: they may belong to any list."""
        for resource in of_type(resources, PREFIX_LIST, PREFIX_LIST_ENTRY):
            if resource.type == PREFIX_LIST:
                with skipping(notes, resource.label):
                    self._read_list(resource)
            else:
                with skipping(notes, resource.label):
                    self._read_entry(resource)

    def _read_list(self, resource: Resource) -> None:
        props = props_of(resource)
        list_id = as_str(field(props, "id"), "id")
        if not isinstance(list_id, str):
            return  # not yet created: no rule can name it by a known id
        target = self.known.setdefault(list_id, Destinations())
        entries = as_list(field(props, "entries"), "entries")
        if entries is UNKNOWN:
            target.add_doubt(unknown(resource.label, "entries"))
            return
        for index, entry in enumerate(entries):  # type: ignore[arg-type]
            cidr = as_str(field(as_obj(entry, f"entries[{index}]"), "cidr"), f"entries[{index}].cidr")
            add_cidr(target, cidr, f"{resource.label} entries[{index}]", "cidr")

    def _read_entry(self, resource: Resource) -> None:
        props = props_of(resource)
        list_id = as_str(field(props, "prefixListId"), "prefixListId")
        cidr = as_str(field(props, "cidr"), "cidr")
        if list_id is None:
            raise Malformed("prefixListId is missing")
        if list_id is UNKNOWN:
            self.floating.add_doubt(unknown(resource.label, "prefixListId"))
            return
        add_cidr(self.known.setdefault(str(list_id), Destinations()), cidr, resource.label, "cidr")

    def resolve(self, into: Destinations, list_id: object, where: str) -> None:
        if list_id is UNKNOWN:
            into.add_doubt(unknown(where, "the prefix list id"))
            return
        if not isinstance(list_id, str):
            raise Malformed(f"a prefix list id is {type(list_id).__name__}, not a string")
        found = self.known.get(list_id)
        if found is None:
            into.add_doubt(Doubt(DoubtKind.EXTERNAL, f"{where}: prefix list {list_id} is not in this stack"))
            return
        into.sure = into.sure | found.sure
        into.maybe = into.maybe | found.maybe | self.floating.maybe
        into.dests.append(_dest(f"prefix list {list_id}", found))
        into.doubts.extend([*found.doubts, *self.floating.doubts])


def _dest(text: str, found: Destinations) -> Dest:
    return Dest(text, found.sure)


def _destinations(cidrs: object, prefix_lists: object, where: str, cidr_field: str, list_field: str,
                  lists: _PrefixLists) -> Destinations:
    result = Destinations()
    for name, values in ((cidr_field, cidrs), (list_field, prefix_lists)):
        if values is UNKNOWN:
            result.add_doubt(unknown(where, name))
            continue
        items = values if isinstance(values, list) else ([] if values is None else [values])
        for index, value in enumerate(items):
            label = f"{name}[{index}]" if isinstance(values, list) else name
            if name == list_field:
                lists.resolve(result, value, where)
            elif value is UNKNOWN:
                result.add_doubt(unknown(where, label))
            elif isinstance(value, str):
                addresses = parse_ipv4(value)
                if addresses is not None:
                    result.add(value, addresses)
            else:
                raise Malformed(f"{label} is {type(value).__name__}, not a CIDR string")
    return result


def selects_no_group(resources: Sequence[Resource], selector: TagSelector | None) -> bool:
    """A selector that no security group of the stack carries, not even possibly (unknown tags)."""
    return selector is not None and has_type(resources, SECURITY_GROUP_TYPES) and (
        not Membership(resources, selector).any_candidate)


def security_group_scope(resources: Sequence[Resource], selector: TagSelector | None,
                         notes: list[str]) -> Scope | None:
    """All considered security group egress as one scope; None when the stack has no security group resource."""
    groups_and_rules = of_type(resources, *SECURITY_GROUP_TYPES)
    if not groups_and_rules:
        return None
    lists = _PrefixLists(resources, notes)
    membership = Membership(resources, selector)
    rules: list[Rule] = []
    for resource in groups_and_rules:
        with skipping(notes, resource.label):
            rules.extend(_security_group_rules(resource, lists, membership, notes))
    return Scope(TITLE, None, tuple(rules))


def _security_group_rules(resource: Resource, lists: _PrefixLists, membership: Membership,
                          notes: list[str]) -> list[Rule]:
    props = props_of(resource)
    if resource.type in GROUP_TYPES:
        return _group_rules(resource, props, lists, membership, notes)
    return _standalone_rules(resource, props, lists, membership)


def _anything(label: str, doubts: tuple[Doubt, ...], resource: Resource) -> Rule:
    """An allow that cannot be read: it may allow anything, nothing for sure."""
    return Rule(label, Access.ALLOW, EMPTY, EVERYTHING, None, doubts, resource=resource)


def _group_rules(resource: Resource, props: Any, lists: _PrefixLists, membership: Membership,
                 notes: list[str]) -> list[Rule]:
    """The inline ``egress`` of a ``SecurityGroup`` or ``DefaultSecurityGroup``: an absent or empty list is no
    rule at all (for the default group: the provider revoked its allow-all rule when it adopted it)."""
    member, doubt = membership.of_group(resource, props)
    if not member and doubt is None:
        return []
    extra = (doubt,) if doubt else ()
    egress = as_list(field(props, "egress"), "egress")
    if egress is UNKNOWN:
        return [_anything(resource.label, (unknown(resource.label, "egress"), *extra), resource)]
    rules = []
    for index, entry in enumerate(egress):  # type: ignore[arg-type]
        where = f"{resource.label} egress[{index}]"
        with skipping(notes, where):
            rules.append(_inline_rule(entry, index, where, resource, lists, doubt))
    return rules


def _inline_rule(entry: object, index: int, where: str, resource: Resource, lists: _PrefixLists,
                 doubt: Doubt | None) -> Rule:
    extra = (doubt,) if doubt else ()
    item = as_obj(entry, f"egress[{index}]")
    if item is UNKNOWN:
        return _anything(where, (unknown(where, "the entry"), *extra), resource)
    services = read_services(field(item, "protocol"), field(item, "fromPort"), field(item, "toPort"), where)
    destinations = _destinations(field(item, "cidrBlocks"), field(item, "prefixListIds"), where, "cidrBlocks",
                                 "prefixListIds", lists)
    return make_rule(where, Access.ALLOW, None, services, destinations, resource, member=doubt is None,
                     extra_doubts=extra)


_RULE_FIELDS = {EGRESS_RULE: ("ipProtocol", "cidrIpv4", "prefixListId"),
                SECURITY_GROUP_RULE: ("protocol", "cidrBlocks", "prefixListIds")}
"""Per standalone rule type: its protocol, CIDR and prefix list fields."""


def _standalone_rules(resource: Resource, props: Any, lists: _PrefixLists, membership: Membership
                      ) -> list[Rule]:
    """A ``SecurityGroupEgressRule``, or a ``SecurityGroupRule`` of ``type: egress``, of a considered group."""
    if props is UNKNOWN:
        return [_anything(resource.label, (unknown(resource.label, "every property"),), resource)]
    doubts = _egress_doubts(resource, props)
    if doubts is None:
        return []
    member, doubt = membership.of_rule(resource, field(props, "securityGroupId"))
    if not member and doubt is None:
        return []
    if doubt is not None:
        doubts = (*doubts, doubt)
    protocol, cidr_field, list_field = _RULE_FIELDS[resource.type]
    services = read_services(field(props, protocol), field(props, "fromPort"), field(props, "toPort"),
                             resource.label)
    destinations = _destinations(field(props, cidr_field), field(props, list_field), resource.label, cidr_field,
                                 list_field, lists)
    return [make_rule(resource.label, Access.ALLOW, None, services, destinations, resource,
                      member=not doubts, extra_doubts=doubts)]


def _egress_doubts(resource: Resource, props: Any) -> tuple[Doubt, ...] | None:
    """None for an ingress ``SecurityGroupRule`` (not egress); a doubt when its ``type`` is unknown."""
    if resource.type != SECURITY_GROUP_RULE:
        return ()
    kind = as_str(field(props, "type"), "type")
    if kind is None:
        raise Malformed("type is missing")
    if kind is UNKNOWN:
        return (unknown(resource.label, "type (ingress or egress)"),)
    return () if str(kind).lower() == "egress" else None


def _scopes(ctx: ScopeContext) -> list[Scope]:
    scope = security_group_scope(ctx.resources, ctx.selector, ctx.notes)
    if scope is None or ctx.selector is None:
        return [] if scope is None else [scope]
    return [Scope(f"{TITLE} tagged {ctx.selector}", None, scope.rules,
                  empty=selects_no_group(ctx.resources, ctx.selector))]


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    head, everything = region_prefix(gap.region, gap.region_name), all_gaps(gap)
    if report.empty:  # a tag selector that no security group carries
        tag = report.scope.rsplit(" tagged ", 1)[-1]
        return (f"{head}: {report.scope} do not allow {items_text(everything)}: no security group carries the tag "
                f"{tag} (provider default tags appear in tagsAll). Tag the Chalk clients' security groups with "
                f"{tag} or change the policy's clientTag.")
    fix = "; ".join(f"ip_protocol {protocol}, from_port {port.from_port}, to_port {port.to_port}"
                    for protocol, port in distinct_ranges(everything))
    return (f"{head}: {report.scope} do not allow {items_text(everything)}. Add an "
            f"aws.vpc.SecurityGroupEgressRule per range ({fix}) or use {AWS_COMPONENT}.")


def _who(_scope: str, rule: Rule) -> str:
    return rule.label


LAYER = Layer(
    id="aws-security-groups", cloud="aws",
    resource_types=frozenset(SECURITY_GROUP_TYPES),
    scopes=_scopes, gap_message=_gap_message, component=AWS_COMPONENT, who=_who,
    client_types=frozenset(GROUP_TYPES), clients_noun="security group")
