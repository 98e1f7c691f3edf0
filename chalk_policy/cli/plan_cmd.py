"""``chalk-policy plan``: the egress Chalk needs, as a table, a firewall ticket (csv, markdown, xlsx) or JSON."""

from __future__ import annotations

import sys

import click

from ..catalog import load_catalog
from ..planning import aws_budget, azure_budget, plan
from ..planning.budgets import AWS_DEFAULT_RULES_PER_GROUP, AZURE_PRIORITY_MAX, AZURE_PRIORITY_MIN
from ..planning.ticket import ticket
from ..text import show
from .main import (
    catalog_option,
    encryption_option,
    fail,
    overlay_option,
    port_option,
    regions_option,
    write_output,
)
from .plan_formats import PLAN_FORMATS, PlanView


def parse_window(value: str) -> tuple[int, int]:
    try:
        start, end = (int(part) for part in value.split("-"))
    except ValueError:
        fail(f"--azure-priorities: {show(value)} is not a window; allowed: START-END within "
             f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}, e.g. 100-4096")
    return start, end


@click.command("plan")
@regions_option
@port_option
@encryption_option
@click.option("--format", "fmt", type=click.Choice(list(PLAN_FORMATS)), default="table", show_default=True,
              help="; ".join(f"{f.name}: {f.summary}" for f in PLAN_FORMATS.values()) + ".")
@click.option("--clients", default=None, metavar="CIDRS",
              help="Comma-separated networks of the devices that run Chalk, the source of the rules (without it, the "
                   "ticket says 'Chalk clients' for you to fill in).")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--aws-rules-per-group", type=int, default=AWS_DEFAULT_RULES_PER_GROUP, show_default=True,
              help="Your AWS quota of outbound rules per security group.")
@click.option("--azure-priorities", default=f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}", show_default=True,
              help="NSG priority window for the Chalk rules.")
@catalog_option
@overlay_option
def plan_command(regions: str, option: str, encryption: str, fmt: str, clients: str | None, output: str | None,
                 aws_rules_per_group: int, azure_priorities: str, catalog_path: str | None,
                 overlay_path: str | None) -> None:
    """The egress Chalk needs for the given regions, port option and encryption, as a firewall ticket: one row per
    rule to enter, and notes that say what to do."""
    data = load_catalog(catalog_path, overlay=overlay_path)
    result = plan(data, regions, option, encryption)
    networks = parse_clients(clients) if clients is not None else ()
    view = PlanView(result, ticket(result, data, networks), aws_budget(data, result, aws_rules_per_group),
                    azure_budget(result, parse_window(azure_priorities)))
    chosen = PLAN_FORMATS[fmt]
    if chosen.binary and output is None and sys.stdout.isatty():
        fail(f"--format {fmt}: writes a file, not text for a terminal; give --output FILE (or redirect stdout)")
    write_output(chosen.render(view), output)


def parse_clients(clients: str) -> tuple[str, ...]:
    from ..planning.networks import CLIENTS_IPV4_ONLY, NetworkInputError, parse_networks

    try:
        return parse_networks(clients, "--clients", ipv4_only=True,
                              why_ipv4=CLIENTS_IPV4_ONLY)
    except NetworkInputError as exc:
        fail(str(exc))
