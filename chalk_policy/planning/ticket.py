"""The plan as a firewall change request: one :class:`TicketRule` per rule the network team enters, each with its
direction, source, destination, protocol, ports, action and a short reason, plus the plan's notes, each saying
whether it asks for an action.

Every rendering of rules for people and firewalls (``chalk-policy plan --format csv|json|markdown|xlsx``, ``render
nftables|iptables``) reads a :class:`Ticket`, so they list the same rules. Pure Python, like the rest of the
planner.

The rules, for the chosen regions, port option and encryption:

- **media**: outbound from the Chalk clients to each media range of the regions, on each port (range) of the port
  option;
- **signaling**: outbound TCP 443 (HTTPS/WSS) to each signaling host name (its addresses are not fixed: a firewall
  that matches host names, or an HTTPS proxy, enforces it);
- **peer** (E2EE only): between Chalk clients on the network, UDP and TCP on ports 1024-65535, both directions;
- **reply** (only for a stateless firewall, which does not track connections): inbound from each media range and
  from the signaling servers back to the clients' ephemeral ports.

The ticket only allows: it never denies and assumes nothing of the other rules of the firewall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..catalog.models import SIGNALING_PORT, Catalog, Protocol
from .budgets import PEER_PORTS
from .plan import Note, Plan, PortRange


class Kind(StrEnum):
    """What a rule is for."""

    MEDIA = "media"
    SIGNALING = "signaling"
    PEER = "peer"
    REPLY = "reply"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    """From the Chalk clients to the Internet."""
    INBOUND = "inbound"
    """From the Internet to the Chalk clients."""
    INTERNAL = "internal"
    """Between Chalk clients on the network."""


class Action(StrEnum):
    ALLOW = "allow"


class Needed(StrEnum):
    """Which firewalls need a rule."""

    ALWAYS = "always"
    STATELESS = "stateless firewalls only"
    """A stateful firewall allows the replies of a connection it allowed by itself."""


class EndpointKind(StrEnum):
    CLIENTS = "clients"
    """The Chalk clients' networks: the ticket's ``clients``, or, when none were given, for the team to fill in."""
    CIDR = "cidr"
    HOST = "host"
    """A host name: matched by name (FQDN objects, TLS SNI) or by an HTTPS proxy, never by a fixed address."""
    ANY = "any"


@dataclass(frozen=True, order=True)
class Endpoint:
    kind: EndpointKind
    value: str = ""

    def __str__(self) -> str:
        return self.value


CLIENTS_PLACEHOLDER = "Chalk clients"
"""How the clients' networks read in a ticket made without ``clients``."""
ANY_ADDRESS = Endpoint(EndpointKind.ANY, "any")
EPHEMERAL_PORTS = PEER_PORTS
"""The clients' own ports of their connections and media flows (what replies are sent to)."""
_NAMES = {Kind.MEDIA: "media", Kind.SIGNALING: "signaling", Kind.PEER: "peer", Kind.REPLY: "reply"}


@dataclass(frozen=True)
class TicketRule:
    """One rule to enter."""

    kind: Kind
    direction: Direction
    source: Endpoint
    destination: Endpoint
    protocol: Protocol
    ports: PortRange
    """Destination ports."""
    why: str
    """A short reason, for the rule's description or comment."""
    regions: tuple[str, ...] = ()
    """The selected regions that need it; empty when every configuration does."""
    source_ports: PortRange | None = None
    """Only replies match a source port: the media or signaling port the reply comes from."""
    needed: Needed = Needed.ALWAYS
    action: Action = Action.ALLOW

    @property
    def id(self) -> str:
        """A name derived from what the rule is (never its position), e.g. ``media-udp-3478-52.59.186.0/27``."""
        ports, endpoint = ((f"from-{self.source_ports}", self.source) if self.source_ports is not None
                           else (str(self.ports), self.destination))
        parts = [_NAMES[self.kind], self.protocol.value, ports]
        if endpoint.kind is not EndpointKind.CLIENTS:  # the clients are the same in every rule
            parts.append(endpoint.value)
        return "-".join(parts)


@dataclass(frozen=True)
class Ticket:
    catalog_version: str
    regions: tuple[str, ...]
    option: int
    encryption: str
    clients: tuple[str, ...]
    """The clients' networks as given; empty: the rules say ``Chalk clients`` for the team to fill in."""
    rules: tuple[TicketRule, ...]
    notes: tuple[Note, ...]

    @property
    def actions(self) -> tuple[Note, ...]:
        """The notes that ask for an action beyond entering the rules."""
        return tuple(note for note in self.notes if note.action)


def ticket(plan: Plan, catalog: Catalog, clients: Sequence[str] = ()) -> Ticket:
    """The rules and notes of ``plan`` (made from ``catalog``) for clients on the networks ``clients``."""
    client = Endpoint(EndpointKind.CLIENTS, ", ".join(clients) or CLIENTS_PLACEHOLDER)
    rules: list[TicketRule] = []
    replies: list[TicketRule] = []
    for rule in plan.media_rules:
        for destination in rule.destinations:
            served = _regions_text(catalog, destination.regions)
            cidr = Endpoint(EndpointKind.CIDR, destination.cidr)
            rules.append(TicketRule(
                Kind.MEDIA, Direction.OUTBOUND, client, cidr, rule.protocol, rule.ports,
                f"Chalk media to Twilio's media servers of {served} (port option {plan.option})",
                destination.regions))
            replies.append(TicketRule(
                Kind.REPLY, Direction.INBOUND, cidr, client, rule.protocol, EPHEMERAL_PORTS,
                f"Replies of the Chalk media rule to {destination.cidr} {rule.protocol.value.upper()} {rule.ports}",
                destination.regions, source_ports=rule.ports, needed=Needed.STATELESS))
    roles: dict[str, list[str]] = {}
    remarks: dict[str, list[str]] = {}  # a host may be listed more than once (a URL and the bare host)
    for entry in catalog.hosts:
        roles.setdefault(entry.host, []).append(entry.role.value)
        remarks.setdefault(entry.host, []).extend([entry.note] if entry.note else [])
    for host in plan.hosts:
        if host.scope == "global":
            what = f"needed by every call ({', '.join(sorted(set(roles.get(host.host, ()))))})"
        else:
            what = f"for {_regions_text(catalog, host.regions)}"
        note = "".join(f"; {remark}" for remark in sorted(set(remarks.get(host.host, ()))))
        rules.append(TicketRule(
            Kind.SIGNALING, Direction.OUTBOUND, client, Endpoint(EndpointKind.HOST, host.host), host.protocol,
            PortRange(host.port, host.port), f"Chalk signaling (HTTPS/WSS) to {host.host}, {what}{note}",
            () if host.scope == "global" else host.regions))
    if plan.hosts:
        replies.append(TicketRule(
            Kind.REPLY, Direction.INBOUND, ANY_ADDRESS, client, Protocol.TCP, EPHEMERAL_PORTS,
            f"Replies of the Chalk signaling rules (TCP {SIGNALING_PORT}; the hosts have no fixed addresses)",
            source_ports=PortRange(SIGNALING_PORT, SIGNALING_PORT), needed=Needed.STATELESS))
    if plan.peer_to_peer:
        for protocol in (Protocol.UDP, Protocol.TCP):
            rules.append(TicketRule(
                Kind.PEER, Direction.INTERNAL, client, client, protocol, PEER_PORTS,
                "Chalk end-to-end encrypted media directly between Chalk clients on this network, both directions"))
    notes = [*plan.notes, *_ticket_notes(plan, clients)]
    return Ticket(plan.catalog_version, plan.regions, plan.option, plan.encryption.value, tuple(clients),
                  (*rules, *replies), tuple(notes))


def _regions_text(catalog: Catalog, region_ids: Sequence[str]) -> str:
    return ", ".join(f"{region_id} ({catalog.region(region_id).name})" for region_id in region_ids)


def _ticket_notes(plan: Plan, clients: Sequence[str]) -> list[Note]:
    notes: list[Note] = []
    if plan.hosts:
        notes.append(Note(
            f"The {len(plan.hosts)} signaling rules name hosts, not addresses: Chalk's servers have no fixed "
            "addresses.",
            "enter the signaling rules on a firewall that matches host names (FQDN objects or TLS SNI), or send "
            "signaling through an HTTPS proxy (`chalk-policy render squid`); a firewall that matches only addresses "
            "can allow TCP 443 to any address instead, which no longer limits where clients connect."))
    notes.append(Note(
        "The reply rules are for stateless firewalls (router ACLs, AWS network ACLs), which do not track "
        "connections.",
        "enter the reply rules only on a stateless firewall; a stateful one (most firewalls, security groups, NSGs) "
        "needs none of them."))
    if not clients:
        notes.append(Note(
            f"'{CLIENTS_PLACEHOLDER}' stands for the networks of the devices that run Chalk.",
            "put your client networks in its place, or make the ticket again with --clients."))
    return notes
