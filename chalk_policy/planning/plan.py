"""Turn (regions, port option, encryption) into the exact egress a firewall must allow.

Pure functions over the catalog; no cloud, no Pulumi. The plan is the single source of truth that the
cloud components, the policy pack and the CLI all read.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..catalog.models import SIGNALING_PORT, Catalog, Encryption, Evidence, Protocol, Region
from ..text import join_some, show

ALL = "all"


class PlanError(ValueError):
    """Settings the catalog cannot satisfy; the message lists the allowed values."""


@dataclass(frozen=True, order=True)
class PortRange:
    from_port: int
    to_port: int

    def __str__(self) -> str:
        return str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"

    def covers(self, other: PortRange) -> bool:
        return self.from_port <= other.from_port and other.to_port <= self.to_port


@dataclass(frozen=True, order=True)
class Destination:
    """One destination CIDR (adjacent catalog ranges merged) and the regions it serves."""

    cidr: str
    regions: tuple[str, ...]


@dataclass(frozen=True, order=True)
class MediaRule:
    """Allow ``protocol`` on ``ports`` to every destination."""

    protocol: Protocol
    ports: PortRange
    destinations: tuple[Destination, ...]
    twilio_documented: bool = True

    @property
    def cidrs(self) -> tuple[str, ...]:
        return tuple(d.cidr for d in self.destinations)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({region for d in self.destinations for region in d.regions}))


@dataclass(frozen=True, order=True)
class HostRule:
    """Allow TCP 443 (HTTPS/WSS signaling) to a host name."""

    host: str
    regions: tuple[str, ...]
    """The selected regions that need the host: all of them for global hosts."""
    scope: str
    """``global`` (every configuration needs it) or ``regional``."""
    port: int = SIGNALING_PORT
    protocol: Protocol = Protocol.TCP


@dataclass(frozen=True)
class Note:
    """A remark for the people who enter the rules: what is so (``text``) and, when it asks them to do something
    beyond entering the rules, what (``action``); None says no action is needed."""

    text: str
    action: str | None = None

    def __str__(self) -> str:
        return f"{self.text} ACTION: {self.action}" if self.action else f"{self.text} No action needed."


@dataclass(frozen=True)
class Plan:
    catalog_version: str
    regions: tuple[str, ...]
    option: int
    encryption: Encryption
    peer_to_peer: bool
    """E2EE: clients on one network also send media directly to each other."""
    media_rules: tuple[MediaRule, ...]
    hosts: tuple[HostRule, ...]
    notes: tuple[Note, ...]

    @property
    def destinations(self) -> tuple[Destination, ...]:
        return self.media_rules[0].destinations if self.media_rules else ()

    @property
    def cidrs(self) -> tuple[str, ...]:
        return tuple(d.cidr for d in self.destinations)

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        return tuple(sorted({rule.protocol for rule in self.media_rules}))

    @property
    def host_names(self) -> tuple[str, ...]:
        return tuple(rule.host for rule in self.hosts)


def region_keys(region: Region) -> tuple[str, ...]:
    """The words that select ``region`` in ``--regions`` (compared by :func:`region_key`): its id, its name and its
    country code."""
    return tuple(region_key(word) for word in (region.id, region.name, region.country) if word)


def region_key(word: str) -> str:
    """``" US  east Coast "`` -> ``"us east coast"``: case and runs of blanks do not matter."""
    return " ".join(word.split()).casefold()


def resolve_regions(catalog: Catalog, regions: str | Iterable[str]) -> tuple[str, ...]:
    """``"all"``, ``"jp1,us2"``, ``"Germany, ireland"``, ``"DE"`` or ``["jp1", "us2"]`` -> sorted, unique, known
    region ids. A word is a region's id, name or country code, in any case; a country code selects every region in
    the country (``US`` -> us1, us2)."""
    parts = regions.split(",") if isinstance(regions, str) else [str(region) for region in regions]
    items = [item.strip() for item in parts if item.strip()]

    def allowed() -> str:
        first = catalog.regions[0]
        example = ", ".join(filter(None, (first.name.casefold(), first.country)))
        return (f"allowed: {ALL}, or region ids {join_some(catalog.region_ids)}, their names or country codes "
                f"(e.g. {example}); `chalk-policy regions` lists them")

    if not items:
        raise PlanError(f"regions: no region given; {allowed()}")
    if any(region_key(item) == ALL for item in items):
        if len(items) > 1:
            raise PlanError(f"regions: {show(ALL)} cannot be combined with other regions; {allowed()}")
        return catalog.region_ids
    index: dict[str, list[str]] = {}
    for region in catalog.regions:
        for key in dict.fromkeys(region_keys(region)):
            index.setdefault(key, []).append(region.id)
    unknown = sorted({item for item in items if region_key(item) not in index})
    if unknown:
        raise PlanError(f"regions: unknown region{'s' if len(unknown) > 1 else ''} {join_some(unknown)}; {allowed()}")
    return tuple(sorted({rid for item in items for rid in index[region_key(item)]}))


def resolve_option(catalog: Catalog, option: int | str) -> int:
    allowed = join_some(catalog.option_ids)
    try:
        value = int(option)
    except (TypeError, ValueError):
        raise PlanError(f"option: {show(option)} is not a port option; allowed: {allowed}") from None
    if isinstance(option, bool) or value not in catalog.option_ids or str(option).strip() != str(value):
        raise PlanError(f"option: {show(option)} is not a port option; allowed: {allowed}")
    return value


def resolve_encryption(catalog: Catalog, encryption: str | Encryption) -> Encryption:
    allowed = join_some(catalog.encryption_ids)
    value = encryption.value if isinstance(encryption, Encryption) else str(encryption).strip().lower()
    if value not in catalog.encryption_ids:
        raise PlanError(f"encryption: {show(encryption)} is not an encryption mode; allowed: {allowed}")
    return Encryption(value)


def merge_destinations(catalog: Catalog, region_ids: Sequence[str]) -> tuple[Destination, ...]:
    """The regions' ranges, adjacent ones merged, each traced back to its regions. (The standard library's
    ipaddress, not netaddr: the same smallest list of CIDRs, without netaddr's import on the CLI's start-up.)"""
    owned = [(ipaddress.IPv4Network(entry.cidr), region_id) for region_id in region_ids
             for entry in catalog.region(region_id).cidrs]
    merged = sorted(ipaddress.collapse_addresses(network for network, _ in owned))
    # The merged networks are disjoint and sorted, and each range lies in exactly one of them: the last that starts
    # at or before it (a binary search), instead of testing every range against every merged network.
    starts = [int(network.network_address) for network in merged]
    served: list[set[str]] = [set() for _ in merged]
    for network, region_id in owned:
        served[bisect.bisect_right(starts, int(network.network_address)) - 1].add(region_id)
    return tuple(Destination(str(network), tuple(sorted(regions))) for network, regions in zip(merged, served))


def plan(catalog: Catalog, regions: str | Iterable[str], option: int | str,
         encryption: str | Encryption = Encryption.STANDARD) -> Plan:
    """The egress the selected regions need under one port option and encryption mode."""
    region_ids = resolve_regions(catalog, regions)
    option_id = resolve_option(catalog, option)
    mode = catalog.encryption_mode(resolve_encryption(catalog, encryption))
    port_option = catalog.port_option(option_id)
    destinations = merge_destinations(catalog, region_ids)
    media_rules = tuple(sorted(
        MediaRule(rule.protocol, PortRange(rule.from_port, rule.to_port), destinations, rule.twilio_documented)
        for rule in port_option.rules
    ))
    return Plan(
        catalog_version=catalog.version,
        regions=region_ids,
        option=option_id,
        encryption=mode.id,
        peer_to_peer=mode.peer_to_peer,
        media_rules=media_rules,
        hosts=_host_rules(catalog, region_ids),
        notes=_notes(catalog, region_ids, option_id, mode.peer_to_peer),
    )


def region_hosts(catalog: Catalog, region: Region) -> tuple[str, ...]:
    """The signaling hosts a region adds to those of every configuration: its media host and its annotation proxy."""
    proxy = region.annotation_proxy
    return (region.media_host.host, *((catalog.annotation_proxy(proxy.id).host,) if proxy is not None else ()))


def _host_rules(catalog: Catalog, region_ids: tuple[str, ...]) -> tuple[HostRule, ...]:
    rules = {host.host: HostRule(host.host, region_ids, "global") for host in catalog.hosts}
    regional: dict[str, set[str]] = {}
    for region_id in region_ids:
        for host in region_hosts(catalog, catalog.region(region_id)):
            regional.setdefault(host, set()).add(region_id)
    for host, needed_by in regional.items():
        rules.setdefault(host, HostRule(host, tuple(sorted(needed_by)), "regional"))
    return tuple(sorted(rules.values(), key=lambda rule: (rule.scope != "global", rule.host)))


def _notes(catalog: Catalog, region_ids: tuple[str, ...], option_id: int, peer_to_peer: bool) -> tuple[Note, ...]:
    option = catalog.port_option(option_id)
    notes: list[Note] = []
    if not option.recommended:
        best = min((o.id for o in catalog.port_options if o.recommended), default=None)  # not file order
        notes.append(Note(f"Option {option.id} ({option.name}) gives {option.quality} quality; PTC recommends option "
                          f"{best}." if best is not None else f"Option {option.id}: {option.name}."))
    undocumented = [f"{r.protocol.value.upper()} {r.ports}" for r in option.rules if not r.twilio_documented]
    if undocumented:
        notes.append(Note(f"{', '.join(undocumented)}: listed by PTC, not in Twilio's documentation; the rules allow "
                          "them as PTC lists them."))
    if peer_to_peer:
        notes.append(Note("E2EE: clients on one network send media device to device, so the peer rules between "
                          "Chalk clients are part of the plan; when a direct path is blocked, sessions relay through "
                          "the same media ranges and ports."))
    for host in catalog.hosts:
        if host.note:
            notes.append(Note(f"{host.host}: {host.note}.", host.action))
    inferred = [rid for rid in region_ids if _uses_inferred(catalog.region(rid))]
    if inferred:
        notes.append(Note(f"Inferred facts (not stated by a source) are used for: {', '.join(inferred)}; "
                          "see `chalk-policy catalog show`."))
    for region_id in region_ids:
        notes.extend(Note(f"{region_id}: {gap}.") for gap in catalog.region(region_id).gaps)
    if catalog.twilio_hosts:
        hosts = sorted({h.host for h in catalog.twilio_hosts})
        notes.append(Note(f"Twilio also documents {', '.join(hosts)} (not on PTC's list); they use the same media "
                          "ranges, which these rules already allow by address."))
    return tuple(notes)


def _uses_inferred(region: Region) -> bool:
    facts = [region.media_host, *region.cidrs, *([region.annotation_proxy] if region.annotation_proxy else [])]
    return any(fact.evidence is Evidence.INFERRED for fact in facts)
