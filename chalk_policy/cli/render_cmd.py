"""``chalk-policy render squid|pac``: proxy configurations for Chalk signaling, rendered from the plan.

``squid`` prints a ``squid.conf`` that allows CONNECT to TCP 443 of the plan's host names only; ``pac`` prints
a proxy auto-config file that sends those host names to the proxy and everything else to a fallback.
Input errors are reported by the ``chalk-policy`` group as one line with exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..catalog import load_catalog
from ..planning import plan
from ..planning.plan import Plan
from ..proxy import (
    DEFAULT_PORT,
    DIRECT,
    RFC1918,
    ProxyConfigError,
    parse_cidrs,
    parse_endpoint,
    render_pac,
    render_squid,
)
from .main import fail

F = TypeVar("F", bound=Callable[..., Any])


def _plan_options(function: F) -> F:
    """The options every rendering takes: which plan, from which catalog, written where."""
    decorators = [
        click.option("--regions", default="all", show_default=True, help="Comma-separated region ids, or 'all'."),
        click.option("--option", "option", default="1", show_default=True, help="Port option: 1, 2 or 3."),
        click.option("--encryption", default="standard", show_default=True, help="standard or e2ee."),
        click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False),
                     help="Catalog file to use instead of the one shipped with chalk-policy."),
        click.option("--overlay", "overlay_path", type=click.Path(dir_okay=False),
                     help="Overlay file that adds or overrides regions, ranges and hosts."),
        click.option("--output", "output", type=click.Path(dir_okay=False),
                     help="Write the file here instead of to stdout."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _plan(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None) -> Plan:
    return plan(load_catalog(catalog_path, overlay=overlay_path), regions, option, encryption)


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--output: {output}: cannot be written ({exc.strerror or exc})")


@click.group("render")
def render_command() -> None:
    """Proxy configurations for Chalk signaling (Squid allowlist, PAC file), rendered from the plan."""


@render_command.command("squid")
@_plan_options
@click.option("--proxy", "proxy", metavar="HOST:PORT",
              help=f"How clients reach the proxy; Squid listens on its PORT [default port: {DEFAULT_PORT}].")
@click.option("--clients", default=",".join(RFC1918), show_default=True,
              help="Comma-separated client networks (CIDRs) allowed to use the proxy.")
def squid_command(regions: str, option: str, encryption: str, catalog_path: str | None, overlay_path: str | None,
                  output: str | None, proxy: str | None, clients: str) -> None:
    """A squid.conf allowing CONNECT to TCP 443 of the plan's host names only, from --clients; all else denied."""
    chalk_plan = _plan(regions, option, encryption, catalog_path, overlay_path)
    try:
        endpoint = parse_endpoint(proxy) if proxy is not None else None
        text = render_squid(chalk_plan, port=endpoint.port if endpoint else DEFAULT_PORT,
                            clients=parse_cidrs(clients, "--clients"),
                            endpoint=str(endpoint) if endpoint else None)
    except ProxyConfigError as exc:
        fail(str(exc))
    _write(text, output)


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
    _write(text, output)
