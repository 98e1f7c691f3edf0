"""Compare two catalogs for change review: what a firewall team must add or may remove."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .models import Catalog, PortOption, Region

GLOBAL = "global"
"""The pseudo-region of hosts required by every configuration."""


class ChangeKind(StrEnum):
    ADDED_IP = "added-ip"
    ADDED_HOST = "added-host"
    REMOVED_IP = "removed-ip"
    REMOVED_HOST = "removed-host"
    CHANGED_PORT_OPTION = "changed-port-option"

    @property
    def is_removal(self) -> bool:
        return self in (ChangeKind.REMOVED_IP, ChangeKind.REMOVED_HOST)


@dataclass(frozen=True, order=True)
class Change:
    region: str
    """Region id, ``global`` for hosts every configuration needs, or ``option-N`` for a port option."""
    kind: ChangeKind
    item: str
    """The CIDR, host name or port option affected."""
    detail: str = ""


@dataclass(frozen=True)
class CatalogDiff:
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def has_removals(self) -> bool:
        return any(change.kind.is_removal for change in self.changes)


def diff(old: Catalog, new: Catalog) -> CatalogDiff:
    """Per region, the added and removed CIDRs and hosts; plus changed port options."""
    changes: list[Change] = []
    old_regions = {region.id: region for region in old.regions}
    new_regions = {region.id: region for region in new.regions}
    for region_id in sorted(old_regions.keys() | new_regions.keys()):
        before, after = old_regions.get(region_id), new_regions.get(region_id)
        note = "new region" if before is None else "region removed" if after is None else ""
        changes += _set_changes(region_id, _cidrs(before), _cidrs(after), ChangeKind.ADDED_IP,
                                ChangeKind.REMOVED_IP, note)
        changes += _set_changes(region_id, _hosts(old, before), _hosts(new, after), ChangeKind.ADDED_HOST,
                                ChangeKind.REMOVED_HOST, note)
    changes += _set_changes(GLOBAL, {h.host for h in old.hosts}, {h.host for h in new.hosts},
                            ChangeKind.ADDED_HOST, ChangeKind.REMOVED_HOST, "")
    old_options = {option.id: option for option in old.port_options}
    new_options = {option.id: option for option in new.port_options}
    for option_id in sorted(old_options.keys() | new_options.keys()):
        before_rules = _rules(old_options[option_id]) if option_id in old_options else "absent"
        after_rules = _rules(new_options[option_id]) if option_id in new_options else "absent"
        if before_rules != after_rules:
            changes.append(Change(f"option-{option_id}", ChangeKind.CHANGED_PORT_OPTION, str(option_id),
                                  f"{before_rules} -> {after_rules}"))
    return CatalogDiff(old.version, new.version, tuple(sorted(changes)))


def _set_changes(region: str, before: set[str], after: set[str], added: ChangeKind, removed: ChangeKind,
                 note: str) -> list[Change]:
    return [Change(region, added, item, note) for item in sorted(after - before)] + [
        Change(region, removed, item, note) for item in sorted(before - after)]


def _cidrs(region: Region | None) -> set[str]:
    return {entry.cidr for entry in region.cidrs} if region is not None else set()


def _hosts(catalog: Catalog, region: Region | None) -> set[str]:
    if region is None:
        return set()
    hosts = {region.media_host.host}
    if region.annotation_proxy is not None:
        hosts.add(catalog.annotation_proxy(region.annotation_proxy.id).host)
    return hosts


def _rules(option: PortOption) -> str:
    return ", ".join(f"{rule.protocol.value.upper()} {rule.ports}" for rule in option.rules)
