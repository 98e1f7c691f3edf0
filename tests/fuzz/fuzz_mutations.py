"""Mutations of a valid file: on its parsed tree (structure) and on its bytes.

:func:`mutated_tree` applies one to four structural edits to a parsed document (delete, duplicate or rename a key,
swap or copy two nodes, give a value another type, wrap or deeply nest it, repeat a list item), then possibly YAML's
own constructs (an anchor and its alias, a billion-laughs chain, a non-scalar key, a repeated key).
:func:`mutated_bytes` applies one to four edits to the file's bytes (flip a bit, set, insert, delete or duplicate a
run, truncate, and line edits that change YAML's indentation). Every draw shrinks towards the smallest edit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from fuzz_documents import Alias, Anchor, Laughs, Nest, Pairs, Path, get_at, paths, replace_at
from fuzz_values import keys, odd_text, weird_values
from hypothesis import strategies as st

SS = st.SearchStrategy
Draw = Callable[[SS[Any]], Any]

TREE_EDITS = ("delete", "weird", "retype", "swap", "copy", "rename", "wrap", "deepen", "empty", "repeat")
SPECIAL_EDITS = ("duplicate-key", "complex-key", "anchor-alias", "laughs", "self-alias")


def _is_ancestor(a: Path, b: Path) -> bool:
    return len(a) <= len(b) and b[:len(a)] == a


def _delete(tree: Any, path: Path) -> Any:
    if not path:
        return None
    parent, key = path[:-1], path[-1]

    def drop(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: v for k, v in node.items() if k != key}
        if isinstance(node, list):
            return node[:key] + node[key + 1:]
        return node
    return replace_at(tree, parent, drop)


def _rename(tree: Any, path: Path, new_key: Any) -> Any:
    if not path or not isinstance(get_at(tree, path[:-1]), dict):
        return tree
    key = path[-1]

    def rename(node: dict[Any, Any]) -> Any:
        items = [(new_key if k == key else k, v) for k, v in node.items()]
        try:
            return dict(items)
        except TypeError:
            return Pairs(tuple(items))
    return replace_at(tree, path[:-1], rename)


def _retype(value: Any) -> list[Any]:
    return [None, str(value) if not isinstance(value, dict | list) else "", [value], {"value": value}, 0, -1, True,
            1.5, [], {}]


def _deepen(draw: Draw, tree: Any, path: Path) -> Any:
    depth = draw(st.sampled_from([10, 100, 1000, 5000, 50_000]))
    return replace_at(tree, path, lambda node: Nest(depth, node))


def _swap(tree: Any, path: Path, other: Path) -> Any:
    if _is_ancestor(path, other) or _is_ancestor(other, path):
        return tree
    first, second = get_at(tree, path), get_at(tree, other)
    return replace_at(replace_at(tree, path, lambda _: second), other, lambda _: first)


def _copy(tree: Any, path: Path, other: Path) -> Any:
    if _is_ancestor(path, other):
        return tree
    source = get_at(tree, other)
    return replace_at(tree, path, lambda _: source)


def _rename_drawn(draw: Draw, tree: Any, path: Path) -> Any:
    parent = get_at(tree, path[:-1]) if path else None
    siblings = list(parent) if isinstance(parent, dict) else []
    return _rename(tree, path, draw(st.one_of(keys(), st.sampled_from(siblings or ["x"]))))


def _wrapped(draw: Draw, tree: Any, path: Path) -> Any:
    key = str(path[-1]) if path else "x"
    return replace_at(tree, path, lambda n: draw(st.sampled_from([[n], {"value": n}, {key: n}])))


def _repeat(draw: Draw, tree: Any, path: Path) -> Any:
    node = get_at(tree, path)
    if not isinstance(node, list) or not node:
        return tree
    count = draw(st.sampled_from([2, 50, 1000]))
    return replace_at(tree, path, lambda n: n * count)


def _plain_edit(draw: Draw, tree: Any) -> Any:
    nodes = paths(tree)
    path = nodes[draw(st.integers(0, len(nodes) - 1))]
    other = nodes[draw(st.integers(0, len(nodes) - 1))]
    node = get_at(tree, path)
    edits: dict[str, Callable[[], Any]] = {
        "delete": lambda: _delete(tree, path),
        "weird": lambda: replace_at(tree, path, lambda _: draw(weird_values())),
        "retype": lambda: replace_at(tree, path, lambda _: draw(st.sampled_from(_retype(node)))),
        "swap": lambda: _swap(tree, path, other),
        "copy": lambda: _copy(tree, path, other),
        "rename": lambda: _rename_drawn(draw, tree, path),
        "wrap": lambda: _wrapped(draw, tree, path),
        "deepen": lambda: _deepen(draw, tree, path),
        "empty": lambda: replace_at(tree, path, lambda _: draw(st.sampled_from([[], {}, "", None]))),
        "repeat": lambda: _repeat(draw, tree, path),
    }
    return edits[draw(st.sampled_from(TREE_EDITS))]()


def _special_edit(draw: Draw, tree: Any, path: Path, other: Path, how: str) -> Callable[[Any], Any]:
    """A YAML construct at ``path``, returned as the function that replaces the tree (applied deepest first)."""
    if how == "duplicate-key":
        def duplicate(node: Any) -> Any:
            items = node.items if isinstance(node, Pairs) else tuple(node.items()) if isinstance(node, dict) else ()
            if not items:
                return node
            at = draw(st.integers(0, len(items) - 1))
            return Pairs((*items, (items[at][0], draw(st.one_of(st.just(items[at][1]), weird_values())))))
        return lambda t: replace_at(t, path, duplicate)
    if how == "complex-key":
        def complex_key(node: Any) -> Any:
            items = node.items if isinstance(node, Pairs) else tuple(node.items()) if isinstance(node, dict) else None
            if items is None:
                return Pairs(((draw(st.lists(odd_text(), max_size=2)), node),))
            return Pairs((*items, (draw(st.one_of(st.lists(keys(), max_size=2), st.dictionaries(keys().filter(
                lambda k: k is not None and not isinstance(k, float)), keys(), max_size=2))), draw(weird_values()))))
        return lambda t: replace_at(t, path, complex_key)
    if how == "anchor-alias":
        def anchored(t: Any) -> Any:
            t = replace_at(t, other, lambda _: Alias("fz")) if not _is_ancestor(path, other) else t
            return replace_at(t, path, lambda n: Anchor("fz", n))
        return anchored
    if how == "laughs":
        chain = Laughs(draw(st.integers(2, 10)), draw(st.integers(2, 10)))
        return lambda t: replace_at(t, path, lambda _: chain)
    # self-alias: a node that contains itself
    return lambda t: replace_at(t, path, lambda n: Anchor("self", [n, Alias("self")]))


def _with_special_edits(draw: Draw, tree: Any, count: int, kinds: tuple[str, ...]) -> Any:
    nodes = paths(tree)
    edits = []
    for _ in range(count):
        path = nodes[draw(st.integers(0, len(nodes) - 1))]
        other = nodes[draw(st.integers(0, len(nodes) - 1))]
        edits.append((path, _special_edit(draw, tree, path, other, draw(st.sampled_from(kinds)))))
    for _, apply in sorted(edits, key=lambda e: -len(e[0])):  # deepest first: ancestors are still dicts
        with contextlib.suppress(KeyError, IndexError, TypeError):  # under a node an earlier edit replaced
            tree = apply(tree)
    return tree


def with_yaml_features(tree: Any, max_edits: int = 2, json: bool = False) -> SS[Any]:
    """``tree`` with up to ``max_edits`` of YAML's constructs (JSON: repeated keys only)."""
    @st.composite
    def build(draw: Draw) -> Any:
        kinds = ("duplicate-key",) if json else SPECIAL_EDITS
        return _with_special_edits(draw, tree, draw(st.integers(0, max_edits)), kinds)
    return build()


def mutated_tree(tree: Any, yaml_features: bool = True) -> SS[Any]:
    """One to four structural edits, then up to two of YAML's constructs (JSON: repeated keys)."""
    @st.composite
    def build(draw: Draw) -> Any:
        mutated = tree
        for _ in range(draw(st.integers(1, 4))):
            mutated = _plain_edit(draw, mutated)
        kinds = SPECIAL_EDITS if yaml_features else ("duplicate-key",)
        return _with_special_edits(draw, mutated, draw(st.integers(0, 2)), kinds)
    return build()


# --- bytes ----------------------------------------------------------------------------------------------------------

TOKENS = (b"\x00", b"\xff", b"\x80", b"\xc0", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xfe\xff", b"\x7f", b":", b": ",
          b"-", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"? ", b"!!binary ", b"<<: ", b'"', b"'", b"\\", b"\n",
          b"\r", b"\t", b"#", b"%", b"@", b"`", b"|", b">", b",", b"\\u", b"\\ud800", b"NaN", b"1e999", b"9" * 5000,
          b"[" * 10000, b"\xe2\x80\xa8", b"\xc2\x85")
BYTE_EDITS = ("flip", "set", "insert", "delete", "duplicate", "truncate", "swap-lines", "duplicate-line",
              "delete-line", "indent-line", "dedent-line")


def _lines_edit(data: bytes, how: str, first: int, second: int) -> bytes:
    lines = data.split(b"\n")
    if not lines:
        return data
    a, b = first % len(lines), second % len(lines)
    if how == "swap-lines":
        lines[a], lines[b] = lines[b], lines[a]
    elif how == "duplicate-line":
        lines.insert(a, lines[a])
    elif how == "delete-line":
        del lines[a]
    elif how == "indent-line":
        lines[a] = b"  " + lines[a]
    elif how == "dedent-line":
        lines[a] = lines[a][2:] if lines[a].startswith(b"  ") else lines[a].lstrip()
    return b"\n".join(lines)


def _byte_edit(draw: Draw, data: bytes) -> bytes:
    how = draw(st.sampled_from(BYTE_EDITS))
    at = draw(st.integers(0, len(data)))
    length = draw(st.sampled_from([1, 2, 8, 64, 4096]))
    if how == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1:]
    if how == "set" and data:
        at = min(at, len(data) - 1)
        token: bytes = draw(st.sampled_from(TOKENS))
        return data[:at] + token[:1] + data[at + 1:]
    if how == "insert":
        inserted: bytes = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
        return data[:at] + inserted + data[at:]
    if how == "delete":
        return data[:at] + data[at + length:]
    if how == "duplicate":
        return data[:at + length] + data[at:]
    if how == "truncate":
        return data[:at]
    if how in ("swap-lines", "duplicate-line", "delete-line", "indent-line", "dedent-line"):
        return _lines_edit(data, how, at, draw(st.integers(0, len(data))))
    return data


def mutated_bytes(data: bytes) -> SS[bytes]:
    @st.composite
    def build(draw: Draw) -> bytes:
        mutated = data
        for _ in range(draw(st.integers(1, 4))):
            mutated = _byte_edit(draw, mutated)
        return mutated
    return build()
