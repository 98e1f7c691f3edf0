"""Load a Pulumi project's stack configuration the way the Pulumi CLI does, without the CLI.

Mirrors, for a local project (no backend, no ESC environments, no secrets provider):

- ``sdk/go/common/workspace/project.go``: the ``config:`` block of ``Pulumi.yaml`` (full declarations with
  ``type``/``items``/``description``/``default``/``value``/``secret``, and the shorthand where a project key's
  scalar is a *default* and a namespaced key's scalar is a *value*), ``Project.Validate`` and
  ``ValidateConfigValue``;
- ``pkg/workspace/config.go`` ``mergeConfig``: stack values win over project values and defaults, project keys
  with neither are required ("Stack 'dev' is missing configuration values 'a' and 'b'"), then every typed key is
  validated against the merged value;
- ``sdk/go/common/resource/config``: stack file keys must be ``<namespace>:<name>`` (``<ns>:config:<name>`` is
  accepted and normalised), scalars reach the program as strings (``true``, ``443``), lists and maps as compact
  JSON, and ``{secure: ...}`` values are ciphertext.

Ciphertext cannot be decrypted offline: such keys must be overridden (``--config KEY=VALUE``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import PULUMI, UserFileError, parse_json
from ..text import join_some, show

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml", "Pulumi.json")
STACK_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")
_DECLARATION_KEYS = frozenset({"type", "items", "description", "default", "value", "secret"})
_INTEGER_TEXT_RE = re.compile(r"^[+-]?[0-9]+$")  # what Go's strconv.Atoi accepts


class StackConfigError(ValueError):
    """The project or stack configuration can't be loaded; the message is one line naming file and key."""


@dataclass(frozen=True)
class StackConfig:
    """A stack's merged configuration, ready to hand to a program."""

    project: str
    stack: str
    project_dir: Path
    project_file: Path
    stack_file: Path
    values: Mapping[str, Any]
    """``{full_key: python value}``: strings, numbers, booleans, lists, maps (after merging)."""
    config: Mapping[str, str]
    """``{full_key: str}`` as the engine passes it to the program (``PULUMI_CONFIG``)."""
    secret_keys: tuple[str, ...] = ()
    main: str | None = None
    """The project's ``main:`` (program location relative to the project dir), if set."""
    overridden: tuple[str, ...] = field(default=())
    """Keys whose values came from overrides rather than the files."""

    def get(self, key: str, default: Any = None) -> Any:
        """A value by full key, or by project key (``awsRulesPerGroup`` means ``<project>:awsRulesPerGroup``)."""
        return self.values.get(key if ":" in key else f"{self.project}:{key}", default)


# --- YAML as go-yaml v3 reads it --------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    """A project or stack file, through the shared loader of users' files (:mod:`chalk_policy.files`): YAML 1.2
    core-schema scalars like the CLI's go-yaml v3, size and nesting bounded, aliases within a budget, keys scalar
    and set once."""
    from ..files import PULUMI, UserFileError
    from ..files.yamldoc import read_yaml

    try:
        return read_yaml(path, PULUMI)
    except UserFileError as exc:
        if exc.syntax == "YAML" and exc.line is not None:
            raise StackConfigError(f"{path}: malformed YAML (line {exc.line}, column {exc.column}): {exc.reason}") \
                from None
        raise StackConfigError(str(exc)) from None


# --- values as the engine passes them ---------------------------------------------------------------------


def _go_json(value: Any) -> str:
    """JSON like Go's encoding/json: compact, sorted keys, whole floats without '.0', HTML characters escaped."""

    def norm(v: Any) -> Any:
        if isinstance(v, float) and math.isfinite(v) and v == math.trunc(v) and abs(v) < 1e21:
            return int(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        return v

    text = json.dumps(norm(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def engine_string(value: Any) -> str:
    """The string the engine passes for a config value: strings as-is, scalars as JSON, structures as JSON."""
    if isinstance(value, str):
        return value
    return _go_json(value)


def _is_structured(value: Any) -> bool:
    return isinstance(value, (list, dict)) or value is None


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("secure"), str):
            return True
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


# --- types: ValidateConfigValue ---------------------------------------------------------------------------


def full_type_name(type_name: str, items: Mapping[str, Any] | None) -> str:
    """``InferFullTypeName``: ``array<integer>`` for arrays, the type name otherwise."""
    if items is not None:
        return f"array<{full_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def validate_config_value(type_name: str, items: Mapping[str, Any] | None, value: Any) -> bool:
    """``ValidateConfigValue``: does ``value`` (a string, or a decoded structure) fit the declared type?"""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value == math.trunc(value) if math.isfinite(value) else False
        return isinstance(value, str) and bool(_INTEGER_TEXT_RE.match(value))
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(validate_config_value(str(items.get("type")), items.get("items"), item) for item in value)


# --- keys ------------------------------------------------------------------------------------------------


def parse_key(key: str) -> str | None:
    """``config.ParseKey``: ``ns:name`` or the old ``ns:config:name``; None when the key has another shape."""
    parts = key.split(":")
    if len(parts) == 2:
        return key
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return f"{parts[0]}:{parts[2]}"
    return None


def _full_project_key(project: str, key: str) -> str | None:
    return f"{project}:{key}" if ":" not in key else parse_key(key)


def _is_project_key(project: str, key: str) -> bool:
    return ":" not in key or key.startswith(project + ":")


# --- files -----------------------------------------------------------------------------------------------


def find_project_file(project_dir: Path) -> Path | None:
    for name in PROJECT_FILES:
        if (project_dir / name).is_file():
            return project_dir / name
    return None


def find_project_dir(start: Path) -> Path | None:
    """The nearest directory from ``start`` upwards that holds a Pulumi project file (like the CLI)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if find_project_file(directory) is not None:
            return directory
    return None


def available_stacks(stack_dir: Path, ext: str) -> list[str]:
    prefix = "Pulumi."
    names = []
    if stack_dir.is_dir():
        for path in stack_dir.iterdir():
            name = path.name
            if path.is_file() and name.startswith(prefix) and name.endswith(ext):
                stack = name[len(prefix):-len(ext)]
                if stack and STACK_NAME_RE.match(stack) and not stack.endswith(".deploy"):
                    names.append(stack)
    return sorted(names)


def _load_project(project_file: Path) -> tuple[str, dict[str, Any], str, str | None]:
    raw = _read_yaml(project_file)
    if not isinstance(raw, dict):
        raise StackConfigError(f"{project_file}: expected a mapping with 'name' and 'runtime'")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise StackConfigError(f"{project_file}: project is missing a non-empty string 'name' attribute")
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise StackConfigError(f"{project_file}: name: {show(name)} is not a valid project name; "
                               "allowed: letters, digits, '_', '.', '-'")
    if "runtime" not in raw:
        raise StackConfigError(f"{project_file}: project is missing a 'runtime' attribute")
    config = raw.get("config")
    stack_dir = raw.get("stackConfigDir")
    if isinstance(config, str):  # legacy `config: <dir>` (RewriteConfigPathIntoStackConfigDir)
        if stack_dir is not None:
            raise StackConfigError(f"{project_file}: Should not use both config and stackConfigDir to define the "
                                   "stack directory. Use only stackConfigDir instead.")
        stack_dir, config = config, None
    if stack_dir is not None and not isinstance(stack_dir, str):
        raise StackConfigError(f"{project_file}: stackConfigDir: expected a string, got {show(stack_dir)}")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{project_file}: config: expected a mapping of keys to declarations")
    main = raw.get("main")
    if main is not None and not isinstance(main, str):
        raise StackConfigError(f"{project_file}: main: expected a string, got {show(main)}")
    return name, _declarations(project_file, name, config), stack_dir or "", main


def _declarations(project_file: Path, project: str, config: dict[Any, Any]) -> dict[str, Any]:
    """``config:`` after ``RewriteShorthandConfigValues`` and ``Project.Validate``."""
    declarations: dict[str, Any] = {}
    for key, decl in config.items():
        where = f"{project_file}: config.{key}"
        if not isinstance(key, str) or not key:
            raise StackConfigError(f"{project_file}: config: key {show(key)} is not a string")
        if _full_project_key(project, key) is None:
            raise StackConfigError(f"{where}: could not parse {key} as a configuration key "
                                   "(configuration keys should be of the form `<namespace>:<name>`)")
        declarations[key] = _declaration(where, project, key, decl)
    return declarations


def _declaration(where: str, project: str, key: str, decl: Any) -> dict[str, Any]:
    """One ``config:`` entry as a declaration, checked like ``Project.Validate``."""
    project_key = _is_project_key(project, key)
    if isinstance(decl, (str, bool, int, list)) and not isinstance(decl, float):
        decl = {"default": decl} if project_key else {"value": decl}
    elif not isinstance(decl, dict):
        raise StackConfigError(f"{where}: expected a string, integer, boolean, array or a declaration "
                               f"with type/items/description/default/value/secret, got {show(decl)}")
    unknown = sorted(set(map(str, decl)) - _DECLARATION_KEYS)
    if unknown:
        raise StackConfigError(f"{where}: '{unknown[0]}' not allowed; the allowed attributes are "
                               "'default', 'description', 'items', 'secret', 'type' and 'value'")
    type_name = decl.get("type")
    if type_name is not None and type_name not in CONFIG_TYPES:
        raise StackConfigError(f"{where}: type: {show(type_name)} is not a config type; allowed: "
                               + ", ".join(CONFIG_TYPES))
    if "secret" in decl and not isinstance(decl["secret"], bool):
        raise StackConfigError(f"{where}: secret: expected true or false, got {show(decl['secret'])}")
    _check_items(where, decl.get("items"))
    has_default, has_value = decl.get("default") is not None, decl.get("value") is not None
    if has_default and has_value:
        raise StackConfigError(f"{where}: project config '{key}' cannot have both a 'default' and 'value' "
                               "attribute")
    _check_scope(where, key, decl, project_key)
    return dict(decl)


def _check_scope(where: str, key: str, decl: dict[str, Any], project_key: bool) -> None:
    """Project keys may declare a type and default; other namespaces need a value and nothing else."""
    type_name = decl.get("type")
    has_default, has_value = decl.get("default") is not None, decl.get("value") is not None
    if project_key:
        if type_name == "array" and decl.get("items") is None:
            raise StackConfigError(f"{where}: The configuration key '{key}' declares an array but does not "
                                   "specify the underlying type via the 'items' attribute")
        if type_name is not None and has_default and not validate_config_value(
                type_name, decl.get("items"), decl["default"]):
            raise StackConfigError(f"{where}: The default value specified for configuration key '{key}' is "
                                   f"not of the expected type '{full_type_name(type_name, decl.get('items'))}'")
    else:
        if type_name is not None:
            raise StackConfigError(f"{where}: Configuration key '{key}' is not namespaced by the project and "
                                   "should not define a type")
        if has_default:
            raise StackConfigError(f"{where}: Configuration key '{key}' is not namespaced by the project and "
                                   "should not define a default value. Did you mean to use the 'value' "
                                   "attribute instead of 'default'?")
        if not has_value:
            raise StackConfigError(f"{where}: Configuration key '{key}' is namespaced and must provide an "
                                   "attribute 'value'")


def _check_items(where: str, items: Any) -> None:
    if items is None:
        return
    if not isinstance(items, dict) or "type" not in items:
        raise StackConfigError(f"{where}: items: expected a mapping with a 'type'")
    if items["type"] not in CONFIG_TYPES:
        raise StackConfigError(f"{where}: items.type: {show(items['type'])} is not a config type; allowed: "
                               + ", ".join(CONFIG_TYPES))
    if items["type"] == "array" and items.get("items") is None:
        raise StackConfigError(f"{where}: items: an array needs 'items'")
    _check_items(where, items.get("items"))


def _load_stack_file(stack_file: Path, stack: str) -> dict[str, Any]:
    raw = _read_yaml(stack_file)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise StackConfigError(f"{stack_file}: expected a mapping with 'config'")
    if raw.get("environment"):
        raise StackConfigError(f"{stack_file}: environment: ESC environments can't be resolved offline; "
                               "copy the values this stack needs into 'config'")
    config = raw.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{stack_file}: config: expected a mapping of '<namespace>:<name>' keys to values")
    values: dict[str, Any] = {}
    for key, value in config.items():
        full = parse_key(key) if isinstance(key, str) else None
        if full is None:
            raise StackConfigError(f"{stack_file}: config: could not parse {key} as a configuration key "
                                   "(configuration keys should be of the form `<namespace>:<name>`)")
        if full in values:
            raise StackConfigError(f"{stack_file}: config.{key}: duplicate configuration key {full}")
        values[full] = value
    return values


def _parse_override(key: str, text: str) -> Any:
    """``--config key=value``: JSON arrays and objects become structured values, anything else a string. The JSON is
    read by the loader of users' files, under the limits of a stack file (nesting depth, size, duplicate keys)."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return parse_json(stripped, f"--config {key}", PULUMI)
        except UserFileError as exc:
            if not exc.is_syntax:
                raise StackConfigError(str(exc)) from None
    return text


def load_stack_config(project_dir: str | Path, stack: str, overrides: Mapping[str, str] | None = None) -> StackConfig:
    """Load ``Pulumi.yaml`` and ``<stackConfigDir>/Pulumi.<stack>.yaml`` and merge them like ``pulumi preview``.

    ``overrides`` (``{key: text}``, keys with or without namespace) act like ``pulumi config set`` before the run:
    they win over the stack file, replace ``secure:`` values that can't be decrypted offline, and stay secret
    when the key was secret. A text starting with ``[`` or ``{`` that parses as JSON is a structured value.
    """
    root = Path(project_dir)
    project_file = find_project_file(root)
    if project_file is None:
        raise StackConfigError(f"{root / 'Pulumi.yaml'}: no Pulumi project file (Pulumi.yaml) in {root}")
    project, declarations, stack_dir_text, main = _load_project(project_file)
    stack_dir = root / stack_dir_text
    ext = project_file.suffix
    if not isinstance(stack, str) or not STACK_NAME_RE.match(stack):
        raise StackConfigError(f"stack name {show(stack)} is not valid; allowed: 1-100 letters, digits, '_', '.', '-'")
    stack_file = stack_dir / f"Pulumi.{stack}{ext}"
    if not stack_file.is_file():
        known = available_stacks(stack_dir, ext)
        listing = join_some(known) if known else "none"
        raise StackConfigError(
            f"{stack_file}: no such stack file for stack '{stack}'; stacks in {stack_dir}: {listing}")

    stack_values = _load_stack_file(stack_file, stack)
    overridden, secret_from_override = _apply_overrides(project, stack_values, overrides or {})
    secure = sorted(k for k, v in stack_values.items() if _contains_secure(v))
    if secure:
        names = join_some(secure)
        raise StackConfigError(
            f"{stack_file}: config {names}: {'is a secure value' if len(secure) == 1 else 'are secure values'} "
            f"(ciphertext) that can't be decrypted offline; override {'it' if len(secure) == 1 else 'them'}, "
            f"e.g. --config {secure[0]}=VALUE")

    merged, from_project = _merge_project(project, declarations, stack_values, stack, stack_file)
    secret_keys = _validate_values(project, declarations, merged, _Origins(
        stack, project_file, stack_file, from_project, overridden), secret_from_override)
    return StackConfig(
        project=project, stack=stack, project_dir=root, project_file=project_file, stack_file=stack_file,
        values=dict(sorted(merged.items())),
        config={k: engine_string(v) for k, v in sorted(merged.items())},
        secret_keys=tuple(sorted(secret_keys)), main=main, overridden=tuple(overridden))


def _apply_overrides(project: str, stack_values: dict[str, Any], overrides: Mapping[str, str]
                     ) -> tuple[list[str], set[str]]:
    """``--config`` values over the stack file's; the keys overridden, and those that replaced a secure value."""
    overridden: list[str] = []
    secret_from_override: set[str] = set()
    for key, text in overrides.items():
        full = _full_project_key(project, key)
        if full is None:
            raise StackConfigError(f"--config {key}: could not parse {key} as a configuration key "
                                   "(configuration keys should be of the form `<namespace>:<name>` or `<name>`)")
        if full in stack_values and _contains_secure(stack_values[full]):
            secret_from_override.add(full)
        stack_values[full] = _parse_override(key, text)
        overridden.append(full)
    return overridden, secret_from_override


def _merge_project(project: str, declarations: dict[str, Any], stack_values: dict[str, Any], stack: str,
                   stack_file: Path) -> tuple[dict[str, Any], set[str]]:
    """mergeConfig: project values/defaults where the stack has none (and the keys they filled); a project key
    with neither is missing."""
    merged = dict(stack_values)
    from_project: set[str] = set()
    missing: list[str] = []
    for key in sorted(declarations):
        decl = declarations[key]
        full = _full_project_key(project, key)
        assert full is not None
        if full in merged:
            continue
        default, value = decl.get("default"), decl.get("value")
        if default is None and value is None:
            if full.split(":", 1)[0] == project:
                missing.append(key)
            continue
        merged[full] = default if default is not None else value
        from_project.add(full)
    if missing:
        raise StackConfigError(f"{stack_file}: {_missing_message(stack, missing)}")
    return merged, from_project


@dataclass(frozen=True)
class _Origins:
    """Where each merged value came from, for messages."""

    stack: str
    project_file: Path
    stack_file: Path
    from_project: set[str]
    overridden: list[str]

    def of(self, full: str) -> Path:
        return self.project_file if full in self.from_project else self.stack_file


def _validate_values(project: str, declarations: dict[str, Any], merged: dict[str, Any], origins: _Origins,
                     secret_from_override: set[str]) -> set[str]:
    """validateStackConfigValues: every typed key against the merged value; the secret keys."""
    secret_keys = set(secret_from_override)
    for key in sorted(declarations):
        decl = declarations[key]
        full = _full_project_key(project, key)
        assert full is not None
        if decl.get("secret") and full in merged:
            if full in origins.overridden:
                secret_keys.add(full)
            elif decl.get("type") is not None:
                raise StackConfigError(f"{origins.of(full)}: Stack '{origins.stack}' with configuration key '{key}' "
                                       "must be encrypted as it's secret")
        type_name = decl.get("type")
        if type_name is None or full not in merged:
            continue
        value = merged[full]
        content = value if _is_structured(value) else engine_string(value)
        if not validate_config_value(type_name, decl.get("items"), content):
            origin = "--config" if full in origins.overridden else str(origins.of(full))
            raise StackConfigError(
                f"{origin}: Stack '{origins.stack}' with configuration key '{key}' must be of type "
                f"'{full_type_name(type_name, decl.get('items'))}' (got {_short(value)})")
    return secret_keys


def _missing_message(stack: str, keys: list[str]) -> str:
    """``missingStackConfigurationKeysError``, word for word."""
    if len(keys) == 1:
        return f"Stack '{stack}' is missing configuration value '{keys[0]}'"
    keys = sorted(keys)
    quoted = [f"'{k}'" for k in keys]
    return f"Stack '{stack}' is missing configuration values {', '.join(quoted[:-1])} and {quoted[-1]}"


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- where a value came from, for the messages of checks made after loading ----------------------------------------


def value_origin(config: StackConfig, key: str) -> str:
    """Where the value of ``key`` (a project key such as ``option``, or a full key) came from, to name it in a
    message: ``--config`` when an override set it, else the stack file when that sets it, else the project file
    (whose default or value it is)."""
    full = _full_project_key(config.project, key) or key
    if full in config.overridden:
        return "--config"
    try:
        in_stack_file = full in _load_stack_file(config.stack_file, config.stack)
    except StackConfigError:  # it loaded a moment ago; should it not now, the stack file is still the best guess
        in_stack_file = True
    return str(config.stack_file if in_stack_file else config.project_file)
