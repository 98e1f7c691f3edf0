"""Load and validate catalog files.

``load_catalog()`` returns the catalog shipped with the package; ``load_catalog(path)`` a user's own
file; ``overlay=`` adds or overrides regions, ranges and hosts on top (see :mod:`.overlay`).
Every problem in a file is collected and raised together as one :class:`CatalogError`.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import netaddr
import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import CatalogError, Problem
from .models import Catalog

DEFAULT_CATALOG = "chalk-catalog.yaml"
_KEYED_LISTS = {"regions", "port_options", "encryption_modes", "annotation_proxies"}
_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "tuple": "a list",
    "dict": "a mapping",
    "NoneType": "nothing (null)",
}
_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def default_catalog_text() -> str:
    return resources.files("chalk_policy.catalog").joinpath("data", DEFAULT_CATALOG).read_text(encoding="utf-8")


def load_catalog(path: str | Path | None = None, *, overlay: str | Path | None = None) -> Catalog:
    """Load a catalog file (the packaged one when ``path`` is None), optionally with an overlay on top."""
    if path is None and overlay is None:
        return _packaged_catalog()
    if path is None:
        filename, raw = DEFAULT_CATALOG, read_yaml_text(default_catalog_text(), DEFAULT_CATALOG)
    else:
        filename, raw = str(path), read_yaml_file(path)
    if overlay is None:
        return validate_catalog(raw, filename)
    from .overlay import apply_overlay  # local import: overlay builds on this module

    validate_catalog(raw, filename)  # the base must be sound on its own before anything is layered on it
    merged = apply_overlay(raw, read_yaml_file(overlay), str(overlay))
    return validate_catalog(merged, f"{overlay} (merged onto {filename})")


@functools.cache
def _packaged_catalog() -> Catalog:
    """The catalog shipped in the package never changes while a process runs, and the Catalog is frozen: parse
    and validate it once (the components and each policy of the pack ask for it)."""
    return validate_catalog(read_yaml_text(default_catalog_text(), DEFAULT_CATALOG), DEFAULT_CATALOG)


def read_yaml_file(path: str | Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([Problem(str(path), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([Problem(str(path), "", f"cannot be read: {exc}")]) from None
    return read_yaml_text(text, str(path))


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys: PyYAML would silently keep the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}; each key may appear once per mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml_text(text: str, filename: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or "syntax error"
        raise CatalogError([Problem(filename, "", f"is not valid YAML{where}: {reason}")]) from None
    if data is None:
        raise CatalogError([Problem(filename, "", "the file is empty; expected a YAML mapping with 'schema', "
                                                  "'version', 'sources', 'port_options', 'encryption_modes', "
                                                  "'hosts' and 'regions'")])
    if not isinstance(data, dict):
        raise CatalogError([Problem(filename, "", f"expected a YAML mapping at the top, got {_type_name(data)}")])
    return data


def validate_catalog(raw: Mapping[str, Any], filename: str) -> Catalog:
    """Validate parsed YAML; raise one CatalogError listing every problem."""
    problems = list(cross_check(raw, filename))
    catalog: Catalog | None = None
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_translate(error, raw, filename) for error in _real_errors(exc))
    if problems or catalog is None:
        raise CatalogError(problems)
    return catalog


# --- checks across the file -------------------------------------------------------------------------


def cross_check(raw: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    """Checks that compare values with each other. Tolerant: skips entries too broken to compare."""
    if raw.get("schema") not in (None, 1):
        yield Problem(filename, "schema", f"{raw.get('schema')!r} is not a supported schema; allowed: 1")
    sources = raw.get("sources")
    defined = sorted(str(key) for key in sources) if isinstance(sources, dict) else []
    for path, value in _walk_sources(raw) if defined else ():  # no sources at all is reported once, by pydantic
        if isinstance(value, str) and value not in defined:
            yield Problem(filename, path, f"{value!r} is not defined in 'sources'; defined: {', '.join(defined)}")

    for section, label in (("regions", "region"), ("port_options", "port option"),
                           ("encryption_modes", "encryption mode"), ("annotation_proxies", "annotation proxy")):
        yield from _duplicates(raw, filename, section, "id", label)
    yield from _duplicate_hosts(raw, filename)
    recommended = [f"port_options[{i}]" for i, option in enumerate(_entries(raw, "port_options"))
                   if option.get("recommended") is True]
    if len(recommended) > 1:
        yield Problem(filename, "port_options", f"{', '.join(recommended)} are all recommended; "
                                                "allowed: at most one recommended option")

    proxies = [entry.get("id") for entry in _entries(raw, "annotation_proxies")]
    for r_index, region in enumerate(_entries(raw, "regions")):
        ref = region.get("annotation_proxy")
        if isinstance(ref, dict) and isinstance(ref.get("id"), str) and ref["id"] not in proxies:
            yield Problem(filename, f"regions[{_label(region, r_index)}].annotation_proxy.id",
                          f"{ref['id']!r} is not an annotation proxy of this catalog; "
                          f"allowed: {', '.join(str(p) for p in proxies) or 'none defined'}")
    yield from _overlaps(raw, filename)


def _entries(raw: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    value = raw.get(section)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _label(entry: Mapping[str, Any], index: int) -> str:
    """The entry's id where it has a string id; else its position (an integer id would read as a position)."""
    key = entry.get("id")
    return key if isinstance(key, str) else str(index)


def _duplicates(raw: Mapping[str, Any], filename: str, section: str, key: str, label: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    items = raw.get(section)
    for index, entry in enumerate(items if isinstance(items, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get(key), (str, int)):
            continue
        if entry[key] in seen:
            yield Problem(filename, f"{section}[{index}].{key}",
                          f"{entry[key]!r} is a duplicate; each {label} id must be unique")
        seen.add(entry[key])


def _duplicate_hosts(raw: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    seen: set[tuple[str, Any]] = set()
    items = raw.get("hosts")
    for index, entry in enumerate(items if isinstance(items, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("host"), str):
            key = (entry["host"], entry.get("path"))
            if key in seen:
                yield Problem(filename, f"hosts[{index}].host",
                              f"{entry['host']!r} is listed twice; each host (and path) must be listed once")
            seen.add(key)


def _overlaps(raw: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    located: list[tuple[str, str, netaddr.IPNetwork]] = []
    seen: set[str] = set()
    for r_index, region in enumerate(_entries(raw, "regions")):
        if isinstance(region.get("id"), str):
            if region["id"] in seen:
                continue  # a duplicate region is reported as such, not as overlapping itself
            seen.add(region["id"])
        cidrs = region.get("cidrs")
        for c_index, entry in enumerate(cidrs if isinstance(cidrs, list) else []):
            value = entry.get("cidr") if isinstance(entry, dict) else None
            try:
                network = netaddr.IPNetwork(value) if isinstance(value, str) and "/" in value else None
            except (netaddr.AddrFormatError, ValueError):
                network = None
            if network is not None and network.version == 4:
                located.append((str(region.get("id", r_index)), f"regions[{_label(region, r_index)}].cidrs[{c_index}]",
                                network.cidr))
    for i, (region_a, path_a, net_a) in enumerate(located):
        for region_b, path_b, net_b in located[i + 1:]:
            if net_a.first <= net_b.last and net_b.first <= net_a.last:
                what = "another region's range" if region_a != region_b else "another range of the same region"
                yield Problem(filename, path_b, f"{str(net_b)!r} overlaps {path_a} {str(net_a)!r} ({what}); "
                                                "allowed: each address in one range of one region")


def _walk_sources(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and not path:
                continue
            child = f"{path}.{key}" if path else str(key)
            if key == "source":
                yield child, value
            else:
                yield from _walk_sources(value, child)
    elif isinstance(node, list):
        section = path.rsplit(".", 1)[-1]
        for index, value in enumerate(node):
            label = _label(value, index) if isinstance(value, dict) and section in _KEYED_LISTS else str(index)
            yield from _walk_sources(value, f"{path}[{label}]")


# --- pydantic errors in the catalog's own words -----------------------------------------------------


def _real_errors(exc: ValidationError) -> list[ErrorDetails]:
    """Pydantic's errors, without "too short after validation" for a non-empty list whose items failed."""
    return [error for error in exc.errors(include_url=False)
            if not (error["type"] == "too_short" and isinstance(error.get("input"), (list, tuple))
                    and len(error["input"]) > 0)]


def _translate(error: ErrorDetails, raw: Mapping[str, Any], filename: str, root: type[BaseModel] = Catalog) -> Problem:
    loc = tuple(error["loc"])
    value = error.get("input")
    kind = error["type"]
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1], root)
        message = f"unknown field {loc[-1]!r}; allowed fields: {', '.join(allowed)}"
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {_show(value)}"
    elif kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        message = f"{_show(value)} is not allowed; allowed: {expected.replace(' or ', ', ')}"
    elif kind in ("too_short", "string_too_short"):
        message = "must not be empty"
    elif kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = f"{error['msg']}; got {_show(value)}"
    return Problem(filename, render_path(loc, raw), message)


def render_path(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> str:
    """``('regions', 5, 'cidrs', 2, 'cidr')`` -> ``regions[jp1].cidrs[2]``: ids instead of list positions."""
    parts: list[str] = []
    node: Any = raw
    for index, elem in enumerate(loc):
        if isinstance(elem, int) and parts:
            entry = node[elem] if isinstance(node, list) and 0 <= elem < len(node) else None
            keyed = parts[-1].split("[")[0] in _KEYED_LISTS and isinstance(entry, dict)
            parts[-1] += f"[{_label(entry, elem) if keyed and entry is not None else elem}]"
            node = entry
        else:
            if elem == "cidr" and index == len(loc) - 1 and len(loc) >= 2 and isinstance(loc[-2], int):
                break  # a range is its entry: regions[jp1].cidrs[2], not regions[jp1].cidrs[2].cidr
            parts.append(str(elem))
            node = node.get(elem) if isinstance(node, dict) else None
    return ".".join(parts)


def _allowed_fields(loc: tuple[Any, ...], root: type[BaseModel] = Catalog) -> list[str]:
    model: Any = root
    for elem in loc:
        if isinstance(elem, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = next((f for name, f in model.model_fields.items() if elem in (name, f.alias)), None)
        model = _inner_model(field.annotation) if field is not None else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(f.alias or name for name, f in model.model_fields.items())
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple, list, dict, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _type_name(value)
    return f"{value!r} ({_type_name(value)})" if not isinstance(value, str) else repr(value)
