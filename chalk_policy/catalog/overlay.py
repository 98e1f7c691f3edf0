"""Overlay files: add or override regions, ranges and hosts on top of a catalog.

PTC may publish a new range before we release a new catalog. An overlay lets a platform team add it
today without forking the catalog::

    overlay: 1
    version: "2026120101"          # the version the merged catalog reports (YYYYMMDDNN)
    sources:                       # new source keys, if the overlay cites new pages
      ptc-news: {url: https://example.com/notice, title: PTC notice}
    regions:
      - id: jp1                    # an existing region: patch it
        add_cidrs:
          - {cidr: 13.115.245.0/27, source: ptc-news, evidence: retrieved}
        remove_cidrs: [54.65.63.192/26]
      - id: kr1                    # a new region: give every region field
        name: Korea
        ...
    hosts:                         # added, or replacing the entry with the same host (and path)
      - {host: new.prod.look.vuforia.com, role: chalk-cloud, source: ptc-news, evidence: retrieved}
    remove_hosts: [otc.prod.look.vuforia.com]

The merged document is validated like any catalog, so an overlay cannot introduce overlaps or
undefined sources.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from ..text import join_some
from .errors import CatalogError, Problem
from .models import Version
from .validation import translate_errors


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _RegionPatch(_Model):
    model_config = ConfigDict(frozen=True, extra="allow")
    id: StrictStr
    add_cidrs: tuple[dict[str, Any], ...] = ()
    remove_cidrs: tuple[StrictStr, ...] = ()


class _Overlay(_Model):
    overlay: StrictInt
    version: Version
    sources: dict[StrictStr, dict[str, Any]] = Field(default_factory=dict)
    regions: tuple[_RegionPatch, ...] = ()
    hosts: tuple[dict[str, Any], ...] = ()
    remove_hosts: tuple[StrictStr, ...] = ()


def apply_overlay(base: Mapping[str, Any], raw_overlay: Mapping[str, Any], filename: str) -> dict[str, Any]:
    """Return the base catalog document with the overlay applied (both as parsed YAML)."""
    try:
        overlay = _Overlay.model_validate(raw_overlay)
    except ValidationError as exc:
        raise CatalogError(*translate_errors(exc, raw_overlay, filename, _Overlay)) from None
    problems: list[Problem] = []
    if overlay.overlay != 1:
        problems.append(Problem(filename, "overlay", f"{overlay.overlay!r} is not a supported overlay format; "
                                                     "allowed: 1"))
    merged = copy.deepcopy(dict(base))
    merged["version"] = overlay.version
    merged["sources"] = {**merged.get("sources", {}), **overlay.sources}

    regions: list[dict[str, Any]] = merged.setdefault("regions", [])
    by_id = {region.get("id"): region for region in regions}
    for patch in overlay.regions:
        fields = {"id": patch.id, **copy.deepcopy(patch.model_extra or {})}  # region fields replace the base's
        target = by_id.get(patch.id)
        in_base = target is not None
        if target is None:
            if patch.remove_cidrs:
                problems.append(Problem(filename, f"regions[{patch.id}].remove_cidrs",
                                        f"region {patch.id!r} is not in the base catalog; allowed: "
                                        f"{join_some(sorted(str(k) for k in by_id))}"))
            target = dict(fields)
            regions.append(target)
            by_id[patch.id] = target
        else:
            target.update(fields)
        cidrs = target.setdefault("cidrs", [])
        if not isinstance(cidrs, list):  # e.g. `cidrs: null`: the merged catalog's validation names the field
            continue
        present = [c.get("cidr") if isinstance(c, dict) else None for c in cidrs]
        ranges = {value for value in present if isinstance(value, str)}  # remove_cidrs are strings: only these match
        for c_index, cidr in enumerate(patch.remove_cidrs if in_base else ()):
            if cidr not in ranges:
                problems.append(Problem(filename, f"regions[{patch.id}].remove_cidrs[{c_index}]",
                                        f"{cidr!r} is not a range of {patch.id}; allowed: "
                                        f"{join_some(str(p) for p in present)}"))
        removed = set(patch.remove_cidrs)
        target["cidrs"] = [c for c, value in zip(cidrs, present) if not (isinstance(value, str) and value in removed)]
        target["cidrs"].extend(copy.deepcopy(list(patch.add_cidrs)))

    hosts: list[dict[str, Any]] = merged.setdefault("hosts", [])
    known = {h.get("host") for h in hosts if isinstance(h, dict) and isinstance(h.get("host"), str)}
    for h_index, host in enumerate(overlay.remove_hosts):
        if host not in known:
            problems.append(Problem(filename, f"remove_hosts[{h_index}]",
                                    f"{host!r} is not a host of the base catalog"))
    removed_hosts = set(overlay.remove_hosts)
    hosts[:] = [h for h in hosts if not (isinstance(h, dict) and isinstance(h.get("host"), str)
                                         and h["host"] in removed_hosts)]
    # Each overlay host replaces the entry with the same host and path (of the base, or of an earlier overlay
    # entry), and goes last: the base's other entries in their order, then the overlay's, the last of each key.
    last = {_host_key(entry): index for index, entry in enumerate(overlay.hosts)}
    hosts[:] = [h for h in hosts if _host_key(h) not in last]
    hosts.extend(copy.deepcopy(entry) for index, entry in enumerate(overlay.hosts) if last[_host_key(entry)] == index)
    if problems:
        raise CatalogError(problems)
    return merged


def _host_key(entry: Any) -> Any:
    """What identifies a host entry: its host and path, as a hashable value that is equal where they are equal (a
    file's value may be a list or a mapping)."""
    return (_hashable(entry.get("host")), _hashable(entry.get("path"))) if isinstance(entry, dict) else (id(entry),)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ("list", tuple(_hashable(item) for item in value))
    if isinstance(value, dict):
        return ("dict", frozenset((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, set):
        return ("set", frozenset(value))
    return value
