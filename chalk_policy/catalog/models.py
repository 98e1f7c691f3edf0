"""Typed, frozen view of the Chalk network catalog.

The classes are records (:class:`Record`): frozen, keyword-only value classes that cost almost nothing to define,
so that the command line starts fast; the packaged catalog is one (generated) expression building them,
:mod:`chalk_policy.catalog.packaged`. A user's own catalog or overlay is validated by pydantic against these same
classes (:mod:`chalk_policy.catalog.validation`): the ``Annotated`` metadata below (:class:`Check`) tells pydantic
what each value must be (strict types, CIDR syntax, port bounds, host-name syntax, closed sets, non-empty lists)
and is inert otherwise. Checks that compare values across the file (unique ids, overlapping ranges, source keys)
live in :mod:`chalk_policy.catalog.validation`, so that a file with several problems reports all of them at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

if TYPE_CHECKING:
    import netaddr


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


_HOST_LABEL = r"^(?!-)[a-z0-9-]{1,63}(?<!-)$"
_VERSION = r"^\d{10}$"
_REGION_ID = r"^[a-z][a-z0-9-]{0,30}$"
_COUNTRY = r"^[A-Z]{2}$"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_CIDR = rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/(3[0-2]|[12]?[0-9])"
"""Patterns, compiled by ``re`` on first use (validation only)."""
SIGNALING_PORT = 443
MIN_MEDIA_PREFIX = 8
"""Media ranges are provider blocks, never /0-like wildcards (which would also collide with the signaling rule)."""


def _check_port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value} is not a port; allowed: 1-65535")
    return value


def _check_country(value: str) -> str:
    if not re.match(_COUNTRY, value):
        raise ValueError(f"{value!r} is not a country code; allowed: two upper-case letters (ISO 3166-1 alpha-2), "
                         "e.g. DE")
    return value


def _check_host(value: str) -> str:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(re.match(_HOST_LABEL, label) for label in labels):
        raise ValueError(
            f"{value!r} is not a host name; allowed: lower-case labels of a-z, 0-9 and '-', separated by dots"
        )
    if labels[-1].isdigit():  # 127.0.0.1, 169.254.169.254: an address, which no top-level domain is (RFC 3696)
        raise ValueError(f"{value!r} is an IP address, not a host name; allowed: a host name whose last label is "
                         "not all digits, e.g. de1.vss.twilio.com")
    return value


def ipv4_cidr(value: str) -> tuple[int, int] | None:
    """``a.b.c.d/n`` in plain decimal (no leading zeros, no spaces) -> its address and prefix length as integers;
    None for any other text. What ``netaddr.IPNetwork`` makes of such text, at a twentieth of its cost (a catalog
    of 100,000 ranges is validated in seconds); other text is for netaddr to judge."""
    match = _ipv4_cidr_pattern().fullmatch(value)
    if match is None:
        return None
    a, b, c, d, prefix = map(int, match.groups())
    return (a << 24) | (b << 16) | (c << 8) | d, prefix


@functools.cache
def _ipv4_cidr_pattern() -> re.Pattern[str]:
    return re.compile(_IPV4_CIDR)  # once, on first use: called once per range, and re's own cache costs a lookup


def ipv4_span(address: int, prefix: int) -> tuple[int, int]:
    """The first and last address of the network of ``address``/``prefix`` (host bits cleared)."""
    host = (1 << (32 - prefix)) - 1
    first = address & ~host
    return first, first | host


def ipv4_text(address: int) -> str:
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"


def _check_cidr(value: str) -> str:
    parsed = ipv4_cidr(value)
    if parsed is not None:  # the usual case, without netaddr; the same checks and messages as below
        address, prefix = parsed
        first, _ = ipv4_span(address, prefix)
        if address != first:
            raise ValueError(f"{value!r} has host bits set; allowed: the network address, {ipv4_text(first)}/{prefix}")
        if prefix < MIN_MEDIA_PREFIX:
            raise ValueError(f"{value!r} is wider than any media range; allowed: a prefix of /{MIN_MEDIA_PREFIX} or "
                             "longer")
        return value  # plain decimal without host bits is the canonical form
    import netaddr  # validation only: not on the path that reads the packaged catalog

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
    if not re.match(_VERSION, value):
        raise ValueError(f"{value!r} is not a catalog version; allowed: YYYYMMDDNN, e.g. 2026112501")
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValueError(f"{value!r} does not start with a real date; allowed: YYYYMMDDNN") from None
    return value


def _check_region_id(value: str) -> str:
    if not re.match(_REGION_ID, value):
        raise ValueError(f"{value!r} is not a region id; allowed: lower-case letters, digits and '-', e.g. jp1")
    return value


class Check:
    """``Annotated`` metadata that pydantic applies when it validates a file (inert otherwise): ``strict`` takes a
    value only as the annotated type (``"443"``, ``443.0`` and ``true`` are not integers), ``min_length`` refuses
    empty strings, lists and mappings, and ``check`` (raising ValueError that names what is allowed) runs on the
    typed value."""

    def __init__(self, *, strict: bool = False, min_length: int | None = None,
                 check: Callable[[Any], Any] | None = None) -> None:
        self.strict, self.min_length, self.check = strict, min_length, check

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema  # only when pydantic builds a validator

        schema = dict(handler(source))
        if self.strict:
            schema["strict"] = True
        if self.min_length is not None:
            schema["min_length"] = self.min_length
        if self.check is None:
            return schema
        return core_schema.no_info_after_validator_function(self.check, schema)


NON_EMPTY = Check(min_length=1)
StrictInt = Annotated[int, Check(strict=True)]
StrictStr = Annotated[str, Check(strict=True)]
StrictBool = Annotated[bool, Check(strict=True)]
Port = Annotated[int, Check(strict=True, check=_check_port)]
HostName = Annotated[str, Check(strict=True, check=_check_host)]
Cidr = Annotated[str, Check(strict=True, check=_check_cidr)]
Version = Annotated[str, Check(strict=True, check=_check_version)]
RegionId = Annotated[str, Check(strict=True, check=_check_region_id)]
Country = Annotated[str, Check(strict=True, check=_check_country)]
Text = Annotated[str, Check(strict=True, min_length=1)]


@typing.dataclass_transform(kw_only_default=True, frozen_default=True)
class Record:
    """The base of the catalog's classes. Like ``@dataclass(frozen=True, kw_only=True)``: the fields are the class's
    annotations (a base class's first) with class attributes as defaults, given by keyword, immutable, compared and
    hashed by value, checked across fields by ``__post_init__``. Unlike it, nothing is generated and compiled per
    class (on Python 3.11 that costs about 2 ms a class, a sizeable part of the command line's start-up).

    Pydantic validates a record as a mapping of its fields by their keys in a file (:attr:`aliases`); an unknown
    key is an error."""

    fields: ClassVar[tuple[str, ...]] = ()
    """The fields, in order."""
    defaults: ClassVar[Mapping[str, Any]] = {}
    aliases: ClassVar[Mapping[str, str]] = {}
    """Fields whose key in a file differs from their name."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = tuple(name for name, annotation in inspect.get_annotations(cls).items()
                    if not str(annotation).startswith("ClassVar"))
        cls.fields = (*cls.fields, *own)
        cls.defaults = {**cls.defaults, **{name: cls.__dict__[name] for name in own if name in cls.__dict__}}

    def __init__(self, **values: Any) -> None:
        for name in self.fields:
            if name in values:
                object.__setattr__(self, name, values.pop(name))
            elif name in self.defaults:
                object.__setattr__(self, name, self.defaults[name])
            else:
                raise TypeError(f"{type(self).__name__}() missing keyword argument {name!r}")
        if values:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {', '.join(map(repr, values))}")
        self.__post_init__()

    def __post_init__(self) -> None:
        """Checks across fields: raise ValueError naming what is allowed."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.fields)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self.fields))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}={getattr(self, name)!r}' for name in self.fields)})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot assign to {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema  # only when pydantic builds a validator

        hints = typing.get_type_hints(cls, include_extras=True)
        names = {cls.aliases.get(name, name): name for name in cls.fields}
        schema = core_schema.typed_dict_schema(
            {key: core_schema.typed_dict_field(handler.generate_schema(hints[name]), required=name not in cls.defaults)
             for key, name in names.items()},
            extra_behavior="forbid")
        return core_schema.no_info_after_validator_function(
            lambda data: cls(**{names[key]: value for key, value in data.items()}), schema)


class Sourced(Record):
    """A fact with its provenance."""

    source: StrictStr
    """Key into the catalog's ``sources`` table."""
    evidence: Evidence


class Source(Record):
    url: Text
    title: Text


class PortRule(Record):
    protocol: Protocol
    from_port: Port
    to_port: Port
    twilio_documented: StrictBool = True
    """False where PTC lists the port but Twilio's own documentation does not."""

    def __post_init__(self) -> None:
        if self.from_port > self.to_port:
            raise ValueError(
                f"from_port {self.from_port} is greater than to_port {self.to_port}; allowed: from_port <= to_port"
            )

    @property
    def ports(self) -> str:
        """The range as firewalls write it: ``443`` or ``10000-60000``."""
        return str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"


class PortOption(Sourced):
    id: StrictInt
    name: Text
    recommended: StrictBool = False
    quality: Text
    rules: Annotated[tuple[PortRule, ...], NON_EMPTY]


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
    """What the source says of the host, shown with every plan that needs it."""
    action: StrictStr | None = None
    """What the network team must do about ``note`` beyond allowing the host (None: nothing)."""


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
        import netaddr  # only for callers that compute with addresses

        return netaddr.IPNetwork(self.cidr)


class Region(Record):
    id: RegionId
    name: Text
    country: Country | None = None
    """The ISO 3166-1 alpha-2 code of the region's country: ``--regions DE`` selects every region in Germany."""
    media_host: MediaHost
    annotation_proxy: ProxyRef | None
    """None where PTC names no annotation proxy for the region (a gap, listed in ``gaps``)."""
    cidrs: Annotated[tuple[MediaCidr, ...], NON_EMPTY]
    gaps: tuple[StrictStr, ...] = ()


class Catalog(Record):
    """The whole catalog: what Chalk clients must reach, per region, and how we know it."""

    aliases: ClassVar[Mapping[str, str]] = {"schema_version": "schema"}

    schema_version: StrictInt
    """The file format (``schema`` in a file); only 1 exists."""
    version: Version
    sources: Annotated[dict[StrictStr, Source], NON_EMPTY]
    port_options: Annotated[tuple[PortOption, ...], NON_EMPTY]
    encryption_modes: Annotated[tuple[EncryptionMode, ...], NON_EMPTY]
    hosts: Annotated[tuple[Host, ...], NON_EMPTY]
    twilio_hosts: tuple[TwilioHost, ...] = ()
    annotation_proxies: tuple[AnnotationProxy, ...] = ()
    regions: Annotated[tuple[Region, ...], NON_EMPTY]
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
        found: Region = self._index("regions")[region_id]
        return found

    def port_option(self, option_id: int) -> PortOption:
        found: PortOption = self._index("port_options")[option_id]
        return found

    def encryption_mode(self, encryption: Encryption) -> EncryptionMode:
        found: EncryptionMode = self._index("encryption_modes")[encryption]
        return found

    def annotation_proxy(self, proxy_id: str) -> AnnotationProxy:
        found: AnnotationProxy = self._index("annotation_proxies")[proxy_id]
        return found

    def _index(self, section: str) -> dict[Any, Any]:
        """The entries of a section by id, the first of each id (as a scan would find it), built on first use and
        kept on the instance (which is frozen, so the index never goes stale): a planner that looks up each of n
        regions then costs O(n), not O(n^2). A missing id raises KeyError."""
        key = f"_{section}_by_id"
        index: dict[Any, Any] | None = self.__dict__.get(key)
        if index is None:
            index = {}
            for entry in getattr(self, section):
                index.setdefault(entry.id, entry)
            object.__setattr__(self, key, index)
        return index


# --- plain data ---------------------------------------------------------------------------------------


def to_data(node: Any) -> Any:
    """The plain (JSON) form of a catalog or any part of it: mappings by the keys of a file in field order, enum
    members as their values, tuples as lists."""
    if isinstance(node, Record):
        return {node.aliases.get(name, name): to_data(getattr(node, name)) for name in node.fields}
    if isinstance(node, (tuple, list)):
        return [to_data(value) for value in node]
    if isinstance(node, dict):
        return {key: to_data(value) for key, value in node.items()}
    if isinstance(node, Enum):
        return node.value
    return node
