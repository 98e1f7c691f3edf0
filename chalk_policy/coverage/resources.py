"""The engine's input: resources as the Pulumi engine shows them to a policy pack, and safe value readers.

A :class:`Resource` is one ``(type, urn, name, props)``; ``props`` are the engine's camelCase properties
(``cidrIpv4``, ``securityRules``), from a resource's outputs (``AnalyzeStack``, ``pulumi stack export``) or
its inputs (``Analyze``, ``pulumi preview --json``).

Values are read defensively, because a policy must never crash on what a program or a provider sends:

* **Unknowns.** During preview a computed value is a sentinel string (``04da6b54-...`` for strings, and the
  other sentinels of ``pulumi_policy.proxy`` for numbers, booleans, arrays, objects, assets, archives). It may
  stand for a scalar, a list element, a whole list or a whole object. :func:`unwrap` turns every sentinel into
  the :data:`UNKNOWN` marker, at any depth.
* **Secrets.** ``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ...}`` is replaced by
  its ``value`` (engine form) or by ``json.loads(plaintext)`` (``stack export --show-secrets``); a secret with
  neither (``ciphertext`` only) or with bad plaintext JSON is :data:`UNKNOWN`.
* **Malformed values** (a string where a list belongs, ``"abc"`` as a port, ``from > to``) raise
  :class:`Malformed` from the readers; the caller skips that rule or resource and keeps a note.

Integers may arrive as floats (``443.0``: protobuf ``Struct`` has no integers); integral floats and decimal
strings are accepted as integers, anything else is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

UNKNOWN_SENTINELS: Final = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"


class _Unknown:
    """A value the engine does not know yet (``pulumi preview``)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class Malformed(ValueError):
    """A property has a shape the engine does not understand; the message says which and why."""


@dataclass(frozen=True)
class Resource:
    """One resource as a CrossGuard stack policy (or an offline reader) sees it."""

    type: str
    """The type token, e.g. ``aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule``."""
    urn: str
    name: str
    """The Pulumi logical name."""
    props: Mapping[str, Any]
    """Engine-form (camelCase) properties; may hold unknown sentinels and secret wrappers anywhere."""

    @property
    def label(self) -> str:
        """How messages name the resource: ``aws.vpc.SecurityGroupEgressRule 'media-1'`` (made once: readers name
        the resource in every rule's location; ``functools.cached_property`` takes a lock on each access)."""
        label = self.__dict__.get("_label")
        if label is None:
            label = self.__dict__["_label"] = f"{sdk_class(self.type)} '{self.name}'"
        return label


class _TypeIndex:
    """Where each type's resources sit in one resource sequence (built in one pass)."""

    __slots__ = ("count", "positions", "resources")

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources, self.count = resources, len(resources)
        self.positions: dict[str, list[int]] = {}
        for position, resource in enumerate(resources):
            self.positions.setdefault(resource.type, []).append(position)

    def of(self, types: tuple[str, ...]) -> list[Resource]:
        found = [self.positions.get(kind, ()) for kind in types]
        positions = found[0] if len(found) == 1 else sorted(chain.from_iterable(found))
        return [self.resources[position] for position in positions]


_indexed: list[_TypeIndex] = []
"""The last sequence indexed: every layer asks it for its own types, so a stack is scanned once, not once per
layer and resource kind. Keyed on the sequence's identity (held here, so the identity cannot be reused) and length;
callers treat a sequence they pass as read-only, as :func:`~chalk_policy.coverage.engine.collect_scopes` does."""


def of_type(resources: Sequence[Resource], *types: str) -> list[Resource]:
    """The resources of ``types``, in stack order."""
    if not (_indexed and _indexed[0].resources is resources and _indexed[0].count == len(resources)):
        _indexed[:] = [_TypeIndex(resources)]
    return _indexed[0].of(types)


def has_type(resources: Sequence[Resource], types: Iterable[str]) -> bool:
    """Whether the stack holds a resource of one of ``types``."""
    return bool(of_type(resources, *types))


def sdk_class(type_token: str) -> str:
    """``aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule`` -> ``aws.vpc.SecurityGroupEgressRule``."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return type_token
    package, module, cls = parts
    return f"{package.replace('-', '_')}.{module.split('/')[0]}.{cls}"


def unwrap(value: Any) -> Any:
    """``value`` with secrets opened and every unknown sentinel replaced by :data:`UNKNOWN`, at any depth."""
    kind = type(value)  # exact types first: the ABC checks below cost more than the rest of the walk
    if kind is str:
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict and SECRET_KEY not in value:
        return {key if type(key) is str else str(key): unwrap(item) for key, item in value.items()}
    if kind is list:
        return [unwrap(item) for item in value]
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        if value.get(SECRET_KEY) == SECRET_SIG:
            if "value" in value:
                return unwrap(value["value"])
            if isinstance(value.get("plaintext"), str):
                try:
                    return unwrap(json.loads(value["plaintext"]))
                except ValueError:
                    return UNKNOWN
            return UNKNOWN
        return {str(key): unwrap(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap(item) for item in value]
    return value


def props_of(resource: Resource) -> dict[str, Any] | _Unknown:
    """The resource's properties unwrapped; :data:`UNKNOWN` when the whole object is unknown.

    Raises :class:`Malformed` when ``props`` is not an object.
    """
    props = unwrap(resource.props)
    if isinstance(props, _Unknown):
        return UNKNOWN
    if not isinstance(props, dict):
        raise Malformed(f"properties are {_kind(props)}, not an object")
    return props  # a new dict: unwrap() copies every mapping it walks


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def field(obj: Mapping[str, Any] | _Unknown, key: str) -> Any:
    """``obj[key]`` (None when absent), or :data:`UNKNOWN` when ``obj`` itself is unknown."""
    if type(obj) is dict or isinstance(obj, Mapping):  # the exact type first: the ABC check is slower
        return obj.get(key)
    return UNKNOWN


def as_obj(value: Any, what: str) -> dict[str, Any] | _Unknown:
    if value is UNKNOWN or isinstance(value, dict):
        return value
    raise Malformed(f"{what} is {_kind(value)}, not an object")


def as_list(value: Any, what: str) -> list[Any] | _Unknown:
    """A list, :data:`UNKNOWN`, or ``[]`` for an absent (None) value."""
    if value is None:
        return []
    if value is UNKNOWN or isinstance(value, list):
        return value
    raise Malformed(f"{what} is {_kind(value)}, not a list")


def as_str(value: Any, what: str) -> str | _Unknown | None:
    if value is None or value is UNKNOWN or isinstance(value, str):
        return value
    raise Malformed(f"{what} is {_kind(value)}, not a string")


def as_int(value: Any, what: str) -> int | _Unknown | None:
    """An integer from ``443``, ``443.0`` or ``"443"``; None when absent."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, bool):
        raise Malformed(f"{what} is a boolean, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise Malformed(f"{what} is {_kind(value)}, not an integer")


def _kind(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if value is None:
        return "missing"
    return f"a {type(value).__name__}"
