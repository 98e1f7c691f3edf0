"""``chalk-policy catalog show|validate|diff``."""

from __future__ import annotations

import sys

import click

from ..catalog import load_catalog
from ..planning.plan import resolve_regions
from ..text import message, printable
from . import render
from .main import EXIT_GATE, EXIT_INPUT, Group, catalog_option, emit, overlay_option


@click.group(cls=Group)
def catalog() -> None:
    """Show, validate and compare Chalk network catalogs."""


@catalog.command("show")
@click.option("--region", "region_id", help="Show one region only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@catalog_option
@overlay_option
def catalog_show(region_id: str | None, fmt: str, catalog_path: str | None, overlay_path: str | None) -> None:
    """Print the catalog, marking which facts are inferred."""
    data = load_catalog(catalog_path, overlay=overlay_path)
    regions = data.regions if region_id is None else tuple(
        data.region(rid) for rid in resolve_regions(data, [region_id]))
    if fmt == "json":
        emit(render.catalog_dict(data, regions))
    else:
        click.echo(render.catalog_text(data, regions))


@catalog.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@overlay_option
def catalog_validate(file: str, overlay_path: str | None) -> None:
    """Check a catalog file (and an optional overlay); list every problem found."""
    from ..catalog import CatalogError

    try:
        data = load_catalog(file, overlay=overlay_path)
    except CatalogError as exc:
        click.echo(message(str(exc)), err=True)
        sys.exit(EXIT_INPUT)
    cidrs = sum(len(region.cidrs) for region in data.regions)
    click.echo(f"{printable(file, newlines=False)}: valid catalog {data.version}: {len(data.regions)} regions, "
               f"{cidrs} media ranges, {len(data.hosts)} hosts, {len(data.port_options)} port options")


@catalog.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--fail-on-removal", is_flag=True, help="Exit 1 when a range or host was removed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def catalog_diff(old: str, new: str, fail_on_removal: bool, fmt: str) -> None:
    """Per region, the CIDRs and hosts added and removed between two catalogs."""
    from ..catalog import diff  # not needed by the other commands

    result = diff(load_catalog(old), load_catalog(new))
    if fmt == "json":
        emit(render.diff_dict(result))
    else:
        click.echo(render.diff_text(result))
    if fail_on_removal and result.has_removals:
        sys.exit(EXIT_GATE)
