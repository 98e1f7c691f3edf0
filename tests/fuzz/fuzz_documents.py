"""Documents as trees, and the text and bytes they are written as.

A tree is parsed YAML/JSON (dicts, lists, scalars) plus nodes that a Python dict cannot hold but a file can:
:class:`Pairs` (a mapping with repeated or non-scalar keys), :class:`Anchor`/:class:`Alias`, :class:`Tagged`,
:class:`Raw` (text written as is: a 5,000-digit number, ``.nan``, ``[[[[...]]]]``) and :class:`Laughs` (a
billion-laughs alias chain). :func:`to_yaml` (block or flow style) and :func:`to_json` write a tree; :func:`encode`
turns the text into the bytes of a file (UTF-8, a BOM, UTF-16, invalid bytes, CRLF, ...). :func:`paths` and
:func:`replace_at` address the nodes of a tree for the mutations.
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Pairs:
    """A mapping written key by key: keys may repeat or be lists and mappings."""

    items: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class Anchor:
    name: str
    value: Any


@dataclass(frozen=True)
class Alias:
    name: str


@dataclass(frozen=True)
class Tagged:
    tag: str
    value: Any


@dataclass(frozen=True)
class Raw:
    """Written as is: ``yaml`` in YAML, ``json`` in JSON (a JSON string of ``yaml`` when None)."""

    yaml: str
    json: str | None = None


@dataclass(frozen=True)
class Laughs:
    """``[&l0 [lol x width], &l1 [*l0 x width], ..., *l<depth-1>]``: width**depth strings once expanded."""

    depth: int
    width: int


@dataclass(frozen=True)
class Nest:
    """``value`` inside ``depth`` lists: ``[[[...value...]]]`` (written without recursion)."""

    depth: int
    value: Any


Special = Pairs | Anchor | Alias | Tagged | Raw | Laughs | Nest


def is_plain(tree: Any) -> bool:
    """Only dicts, lists and scalars (what yaml.safe_dump and json.dumps can write)."""
    if isinstance(tree, dict):
        return all(isinstance(k, str | int | float | bool) and is_plain(v) for k, v in tree.items())
    if isinstance(tree, list):
        return all(is_plain(v) for v in tree)
    if isinstance(tree, float):
        return True
    if isinstance(tree, int) and not isinstance(tree, bool):
        return abs(tree) < 10**4000
    return tree is None or isinstance(tree, str | bool)


# --- YAML -----------------------------------------------------------------------------------------------------------


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar; every character outside printable ASCII escaped (lone surrogates included)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= code < 127:
            out.append(char)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return yaml_string(str(value))


def _is_complex_key(key: Any) -> bool:
    return isinstance(key, dict | list | Pairs | Laughs) or (isinstance(key, Anchor | Tagged)
                                                                and _is_complex_key(key.value))


def _items(node: dict[Any, Any] | Pairs) -> tuple[tuple[Any, Any], ...]:
    return node.items if isinstance(node, Pairs) else tuple(node.items())


def flow(node: Any) -> str:
    """One line of flow-style YAML."""
    if isinstance(node, dict | Pairs):
        parts = []
        for key, value in _items(node):
            if _is_complex_key(key):
                parts.append(f"? {flow(key)} : {flow(value)}")
            else:
                parts.append(f"{flow(key)} : {flow(value)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(node, list | tuple):
        return "[" + ", ".join(flow(v) for v in node) + "]"
    if isinstance(node, Anchor):
        return f"&{node.name} {flow(node.value)}"
    if isinstance(node, Alias):
        return f"*{node.name}"
    if isinstance(node, Tagged):
        return f"{node.tag} {flow(node.value)}"
    if isinstance(node, Raw):
        return node.yaml
    if isinstance(node, Nest):
        return "[" * node.depth + flow(node.value) + "]" * node.depth
    if isinstance(node, Laughs):
        chain = ["&l0 [" + ", ".join(['"lol"'] * node.width) + "]"]
        chain += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * node.width) + "]" for i in range(1, node.depth)]
        return "[" + ", ".join(chain) + f", *l{node.depth - 1}]"
    return _yaml_scalar(node)


def block(node: Any, indent: int = 0, depth: int = 0) -> str:
    """Block-style YAML for the outer levels (as people write it), flow style further in."""
    pad = " " * indent
    if isinstance(node, dict | Pairs) and _items(node) and depth < 3:
        lines = []
        for key, value in _items(node):
            if _is_complex_key(key):
                lines += [f"{pad}? {flow(key)}", f"{pad}: {flow(value)}"]
            elif isinstance(value, dict | Pairs | list) and (_items(value) if not isinstance(value, list) else value) \
                    and depth < 2:
                lines += [f"{pad}{flow(key)}:", block(value, indent + 2, depth + 1)]
            else:
                lines.append(f"{pad}{flow(key)}{' ' if isinstance(key, Alias) else ''}: {flow(value)}")
        return "\n".join(lines)
    if isinstance(node, list) and node and depth < 3:
        return "\n".join(f"{pad}- {flow(item)}" for item in node)
    return pad + flow(node)


def to_yaml(tree: Any, style: str = "block") -> str:
    """``style``: ``block``, ``flow`` or ``pyyaml`` (yaml.safe_dump; plain trees only, else block)."""
    if style == "pyyaml" and is_plain(tree):
        try:
            return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=120)
        except (yaml.YAMLError, ValueError):
            pass
    if style == "flow":
        return flow(tree) + "\n"
    return block(tree) + "\n"


# --- JSON -----------------------------------------------------------------------------------------------------------


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return json.dumps(key)
    if isinstance(key, Raw):
        return json.dumps(key.yaml)
    return json.dumps(to_json(key, None))


def to_json(node: Any, indent: int | None = 1, ascii_only: bool = True, level: int = 0) -> str:
    """JSON text; repeated keys are kept (json.loads keeps the last), Python's NaN and Infinity extensions too."""
    if isinstance(node, dict | Pairs):
        items = _items(node)
        if not items:
            return "{}"
        inner = [f"{_json_key(k)}: {to_json(v, indent, ascii_only, level + 1)}" for k, v in items]
        return _wrap("{", "}", inner, indent, level)
    if isinstance(node, list | tuple):
        if not node:
            return "[]"
        return _wrap("[", "]", [to_json(v, indent, ascii_only, level + 1) for v in node], indent, level)
    if isinstance(node, Anchor | Tagged):
        return to_json(node.value, indent, ascii_only, level)
    if isinstance(node, Alias):
        return "null"
    if isinstance(node, Raw):
        return node.json if node.json is not None else json.dumps(node.yaml, ensure_ascii=ascii_only)
    if isinstance(node, Nest):
        return "[" * node.depth + to_json(node.value, None, ascii_only) + "]" * node.depth
    if isinstance(node, Laughs):
        width, depth = min(node.width, 10), min(node.depth, 3)
        value: Any = ["lol"] * width
        for _ in range(depth - 1):
            value = [value] * width
        return json.dumps(value)
    if isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 10**4000:
        return "1" + "0" * 4400
    return json.dumps(node, ensure_ascii=ascii_only)


def _wrap(open_: str, close: str, inner: list[str], indent: int | None, level: int) -> str:
    if indent is None:
        return open_ + ", ".join(inner) + close
    pad, outer = " " * (indent * (level + 1)), " " * (indent * level)
    return open_ + "\n" + ",\n".join(pad + part for part in inner) + "\n" + outer + close


# --- bytes ----------------------------------------------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8", "utf-8-bom", "utf-16", "utf-16-le", "utf-32", "latin-1",
             "crlf", "cr", "invalid-utf-8", "nul", "tabs")
"""How a document's text becomes bytes (utf-8 weighted; Hypothesis shrinks towards the first)."""


def encode(text: str, how: str) -> bytes:
    def utf8(value: str) -> bytes:
        return value.encode("utf-8", "surrogatepass")  # lone surrogates become (invalid) UTF-8 bytes

    encoders: dict[str, Callable[[], bytes]] = {
        "utf-8": lambda: utf8(text),
        "utf-8-bom": lambda: codecs.BOM_UTF8 + utf8(text),
        "utf-16": lambda: text.encode("utf-16", "surrogatepass"),
        "utf-16-le": lambda: text.encode("utf-16-le", "surrogatepass"),
        "utf-32": lambda: text.encode("utf-32", "surrogatepass"),
        "latin-1": lambda: text.encode("latin-1", "replace"),
        "crlf": lambda: utf8(text.replace("\n", "\r\n")),
        "cr": lambda: utf8(text.replace("\n", "\r")),
        "invalid-utf-8": lambda: utf8(text[: len(text) // 2]) + b"\xff\xfe\xc3\x28\x80" + utf8(text[len(text) // 2:]),
        "nul": lambda: utf8(text) + b"\x00",
        "tabs": lambda: utf8(text.replace("  ", "\t")),
    }
    return encoders[how]()


# --- addressing nodes -----------------------------------------------------------------------------------------------

Path = tuple[Any, ...]


def paths(tree: Any, limit: int = 20000, max_depth: int = 60) -> list[Path]:
    """Every node's path (keys and indexes), the root's ``()`` first, in document order (breadth-limited: at most
    ``limit`` paths, none deeper than ``max_depth``)."""
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(tree, ())]
    while stack and len(found) < limit:
        node, path = stack.pop()
        found.append(path)
        if len(path) >= max_depth:
            continue
        if isinstance(node, dict):
            stack.extend(reversed([(value, (*path, key)) for key, value in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(value, (*path, index)) for index, value in enumerate(node)]))
    return found


def get_at(tree: Any, path: Path) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def replace_at(tree: Any, path: Path, make: Callable[[Any], Any]) -> Any:
    """A copy of ``tree`` whose node at ``path`` is ``make(node)`` (copies only along the path)."""
    if not path:
        return make(tree)
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        copy = dict(tree)
        copy[head] = replace_at(tree[head], rest, make)
        return copy
    if isinstance(tree, list):
        copy_list = list(tree)
        copy_list[head] = replace_at(tree[head], rest, make)
        return copy_list
    return tree


def parent_and_key(path: Path) -> tuple[Path, Any] | None:
    return (path[:-1], path[-1]) if path else None


def iter_mappings(tree: Any) -> Iterator[Path]:
    for path in paths(tree):
        if isinstance(get_at(tree, path), dict):
            yield path
