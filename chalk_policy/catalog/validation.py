"""Validate a catalog document: pydantic against :mod:`.models` for each value, and checks across the file.

Used for every catalog or overlay a user gives, and by the tests for the packaged catalog (which the command line
then reads without validating it, see :func:`chalk_policy.catalog.loader.load_catalog`). Every problem is
collected and raised together as one :class:`CatalogError`.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import netaddr
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ..text import clip, join_some, show
from .errors import TRANSLATED_PROBLEMS, CatalogError, Problem
from .models import Catalog, Record, ipv4_cidr, ipv4_span, ipv4_text
from .yamlfile import type_name

_KEYED_LISTS = {"regions", "port_options", "encryption_modes", "annotation_proxies"}
MAX_OVERLAPS_LISTED = 1000
"""Overlapping pairs of ranges listed one by one; more are counted in one last problem."""
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


@functools.cache
def _adapter() -> TypeAdapter[Catalog]:
    return TypeAdapter(Catalog)


def validate(raw: Mapping[str, Any], filename: str) -> Catalog:
    """Validate parsed YAML; raise one CatalogError listing every problem."""
    problems = list(cross_check(raw, filename))
    catalog: Catalog | None = None
    try:
        catalog = _adapter().validate_python(raw)
    except ValidationError as exc:
        described, omitted = translate_errors(exc, raw, filename)
        raise CatalogError([*problems, *described], omitted) from None
    if problems or catalog is None:
        raise CatalogError(problems)
    return catalog


def translate_errors(exc: ValidationError, raw: Mapping[str, Any], filename: str, root: Any = Catalog
                     ) -> tuple[list[Problem], int]:
    """Pydantic's errors as Problems, the first ``TRANSLATED_PROBLEMS`` of them; and how many more there were."""
    errors = _real_errors(exc)
    return ([_translate(error, raw, filename, root) for error in errors[:TRANSLATED_PROBLEMS]],
            max(len(errors) - TRANSLATED_PROBLEMS, 0))


# --- checks across the file -------------------------------------------------------------------------


def cross_check(raw: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    """Checks that compare values with each other. Tolerant: skips entries too broken to compare."""
    if raw.get("schema") not in (None, 1):
        yield Problem(filename, "schema", f"{raw.get('schema')!r} is not a supported schema; allowed: 1")
    sources = raw.get("sources")
    defined = sorted(str(key) for key in sources) if isinstance(sources, dict) else []
    known, listing = set(defined), join_some(defined)
    for path, value in _walk_sources(raw) if defined else ():  # no sources at all is reported once, by pydantic
        if isinstance(value, str) and value not in known:
            yield Problem(filename, path, f"{value!r} is not defined in 'sources'; defined: {listing}")

    for section, label in (("regions", "region"), ("port_options", "port option"),
                           ("encryption_modes", "encryption mode"), ("annotation_proxies", "annotation proxy")):
        yield from _duplicates(raw, filename, section, "id", label)
    yield from _duplicate_hosts(raw, filename)
    recommended = [f"port_options[{i}]" for i, option in enumerate(_entries(raw, "port_options"))
                   if option.get("recommended") is True]
    if len(recommended) > 1:
        yield Problem(filename, "port_options", f"{join_some(recommended)} are all recommended; "
                                                "allowed: at most one recommended option")

    proxies = [entry.get("id") for entry in _entries(raw, "annotation_proxies")]
    proxy_ids = {proxy for proxy in proxies if isinstance(proxy, str)}  # a reference is a string: only those match
    allowed_proxies = join_some(str(p) for p in proxies) or "none defined"
    for r_index, region in enumerate(_entries(raw, "regions")):
        ref = region.get("annotation_proxy")
        if isinstance(ref, dict) and isinstance(ref.get("id"), str) and ref["id"] not in proxy_ids:
            yield Problem(filename, f"regions[{_label(region, r_index)}].annotation_proxy.id",
                          f"{ref['id']!r} is not an annotation proxy of this catalog; allowed: {allowed_proxies}")
    yield from _overlaps(raw, filename)


def _entries(raw: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    value = raw.get(section)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _label(entry: Mapping[str, Any], index: int) -> str:
    """The entry's id where it has a string id; else its position (an integer id would read as a position)."""
    key = entry.get("id")
    return clip(key) if isinstance(key, str) else str(index)


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
        if isinstance(entry, dict) and isinstance(entry.get("host"), str) and isinstance(entry.get("path"),
                                                                                            str | None):
            key = (entry["host"], entry.get("path"))  # a path of another type is reported as such
            if key in seen:
                yield Problem(filename, f"hosts[{index}].host",
                              f"{entry['host']!r} is listed twice; each host (and path) must be listed once")
            seen.add(key)


def _overlaps(raw: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    """Every pair of IPv4 ranges that share an address, reported at the later one (in file order), naming the
    earlier one. A sweep over the ranges sorted by first address (:func:`overlapping_pairs`): O(n log n) plus one
    step per overlapping pair, where comparing every pair took minutes for a catalog of 100,000 ranges."""
    located: list[tuple[str, str, tuple[int, int, str]]] = []
    seen: set[str] = set()
    for r_index, region in enumerate(_entries(raw, "regions")):
        if isinstance(region.get("id"), str):
            if region["id"] in seen:
                continue  # a duplicate region is reported as such, not as overlapping itself
            seen.add(region["id"])
        cidrs = region.get("cidrs")
        for c_index, entry in enumerate(cidrs if isinstance(cidrs, list) else []):
            value = entry.get("cidr") if isinstance(entry, dict) else None
            span = _ipv4_network(value) if isinstance(value, str) and "/" in value else None
            if span is not None:
                located.append((str(region.get("id", r_index)), f"regions[{_label(region, r_index)}].cidrs[{c_index}]",
                                span))
    spans = [(first, last) for _, _, (first, last, _) in located]
    for a, b in itertools.islice(overlapping_pairs(spans), MAX_OVERLAPS_LISTED):
        region_a, path_a, (*_, net_a) = located[a]
        region_b, path_b, (*_, net_b) = located[b]
        what = "another region's range" if region_a != region_b else "another range of the same region"
        yield Problem(filename, path_b, f"{net_b!r} overlaps {path_a} {net_a!r} ({what}); "
                                        "allowed: each address in one range of one region")
    unlisted = count_overlapping_pairs(spans) - MAX_OVERLAPS_LISTED
    if unlisted > 0:  # a file of one range repeated 100,000 times has 5 billion pairs: count them, list a few
        yield Problem(filename, "regions", f"and {unlisted:,} more pairs of overlapping ranges (not listed); "
                                           "allowed: each address in one range of one region")


def _ipv4_network(value: str) -> tuple[int, int, str] | None:
    """An IPv4 network as netaddr reads ``value`` (host bits cleared): its first and last address and its CIDR; None
    when it is no IPv4 network."""
    parsed = ipv4_cidr(value)
    if parsed is not None:  # plain a.b.c.d/n: without netaddr's cost
        first, last = ipv4_span(*parsed)
        return first, last, f"{ipv4_text(first)}/{parsed[1]}"
    try:
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError):
        return None
    return (network.first, network.last, str(network.cidr)) if network.version == 4 else None


def count_overlapping_pairs(spans: Sequence[tuple[int, int]]) -> int:
    """How many pairs :func:`overlapping_pairs` yields, without listing them: O(n log n) whatever the count."""
    count = 0
    open_lasts: list[int] = []  # a heap
    for first, last in sorted(spans):
        while open_lasts and open_lasts[0] < first:
            heapq.heappop(open_lasts)
        count += len(open_lasts)
        heapq.heappush(open_lasts, last)
    return count


def overlapping_pairs(spans: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Each pair of indexes ``(i, j)``, ``i < j``, of ``spans`` (closed intervals ``(first, last)``) that share a
    point: exactly the pairs ``first_i <= last_j and first_j <= last_i``, in no particular order.

    Sweep: visit the spans by first point, keeping the ones still open (last point >= the visited first point) in
    a heap by last point. Every open span overlaps the visited one (it starts no later and ends no earlier), and a
    span that closes before it closes before every later one too. O(n log n + pairs)."""
    order = sorted(range(len(spans)), key=lambda index: spans[index][0])
    open_spans: list[tuple[int, int]] = []  # (last, index), a heap
    for index in order:
        first, last = spans[index]
        while open_spans and open_spans[0][0] < first:
            heapq.heappop(open_spans)
        for _, other in open_spans:
            yield (other, index) if other < index else (index, other)
        heapq.heappush(open_spans, (last, index))


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


def _translate(error: ErrorDetails, raw: Mapping[str, Any], filename: str, root: Any = Catalog) -> Problem:
    """One pydantic error as a Problem; ``root``: the class validated (a catalog record or a pydantic model)."""
    loc = tuple(error["loc"])
    value = error.get("input")
    kind = error["type"]
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1], root)
        message = f"unknown field {show(loc[-1])}; allowed fields: {', '.join(allowed)}"
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


def _allowed_fields(loc: tuple[Any, ...], root: Any) -> list[str]:
    model: Any = root
    for elem in loc:
        fields = _fields(model)
        if isinstance(elem, int) or fields is None:
            continue
        model = _inner_model(fields[elem]) if elem in fields else None
    fields = _fields(model)
    return sorted(fields) if fields is not None else []


def _fields(model: Any) -> dict[str, Any] | None:
    """A catalog record's or a pydantic model's fields (by their keys in a file) and their types; None for anything
    else."""
    return _class_fields(model) if isinstance(model, type) else None


@functools.cache
def _class_fields(model: type) -> dict[str, Any] | None:
    """:func:`_fields` of a class, worked out once per class (``get_type_hints`` evaluates every annotation: a
    catalog with thousands of unknown fields asked for it once per problem)."""
    if issubclass(model, Record):
        hints = typing.get_type_hints(model)
        return {model.aliases.get(name, name): hints[name] for name in model.fields}
    if issubclass(model, BaseModel):
        return {field.alias or name: field.annotation for name, field in model.model_fields.items()}
    return None


def _inner_model(annotation: Any) -> Any:
    if _fields(annotation) is not None:
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple, list, dict, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return type_name(value)
    return f"{show(value)} ({type_name(value)})" if not isinstance(value, str) else show(value)
