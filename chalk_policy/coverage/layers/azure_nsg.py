"""Azure NSGs: one scope per ``azure-native:network:NetworkSecurityGroup``.

Rules: the inline ``securityRules`` plus every standalone ``azure-native:network:SecurityRule`` of the NSG.
Azure names are case-insensitive, so names and resource groups are compared with ``casefold()``. An NSG is
known by ``name`` (output) or ``networkSecurityGroupName`` (input), its ``resourceGroupName`` and its ``id``
(``/subscriptions/../resourceGroups/<rg>/providers/Microsoft.Network/networkSecurityGroups/<name>``); a rule
by ``networkSecurityGroupName``, ``resourceGroupName`` and its own ``id`` (the NSG id + ``/securityRules/..``).
Missing names and groups are taken from the ids. A rule belongs to the NSG whose id equals its NSG id when
both ids are known; else to the same-named NSG whose resource group is its own when both are known. Among
same-named NSGs whose group (or id) cannot decide, one is the rule's for sure; several each get the rule as
*uncertain* (it may belong to any of them). When either name is unknown the rule may belong to the NSG
(uncertain). A rule naming an NSG that is not in the stack is noted and ignored. The names are indexed once.
Only ``direction: Outbound`` rules count. They are evaluated by ``priority``, first match wins, then
Azure's defaults: ``AllowVnetOutBound`` (65000), ``AllowInternetOutBound`` (65001: every public address)
and ``DenyAllOutBound`` (65500). So a higher-priority (lower number) Deny shadows a later Allow, wholly or
for the overlapping part, and with no Deny at all the default rule allows every public destination.
Protocol ``*``, ``Tcp``, ``Udp`` (any case); others (Icmp, Esp, Ah) carry no Chalk traffic. Ports ``*``,
``443``, ``10000-60000``, from ``destinationPortRange`` and ``destinationPortRanges``. Prefixes from
``destinationAddressPrefix`` and ``destinationAddressPrefixes``: CIDRs and addresses, ``*``/``0.0.0.0/0``
(anywhere), ``Internet`` (every public IPv4 address: 0.0.0.0/0 minus RFC 1918 and the other special-purpose
blocks), ``VirtualNetwork``/``AzureLoadBalancer`` (never a public media range). Any other service tag is
not modelled: it matches nothing here, with a note. Destination application security groups are private.

Sources. A rule matches by its 5-tuple, source included (learn.microsoft.com/azure/virtual-network/
network-security-groups-overview, "Security rules"); :mod:`.azure_sources` reads ``sourceAddressPrefix(es)``,
``sourceApplicationSecurityGroups`` and ``sourcePortRange(s)`` and :mod:`..sources` judges them against the
clients. ``*``/``Any``/``0.0.0.0/0`` and ``VirtualNetwork`` reach every client (the clients behind an NSG are in
its virtual network, whose address space the tag holds: learn.microsoft.com/azure/virtual-network/
service-tags-overview). A rule whose source holds no client is dropped: an Allow from Chalk's own media ranges
allows the clients nothing (the rules after it decide), and so does a Deny from a subnet outside the configured
``clientCidrs``. A rule whose source may hold only some clients (a subnet while the clients' addresses are not
configured, an application security group, another service tag, an unknown value, a source port other than
``*``) decides only what is *unverified*: an Allow is never a silent pass, a Deny never a certain gap.

Unreadable rules. An Allow whose ports, prefixes or sources cannot be read is skipped with a note (that only allows
less). A Deny (or a rule of unknown access) is never skipped, which would fail open: it is an *uncertain
deny* that matches nothing for sure and at most its protocols on every port (when the ports are unreadable),
its protocols and ports to every address (when the prefixes are) or to its prefixes (when only the sources are),
so what it may shadow is unverified; a Deny whose source is known to hold no client is dropped all the same.
The same holds for Azure Firewall rules and collections.

With a tag selector, only NSGs whose ``tags`` match are scopes (tag names match in any case, values exactly:
:func:`.azure_common.tag_selects`); an NSG with unknown tags is a scope whose gaps are unverified rather than
violations. When the stack declares NSGs but the selector picks none, the media check reports that as a
violation (the Chalk clients' egress is not checked at all).

Rules are read by :mod:`.azure_nsg_rules`, their sources by :mod:`.azure_sources`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..boxes import ALL_PORTS, EMPTY, EVERYTHING, PUBLIC, BoxSet
from ..common import first_str, skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule, known_rule
from ..messages import (
    AZURE_COMPONENT,
    AZURE_PROTOCOL,
    all_gaps,
    denial_clause,
    items_text,
    ports_by_protocol,
    ports_text,
    region_prefix,
)
from ..model import Layer, RegionGap, Scope, ScopeContext, ScopeReport, TagSelector
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_obj, as_str, field, of_type, props_of
from ..sources import Clients
from .azure_common import id_part, nsg_id_of, tag_selects
from .azure_nsg_rules import nsg_rule

NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
DEFAULT_RULES = (
    known_rule("default rule 'AllowVnetOutBound' (priority 65000)", Access.ALLOW, EMPTY, (65000,),
               priority=65000, builtin=True),
    known_rule("default rule 'AllowInternetOutBound' (priority 65001)", Access.ALLOW,
               BoxSet.of(("tcp", "udp"), ALL_PORTS, PUBLIC), (65001,), priority=65001, builtin=True),
    known_rule("default rule 'DenyAllOutBound' (priority 65500)", Access.DENY, EVERYTHING, (65500,),
               priority=65500, builtin=True),
)
ALLOW_INTERNET_DEFAULT = DEFAULT_RULES[1]


@dataclass
class _Nsg:
    resource: Resource
    name: str | None
    """Azure name; None when unknown."""
    resource_group: str | None
    nsg_id: str | None
    member: bool
    doubt: Doubt | None
    rules: list[Rule]

    @property
    def selected(self) -> bool:
        return self.member or self.doubt is not None


def nsg_scopes(resources: Sequence[Resource], selector: TagSelector | None, notes: list[str],
               clients: Clients | None = None) -> list[Scope]:
    """One scope per selected NSG; ``clients``: what is known of the clients' addresses (default: nothing)."""
    clients = clients or Clients()
    nsgs: list[_Nsg] = []
    for resource in of_type(resources, NSG):
        with skipping(notes, resource.label):
            nsgs.append(_read_nsg(resource, selector, notes, clients))
    index = _NsgIndex(nsgs)
    for resource in of_type(resources, SECURITY_RULE):
        with skipping(notes, resource.label):
            _attach(resource, index, notes, clients)
    return [Scope(f"NSG '{nsg.resource.name}'", nsg.resource.urn, (*nsg.rules, *DEFAULT_RULES),
                  (nsg.doubt,) if nsg.doubt else ()) for nsg in nsgs if nsg.selected]


def nsgs_declared(resources: Sequence[Resource]) -> bool:
    """Whether the stack declares an NSG (standalone rules alone may belong to NSGs outside it)."""
    return bool(of_type(resources, NSG))



def _read_nsg(resource: Resource, selector: TagSelector | None, notes: list[str], clients: Clients) -> _Nsg:
    props = props_of(resource)
    nsg_id = field(props, "id")
    name = first_str(field(props, "name"), field(props, "networkSecurityGroupName"),
                     id_part(nsg_id, "networkSecurityGroups"))
    group = first_str(field(props, "resourceGroupName"), id_part(nsg_id, "resourceGroups"))
    member, doubt = True, None
    if selector is not None:
        selected = tag_selects(field(props, "tags"), selector)
        member = selected is True
        if selected is None:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the selector {selector} "
                                             "may or may not pick it")
    nsg = _Nsg(resource, name, group, nsg_id_of(nsg_id), member, doubt, [])
    if not nsg.selected:  # its rules never count; it is kept only so that rules can find it
        return nsg
    rules = as_list(field(props, "securityRules"), "securityRules")
    if rules is UNKNOWN:
        nsg.rules.append(Rule(f"{resource.label} securityRules", None, EMPTY, EVERYTHING, None,
                              (unknown(resource.label, "securityRules"),), resource=resource))
        return nsg
    for index, entry in enumerate(rules):  # type: ignore[arg-type]
        where = f"{resource.label} securityRules[{index}]"
        with skipping(notes, where):
            rule = nsg_rule(as_obj(entry, "the rule"), where, resource, notes, clients)
            if rule is not None:
                nsg.rules.append(rule)
    return nsg


class _NsgIndex:
    """Every NSG of the stack by case-folded name (built once), and those whose name is unknown."""

    def __init__(self, nsgs: Sequence[_Nsg]) -> None:
        self.by_name: dict[str, list[_Nsg]] = {}
        self.unnamed: list[_Nsg] = []
        for nsg in nsgs:
            if nsg.name is None:
                self.unnamed.append(nsg)
            else:
                self.by_name.setdefault(nsg.name.casefold(), []).append(nsg)
        self.every = list(nsgs)

    def owners(self, name: str | None, group: str | None, nsg_id: str | None
               ) -> tuple[list[_Nsg], list[_Nsg], list[_Nsg]]:
        """The NSGs a rule belongs to for sure, the same-named ones it may belong to, and the unnamed ones.

        ``name`` None: unknown, so it may belong to any NSG. A known id decides against an NSG whose id is known;
        else name and resource group decide when both sides know them. A same-named NSG whose resource group
        (or id) is known to be the rule's wins over the others (Azure names are unique within a resource group);
        otherwise one candidate is sure and several are each uncertain."""
        if name is None:
            return [], [], self.every
        candidates, equal = [], []
        for nsg in self.by_name.get(name.casefold(), []):
            if nsg_id is not None and nsg.nsg_id is not None:
                if nsg_id == nsg.nsg_id:
                    equal.append(nsg)
            elif group is not None and nsg.resource_group is not None:
                if group.casefold() == nsg.resource_group.casefold():
                    equal.append(nsg)
            else:
                candidates.append(nsg)
        if equal:
            return equal, [], []
        if len(candidates) == 1:
            return candidates, [], self.unnamed
        return [], candidates, self.unnamed


def _attach(resource: Resource, index: _NsgIndex, notes: list[str], clients: Clients) -> None:
    props = props_of(resource)
    rule_id = field(props, "id")
    target = as_str(field(props, "networkSecurityGroupName"), "networkSecurityGroupName")
    if target is None:
        target = id_part(rule_id, "networkSecurityGroups", "securityRules")
    if target is None:
        raise Malformed("networkSecurityGroupName is missing")
    group = first_str(field(props, "resourceGroupName"), id_part(rule_id, "resourceGroups"))
    name = target if isinstance(target, str) else None
    sure, ambiguous, unnamed = index.owners(name, group, nsg_id_of(rule_id))
    if not sure and not ambiguous and not unnamed:
        where = f" (resource group '{group}')" if group is not None and name is not None and \
            name.casefold() in index.by_name else ""
        notes.append(f"Skipped {resource.label}: NSG '{target}'{where} is not in this stack.")
        return
    rule = nsg_rule(props, resource.label, resource, notes, clients)
    if rule is None:
        return
    for nsg in sure:
        nsg.rules.append(rule)
    for nsgs, why in ((ambiguous, f"{len(ambiguous)} NSGs are named '{target}' and its resource group is unknown"),
                      (unnamed, "the NSG it belongs to is unknown")):
        if nsgs:
            doubt = Doubt(DoubtKind.UNKNOWN, f"{resource.label}: {why}")
            uncertain = Rule(rule.label, rule.access, EMPTY, rule.maybe, rule.order, (*rule.doubts, doubt),
                             rule.priority, resource, rule.services, rule.dests)
            for nsg in nsgs:
                nsg.rules.append(uncertain)


def _scopes(ctx: ScopeContext) -> list[Scope]:
    return nsg_scopes(ctx.resources, ctx.selector, ctx.notes, ctx.clients)


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    head, everything = region_prefix(gap.region, gap.region_name), all_gaps(gap)
    clauses = ([f"does not allow {items_text(gap.missing)}"] if gap.missing else []) + [
        denial_clause(denial, "denies", "allow") for denial in gap.denied]
    fix = "; ".join(f"protocol {AZURE_PROTOCOL[protocol]}, destination_port_ranges {ports_text(ports)}"
                    for protocol, ports in ports_by_protocol(everything))
    limit = min((denial.priority for denial in gap.denied
                 if denial.priority is not None and denial.priority <= 4096), default=None)
    if limit is not None and limit <= 100:  # nothing can be numbered ahead of the first priority
        return (f"{head}: {report.scope} {'; '.join(clauses)}. Renumber or narrow that Deny (no priority is below "
                f"100), then allow ({fix}) ahead of it, or use {AZURE_COMPONENT}.")
    numbered = f" numbered below {limit}" if limit is not None else " (priority 100-4096)"
    return (f"{head}: {report.scope} {'; '.join(clauses)}. Add an Outbound Allow rule{numbered} ({fix}) or use "
            f"{AZURE_COMPONENT}.")


LAYER = Layer(id="azure-nsg", cloud="azure", resource_types=frozenset({NSG, SECURITY_RULE}), scopes=_scopes,
              gap_message=_gap_message, component=AZURE_COMPONENT, default_allow=ALLOW_INTERNET_DEFAULT,
              client_types=frozenset({NSG}), clients_noun="NSG")
