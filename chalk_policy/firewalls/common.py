"""What the nftables and iptables renderers share: their settings, the registry entry's type, the checks of the
ticket's values before they are written into a ruleset, the rules in a stable order and grouped, and the header.

Everything written into a ruleset comes from the ticket; a hand-built ticket is checked as the planner's own is, so
a client network, a media range or a port that is not what it claims cannot end up as rule syntax, and a reason with
a quote, a newline or a control character cannot end a comment and start a rule.
"""

from __future__ import annotations

import ipaddress
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..catalog.models import Protocol
from ..planning.networks import CLIENTS_IPV4_ONLY, NetworkInputError, parse_networks
from ..planning.plan import PortRange
from ..planning.ticket import EndpointKind, Kind, Needed, Ticket, TicketRule
from ..text import printable, show

DEFAULT_CHAIN = "chalk"
_CHAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,27}$")
_KIND_ORDER = {Kind.MEDIA: 0, Kind.SIGNALING: 1, Kind.PEER: 2, Kind.REPLY: 3}
_PROTOCOLS = frozenset(Protocol)
WRAP = 110
"""Width of the header's comment lines."""


class FirewallConfigError(ValueError):
    """A setting or a ticket value cannot be written into a ruleset; the message names it and what is allowed."""


@dataclass(frozen=True)
class FirewallSettings:
    """How to render: for which kind of firewall, and under which names."""

    stateless: bool = False
    """False (most firewalls): one ``established,related`` rule accepts the replies, and the ticket's reply rules
    (needed by stateless firewalls only) are left out. True: the reply rules instead, and no connection tracking."""
    chain: str = DEFAULT_CHAIN
    """The chain of the Chalk rules (and, for nftables, the prefix of its sets: ``chalk_clients``,
    ``chalk_media_v4``)."""
    table: str | None = None
    """nftables only: the table the chain and sets go in, ``[FAMILY] NAME`` (family ``inet`` or ``ip``, default
    ``inet``); None: the format's default."""


@dataclass(frozen=True)
class FirewallFormat:
    """One kind of firewall ruleset: adding a vendor is one more of these in
    :data:`chalk_policy.firewalls.FIREWALLS`."""

    name: str
    """The command's name: ``chalk-policy render NAME``."""
    summary: str
    """The command's help (its first paragraph is what ``chalk-policy render --help`` lists)."""
    render: Callable[[Ticket, FirewallSettings], str]
    table_help: str | None = None
    """When the format puts its chain in a table the user names (nftables): the help of ``--table``."""


def check_chain(chain: str) -> str:
    if not isinstance(chain, str) or not _CHAIN.match(chain):
        raise FirewallConfigError(f"--chain: {show(chain)} is not a chain name; allowed: a letter, then up to 27 "
                                  "letters, digits or '_', e.g. chalk")
    return chain


def parse_clients(values: str | Iterable[str], setting: str = "--clients") -> tuple[str, ...]:
    """``"10.20.0.0/16, 192.168.5.0/24"`` or a list -> unique IPv4 networks, in order. IPv4 only: the rules are
    (the catalog's media ranges are IPv4); an address without a prefix is one host (/32)."""
    try:
        return parse_networks(values, setting, ipv4_only=True,
                              why_ipv4=CLIENTS_IPV4_ONLY)
    except NetworkInputError as exc:
        raise FirewallConfigError(str(exc)) from None


def collapse(networks: Iterable[str]) -> tuple[str, ...]:
    """The smallest list of CIDRs covering ``networks``, sorted (overlaps merged: nftables interval sets refuse
    them)."""
    return tuple(str(n) for n in ipaddress.collapse_addresses(ipaddress.IPv4Network(c) for c in networks))


def network_key(cidr: str) -> tuple[int, int]:
    network = ipaddress.IPv4Network(cidr)
    return int(network.network_address), network.prefixlen


@dataclass(frozen=True)
class Group:
    """Ticket rules that differ only in their media range (media, reply) or host name (signaling): one rule with a
    set (nftables), or one rule per range (iptables)."""

    kind: Kind
    protocol: Protocol
    ports: PortRange
    """Destination ports."""
    source_ports: PortRange | None
    cidrs: tuple[str, ...]
    """The media ranges matched: destinations of media rules, sources of reply rules; empty: any address."""
    rules: tuple[TicketRule, ...]

    @property
    def label(self) -> str:
        """The rule's id when the group has one, else the ids' common prefix and a star."""
        if len(self.rules) == 1:
            return self.rules[0].id
        rule = self.rules[0]
        endpoint = rule.source if rule.source_ports is not None else rule.destination
        return f"{rule.id.removesuffix('-' + endpoint.value)}-*"


@dataclass(frozen=True)
class Layout:
    """The ticket's rules as a ruleset writes them: checked, in a stable order, grouped."""

    clients: tuple[str, ...]
    """The clients' networks, overlaps merged; empty: no source match (the ticket has none)."""
    groups: tuple[Group, ...]
    replies_by_tracking: bool
    """Stateful: one ``established,related`` rule accepts the replies."""
    omitted_peer: tuple[TicketRule, ...]
    """E2EE peer rules left out: without client networks they would allow any address to any address."""
    omitted_replies: int
    """Reply rules left out: a stateful firewall needs none of them."""


def layout(ticket: Ticket, settings: FirewallSettings) -> Layout:
    clients = collapse(parse_clients(ticket.clients, "clients")) if ticket.clients else ()
    kept: list[TicketRule] = []
    omitted_peer: list[TicketRule] = []
    omitted_replies = 0
    for rule in ticket.rules:
        _check_rule(rule)
        if rule.needed is Needed.STATELESS and not settings.stateless:
            omitted_replies += 1
        elif rule.kind is Kind.PEER and not clients:
            omitted_peer.append(rule)
        else:
            kept.append(rule)
    groups: dict[tuple[object, ...], list[TicketRule]] = {}
    for rule in sorted(kept, key=_order):
        # one group per protocol and ports, and per kind of source of the replies (media ranges, or any address)
        groups.setdefault((rule.kind, rule.protocol, rule.ports, rule.source_ports, rule.source.kind,
                           rule.kind is Kind.PEER and rule.id), []).append(rule)
    return Layout(clients, tuple(_group(rules) for rules in groups.values()), not settings.stateless,
                  tuple(sorted(omitted_peer, key=_order)), omitted_replies)


def _group(rules: Sequence[TicketRule]) -> Group:
    first = rules[0]
    cidrs: tuple[str, ...] = ()
    if first.kind is Kind.MEDIA:
        cidrs = tuple(rule.destination.value for rule in rules)
    elif first.kind is Kind.REPLY and first.source.kind is EndpointKind.CIDR:
        cidrs = tuple(rule.source.value for rule in rules)
    return Group(first.kind, first.protocol, first.ports, first.source_ports, cidrs, tuple(rules))


def _order(rule: TicketRule) -> tuple[object, ...]:
    endpoint = rule.source if rule.source_ports is not None else rule.destination
    where: tuple[object, ...] = ((0, *network_key(endpoint.value)) if endpoint.kind is EndpointKind.CIDR
                                 else (1, endpoint.kind.value, endpoint.value))
    return (_KIND_ORDER[rule.kind], rule.protocol.value, rule.ports, rule.source_ports or PortRange(0, 0),
            rule.source.kind is not EndpointKind.CIDR, *where)


def _check_rule(rule: TicketRule) -> None:
    """The ticket's values that become syntax: protocol, ports, media ranges; and a rule shape the renderers know."""
    what = f"ticket rule {show(rule.id)}"
    if rule.kind not in _KIND_ORDER or rule.protocol not in _PROTOCOLS:
        raise FirewallConfigError(f"{what}: kind {show(rule.kind)}, protocol {show(rule.protocol)}; allowed: kinds "
                                  "media, signaling, peer, reply and protocols udp, tcp")
    for ports in (rule.ports, rule.source_ports):
        if ports is not None and not (_is_port(ports.from_port) and _is_port(ports.to_port)
                                      and ports.from_port <= ports.to_port):
            raise FirewallConfigError(f"{what}: {show(ports)} is not a port range; allowed: 1-65535, low to high")
    shapes = {
        Kind.MEDIA: (EndpointKind.CLIENTS, EndpointKind.CIDR, False),
        Kind.SIGNALING: (EndpointKind.CLIENTS, None, False),
        Kind.PEER: (EndpointKind.CLIENTS, EndpointKind.CLIENTS, False),
        Kind.REPLY: (None, EndpointKind.CLIENTS, True),
    }
    source, destination, reply = shapes[rule.kind]
    if ((source is not None and rule.source.kind is not source)
            or (destination is not None and rule.destination.kind is not destination)
            or (rule.source_ports is not None) != reply
            or (rule.kind is Kind.REPLY and rule.source.kind not in (EndpointKind.CIDR, EndpointKind.ANY))):
        raise FirewallConfigError(f"{what}: from {rule.source.kind.value} to {rule.destination.kind.value} is not a "
                                  f"{rule.kind.value} rule the firewall renderers know")
    for endpoint in (rule.source, rule.destination):
        if endpoint.kind is EndpointKind.CIDR:
            try:
                network = ipaddress.ip_network(endpoint.value)
            except ValueError:
                raise FirewallConfigError(f"{what}: {show(endpoint.value)} is not an IPv4 network without host "
                                          "bits") from None
            if network.version != 4 or str(network) != endpoint.value:
                raise FirewallConfigError(f"{what}: {show(endpoint.value)} is not an IPv4 network in canonical "
                                          "form; allowed: e.g. 52.59.186.0/27")


def _is_port(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def kernel_comment(text: str, limit: int) -> str:
    """``text`` as the body of a rule's double-quoted comment of at most ``limit`` characters: ASCII letters
    (accents dropped), quotes made single, backslashes slashes, control characters and runs of blanks one space;
    cut with ``...`` when longer (neither nftables nor iptables-restore can escape a double quote)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = " ".join("".join(ch if " " <= ch <= "~" else " " for ch in ascii_text).split())
    cleaned = cleaned.replace('"', "'").replace("\\", "/")
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 3].rstrip() + "..."


def comment_lines(text: str, *, first: str = "# ", rest: str = "#   ") -> list[str]:
    """``text`` as ``#`` comment lines (unprintable characters escaped, so a newline cannot end the comment)."""
    return textwrap.wrap(printable(text, newlines=False), WRAP, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def plan_line(ticket: Ticket, settings: FirewallSettings) -> str:
    tracking = "stateless (the reply rules are included)" if settings.stateless else (
        "stateful (replies accepted by connection tracking)")
    return (f"Plan: catalog {ticket.catalog_version}, regions {','.join(ticket.regions)}, option {ticket.option}, "
            f"encryption {ticket.encryption}; {tracking}.")


def command_line(name: str, ticket: Ticket, settings: FirewallSettings, table: str | None = None) -> str:
    """The ``chalk-policy render`` command that makes this file again (catalog and overlay files aside)."""
    parts = [f"chalk-policy render {name} --regions {','.join(ticket.regions)} --option {ticket.option} "
             f"--encryption {ticket.encryption}"]
    if ticket.clients:
        parts.append(f"--clients {','.join(ticket.clients)}")
    if settings.stateless:
        parts.append("--stateless")
    if settings.chain != DEFAULT_CHAIN:
        parts.append(f"--chain {settings.chain}")
    if table is not None:
        parts.append(f"--table '{table}'")
    return " ".join(parts)


def header(ticket: Ticket, settings: FirewallSettings, *, title: str, regenerate: str,
           body: Sequence[str], lay: Layout) -> list[str]:
    """The comment block every ruleset starts with: what, from which plan, how to use it, and the ticket's
    actions."""
    lines = [f"# {title}, generated by chalk-policy from the plan's firewall ticket; do not edit by hand.",
             *comment_lines(plan_line(ticket, settings)),
             *comment_lines(f"Regenerate when the catalog changes: {regenerate}"),
             "#"]
    if lay.clients:
        lines += comment_lines(f"Chalk clients: {', '.join(lay.clients)}.")
    else:
        lines += comment_lines("Chalk clients: not given (--clients), so the rules match no source address: restrict "
                               "them by where you jump to the chain from (the interface or the chain of the client "
                               "networks).")
    lines += [*body, "#"]
    lines += comment_lines("IPv4 only: the catalog's media ranges are IPv4, so nothing here allows Chalk over IPv6.")
    if lay.omitted_peer:
        lines += comment_lines(f"peer rules omitted: give --clients. E2EE media between Chalk clients "
                               f"({', '.join(rule.id for rule in lay.omitted_peer)}) needs the client networks; "
                               "without them a peer rule would allow any address to any address on ports 1024-65535.")
    if lay.omitted_replies:
        lines += comment_lines(f"{lay.omitted_replies} reply rules of the ticket are left out: they are for stateless "
                               "firewalls, and this chain accepts replies by connection tracking (--stateless writes "
                               "them instead).")
    for note in ticket.actions:
        lines += ["#", *comment_lines(f"ACTION: {note.action}"), *comment_lines(f"(Why: {note.text})", first="#   ")]
    return lines


def omissions(ticket: Ticket, settings: FirewallSettings) -> tuple[str, ...]:
    """Warnings for the person rendering (one line each): ticket rules that the ruleset leaves out and should not."""
    lay = layout(ticket, settings)
    if not lay.omitted_peer:
        return ()
    ids = ", ".join(rule.id for rule in lay.omitted_peer)
    return (f"peer rules omitted: give --clients; E2EE media between Chalk clients ({ids}) needs the client "
            "networks, and without them a peer rule would allow any address to any address on ports 1024-65535",)
