"""A chalk-media policy pack config (the ``--policy-pack-config`` JSON of ``pulumi preview``), checked whole before
any policy runs.

Under the real engine, Pulumi reads the file (``pkg/resource/analyzer/config.go``: ``parsePolicyPackConfig``,
``ReconcilePolicyPackConfig``) and refuses it before the pack analyses anything when an enforcement level is not
one, an entry is neither a level nor an object, or a policy's properties do not fit the pack's config schema
(:data:`.schema.CONFIG_SCHEMA`). ``chalk-policy check`` and ``preview`` run the policies without the engine, so
:func:`validate_policy_config` does that check itself, and then reads each policy's properties the way the pack
reads them at run time (:func:`.settings.read_settings`, and the plan against the catalog that the properties
select): a value the pack would only report as "Cannot check Chalk egress" is refused up front instead, as a usage
error. It is stricter than the engine where the engine silently ignores a mistake: a policy name the pack does not
have, a property no policy reads, properties under ``all`` (Pulumi applies only its ``enforcementLevel``).

The format, as Pulumi reads it: an object whose keys are policy names or ``all``, each value an enforcement level
(a string) or an object ``{"enforcementLevel": <level>, <property>: <value>, ...}``; ``environments`` (ESC
environments) is reserved; a numeric ``version`` makes it a version 2 file, whose policies are under ``policies``
(with ``environments`` and ``exceptions`` beside them).

Every allowed value in a message comes from where it is defined: the levels from ``pulumi_policy.EnforcementLevel``,
the policy names from :data:`.pack.CHALK_POLICIES`, the properties and their shapes from the schema, the regions,
options and encryption modes from the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

from ..text import clip, join_some
from .pack import CHALK_POLICIES
from .schema import CONFIG_SCHEMA

ALL = "all"
"""The entry whose enforcement level applies to every policy."""
ENFORCEMENT_LEVEL = "enforcementLevel"
LEVELS = tuple(level.value for level in EnforcementLevel)
"""The enforcement levels a policy can be given (the engine's ``AppEnforcementLevel`` values)."""
VERSIONS = (2,)
"""The versioned formats: ``{"version": 2, "policies": {...}}``."""
_V2_KEYS = ("version", "policies", "environments", "exceptions")
_RESERVED = "environments"
"""The one reserved top-level key of an unversioned file."""


class PolicyConfigError(ValueError):
    """The policy config is not one the pack can run with: one line naming the key (``<policy>.<property>``), the
    bad value and the allowed values."""


def validate_policy_config(document: Mapping[str, Any], base_dir: Path | None = None) -> dict[str, Any]:
    """The policy entries of ``document`` (``{policy or "all": level or object}``, a version 2 file's ``policies``
    unwrapped) once every one of them is valid; raises :class:`PolicyConfigError` at the first that is not.
    ``base_dir`` resolves a relative ``catalogOverlay`` (as :func:`.settings.read_settings` does)."""
    entries = _entries(document)
    names = tuple(spec.name for spec in CHALK_POLICIES)
    for name, value in entries.items():
        if name == ALL:
            _check_all(value)
        elif name not in names:
            raise PolicyConfigError(f"{_show(name)} is not a policy of the chalk-media pack; allowed: "
                                    f"{', '.join((ALL, *names))}")
        elif isinstance(value, str):
            _check_level(name, value)
        elif isinstance(value, Mapping):
            if ENFORCEMENT_LEVEL in value:
                _check_level(f"{name}.{ENFORCEMENT_LEVEL}", value[ENFORCEMENT_LEVEL])
            check_properties(name, {key: item for key, item in value.items() if key != ENFORCEMENT_LEVEL}, base_dir)
        else:
            raise PolicyConfigError(_not_an_entry(name, value))
    return dict(entries)


def check_properties(policy: str, properties: Mapping[str, Any], base_dir: Path | None = None) -> None:
    """One policy's properties: each a key of the schema and of its shape (what the engine checks), then read as the
    pack reads them and planned against the catalog they select (what would otherwise stop the policy at run
    time)."""
    for key, value in properties.items():
        if key not in CONFIG_SCHEMA:
            raise PolicyConfigError(f"{policy}.{_show_key(key)} is not a setting of the chalk-media policies; "
                                    f"allowed: {', '.join(CONFIG_SCHEMA)}")
        problem = schema_problem(CONFIG_SCHEMA[key], value, f"{policy}.{key}", enums=False)
        if problem:
            raise PolicyConfigError(problem)
    _check_settings(policy, properties, base_dir)
    for key, value in properties.items():  # enumerations last: the catalog's messages say more (what a value is)
        problem = schema_problem(CONFIG_SCHEMA[key], value, f"{policy}.{key}")
        if problem:
            raise PolicyConfigError(problem)


def _entries(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The policy entries: the whole document, or a version 2 file's ``policies``; reserved keys checked."""
    version = document.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):  # a JSON number: a versioned file
        if version not in VERSIONS:
            raise PolicyConfigError(f"version is {_show(version)}; allowed: {', '.join(map(str, VERSIONS))} (or no "
                                    "version: policy names at the top level)")
        unknown = [key for key in document if key not in _V2_KEYS]
        if unknown:
            raise PolicyConfigError(f"{_show_key(unknown[0])} is not a key of a version 2 policy config; allowed: "
                                    f"{', '.join(_V2_KEYS)}")
        _check_offline(document, "exceptions", "policy exceptions are not applied offline; allowed: none (the "
                                               "engine applies them under pulumi preview)")
        _check_offline(document, _RESERVED, "ESC environments cannot be resolved offline; allowed: none (copy the "
                                            "values the policies need into the config)")
        policies = document.get("policies")
        if policies is None:
            return {}
        if not isinstance(policies, Mapping):
            raise PolicyConfigError(f"policies is {_show(policies)}; allowed: an object of policy names")
        return policies
    _check_offline(document, _RESERVED, "ESC environments cannot be resolved offline; allowed: none (copy the values "
                                        "the policies need into the config)")
    return {key: value for key, value in document.items() if key != _RESERVED}


def _check_offline(document: Mapping[str, Any], key: str, why: str) -> None:
    """A key that only the engine can act on: absent or empty, else refused (never silently ignored)."""
    value = document.get(key)
    if value is None or (isinstance(value, list | Mapping) and not value):
        return
    raise PolicyConfigError(f"{key} is {_show(value)}: {why}")


def _check_all(value: Any) -> None:
    if isinstance(value, str):
        _check_level(ALL, value)
    elif isinstance(value, Mapping):
        if ENFORCEMENT_LEVEL in value:
            _check_level(f"{ALL}.{ENFORCEMENT_LEVEL}", value[ENFORCEMENT_LEVEL])
        others = [key for key in value if key != ENFORCEMENT_LEVEL]
        if others:
            raise PolicyConfigError(f"{ALL}.{_show_key(others[0])} is set, but Pulumi applies only the "
                                    f"{ENFORCEMENT_LEVEL} of '{ALL}'; allowed: {ENFORCEMENT_LEVEL} (give settings to "
                                    "each policy)")
    else:
        raise PolicyConfigError(_not_an_entry(ALL, value))


def _check_level(where: str, value: Any) -> None:
    if not isinstance(value, str) or value not in LEVELS:
        raise PolicyConfigError(f"{where} is {_show(value)}; allowed: {', '.join(LEVELS)}")


def _not_an_entry(name: str, value: Any) -> str:
    return (f"{name} is {_show(value)}; allowed: an enforcement level ({', '.join(LEVELS)}) or an object of "
            f"{ENFORCEMENT_LEVEL} and settings ({', '.join(CONFIG_SCHEMA)})")


def _check_settings(policy: str, properties: Mapping[str, Any], base_dir: Path | None) -> None:
    """The properties read by the pack's own reader and planned against their catalog: the same functions and
    messages as at run time (where a policy reports them as "Cannot check Chalk egress")."""
    from ..catalog import load_catalog
    from ..catalog.errors import CatalogError
    from .settings import POLICY_CONFIG, PolicySettingsError, read_settings

    # Without regions, check option and encryption against every region: the settings of whatever source applies.
    given = {"regions": [ALL], **properties, "fromStackConfig": False}
    try:
        settings = read_settings(given, {}, None, base_dir)
    except PolicySettingsError as exc:
        raise PolicyConfigError(f"{policy}.{str(exc).removeprefix(f'{POLICY_CONFIG}: ')}") from None
    try:
        load_catalog(overlay=settings.overlay)
    except CatalogError as exc:
        raise PolicyConfigError(f"{policy}.catalogOverlay: {exc.summary}; allowed: a valid catalog overlay file, "
                                f"absolute or relative to {base_dir or Path.cwd()}") from None
    try:
        settings.resolve()
    except PolicySettingsError as exc:
        raise PolicyConfigError(f"{policy}.{str(exc).removeprefix(f'{POLICY_CONFIG}: ')}") from None


# --- the JSON Schema keywords CONFIG_SCHEMA uses --------------------------------------------------------------------

_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
          "array": "a list", "object": "an object"}


def schema_problem(schema: Mapping[str, Any], value: Any, where: str, *, enums: bool = True) -> str | None:
    """What is wrong with ``value`` under ``schema`` (the keywords :data:`.schema.CONFIG_SCHEMA` uses: ``type``,
    ``enum``, ``items``, ``minItems``, ``minLength``, ``properties``, ``required``, ``additionalProperties``), as
    one line naming ``where``, the value and what is allowed; None when it fits. ``enums=False`` skips ``enum``."""
    type_name = schema.get("type")
    if type_name is not None and not _is_type(type_name, value):
        return f"{where} is {_show(value)}; allowed: {allowed(schema)}"
    if enums and "enum" in schema and not any(_equal(value, item) for item in schema["enum"]):
        return f"{where} is {_show(value)}; allowed: {allowed(schema)}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return f"{where} is {_show(value)}; allowed: {allowed(schema)}"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{where} is {_show(value)}; allowed: {allowed(schema)}"
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                problem = schema_problem(items, item, f"{where}[{index}]", enums=enums)
                if problem:
                    return problem
    if isinstance(value, Mapping):
        return _object_problem(schema, value, where, enums)
    return None


def _object_problem(schema: Mapping[str, Any], value: Mapping[str, Any], where: str, enums: bool) -> str | None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    for key in schema.get("required", ()):
        if key not in value:
            return f"{where} is {_show(value)}, without {key}; allowed: {allowed(schema)}"
    for key, item in value.items():
        if key in properties:
            problem = schema_problem(properties[key], item, f"{where}.{key}", enums=enums)
            if problem:
                return problem
        elif schema.get("additionalProperties") is False:
            return f"{where}.{_show_key(key)} is not a key of {where}; allowed: {', '.join(properties)}"
    return None


def allowed(schema: Mapping[str, Any]) -> str:
    """What ``schema`` allows, in words: ``1, 2, 3``; ``a non-empty list of strings``; ``an object {"key": a
    non-empty string (required), "value": a string}``."""
    if "enum" in schema:
        return ", ".join(str(item) for item in schema["enum"])
    type_name = schema.get("type")
    if type_name == "array":
        items = schema.get("items")
        what = f"a list of {_plural(allowed(items))}" if isinstance(items, Mapping) else "a list"
        return what.replace("a list", "a non-empty list", 1) if schema.get("minItems", 0) >= 1 else what
    if type_name == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        fields = ", ".join(f'"{key}": {allowed(item)}{" (required)" if key in required else ""}'
                           for key, item in schema["properties"].items())
        return f"an object {{{fields}}}"
    if type_name == "string" and schema.get("minLength", 0) >= 1:
        return "a non-empty string"
    return _TYPES.get(str(type_name), "any value")


def _plural(phrase: str) -> str:
    """``a string`` -> ``strings``, ``a non-empty string`` -> ``non-empty strings``."""
    words = phrase.split(" ", 1)
    return f"{words[1]}s" if len(words) == 2 and words[0] in ("a", "an") else phrase


def _is_type(type_name: str, value: Any) -> bool:
    """JSON Schema's types over what ``json.loads`` returns (a whole float is an integer, a bool is no number)."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return type_name == "number" or isinstance(value, int) or (math.isfinite(value) and value.is_integer())
    if type_name == "array":
        return isinstance(value, list | tuple)
    if type_name == "object":
        return isinstance(value, Mapping)
    return True


def _equal(value: Any, item: Any) -> bool:
    return type(value) is not bool and value == item if type(item) is not bool else value is item


def _show(value: Any) -> str:
    """A value as the message shows it: ``repr``, cut to a readable length (a list by its first items)."""
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 10:
        return f"[{join_some(repr(item) for item in value)}]"
    return clip(repr(value))


def _show_key(key: Any) -> str:
    return clip(str(key))
