"""Azure Firewall rules as scopes: one per firewall policy (``FirewallPolicy`` with its
``FirewallPolicyRuleCollectionGroup`` resources) and per classic ``AzureFirewall``; application rules (host names)
are in :mod:`.azure_app_rules`.

Every ``FirewallPolicy`` of the stack is a layer (whether a firewall uses it cannot be told from the policy
alone), and so is every policy its rule collection groups name. A group's policy is ``firewallPolicyName``,
else the ``firewallPolicies/<name>`` part of the group's ``id`` (case-insensitive). A group whose policy stays
unknown is a scope of its own, never a union with other groups; when the stack holds other groups or
policies it may belong with, its gaps are unverified; but when the stack declares exactly one policy (the
usual preview: an auto-named policy whose computed name the groups reference), such groups are that policy's.
A policy with no group in the stack denies everything
(a scope without rules: "has no rule collection group allowing ..."), unverified when a group of unknown
policy may belong to it.
``FirewallPolicyFilterRuleCollection`` collections are evaluated by group ``priority`` then collection
``priority``, first match wins; ``action.type`` ``Allow`` or ``Deny``; traffic no rule matches is denied.
Media: ``NetworkRule`` with ``ipProtocols`` (``TCP``, ``UDP``, ``Any``), ``destinationAddresses`` (CIDRs,
addresses, ``a-b`` ranges, ``*``, ``Internet``; other service tags are noted and match nothing),
``destinationIpGroups`` (resolved through ``azure-native:network:IpGroup`` ``id`` -> ``ipAddresses``) and
``destinationPorts``. ``destinationFqdns`` do not match by address and are not evaluated.
Sources: a rule matches by its source too (learn.microsoft.com/azure/firewall/rule-processing). ``sourceAddresses``
(``*``, CIDRs, addresses, ``a-b`` ranges) and ``sourceIpGroups`` (resolved like ``destinationIpGroups``; one of
them is required) are judged against the Chalk clients (:mod:`.azure_sources`, :mod:`..sources`): a rule whose
sources hold no client is dropped (it never sees their packets: an Allow from Chalk's media ranges allows nothing,
a Deny from a subnet outside the configured ``clientCidrs`` denies nothing); one whose sources may hold only some
of them (a subnet while the clients' addresses are not configured, an IP group outside the stack, an unknown)
decides only what is unverified, never a pass or a certain gap.

Classic Azure Firewall (``azure-native:network:AzureFirewall`` without ``firewallPolicy``)
    Its ``networkRuleCollections`` (``name``, ``priority``, ``action.type`` Allow/Deny, ``rules`` with
    ``protocols``, ``sourceAddresses``, ``sourceIpGroups``, ``destinationAddresses``, ``destinationIpGroups``,
    ``destinationPorts``; sources as above) are evaluated by collection priority, first match wins, then deny; a
    collection that cannot be read is an uncertain deny (unless it is known to be an Allow). A firewall with a
    ``firewallPolicy`` is checked through that policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...text import join_some
from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, EVERYTHING, BoxSet
from ..common import (
    ALL_SERVICES,
    SKIPPED_ERRORS,
    Destinations,
    Services,
    first_str,
    make_rule,
    parse_access,
    skipping,
    unknown,
    unreadable_deny,
)
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..model import Scope
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field, of_type, props_of
from ..sources import Clients, Reach, for_clients, judge
from .azure_common import address, id_part, port_ranges
from .azure_sources import IpGroups, firewall_source, read_ip_groups

RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
AZURE_FIREWALL = "azure-native:network:AzureFirewall"
FILTER_COLLECTION = "FirewallPolicyFilterRuleCollection"
FIREWALL_PROTOCOLS = {"any": ("tcp", "udp"), "tcp": ("tcp",), "udp": ("udp",)}


@dataclass
class Policy:
    key: str | None
    """Case-folded policy name; None when unknown."""
    name: str | None
    """The name as first written."""
    resource: Resource | None
    """The ``FirewallPolicy`` itself, when the stack declares it."""
    groups: list[Resource]
    doubts: tuple[Doubt, ...] = ()

    @property
    def label(self) -> str:
        if self.name is not None:
            return f"Azure Firewall policy '{self.name}'"
        if self.resource is not None:
            return f"Azure Firewall policy '{self.resource.name}'"
        return f"Azure Firewall policy of rule collection group '{self.groups[0].name}'"

    @property
    def urn(self) -> str | None:
        return self.groups[0].urn if self.groups else self.resource.urn if self.resource else None


@dataclass(frozen=True)
class Inputs:
    """What reading a network rule needs besides the rule: the stack's IP groups, the clients, the notes."""

    ip_groups: IpGroups
    clients: Clients
    notes: list[str]


def firewall_scopes(resources: Sequence[Resource], notes: list[str], clients: Clients | None = None) -> list[Scope]:
    """One scope per firewall policy and per classic firewall; ``clients``: what is known of the clients."""
    inputs = Inputs(read_ip_groups(resources, notes), clients or Clients(), notes)
    scopes = []
    for policy in policies(resources, notes):
        scopes.append(Scope(policy.label, policy.urn, tuple(policy_network_rules(policy, inputs)), policy.doubts,
                            empty=not policy.groups))
    for resource in of_type(resources, AZURE_FIREWALL):
        with skipping(notes, resource.label):
            scope = _classic_scope(resource, inputs)
            if scope is not None:
                scopes.append(scope)
    return scopes


def policy_network_rules(policy: Policy, inputs: Inputs) -> list[Rule]:
    rules: list[Rule] = []
    for group in policy.groups:
        with skipping(inputs.notes, group.label):
            rules.extend(_network_rules(group, inputs))
    return rules


def policies(resources: Sequence[Resource], notes: list[str]) -> list[Policy]:
    """Every ``FirewallPolicy`` of the stack and every policy its rule collection groups name, in stack order.

    A group's policy is ``firewallPolicyName``, else the ``firewallPolicies/<name>`` part of its ``id``. A group
    whose policy stays unknown is a scope of its own; when the stack holds other groups or policies it may be
    evaluated together with, that scope is unverified (never a union). A policy with no group in the stack
    denies everything (a scope without rules), unless a group of unknown policy may belong to it."""
    policies: dict[str, Policy] = {}
    order: list[Policy] = []
    orphans: list[Policy] = []
    for resource in of_type(resources, FIREWALL_POLICY, RULE_COLLECTION_GROUP):
        with skipping(notes, resource.label):
            props = props_of(resource)
            resource_id = field(props, "id")
            if resource.type == FIREWALL_POLICY:
                name = first_str(field(props, "name"), field(props, "firewallPolicyName"),
                                 id_part(resource_id, "firewallPolicies"))
            else:
                name = first_str(as_str(field(props, "firewallPolicyName"), "firewallPolicyName"),
                                 id_part(resource_id, "firewallPolicies", "ruleCollectionGroups"))
            if name is None:
                policy = (Policy(None, None, resource, []) if resource.type == FIREWALL_POLICY else
                          Policy(None, None, None, [resource]))
                orphans.append(policy)
                order.append(policy)
                continue
            if name.casefold() not in policies:
                policies[name.casefold()] = Policy(name.casefold(), name, None, [])
                order.append(policies[name.casefold()])
            policy = policies[name.casefold()]
            if resource.type == FIREWALL_POLICY:
                policy.resource = policy.resource or resource
            else:
                policy.groups.append(resource)
    _adopt(order, orphans)
    group_count = sum(len(policy.groups) for policy in order)
    orphan_groups = [group for policy in orphans for group in policy.groups]
    for policy in order:
        if policy.key is None and policy.groups:
            if len(order) > 1:
                policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.groups[0].label}: its firewall policy is "
                                       "unknown, so it may be evaluated together with other rule collection groups "
                                       "of the stack"),)
        elif orphan_groups:
            names = join_some(f"'{group.name}'" for group in orphan_groups)
            policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.label}: rule collection group"
                                   f"{'s' if len(orphan_groups) > 1 else ''} {names} of unknown policy may belong "
                                   "to it"),)
        elif policy.key is None and group_count:
            policy.doubts = (Doubt(DoubtKind.UNKNOWN, f"{policy.label}: its name is unknown, so rule collection "
                                   "groups of the stack may belong to it"),)
    return order


def _adopt(order: list[Policy], orphans: list[Policy]) -> None:
    """When the stack declares exactly one policy, its groups of unknown policy are that policy's (the usual
    preview: an auto-named ``FirewallPolicy`` and groups whose ``firewallPolicyName`` is its computed name)."""
    policies = [policy for policy in order if policy.key is not None or policy.resource is not None]
    strays = [policy for policy in orphans if policy.groups]
    if len(policies) != 1 or not strays:
        return
    for stray in strays:
        policies[0].groups.extend(stray.groups)
        order.remove(stray)
        orphans.remove(stray)


def read_collections(group: Resource) -> tuple[int | None, list[Any] | Any]:
    props = props_of(group)
    priority = as_int(field(props, "priority"), "priority")
    if priority is None:
        raise Malformed("priority is missing")
    return (priority if isinstance(priority, int) else None), as_list(field(props, "ruleCollections"),
                                                                     "ruleCollections")


def collection_header(collection: Any, group: Resource | None, group_priority: int | None
                       ) -> tuple[str, Access | None, tuple[int, ...] | None] | None:
    """Label, action and order of a filter collection; ``group`` None: a classic firewall's network collection."""
    if group is not None and field(collection, "ruleCollectionType") not in (FILTER_COLLECTION, UNKNOWN):
        return None
    name = first_str(field(collection, "name")) or "?"
    priority = as_int(field(collection, "priority"), "priority")
    access = parse_access(field(field(collection, "action"), "type"), "action.type", "Allow or Deny")
    known = priority if isinstance(priority, int) else None
    shown = known if known is not None else "unknown"
    if group is None:
        return f"network rule collection '{name}' (priority {shown})", access, (known,) if known is not None else None
    order = (group_priority, known) if group_priority is not None and known is not None else None
    label = (f"rule collection '{name}' (priority {shown}) in group "
             f"'{group.name}' (priority {group_priority if group_priority is not None else 'unknown'})")
    return label, access, order


def _network_rules(group: Resource, inputs: Inputs) -> list[Rule]:
    group_priority, collections = read_collections(group)
    if collections is UNKNOWN:
        return [Rule(f"rule collection group '{group.name}'", None, EMPTY, EVERYTHING, None,
                     (unknown(group.label, "ruleCollections"),), resource=group)]
    rules: list[Rule] = []
    for index, collection in enumerate(collections):
        where = f"{group.label} ruleCollections[{index}]"
        rules.extend(_collection_rules(collection, where, group, group, group_priority, inputs))
    return rules


def _collection_rules(collection: Any, where: str, owner: Resource, group: Resource | None,
                      group_priority: int | None, inputs: Inputs) -> list[Rule]:
    """The network rules of one collection (of a policy group, or ``group`` None: of a classic firewall). A
    collection that cannot be read is an uncertain deny unless its action is known to be Allow (then it is
    skipped with a note: that only allows less)."""
    notes = inputs.notes
    with skipping(notes, where):
        try:
            collection = as_obj(collection, "the collection")
            if collection is UNKNOWN:
                return [Rule(where, None, EMPTY, EVERYTHING, None, (unknown(where, "the collection"),),
                             resource=owner)]
            header = collection_header(collection, group, group_priority)
            if header is None:
                return []
            label, access, order = header
            if order is None:
                label = f"{label}, whose priority is unknown"
            items = as_list(field(collection, "rules"), "rules")
            if items is UNKNOWN:
                return [Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "rules"),), resource=owner)]
        except SKIPPED_ERRORS as exc:
            action = field(field(collection, "action"), "type") if isinstance(collection, dict) else None
            if isinstance(action, str) and action.lower() == "allow":
                raise
            name = (first_str(collection.get("name")) if isinstance(collection, dict) else None) or "?"
            priority = collection.get("priority") if isinstance(collection, dict) else None
            known = priority if isinstance(priority, int) and not isinstance(priority, bool) else None
            order = None if known is None else (known,) if group is None else (
                None if group_priority is None else (group_priority, known))
            position = () if order is not None else (unknown(where, "the collection's priority"),)
            return [unreadable_deny(f"rule collection '{name}'", order, EVERYTHING, where, name, exc, owner, notes,
                                    position, what="rule collection")]
        protocols_key = "ipProtocols" if group is not None else "protocols"
        return _read_network_rules(items, where, label, access, order, owner, inputs,  # type: ignore[arg-type]
                                   protocols_key)
    return []


def _classic_scope(resource: Resource, inputs: Inputs) -> Scope | None:
    """A classic ``AzureFirewall`` (no ``firewallPolicy``): its ``networkRuleCollections`` by priority, first
    match wins, then deny. A firewall managed by a policy is the policy's scope instead."""
    props = props_of(resource)
    if field(props, "firewallPolicy") is not None:
        return None
    label = f"Azure Firewall '{resource.name}'"
    collections = as_list(field(props, "networkRuleCollections"), "networkRuleCollections")
    if collections is UNKNOWN:
        rules = [Rule(f"{resource.label} networkRuleCollections", None, EMPTY, EVERYTHING, None,
                      (unknown(resource.label, "networkRuleCollections"),), resource=resource)]
    else:
        rules = [rule for index, collection in enumerate(collections)  # type: ignore[arg-type]
                 for rule in _collection_rules(collection, f"{resource.label} networkRuleCollections[{index}]",
                                               resource, None, None, inputs)]
    return Scope(label, resource.urn, tuple(rules))


def _read_network_rules(items: list[Any], where: str, label: str, access: Access | None,
                        order: tuple[int, ...] | None, owner: Resource, inputs: Inputs,
                        protocols_key: str = "ipProtocols") -> list[Rule]:
    """The network rules of one collection. A rule of a Deny (or unknown-action) collection that cannot be read
    is an uncertain deny; one of an Allow collection is skipped with a note (that only allows less)."""
    rules: list[Rule] = []
    for number, item in enumerate(items):
        rule_where = f"{where}.rules[{number}]"
        with skipping(inputs.notes, rule_where):
            try:
                rule = _network_rule(as_obj(item, "the rule"), rule_where, label, access, order, owner, inputs,
                                     protocols_key)
            except SKIPPED_ERRORS as exc:
                if access is Access.ALLOW:
                    raise
                name = (first_str(item.get("name")) if isinstance(item, dict) else None) or "?"
                position = () if order is not None else (unknown(rule_where, "the collection or group priority"),)
                rule = unreadable_deny(f"rule '{name}' of {label}", order, EVERYTHING, rule_where, name, exc, owner,
                                       inputs.notes, position, what="Deny rule" if access is Access.DENY else "rule")
            if rule is not None:
                rules.append(rule)
    return rules


def _network_rule(item: Any, where: str, label: str, access: Access | None, order: tuple[int, ...] | None,
                  group: Resource, inputs: Inputs, protocols_key: str = "ipProtocols") -> Rule | None:
    """A policy ``NetworkRule`` (``ipProtocols``) or a classic firewall network rule (``protocols``, no type), as it
    applies to the clients' packets; None when it is another rule type or its sources hold no client."""
    if item is UNKNOWN:
        return Rule(label, access, EMPTY, EVERYTHING, order, (unknown(where, "the rule"),), resource=group)
    kind = field(item, "ruleType") if protocols_key == "ipProtocols" else "NetworkRule"
    if kind not in ("NetworkRule", UNKNOWN):
        return None
    name = first_str(field(item, "name")) or "?"
    who = f"{where} (rule '{name}')"
    judged = judge(inputs.clients, firewall_source(item, who, inputs.ip_groups), who)
    if judged.reach is Reach.NONE:  # the rule never sees a client packet
        return None
    services = _network_services(item, where, kind, protocols_key)
    destinations = _network_destinations(item, where, inputs, name)
    position = () if order is not None else (unknown(where, "the collection or group priority"),)
    rule = make_rule(f"rule '{name}' of {label}", access, order, services, destinations, group, extra_doubts=position)
    return for_clients(rule, judged)


def _network_services(item: Any, where: str, kind: object, protocols_key: str) -> Services:
    protocols = as_list(field(item, protocols_key), protocols_key)
    if protocols is UNKNOWN or kind is UNKNOWN:
        return Services.anything(unknown(where, protocols_key))
    chosen = sorted({p for value in protocols  # type: ignore[union-attr]
                     if isinstance(value, str) for p in FIREWALL_PROTOCOLS.get(value.lower(), ())})
    ports = as_list(field(item, "destinationPorts"), "destinationPorts")
    if isinstance(ports, list) and not ports:
        raise Malformed("destinationPorts is empty")
    known = [value for value in ports if value is not UNKNOWN] if isinstance(ports, list) else []
    sure = BoxSet.of(chosen, [r for value in known for r in port_ranges(value)], ANYWHERE)
    if ports is UNKNOWN or len(known) < len(ports):  # type: ignore[arg-type]
        services = Services(sure, BoxSet.of(chosen, ALL_PORTS, ANYWHERE), [unknown(where, "destinationPorts")])
    else:
        services = Services.exactly(sure)
    if any(value is UNKNOWN for value in protocols):  # type: ignore[union-attr]
        services = Services(services.sure, ALL_SERVICES, [*services.doubts, unknown(where, "an ipProtocol")])
    return services


def _network_destinations(item: Any, where: str, inputs: Inputs, name: str) -> Destinations:
    destinations = Destinations()
    addresses = as_list(field(item, "destinationAddresses"), "destinationAddresses")
    if addresses is UNKNOWN:
        destinations.add_doubt(unknown(where, "destinationAddresses"))
    else:
        for value in addresses:  # type: ignore[union-attr]
            if value is UNKNOWN:
                destinations.add_doubt(unknown(where, "a destination address"))
            elif isinstance(value, str):
                found = address(value, where, inputs.notes, name)
                if found is not None:
                    destinations.add(value, found)
            else:
                raise Malformed("a destination address is not a string")
    references = as_list(field(item, "destinationIpGroups"), "destinationIpGroups")
    if references is UNKNOWN:
        destinations.add_doubt(unknown(where, "destinationIpGroups"))
    else:
        for reference in references:  # type: ignore[union-attr]
            _destination_ip_group(destinations, reference, where, inputs.ip_groups)
    return destinations


def _destination_ip_group(destinations: Destinations, reference: object, where: str, ip_groups: IpGroups) -> None:
    if reference is UNKNOWN:
        destinations.add_doubt(unknown(where, "an IP group id"))
    elif isinstance(reference, str):
        resolved = ip_groups.get(reference.lower())
        if resolved is None:
            destinations.add_doubt(Doubt(DoubtKind.EXTERNAL, f"{where}: IP group {reference} is not in this stack"))
        else:
            destinations.sure = destinations.sure | resolved.sure
            destinations.maybe = destinations.maybe | resolved.maybe
            destinations.dests.extend(resolved.dests)
            destinations.doubts.extend(resolved.doubts)
