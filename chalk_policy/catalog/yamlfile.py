"""Read catalog and overlay files as YAML: strictly (a duplicate key is an error), every problem a CatalogError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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
        raise CatalogError([Problem(filename, "", f"expected a YAML mapping at the top, got {type_name(data)}")])
    return data


def type_name(value: Any) -> str:
    """How a file's value is named in a problem: ``a string``, ``a list``, ..."""
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)
