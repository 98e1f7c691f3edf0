"""``chalk-policy render squid|pac|nftables|iptables``: proxy configurations for Chalk signaling and firewall
allowlists, rendered from the plan.

``squid`` prints a ``squid.conf`` that allows CONNECT to TCP 443 of the plan's host names only; ``pac`` prints
a proxy auto-config file that sends those host names to the proxy and everything else to a fallback.
Input errors are reported by the ``chalk-policy`` group as one line with exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..catalog import load_catalog
from ..firewalls import DEFAULT_CHAIN as DEFAULT_FIREWALL_CHAIN
from ..firewalls import FIREWALLS, FirewallFormat
from ..planning import plan
from ..planning.plan import Plan
from ..proxy import (
    DEFAULT_PORT,
    DIRECT,
    RFC1918,
    ProxyConfigError,
    check_clients,
    parse_cidrs,
    parse_endpoint,
    render_pac,
    render_squid,
)
from .main import (
    catalog_option,
    encryption_option,
    fail,
    overlay_option,
    port_option,
    regions_option,
    write_output,
)

F = TypeVar("F", bound=Callable[..., Any])


def _plan_options(function: F) -> F:
    """The options every rendering takes: which plan, from which catalog, written where."""
    decorators = [
        regions_option, port_option, encryption_option, catalog_option, overlay_option,
        click.option("--output", "output", type=click.Path(dir_okay=False),
                     help="Write the file here instead of to stdout."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _plan(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None) -> Plan:
    return plan(load_catalog(catalog_path, overlay=overlay_path), regions, option, encryption)


@click.group("render")
def render_command() -> None:
    """Proxy configurations for Chalk signaling (Squid allowlist, PAC file) and firewall allowlists (nftables,
    iptables), rendered from the plan."""


@render_command.command("squid")
@_plan_options
@click.option("--proxy", "proxy", metavar="HOST:PORT",
              help=f"How clients reach the proxy; Squid listens on its PORT [default port: {DEFAULT_PORT}].")
@click.option("--clients", default=",".join(RFC1918), show_default=True,
              help="Comma-separated client networks (CIDRs) allowed to use the proxy: private ones only (RFC 1918, "
                   "100.64.0.0/10, fc00::/7, loopback) unless --allow-public-clients.")
@click.option("--allow-public-clients", is_flag=True,
              help="Also accept --clients with public addresses, even 0.0.0.0/0: every host in them may use the "
                   "proxy wherever its port is reachable. Warns on stderr and in the file.")
def squid_command(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None,
                  output: str | None, proxy: str | None, clients: str, allow_public_clients: bool) -> None:
    """A squid.conf allowing CONNECT to TCP 443 of the plan's host names only, from --clients; all else denied.

    The proxy carries signaling only (HTTPS/WSS, TCP 443 by host name). Media never passes through an HTTP proxy:
    allow the option's media ports and ranges on the firewall (`chalk-policy plan`). --option and --encryption
    change no rule of this file, only its header comment.

    Never tunneled to, whatever a host name resolves to: loopback, link-local networks and the cloud metadata
    services (the file lists them).
    """
    chalk_plan = _plan(regions, option, encryption, catalog_path, overlay_path)
    try:
        endpoint = parse_endpoint(proxy) if proxy is not None else None
        networks = parse_cidrs(clients, "--clients")
        public = check_clients(networks, allow_public_clients, setting="--clients", opt_in="--allow-public-clients")
        text = render_squid(chalk_plan, port=endpoint.port if endpoint else DEFAULT_PORT, clients=networks,
                            endpoint=str(endpoint) if endpoint else None, allow_public_clients=allow_public_clients)
    except ProxyConfigError as exc:
        fail(str(exc))
    if public:
        click.echo(f"chalk-policy: WARNING: --allow-public-clients: public client networks {', '.join(public)} may "
                   "use this proxy; keep its port unreachable from anywhere else, or it is an open proxy", err=True)
    write_output(text, output)


@render_command.command("pac")
@_plan_options
@click.option("--proxy", "proxy", metavar="HOST:PORT", required=True,
              help="The Chalk egress proxy as clients reach it, e.g. chalk-proxy.corp.example:3128.")
@click.option("--fallback", default=DIRECT, show_default=True,
              help="PAC result for every other host, e.g. 'PROXY corp-proxy:8080; DIRECT'.")
def pac_command(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None,
                output: str | None, proxy: str, fallback: str) -> None:
    """A PAC file: the plan's host names through --proxy (exact match), every other host to --fallback."""
    chalk_plan = _plan(regions, option, encryption, catalog_path, overlay_path)
    try:
        text = render_pac(chalk_plan, parse_endpoint(proxy), fallback=fallback)
    except ProxyConfigError as exc:
        fail(str(exc))
    write_output(text, output)


# --- firewall allowlists: one command per entry of chalk_policy.firewalls.FIREWALLS -----------------------------


def _firewall_command(firewall: FirewallFormat) -> click.Command:
    """``chalk-policy render <firewall.name>``: the plan's firewall ticket as that firewall's allowlist."""

    def command(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None,
                output: str | None, clients: str | None, stateless: bool, chain: str, table: str | None = None) -> None:
        from ..firewalls import FirewallConfigError, FirewallSettings, omissions, parse_clients
        from ..planning.ticket import ticket

        try:
            networks = parse_clients(clients, "--clients") if clients is not None else ()
        except FirewallConfigError as exc:
            fail(str(exc))
        catalog = load_catalog(catalog_path, overlay=overlay_path)
        chalk_ticket = ticket(plan(catalog, regions, option, encryption), catalog, networks)
        settings = FirewallSettings(stateless=stateless, chain=chain, table=table)
        try:
            text = firewall.render(chalk_ticket, settings)
            warnings = omissions(chalk_ticket, settings)
        except FirewallConfigError as exc:
            fail(str(exc))
        for warning in warnings:
            click.echo(f"chalk-policy: warning: {warning}", err=True)
        write_output(text, output)

    decorators: list[Callable[[Any], Any]] = [
        _plan_options,
        click.option("--clients", metavar="CIDRS",
                     help="Comma-separated IPv4 networks of the Chalk clients, e.g. 10.20.0.0/16; the rules match "
                          "them as source (and the peer rules of --encryption e2ee need them). Without: no source "
                          "match and no peer rules."),
        click.option("--stateless", is_flag=True,
                     help="For a ruleset without connection tracking: write the ticket's reply rules instead of one "
                          "'established,related' rule."),
        click.option("--chain", default=DEFAULT_FIREWALL_CHAIN, show_default=True,
                     help="Name of the Chalk chain (your own chains jump to it)."),
    ]
    if firewall.table_help is not None:
        decorators.append(click.option("--table", metavar="'[FAMILY] NAME'", help=firewall.table_help))
    for decorator in reversed(decorators):
        command = decorator(command)
    return click.command(firewall.name, help=firewall.summary)(command)


def _add_firewall_commands() -> None:
    for firewall in FIREWALLS.values():
        render_command.add_command(_firewall_command(firewall))


_add_firewall_commands()
