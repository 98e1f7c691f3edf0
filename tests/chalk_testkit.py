"""Small helpers for the catalog, planner and CLI tests (no pulumi here)."""

from __future__ import annotations

import copy
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalk_policy.catalog import Catalog, CatalogError, validate_catalog
from chalk_policy.catalog.loader import default_catalog_text

REGION_IDS = ("au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2")

RESEARCH_CIDRS: dict[str, tuple[str, ...]] = {
    # /work/shared/research/chalk-catalog.md, section 1, "Media IPv4 CIDRs" column, in its order.
    "au1": ("13.210.2.128/27", "54.252.254.64/26", "3.25.42.128/25"),
    "br1": ("18.231.105.32/27", "177.71.206.192/26", "18.230.125.0/25"),
    "de1": ("52.59.186.0/27", "18.195.48.224/27", "18.156.18.128/25"),
    "ie1": ("52.215.253.0/26", "54.171.127.192/26", "52.215.127.0/24", "3.249.63.128/25"),
    "in1": ("52.66.193.96/27", "52.66.194.0/26", "3.7.35.128/25"),
    "jp1": ("13.115.244.0/27", "54.65.63.192/26", "18.180.220.128/25"),
    "sg1": ("13.229.255.0/27", "54.169.127.128/26", "18.141.157.128/25"),
    "us1": ("34.203.254.0/24", "54.172.60.0/23", "34.203.250.0/23", "3.235.111.128/25"),
    "us2": ("34.216.110.128/27", "54.244.51.0/24", "44.234.69.0/25"),
}
ALL_CIDRS = frozenset(cidr for cidrs in RESEARCH_CIDRS.values() for cidr in cidrs)

GLOBAL_HOSTS = (
    # Section 2 of the research file, in PTC's order (vuforiachalk.com appears twice: a URL and the host).
    "cognito-idp.us-west-2.amazonaws.com",
    "chalkusageservice.prod.look.vuforia.com",
    "accountapi.prod.look.vuforia.com",
    "vuforiachalk.com",
    "vuforiachalk.com",
    "portalapi.prod.look.vuforia.com",
    "smartproxy.prod.look.vuforia.com",
    "loginservice.prod.look.vuforia.com",
    "switchboard.prod.look.vuforia.com",
    "otc.prod.look.vuforia.com",
    "usageservice.prod.vuforia.com",
    "mobile-endpoint.twilio.com",
    "global.vss.twilio.com",
    "sdkgw.us1.twilio.com",
)

SOURCE_KEYS = "ptc-all, ptc-av, ptc-netcfg, ptc-region, twilio-nts-regions, twilio-video-ip"


@cache
def _shipped() -> dict[str, Any]:
    data = yaml.safe_load(default_catalog_text())
    assert isinstance(data, dict)
    return data


def shipped_raw() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped catalog as parsed YAML."""
    return copy.deepcopy(_shipped())


def region(raw: dict[str, Any], region_id: str) -> dict[str, Any]:
    """The raw region entry with this id (the first one, if duplicated)."""
    return next(entry for entry in raw["regions"] if entry["id"] == region_id)


def option(raw: dict[str, Any], option_id: int) -> dict[str, Any]:
    return next(entry for entry in raw["port_options"] if entry["id"] == option_id)


def cidr_entry(cidr: str, source: str = "twilio-video-ip", evidence: str = "retrieved") -> dict[str, Any]:
    return {"cidr": cidr, "source": source, "evidence": evidence}


def new_region(region_id: str, cidrs: list[str], proxy: str | None = "ap-southeast-1",
               source: str = "twilio-video-ip") -> dict[str, Any]:
    """A raw region entry with valid fields, for catalogs built in tests."""
    return {
        "id": region_id,
        "name": f"Region {region_id}",
        "media_host": {"host": f"{region_id}.vss.twilio.com", "source": source, "evidence": "retrieved"},
        "annotation_proxy": None if proxy is None else {"id": proxy, "source": source, "evidence": "inferred"},
        "cidrs": [cidr_entry(cidr, source) for cidr in cidrs],
    }


def catalog_with_regions(*regions: dict[str, Any]) -> Catalog:
    """The shipped catalog with its regions replaced by ``regions``."""
    raw = shipped_raw()
    raw["regions"] = list(regions)
    return validate_catalog(raw, "custom.yaml")


def problems(raw: Any, filename: str = "bad.yaml") -> list[str]:
    """Every problem line the loader reports for ``raw``; fails the test when the catalog is accepted."""
    try:
        validate_catalog(raw, filename)
    except CatalogError as exc:
        return [str(problem) for problem in exc.problems]
    raise AssertionError("the catalog was accepted")


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


ALLOWED_REGIONS = ("allowed: all, or region ids au1, br1, de1, ie1, in1, jp1, sg1, us1, us2, their names or country "
                   "codes (e.g. australia, AU); `chalk-policy regions` lists them")
"""How a region error of the shipped catalog ends: what --regions and the regions settings take."""


def find_tool(name: str, extra_dirs: tuple[str, ...] = ("/usr/sbin", "/sbin")) -> str | None:
    """The path of a program on PATH or in ``extra_dirs`` (where Debian puts squid, nft, iptables-restore)."""
    return shutil.which(name) or next(
        (str(Path(d) / name) for d in extra_dirs if os.access(Path(d) / name, os.X_OK)), None)


def require_tool(name: str, *, package: str | None = None, extra_dirs: tuple[str, ...] = ("/usr/sbin", "/sbin")) -> str:
    """The tool's path; skip the test when it is missing, except in CI (``CI=true``), where that is a failure."""
    found = find_tool(name, extra_dirs)
    if found is None:
        message = f"{name} is not installed (locally: apt-get install -y {package or name})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found
