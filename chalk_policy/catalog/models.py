"""Typed, frozen view of the Chalk network catalog.

The models check each value on its own (CIDR syntax, port bounds, host-name syntax, closed sets).
Checks that compare values across the file (unique ids, overlapping ranges, source keys) live in
:mod:`chalk_policy.catalog.loader`, so that a file with several problems reports all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

import netaddr
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator


class Evidence(StrEnum):
    """How we know a fact."""

    RETRIEVED = "retrieved"
    """Stated in a source page that was read."""
    SEED = "seed"
    """Stated in PTC's "Audio and Video Communication" page (the seed of this project)."""
    INFERRED = "inferred"
    """Our own conclusion; no source states it outright."""


class Protocol(StrEnum):
    UDP = "udp"
    TCP = "tcp"


class Encryption(StrEnum):
    STANDARD = "standard"
    E2EE = "e2ee"


class HostRole(StrEnum):
    AUTHENTICATION = "authentication"
    CHALK_CLOUD = "chalk-cloud"
    AUDIO_VIDEO = "audio-video"


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_VERSION = re.compile(r"^\d{10}$")
_REGION_ID = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
SIGNALING_PORT = 443
MIN_MEDIA_PREFIX = 8
"""Media ranges are provider blocks, never /0-like wildcards (which would also collide with the signaling rule)."""


def _check_port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value} is not a port; allowed: 1-65535")
    return value


def _check_host(value: str) -> str:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{value!r} is not a host name; allowed: lower-case labels of a-z, 0-9 and '-', separated by dots"
        )
    return value


def _check_cidr(value: str) -> str:
    try:
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"{value!r} is not an IPv4 CIDR; allowed: a.b.c.d/n") from None
    if network.version != 4 or "/" not in value:
        raise ValueError(f"{value!r} is not an IPv4 CIDR; allowed: a.b.c.d/n")
    if network.ip != network.network:
        raise ValueError(f"{value!r} has host bits set; allowed: the network address, {network.cidr}")
    if str(network.cidr) != value:
        raise ValueError(f"{value!r} is not in canonical form; allowed: {network.cidr}")
    if network.prefixlen < MIN_MEDIA_PREFIX:
        raise ValueError(f"{value!r} is wider than any media range; allowed: a prefix of /{MIN_MEDIA_PREFIX} or "
                         "longer")
    return value


def _check_version(value: str) -> str:
    if not _VERSION.match(value):
        raise ValueError(f"{value!r} is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501")
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValueError(f"{value!r} does not start with a real date; allowed: YYYYMMDDNN") from None
    return value


def _check_region_id(value: str) -> str:
    if not _REGION_ID.match(value):
        raise ValueError(f"{value!r} is not a region id; allowed: lower-case letters, digits and '-', e.g. jp1")
    return value


Port = Annotated[StrictInt, AfterValidator(_check_port)]
HostName = Annotated[StrictStr, AfterValidator(_check_host)]
Cidr = Annotated[StrictStr, AfterValidator(_check_cidr)]
Version = Annotated[StrictStr, AfterValidator(_check_version)]
RegionId = Annotated[StrictStr, AfterValidator(_check_region_id)]
Text = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(_Model):
    """A fact with its provenance."""

    source: StrictStr
    """Key into the catalog's ``sources`` table."""
    evidence: Evidence


class Source(_Model):
    url: Text
    title: Text


class PortRule(_Model):
    protocol: Protocol
    from_port: Port
    to_port: Port
    twilio_documented: StrictBool = True
    """False where PTC lists the port but Twilio's own documentation does not."""

    @model_validator(mode="after")
    def _ordered(self) -> PortRule:
        if self.from_port > self.to_port:
            raise ValueError(
                f"from_port {self.from_port} is greater than to_port {self.to_port}; allowed: from_port <= to_port"
            )
        return self

    @property
    def ports(self) -> str:
        """The range as firewalls write it: ``443`` or ``10000-60000``."""
        return str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"


class PortOption(Sourced):
    id: StrictInt
    name: Text
    recommended: StrictBool = False
    quality: Text
    rules: tuple[PortRule, ...] = Field(min_length=1)


class EncryptionMode(Sourced):
    id: Encryption
    name: Text
    peer_to_peer: StrictBool
    description: Text


class Host(Sourced):
    """A signaling host required by every configuration, reached on TCP 443."""

    host: HostName
    path: StrictStr | None = None
    """Set when PTC lists a URL rather than a bare host; firewalls only see the host."""
    role: HostRole
    note: StrictStr | None = None


class TwilioHost(Sourced):
    """A host Twilio documents for Twilio Video that PTC's list does not name."""

    host: HostName
    protocol: Protocol
    port: Port


class AnnotationProxy(Sourced):
    id: Text
    host: HostName
    area: Text


class MediaHost(Sourced):
    host: HostName


class ProxyRef(Sourced):
    id: Text


class MediaCidr(Sourced):
    cidr: Cidr

    @property
    def network(self) -> netaddr.IPNetwork:
        return netaddr.IPNetwork(self.cidr)


class Region(_Model):
    id: RegionId
    name: Text
    media_host: MediaHost
    annotation_proxy: ProxyRef | None
    """None where PTC names no annotation proxy for the region (a gap, listed in ``gaps``)."""
    cidrs: tuple[MediaCidr, ...] = Field(min_length=1)
    gaps: tuple[StrictStr, ...] = ()


class Catalog(_Model):
    """The whole catalog: what Chalk clients must reach, per region, and how we know it."""

    schema_version: StrictInt = Field(alias="schema")
    version: Version
    sources: dict[StrictStr, Source] = Field(min_length=1)
    port_options: tuple[PortOption, ...] = Field(min_length=1)
    encryption_modes: tuple[EncryptionMode, ...] = Field(min_length=1)
    hosts: tuple[Host, ...] = Field(min_length=1)
    twilio_hosts: tuple[TwilioHost, ...] = ()
    annotation_proxies: tuple[AnnotationProxy, ...] = ()
    regions: tuple[Region, ...] = Field(min_length=1)
    gaps: tuple[StrictStr, ...] = ()

    @property
    def region_ids(self) -> tuple[str, ...]:
        return tuple(sorted(region.id for region in self.regions))

    @property
    def option_ids(self) -> tuple[int, ...]:
        return tuple(sorted(option.id for option in self.port_options))

    @property
    def encryption_ids(self) -> tuple[str, ...]:
        return tuple(sorted(mode.id.value for mode in self.encryption_modes))

    def region(self, region_id: str) -> Region:
        return next(region for region in self.regions if region.id == region_id)

    def port_option(self, option_id: int) -> PortOption:
        return next(option for option in self.port_options if option.id == option_id)

    def encryption_mode(self, encryption: Encryption) -> EncryptionMode:
        return next(mode for mode in self.encryption_modes if mode.id == encryption)

    def annotation_proxy(self, proxy_id: str) -> AnnotationProxy:
        return next(proxy for proxy in self.annotation_proxies if proxy.id == proxy_id)
