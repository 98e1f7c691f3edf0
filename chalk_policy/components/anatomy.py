"""What the Chalk components share: how their inputs arrive and how their outputs leave.

Every component is usable from any Pulumi language through the component provider (``provider/``), whose schema
Pulumi infers from the Python types (``pulumi.provider.experimental``): the ``args`` annotation of ``__init__`` (a
``TypedDict``) gives the inputs, the class's annotated ``pulumi.Output`` attributes the outputs, and the docstrings
under each the documentation of the generated SDKs. This module holds the rest of that contract, once:

* :func:`merged_args`: Python programs pass the inputs as an args mapping (``ChalkAwsEgress("chalk", args)``) or as
  keywords (``ChalkAwsEgress("chalk", vpc_id=..., regions=[...])``); the provider passes the mapping.
* :func:`settings_from`: the inputs, checked for unknown and missing names (a misspelt keyword is an error, not a
  silently ignored key), into the component's frozen settings dataclass with its defaults. Numbers arrive as floats
  from YAML and JSON-based languages (``option: 1`` is ``1.0`` on the wire): whole ones become ints (no setting is a
  fraction). A plain setting given a ``pulumi.Output`` is refused with what to do instead.
* :func:`register_outputs`: the component's outputs, registered under the schema's names (camelCase of the
  attribute), so that ``pulumi stack export`` shows a component made in Python and one made through the provider
  alike.
"""

import dataclasses
import functools
import inspect
import types
import typing
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import pulumi
from pulumi.provider.experimental.util import camel_case

from ..text import join_some, show
from .errors import ChalkInputError

SettingsT = TypeVar("SettingsT")

KEYWORDS: Any = None
"""The default of a component's ``args``: the inputs then come as keywords. (Typed Any: the ``args`` annotation must
be the TypedDict itself, which Pulumi's schema inference reads, not an Optional of it.)"""


def merged_args(component: str, args: Mapping[str, Any] | None, keywords: Mapping[str, Any],
                error: type[ChalkInputError]) -> dict[str, Any]:
    """The inputs given as ``args`` or as keywords (either, not both)."""
    if args is not None and not isinstance(args, Mapping):
        raise error(f"{component}: args: {show(args)} is not a mapping of inputs; allowed: the component's args "
                    "(a dict), or the inputs as keyword arguments")
    if args is not None and keywords:
        raise error(f"{component}: inputs given both as args and as keywords ({join_some(sorted(keywords))}); "
                    "allowed: one or the other")
    return dict(args if args is not None else keywords)


def settings_from(component: str, settings: type[SettingsT], values: Mapping[str, Any],
                  error: type[ChalkInputError]) -> SettingsT:
    """``settings`` (a frozen dataclass whose fields are the inputs, by their Python names) from ``values``."""
    fields = _fields(typing.cast(type, settings))
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise error(f"{component}: unknown input{'s' if len(unknown) > 1 else ''} {join_some(map(show, unknown))}; "
                    f"allowed: {join_some(fields, limit=len(fields))}")
    missing = [name for name, field in fields.items() if field.required and values.get(name) is None]
    if missing:
        raise error(f"{component}: {', '.join(missing)}: required")
    given: dict[str, Any] = {}
    for name, value in values.items():
        field = fields[name]
        if value is None and not field.required:
            continue  # unset (how the provider and YAML pass an input left out)
        if field.plain and isinstance(value, pulumi.Output):
            raise error(f"{name}: a pulumi.Output; {component} needs its value when the program runs, because it "
                        "decides which resources exist (nothing is created inside apply); allowed: a plain value, "
                        "e.g. from pulumi.Config().require_object(...)")
        given[name] = _whole_numbers(value)
    return settings(**given)


def register_outputs(component: pulumi.ComponentResource, extra: Mapping[str, Any] | None = None) -> None:
    """Register ``component``'s outputs: every annotated public attribute of its class (what the provider's schema
    lists as outputs), under its camelCase name, plus ``extra`` (e.g. the stack intent the policies read)."""
    outputs = {camel_case(name): getattr(component, name) for name in output_names(type(component))}
    component.register_outputs({**outputs, **(extra or {})})


def output_names(component: type[pulumi.ComponentResource]) -> tuple[str, ...]:
    """The Python names of a component's outputs: its class's public annotations, base classes first (how Pulumi's
    schema inference finds them)."""
    names: dict[str, None] = {}
    for cls in reversed(component.__mro__):
        if cls in (object, pulumi.Resource, pulumi.CustomResource, pulumi.ComponentResource):
            continue
        names.update(dict.fromkeys(name for name in inspect.get_annotations(cls) if name[:1] != "_"))
    return tuple(names)


@dataclasses.dataclass(frozen=True)
class _Field:
    required: bool
    plain: bool
    """Not a ``pulumi.Input``: the value must be known when the program runs."""


@functools.cache
def _fields(settings: type) -> dict[str, _Field]:
    # The annotations as objects (the components' modules do not postpone them: Pulumi's schema inference reads them
    # too); typing.get_type_hints would try to evaluate pulumi.Input's inner "Output[T]" and fail.
    hints = inspect.get_annotations(settings)
    fields: dict[str, _Field] = {}
    for field in dataclasses.fields(settings):
        hint = hints[field.name]
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        fields[field.name] = _Field(required=required, plain=not _is_input(hint))
    return fields


def _is_input(hint: Any) -> bool:
    """Whether a type is ``pulumi.Input[...]`` (or ``... | None`` of one): a union that holds an Awaitable, as
    Pulumi's schema inference tells them apart."""
    return _is_union(hint) and any(typing.get_origin(arg) is Awaitable or _is_input(arg)
                                   for arg in typing.get_args(hint))


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _whole_numbers(value: Any) -> Any:
    """``1.0`` -> ``1``, also inside lists and mappings (numbers from YAML or a JSON-based SDK; no setting of the
    components is a fraction); anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return type(value)(_whole_numbers(item) for item in value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value
