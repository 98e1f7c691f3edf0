"""``chalk-policy plan``: the egress Chalk needs, as a table, JSON or CSV (loaded only when it runs)."""

from __future__ import annotations

import click

from ..catalog import load_catalog
from ..planning import aws_budget, azure_budget, plan
from ..planning.budgets import AWS_DEFAULT_RULES_PER_GROUP, AZURE_PRIORITY_MAX, AZURE_PRIORITY_MIN
from ..text import show
from . import render
from .main import catalog_option, emit, fail, overlay_option


def parse_window(value: str) -> tuple[int, int]:
    try:
        start, end = (int(part) for part in value.split("-"))
    except ValueError:
        fail(f"--azure-priorities: {show(value)} is not a window; allowed: START-END within "
             f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}, e.g. 100-4096")
    return start, end


@click.command("plan")
@click.option("--regions", required=True, help="Comma-separated region ids, or 'all'.")
@click.option("--option", "option", default="1", show_default=True, help="Port option: 1, 2 or 3.")
@click.option("--encryption", default="standard", show_default=True, help="standard or e2ee.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--aws-rules-per-group", type=int, default=AWS_DEFAULT_RULES_PER_GROUP, show_default=True,
              help="Your AWS quota of outbound rules per security group.")
@click.option("--azure-priorities", default=f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}", show_default=True,
              help="NSG priority window for the Chalk rules.")
@catalog_option
@overlay_option
def plan_command(regions: str, option: str, encryption: str, fmt: str, aws_rules_per_group: int,
                 azure_priorities: str, catalog_path: str | None, overlay_path: str | None) -> None:
    """The egress Chalk needs for the given regions, port option and encryption."""
    data = load_catalog(catalog_path, overlay=overlay_path)
    result = plan(data, regions, option, encryption)
    aws = aws_budget(data, result, aws_rules_per_group)
    azure = azure_budget(result, parse_window(azure_priorities))
    if fmt == "json":
        emit(render.plan_dict(result, aws, azure))
    elif fmt == "csv":
        click.echo(render.plan_csv(result))
    else:
        click.echo(render.plan_text(result, aws, azure))
