"""``chalk-policy regions``: the regions ``--regions`` takes, and what each adds to a plan."""

from __future__ import annotations

from typing import Any

import click

from ..catalog import load_catalog
from ..catalog.models import Catalog
from ..planning.plan import region_hosts
from . import render
from .main import catalog_option, emit, overlay_option


def regions_dict(catalog: Catalog) -> dict[str, Any]:
    return {
        "catalog_version": catalog.version,
        "hosts_of_every_region": [host.host for host in catalog.hosts],
        "regions": [
            {"id": r.id, "name": r.name, "country": r.country, "hosts": list(region_hosts(catalog, r)),
             "cidrs": [c.cidr for c in r.cidrs], "gaps": list(r.gaps)}
            for r in catalog.regions
        ],
    }


def regions_text(catalog: Catalog) -> str:
    rows = [(r.id, r.name, r.country or "", ", ".join(region_hosts(catalog, r)), ", ".join(c.cidr for c in r.cidrs))
            for r in catalog.regions]
    return "\n".join([
        f"Chalk regions (catalog {catalog.version}). Enable every region where your users or the remote experts they "
        "call join calls:",
        "`--regions` takes the id, the name or the country code, in any case (de1, germany, DE); a country code "
        "selects all its regions.",
        f"Every plan also needs the {len(catalog.hosts)} hosts of every configuration (`chalk-policy catalog show`).",
        "",
        render.table(rows, ("ID", "NAME", "COUNTRY", "HOSTS IT ADDS (TCP 443)", "MEDIA RANGES IT ADDS")),
        *(f"  {r.id}: {gap}" for r in catalog.regions for gap in r.gaps),
    ])


@click.command("regions")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@catalog_option
@overlay_option
def regions_command(fmt: str, catalog_path: str | None, overlay_path: str | None) -> None:
    """The Chalk regions: the ids, names and country codes --regions takes, and the hosts and media ranges each region
    adds."""
    data = load_catalog(catalog_path, overlay=overlay_path)
    if fmt == "json":
        emit(regions_dict(data))
    else:
        click.echo(regions_text(data))
