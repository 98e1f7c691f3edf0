"""Firewall allowlists for Chalk, rendered from the plan's firewall ticket (:mod:`chalk_policy.planning.ticket`):
an nftables file and an iptables-restore file, accept rules only.

Pure Python over the :class:`chalk_policy.planning.ticket.Ticket`; no Pulumi, no network, no firewall tool. The
CLI makes one ``chalk-policy render NAME`` command of each entry of :data:`FIREWALLS`, so adding a vendor is one
module with a ``render(ticket, settings) -> str`` and one entry here.
"""

from .common import (
    DEFAULT_CHAIN,
    FirewallConfigError,
    FirewallFormat,
    FirewallSettings,
    omissions,
    parse_clients,
)
from .iptables import render_iptables
from .nftables import DEFAULT_TABLE, render_nftables

FIREWALLS: dict[str, FirewallFormat] = {
    firewall.name: firewall for firewall in (
        FirewallFormat(
            "nftables",
            "An nftables allowlist (a file for `nft -f`) of the plan's firewall rules: accept rules only, in a "
            "regular chain that your own forward or output chain jumps to.",
            render_nftables,
            table_help=f"The table of your own chains, [FAMILY] NAME (family inet or ip): a jump reaches only a "
                       f"chain of the same table. [default: {DEFAULT_TABLE}]",
        ),
        FirewallFormat(
            "iptables",
            "An iptables allowlist (a file for `iptables-restore --noflush`) of the plan's firewall rules: accept "
            "rules only, in a chain of its own that your FORWARD or OUTPUT chain jumps to.",
            render_iptables,
        ),
    )
}
"""The firewall formats ``chalk-policy render`` writes, by command name."""

__all__ = [
    "DEFAULT_CHAIN",
    "DEFAULT_TABLE",
    "FIREWALLS",
    "FirewallConfigError",
    "FirewallFormat",
    "FirewallSettings",
    "omissions",
    "parse_clients",
    "render_iptables",
    "render_nftables",
]
