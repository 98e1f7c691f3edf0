"""Azure Firewall application rules: the signaling-hosts filter of each firewall policy.

``ApplicationRule`` with ``targetFqdns`` (``host``, ``*.domain`` = subdomains only, ``*`` = any) and ``protocols``
that include ``Https`` on port 443. Azure Firewall processes every network rule collection before any application
rule collection, whatever their priorities (learn.microsoft.com, "Azure Firewall rule processing logic"): network
rules that allow TCP 443 to every public address allow every host; when they only may (unknown values), hosts the
application rules do not allow are unverified.

Sources. Application rules, like network rules, match by ``sourceAddresses``/``sourceIpGroups``
(:mod:`.azure_sources`; learn.microsoft.com/azure/firewall/rule-processing: a rule matches a connection by its
source too): a rule whose sources hold none of the clients does not allow (or deny) their hosts; one whose sources
may hold only some of them (a subnet while the clients' addresses are not configured, an IP group outside the
stack, an unknown) allows or denies them only *unverified*. A Deny rule whose sources cannot be read may deny
(unverified); an Allow rule with unreadable sources is skipped with a note. The network rules evaluated first are
judged against the same clients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..boxes import PUBLIC, BoxSet
from ..common import SKIPPED_ERRORS, first_str, skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, doubts_for, evaluate
from ..messages import AZURE_COMPONENT
from ..model import HostAllow, HostScope
from ..resources import UNKNOWN, Resource, as_int, as_list, as_obj, field
from ..sources import Clients, Reach, Verdict, judge
from .azure_fw_rules import Inputs, collection_header, policies, policy_network_rules, read_collections
from .azure_sources import firewall_source, read_ip_groups

NETWORK_FIRST = (-1,)
"""Azure Firewall processes every network rule collection before any application rule collection."""
_HTTPS_ANYWHERE = BoxSet.of(("tcp",), ((443, 443),), PUBLIC)


def application_rules(resources: Sequence[Resource], notes: list[str], clients: Clients | None = None
                      ) -> list[tuple[str, Resource, list[HostAllow]]]:
    """Per firewall policy with application rules: (scope label, first group, rules in evaluation order).

    Network rules come first (Azure Firewall evaluates them before application rules, regardless of priority):
    when they allow TCP 443 to every public address for sure, every host is allowed whatever the application
    rules say; when they may (unknown values), a host the application rules do not allow is unverified. Network
    rules that allow TCP 443 to part of the Internet only are not counted (host addresses are not known).
    ``clients``: what is known of the clients' addresses (default: nothing)."""
    inputs = Inputs(read_ip_groups(resources, []), clients or Clients(), notes)
    quiet = Inputs(inputs.ip_groups, inputs.clients, [])  # the media check notes the network rules already
    result = []
    for policy in policies(resources, notes):
        allows: list[HostAllow] = []
        for group in policy.groups:
            with skipping(notes, group.label):
                allows.extend(_application_rules(group, inputs))
        if not allows:
            continue
        network = policy_network_rules(policy, quiet)
        outcome = evaluate(network, _HTTPS_ANYWHERE)
        label = f"network rules of {policy.label}"
        if not _HTTPS_ANYWHERE - outcome.worst:
            allows = [HostAllow(policy.groups[0], ("*",), ("*",), (), Access.ALLOW, NETWORK_FIRST, label)]
        elif not _HTTPS_ANYWHERE - outcome.best:
            allows.insert(0, HostAllow(policy.groups[0], (), ("*",), doubts_for(network, _HTTPS_ANYWHERE),
                                       Access.ALLOW, NETWORK_FIRST, label))
        result.append((policy.label, policy.groups[0], allows))
    return result


def _application_rules(group: Resource, inputs: Inputs) -> list[HostAllow]:
    group_priority, collections = read_collections(group)
    if collections is UNKNOWN:
        return [HostAllow(group, (), None, (unknown(group.label, "ruleCollections"),), Access.ALLOW, None,
                          f"rule collection group '{group.name}'")]
    found: list[HostAllow] = []
    for index, collection in enumerate(collections):
        where = f"{group.label} ruleCollections[{index}]"
        with skipping(inputs.notes, where):
            header = collection_header(as_obj(collection, "the collection"), group, group_priority)
            if header is None:
                continue
            label, access, order = header
            items = as_list(field(collection, "rules"), "rules")
            for number, item in enumerate(items if isinstance(items, list) else [UNKNOWN]):
                rule_where = f"{where}.rules[{number}]"
                with skipping(inputs.notes, rule_where):
                    allow = _application_rule(item, rule_where, label, access, order, group, inputs)
                    if allow is not None:
                        found.append(allow)
    return found


def _application_rule(item: Any, where: str, label: str, access: Access | None, order: tuple[int, ...] | None,
                      group: Resource, inputs: Inputs) -> HostAllow | None:
    """One application rule as it applies to the clients; None for another rule type."""
    effective = access if access is not None else Access.ALLOW
    if item is UNKNOWN:
        return HostAllow(group, (), None, (unknown(where, "the rule"),), effective, order, label)
    item = as_obj(item, "the rule")
    if field(item, "ruleType") != "ApplicationRule":
        return None
    name = first_str(field(item, "name")) or "?"
    rule_label = f"rule '{name}' of {label}"
    judged = _sources(item, f"{where} (rule '{name}')", inputs, effective)
    doubts: list[Doubt] = [unknown(where, "the collection's action")] if access is None else []
    # the rule never sees the clients' connections, or does not filter HTTPS on 443: it matches none of their
    # hosts (but the policy still filters host names)
    if judged.reach is Reach.NONE or not _https(item, where, doubts):
        return HostAllow(group, (), (), (), effective, order, rule_label)
    certain = not doubts and judged.reach is Reach.ALL
    doubts.extend(judged.doubts)
    targets = as_list(field(item, "targetFqdns"), "targetFqdns")
    if targets is UNKNOWN:
        return HostAllow(group, (), None, (*doubts, unknown(where, "targetFqdns")), effective, order, rule_label)
    names = tuple(target for target in targets if isinstance(target, str))  # type: ignore[union-attr]
    if any(target is UNKNOWN for target in targets):  # type: ignore[union-attr]
        return HostAllow(group, names if certain else (), None, (*doubts, unknown(where, "a target FQDN")),
                         effective, order, rule_label)
    return HostAllow(group, names if certain else (), names, tuple(doubts), effective, order, rule_label)


def _sources(item: Any, who: str, inputs: Inputs, effective: Access) -> Verdict:
    """How the rule's sources match the clients. Unreadable sources: an Allow is skipped (raises), a Deny may deny."""
    try:
        source = firewall_source(item, who, inputs.ip_groups)
    except SKIPPED_ERRORS as exc:
        if effective is Access.ALLOW:
            raise
        return Verdict(Reach.SOME, (Doubt(DoubtKind.EXTERNAL, f"{who}: its sources cannot be read ({exc})"),))
    return judge(inputs.clients, source, who)


def _https(item: Any, where: str, doubts: list[Doubt]) -> bool:
    """Whether the rule may filter HTTPS on 443: it names Https on 443, or something about it (``doubts``, which
    this extends with unknown protocols) is unknown."""
    protocols = as_list(field(item, "protocols"), "protocols")
    if protocols is UNKNOWN:
        doubts.append(unknown(where, "protocols"))
        return True
    https = False
    for protocol in protocols:  # type: ignore[union-attr]
        kind, port = field(protocol, "protocolType"), as_int(field(protocol, "port"), "port")
        if kind is UNKNOWN or port is UNKNOWN:
            doubts.append(unknown(where, "a protocol"))
        elif isinstance(kind, str) and kind.lower() == "https" and port == 443:
            https = True
    return https or bool(doubts)


def matches(pattern: str, host: str) -> bool:
    """Azure Firewall FQDN semantics: ``*.example.com`` is subdomains only, ``*`` any host, else exact."""
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def message(label: str, missing: Sequence[str], denied: Sequence[tuple[str, str]]) -> str:
    count, hosts = len(missing), ", ".join(missing)
    noun = f"Chalk signaling host{'s' if count > 1 else ''} (HTTPS on TCP 443)"
    them = "them" if count > 1 else "it"
    by_rule: dict[str, list[str]] = {}
    for host, rule in denied:
        by_rule.setdefault(rule, []).append(host)
    blocked = "".join(f" {', '.join(names)} {'are' if len(names) > 1 else 'is'} denied first by {rule}."
                      for rule, names in by_rule.items())
    return (f"{label} does not allow {count} {noun}: {hosts}.{blocked} Add {them} to the target_fqdns of an "
            f"ApplicationRule (protocol Https, port 443) in an Allow rule collection evaluated before any Deny, or "
            f"use {AZURE_COMPONENT}.")


def host_scopes(resources: Sequence[Resource], notes: list[str], clients: Clients | None = None) -> list[HostScope]:
    """The signaling-hosts filters; ``clients`` (when the caller knows them) decide which rules apply."""
    return [HostScope(label, group.urn, tuple(rules), matches, message)
            for label, group, rules in application_rules(resources, notes, clients)]
