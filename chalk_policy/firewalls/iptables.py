"""The ticket as an iptables allowlist: a file for ``iptables-restore --noflush``.

Why a user-defined chain. The file declares one chain (``chalk``) of the ``filter`` table and appends accept rules to
it: no built-in chain, no policy, no ``DROP`` or ``REJECT``, so loading it changes no traffic until the admin adds
``-j chalk`` to their own FORWARD (a router in front of the clients) or OUTPUT (clients on this host) chain, where
their own rules decide what happens to everything else. ``--noflush`` is essential and the header says so:
without it ``iptables-restore`` replaces the whole ``filter`` table. With it, declaring the chain empties only that
chain, so loading a new version replaces the Chalk rules and keeps the admin's jump.

One line per ticket rule: iptables has no address sets without ``ipset``, and a line per media range and port is
what a set would expand to anyway; each line's comment (kept by the kernel, shown by ``iptables -S``) is the ticket
rule's id and reason. The signaling rules are the exception: iptables matches addresses, not host names, so the
ticket's signaling rules (one per host name) are one line allowing TCP 443 to any address, listed by id above it
(``chalk-policy render squid`` enforces the names). Several client networks are one ``-s a,b`` (iptables makes one
rule of each). IPv4 only, as the catalog is (no ip6tables file).
"""

from __future__ import annotations

from ..planning.plan import PortRange
from ..planning.ticket import EndpointKind, Kind, Ticket, TicketRule
from ..text import show
from .common import (
    FirewallConfigError,
    FirewallSettings,
    Group,
    Layout,
    check_chain,
    command_line,
    comment_lines,
    header,
    kernel_comment,
    layout,
)

NAME = "iptables"
COMMENT_LIMIT = 255
"""The comment match keeps at most 255 characters (256 with the terminating NUL); longer ones are cut silently."""
_BUILTIN = frozenset({"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING", "ACCEPT", "DROP", "REJECT",
                      "RETURN", "QUEUE", "LOG"})


def render_iptables(ticket: Ticket, settings: FirewallSettings | None = None) -> str:
    """The ``iptables-restore --noflush`` file of ``ticket``: accept rules in the user-defined chain
    ``settings.chain`` of the filter table, and a header that says how to hook it in."""
    settings = settings or FirewallSettings()
    chain = check_chain(settings.chain)
    if chain.upper() in _BUILTIN:
        raise FirewallConfigError(f"--chain: {show(chain)} is a built-in chain or target of iptables; allowed: a chain "
                                  "of your own, e.g. chalk")
    lay = layout(ticket, settings)
    sources = f"-s {','.join(lay.clients)} " if lay.clients else ""
    lines = [*header(ticket, settings, title="iptables allowlist for Vuforia Chalk",
                     regenerate=command_line(NAME, ticket, settings), body=_usage(chain, lay), lay=lay),
             "",
             "*filter",
             "# Declares the Chalk chain; with --noflush it empties this chain only, so loading again replaces the "
             "Chalk rules.",
             f":{chain} - [0:0]"]
    if lay.replies_by_tracking:
        lines += ["", "# Stateful: the replies of the connections allowed (and of the flows they relate to).",
                  f"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED "
                  f"{_comment('replies of allowed Chalk connections (stateful firewall)')} -j ACCEPT"]
    for group in lay.groups:
        lines += ["", *_group_lines(chain, group, lay, sources)]
    if lay.omitted_peer:
        lines += ["", f"# peer rules omitted: give --clients ({', '.join(rule.id for rule in lay.omitted_peer)})"]
    lines += ["", "COMMIT"]
    return "\n".join(lines) + "\n"


def _usage(chain: str, lay: Layout) -> list[str]:
    return [
        "#",
        *comment_lines(f"Allowlist only: accept rules in the chain '{chain}' of the filter table, nothing else. No "
                       "built-in chain, no policy, no DROP or REJECT: loading this file changes no traffic until you "
                       "jump to the chain, and your own rules decide what happens to everything else."),
        *comment_lines("Load it ONLY with: iptables-restore --noflush chalk.rules (without --noflush, "
                       "iptables-restore replaces your whole filter table)."),
        *comment_lines("Hook it in: jump to it from your own chain where Chalk should be allowed: after your own "
                       "blocks, before the rule or policy that drops the rest. On a router or firewall in front of the "
                       f"clients: 'iptables -A FORWARD -j {chain}'; on a host that runs Chalk: "
                       f"'iptables -A OUTPUT -j {chain}'"
                       + ("" if lay.replies_by_tracking else f" and 'iptables -A INPUT -j {chain}'")
                       + ". -A appends: before a final DROP or REJECT rule, use 'iptables -I CHAIN N' with that rule's "
                       "number N ('iptables -L CHAIN --line-numbers' shows them)."),
        *comment_lines("Replies: " + ("the chain's first rule accepts the replies of the connections it allowed "
                                      "(conntrack); on a host, your INPUT chain needs its own ESTABLISHED,RELATED "
                                      "rule, which most have."
                                      if lay.replies_by_tracking else
                                      "stateless (--stateless): the ticket's reply rules are in the chain, so jump to "
                                      "it from every chain the replies pass (FORWARD; or INPUT on a host).")),
    ]


def _ports(ports: PortRange) -> str:
    return str(ports.from_port) if ports.from_port == ports.to_port else f"{ports.from_port}:{ports.to_port}"


def _comment(text: str) -> str:
    return f"-m comment --comment \"{kernel_comment(text, COMMENT_LIMIT)}\""


def _group_lines(chain: str, group: Group, lay: Layout, sources: str) -> list[str]:
    proto = group.protocol.value
    match = f"-p {proto} -m {proto}"
    if group.kind is Kind.SIGNALING:
        lines = [line for rule in group.rules for line in comment_lines(f"{rule.id}: {rule.why}")]
        lines += comment_lines(f"iptables cannot match host names: this rule allows {proto.upper()} "
                               f"{group.ports} to any address. Enforce the names with an HTTPS proxy "
                               "(chalk-policy render squid) or a firewall that matches names.")
        what = (f"{group.label}: Chalk signaling to {len(group.rules)} host names, any address (names: chalk-policy "
                "render squid)" if len(group.rules) > 1 else f"{group.rules[0].id}: {group.rules[0].why}")
        return [*lines, f"-A {chain} {sources}{match} --dport {_ports(group.ports)} {_comment(what)} -j ACCEPT"]
    lines = (comment_lines(f"{group.label}: {len(group.rules)} ticket rules, one line each (its id and reason in "
                           "its comment)") if len(group.rules) > 1 else [])
    for rule in group.rules:
        lines.append(f"-A {chain} {_addresses(rule, lay, sources)}{match}{_rule_ports(rule)} "
                     f"{_comment(f'{rule.id}: {rule.why}')} -j ACCEPT")
    return lines


def _addresses(rule: TicketRule, lay: Layout, sources: str) -> str:
    clients = ",".join(lay.clients)
    if rule.kind is Kind.MEDIA:
        return f"{sources}-d {rule.destination.value} "
    if rule.kind is Kind.PEER:
        return f"-s {clients} -d {clients} "
    source = f"-s {rule.source.value} " if rule.source.kind is EndpointKind.CIDR else ""
    return source + (f"-d {clients} " if clients else "")


def _rule_ports(rule: TicketRule) -> str:
    if rule.source_ports is None:
        return f" --dport {_ports(rule.ports)}"
    not_syn = " ! --syn" if rule.protocol.value == "tcp" else ""  # a reply never opens a connection
    return f" --sport {_ports(rule.source_ports)} --dport {_ports(rule.ports)}{not_syn}"
