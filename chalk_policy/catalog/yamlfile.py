"""Read catalog and overlay files as YAML, through the shared loader of users' files (:mod:`chalk_policy.files`):
strictly (a duplicate key, an alias, a non-scalar key or too deep a nesting is an error), every problem a
CatalogError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..files import CATALOG, UserFileError
from ..files.yamldoc import parse_yaml, read_yaml
from .errors import CatalogError, Problem

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


def read_yaml_file(path: str | Path) -> dict[str, Any]:
    """A catalog or overlay file, read by the shared loader of users' files (:mod:`chalk_policy.files`): its size,
    nesting and keys bounded, no aliases; every problem a CatalogError."""
    try:
        data = read_yaml(path, CATALOG)
    except UserFileError as exc:
        raise _catalog_error(exc) from None
    return _top_mapping(data, str(path))


def read_yaml_text(text: str, filename: str) -> dict[str, Any]:
    """Catalog YAML that is already text (the packaged catalog), read like :func:`read_yaml_file`."""
    try:
        data = parse_yaml(text, filename, CATALOG)
    except UserFileError as exc:
        raise _catalog_error(exc) from None
    return _top_mapping(data, filename)


def _catalog_error(exc: UserFileError) -> CatalogError:
    """The loader's error as the catalog's Problem: syntax errors in the words catalogs have always used."""
    if exc.syntax == "YAML" and exc.line is not None:
        message = f"is not valid YAML at line {exc.line}, column {exc.column}: {exc.reason}"
    else:
        message = exc.detail
    return CatalogError([Problem(exc.path, "", message)])


def _top_mapping(data: Any, filename: str) -> dict[str, Any]:
    if data is None:
        raise CatalogError([Problem(filename, "", "the file is empty; expected a YAML mapping with 'schema', "
                                                  "'version', 'sources', 'port_options', 'encryption_modes', "
                                                  "'hosts' and 'regions'")])
    if not isinstance(data, dict):
        raise CatalogError([Problem(filename, "", f"expected a YAML mapping at the top, got {type_name(data)}")])
    return data


def type_name(value: Any) -> str:
    """How a file's value is named in a problem: ``a string``, ``a list``, ..."""
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)
