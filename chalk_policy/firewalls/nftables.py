"""The ticket as an nftables allowlist: a file for ``nft -f``.

Why a regular chain in the admin's own table. The file adds one regular chain (``chalk``, no hook) and its named
sets to a table, and nothing else: no base chain, so no policy, no ``drop`` or ``reject``, and loading it changes
no traffic until the admin adds ``jump chalk`` to their own forward (a router in front of the clients) or output
(clients on this host) chain. That is the safest allowlist: it only ever accepts, only what the jump reaches, and
the admin's chain decides what happens to everything else. Two alternatives were rejected. A base chain with
``policy accept`` in a table of its own would do nothing: nftables runs every base chain of a hook, and an
``accept`` in one does not stop a ``drop`` in another, so the admin's own drop rules would still drop Chalk. And a
``jump`` can only reach a chain of the same table, so the chain has to be in the admin's table: ``--table`` names it,
by default ``inet filter``, the table of the distributions' ``/etc/nftables.conf`` (a table that does not exist yet
is created, empty apart from the Chalk chain and sets, which is harmless).

Loading again replaces: the file declares the chain and sets, then flushes them, then fills them, so ``nft -f`` on a
new version replaces the Chalk rules and elements, keeps the admin's ``jump``, and touches no other chain, set or
table.

Compact and traceable: the media ranges are one interval set (``chalk_media_v4``, each element commented with the
regions it serves) and there is one rule per protocol and port (range) of the plan, matched against the set in one
lookup, instead of one rule per range and port. Every ticket rule stays traceable: each rule's comment (kept by the
kernel, shown by ``nft list``) names the ticket ids it covers (``media-udp-3478-*``: the ids of that rule are
``media-udp-3478-`` and a range of the set), and the ``#`` lines above it list each ticket rule by id with its
reason. The clients are the set ``chalk_clients``.

Host names: nftables matches addresses, not names; the signaling rule allows TCP 443 to any address, and says so
(``chalk-policy render squid`` enforces the names). IPv4 only, as the catalog is.
"""

from __future__ import annotations

import re

from ..planning.ticket import Kind, Ticket
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

NAME = "nftables"
DEFAULT_TABLE = "inet filter"
COMMENT_LIMIT = 128
"""nftables refuses a comment of more than 128 characters."""
_FAMILIES = ("inet", "ip")
_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_TCP_NOT_SYN = "tcp flags & (fin | syn | rst | ack) != syn"
"""A reply never opens a connection: no bare SYN (as iptables' ``! --syn``)."""
_IN_RULE, _IN_RULE_MORE = "\t\t# ", "\t\t#   "


def check_table(table: str) -> tuple[str, str]:
    """``"inet filter"`` or ``"filter"`` -> (family, name); ``inet`` when the family is left out."""
    words = table.split() if isinstance(table, str) else []
    family, name = (words if len(words) == 2 else ["inet", *words]) if 1 <= len(words) <= 2 else ("", "")
    if family not in _FAMILIES or not _TABLE_NAME.match(name):
        raise FirewallConfigError(f"--table: {show(table)} is not an nftables table; allowed: [FAMILY] NAME with "
                                  f"family {' or '.join(_FAMILIES)} (default inet) and a name of letters, digits and "
                                  f"'_', e.g. '{DEFAULT_TABLE}'")
    return family, name


def render_nftables(ticket: Ticket, settings: FirewallSettings | None = None) -> str:
    """The ``nft -f`` file of ``ticket``: accept rules in the regular chain ``settings.chain`` of ``settings.table``,
    its named sets, and a header that says how to hook the chain in."""
    settings = settings or FirewallSettings()
    chain = check_chain(settings.chain)
    family, table_name = check_table(settings.table if settings.table is not None else DEFAULT_TABLE)
    table = f"{family} {table_name}"
    lay = layout(ticket, settings)
    clients_set = f"{chain}_clients" if lay.clients else None
    media_sets = _media_sets(lay, chain)

    lines = ["#!/usr/sbin/nft -f",
             *header(ticket, settings, title="nftables allowlist for Vuforia Chalk",
                     regenerate=command_line(NAME, ticket, settings,
                                             None if table == DEFAULT_TABLE else table),
                     body=_usage(table, chain, lay), lay=lay),
             "",
             "# Declare the table (no change when it exists) and the Chalk chain and sets, then empty them: loading "
             "this file",
             "# again replaces the Chalk rules and set elements, keeps your jump, and touches nothing else.",
             f"table {table} {{",
             "}",
             f"add chain {table} {chain}",
             f"flush chain {table} {chain}"]
    set_names = ([clients_set] if clients_set else []) + list(media_sets.values())
    for name in set_names:
        lines += [f"add set {table} {name} {{ type ipv4_addr; flags interval; }}", f"flush set {table} {name}"]
    lines += ["", f"table {table} {{"]
    if clients_set:
        lines += ["\t# The Chalk clients (--clients).",
                  *_set(clients_set, {cidr: "" for cidr in lay.clients}), ""]
    for cidrs, name in media_sets.items():
        regions = _regions_by_cidr(lay, cidrs)
        lines += ["\t# Twilio's media servers of the selected regions (adjacent ranges merged); each element "
                  "names its regions.",
                  *_set(name, regions), ""]
    lines += [f"\tchain {chain} {{"]
    body: list[list[str]] = []
    if lay.replies_by_tracking:
        comment = kernel_comment("replies of allowed Chalk connections (stateful firewall)", COMMENT_LIMIT)
        body.append([f"{_IN_RULE}Stateful: the replies of the connections allowed (and of the flows they relate to).",
                     f"\t\tct state established,related accept comment \"{comment}\""])
    for group in lay.groups:
        body.append(_rule(group, clients_set, media_sets))
    if lay.omitted_peer:
        body.append([f"{_IN_RULE}peer rules omitted: give --clients "
                     f"({', '.join(rule.id for rule in lay.omitted_peer)})"])
    for index, block in enumerate(body):
        lines += ([""] if index else []) + block
    lines += ["\t}", "}"]
    return "\n".join(lines) + "\n"


def _usage(table: str, chain: str, lay: Layout) -> list[str]:
    return [
        "#",
        *comment_lines(f"Allowlist only: accept rules in the regular chain '{chain}' of table '{table}' and its "
                       "sets, nothing else. No base chain, no policy, no drop or reject: loading this file changes "
                       "no traffic until you jump to the chain, and your own chains decide what happens to everything "
                       "else. Load it with: nft -f chalk.nft"),
        *comment_lines(f"Hook it in: jump to it from your own chain of table '{table}' (nftables jumps only within "
                       "a table; --table names yours), where Chalk should be allowed: after your own blocks, before "
                       "the rule or policy that drops the rest. On a router or firewall in front of the clients: "
                       f"'nft add rule {table} forward jump {chain}'; on a host that runs Chalk: "
                       f"'nft add rule {table} output jump {chain}'"
                       + ("" if lay.replies_by_tracking else f" and 'nft add rule {table} input jump {chain}'")
                       + ". 'add' appends: before a final drop rule, use 'nft insert rule ... position HANDLE'. Your "
                       f"chains' names may differ ('nft -a list table {table}' shows them and the handles)."),
        *comment_lines("Replies: " + ("the chain's first rule accepts the replies of the connections it allowed "
                                      "(connection tracking); on a host, your input chain needs its own "
                                      "'ct state established,related accept', which most have."
                                      if lay.replies_by_tracking else
                                      "stateless (--stateless): the ticket's reply rules are in the chain, so jump to "
                                      "it from every chain the replies pass (forward; or input on a host).")),
    ]


def _media_sets(lay: Layout, chain: str) -> dict[tuple[str, ...], str]:
    """One named set per distinct list of media ranges (the planner's plans have one: every media rule goes to the
    same ranges), named ``<chain>_media_v4``, then ``_2``, ``_3``... in the order of the rules."""
    sets: dict[tuple[str, ...], str] = {}
    for group in lay.groups:
        key = _set_key(group)
        if key and key not in sets:
            sets[key] = f"{chain}_media_v4" + (f"_{len(sets) + 1}" if sets else "")
    return sets


def _set_key(group: Group) -> tuple[str, ...]:
    """The group's ranges, in network order (as :func:`.common.layout` sorts the rules): equal lists, one set."""
    return group.cidrs


def _regions_by_cidr(lay: Layout, cidrs: tuple[str, ...]) -> dict[str, str]:
    regions: dict[str, set[str]] = {cidr: set() for cidr in cidrs}
    for group in lay.groups:
        if _set_key(group) == cidrs:
            for rule, cidr in zip(group.rules, group.cidrs):
                regions[cidr].update(rule.regions)
    return {cidr: ", ".join(sorted(regions[cidr])) for cidr in cidrs}


def _set(name: str, elements: dict[str, str]) -> list[str]:
    items = [f"\t\t\t{cidr}" + (f" comment \"{kernel_comment(note, COMMENT_LIMIT)}\"" if note else "")
             for cidr, note in elements.items()]
    return [f"\tset {name} {{", "\t\ttype ipv4_addr", "\t\tflags interval", "\t\telements = {",
            *[item + ("," if index < len(items) - 1 else "") for index, item in enumerate(items)],
            "\t\t}", "\t}"]


def _rule(group: Group, clients_set: str | None, media_sets: dict[tuple[str, ...], str]) -> list[str]:
    """The ``#`` lines of the ticket rules ``group`` covers, then its one nftables rule."""
    proto = group.protocol.value
    media = f"@{media_sets[_set_key(group)]}" if group.cidrs else None
    clients = f"@{clients_set}" if clients_set else None
    lines = [line for rule in group.rules for line in comment_lines(f"{rule.id}: {rule.why}", first=_IN_RULE,
                                                                     rest=_IN_RULE_MORE)]
    count = len(group.rules)
    if group.kind is Kind.MEDIA:
        match = [f"ip saddr {clients}" if clients else "", f"ip daddr {media}", f"{proto} dport {group.ports}"]
        what = f"Chalk media to the {count} ranges of {media}"
    elif group.kind is Kind.SIGNALING:
        lines += comment_lines(f"nftables cannot match host names: this rule allows {proto.upper()} "
                               f"{group.ports} to any address. Enforce the names with an HTTPS proxy "
                               "(chalk-policy render squid) or a firewall that matches names.",
                               first=_IN_RULE, rest=_IN_RULE_MORE)
        match = [f"ip saddr {clients}" if clients else "", f"{proto} dport {group.ports}"]
        what = (f"Chalk signaling to {count} host names, any address (names: chalk-policy render squid)"
                if count > 1 else group.rules[0].why)
    elif group.kind is Kind.PEER:
        match = [f"ip saddr {clients} ip daddr {clients}", f"{proto} dport {group.ports}"]
        what = group.rules[0].why
    else:  # replies, to the clients' ephemeral ports
        match = [f"ip saddr {media}" if media else "", f"ip daddr {clients}" if clients else "",
                 f"{proto} sport {group.source_ports} {proto} dport {group.ports}",
                 _TCP_NOT_SYN if proto == "tcp" else ""]
        what = (f"replies of the Chalk media rules, from the {count} ranges of {media}" if media and count > 1
                else group.rules[0].why)
    label = group.label if count > 1 else group.rules[0].id
    comment = kernel_comment(f"{label}: {what}", COMMENT_LIMIT)
    return [*lines, "\t\t" + " ".join(part for part in match if part) + f" accept comment \"{comment}\""]
