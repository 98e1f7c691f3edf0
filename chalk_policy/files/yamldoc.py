"""YAML from users' files, bounded: size (:mod:`.source`), aliases, nesting depth, keys.

libyaml (PyYAML's ``CSafeLoader``, when PyYAML has it: its wheels do) parses and composes the document into nodes;
an alias there is the anchored node itself, never a copy. Before anything is constructed, one breadth-first walk
over the nodes, iterative and bounded, checks:

- aliases: none at all in our own formats (:data:`~.limits.CATALOG`); elsewhere the nodes they repeat are counted
  as the walk repeats them, and it stops at the budget: a "billion laughs" is refused in milliseconds, never
  expanded;
- nesting depth (levels of lists and mappings, aliases followed).

Then the value is built (plain mappings, lists and strings directly, everything else by PyYAML's safe constructor),
and on the way every mapping key must be a scalar (``? [a, b]`` is refused) set once per mapping (merge keys, ``<<``,
may repeat what they merge: the mapping's own keys win). The cyclic garbage collector is paused meanwhile: the nodes
of a large catalog are millions of tracked objects, and collecting while they are made takes three times as long.

Scalars resolve like PyYAML's YAML 1.1 for our formats, like YAML 1.2's core schema for Pulumi's (go-yaml v3).
A 10 MB catalog (~118k ranges) loads in seconds; PyYAML's pure-Python SafeLoader, used before, took over a minute.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ErrorCode, UserFileError, describe, shown
from .limits import FileKind
from .source import check_length, read_text

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same documents, slower
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_LIBYAML = _SafeLoader is not yaml.SafeLoader  # type: ignore[comparison-overlap]
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MISSING = object()
_REWORD_WITHIN = 256 * 1024
"""Characters into a document within which a syntax error is worded by PyYAML's own parser (see _in_pyyaml_words)."""
_REWORD_SECONDS = 0.5
"""...and how long that may take."""


def read_yaml(path: str | Path, kind: FileKind) -> Any:
    """The file's YAML value (None for an empty file); a :class:`UserFileError` for any problem."""
    return _parse(read_text(path, kind), str(path), kind)


def parse_yaml(text: str, name: str, kind: FileKind) -> Any:
    """``text`` (from a file called ``name``) as YAML under ``kind``'s limits."""
    check_length(text, name, kind)
    return _parse(text, name, kind)


class _Yaml11Loader(_SafeLoader):
    """PyYAML's own resolution (YAML 1.1): what our formats have always been read with."""


class _CoreLoader(_SafeLoader):
    """PyYAML resolves YAML 1.1 (``yes``/``on`` are booleans, ``1:30`` is 90, dates are dates); the Pulumi CLI's
    go-yaml v3 follows the YAML 1.2 core schema for untyped values. Resolve plain scalars like YAML 1.2."""


_CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:int",
                                  re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))

_Constructor = Callable[[Any, Node], Any]


def _construct_bool(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"  # type: ignore[arg-type]


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _guarded(construct: _Constructor) -> _Constructor:
    """A scalar constructor whose Python errors (``int('9' * 5000)``, February 30th) are YAML errors at the
    scalar."""

    def guarded(loader: Any, node: Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(None, None, f"{_VALUE_PROBLEM}: {describe(exc)}",
                                                    node.start_mark) from None

    return guarded


_VALUE_PROBLEM = "cannot read this value"
for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"):
    _Yaml11Loader.add_constructor(_tag, _guarded(_SafeLoader.yaml_constructors[_tag]))
    _CoreLoader.add_constructor(_tag, _guarded(_SafeLoader.yaml_constructors[_tag]))
_CoreLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_CoreLoader.add_constructor("tag:yaml.org,2002:int", _guarded(_construct_int))


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(text: str, name: str, kind: FileKind) -> Any:
    loader = (_CoreLoader if kind.core_schema else _Yaml11Loader)(text)
    try:
        with _collector_paused():
            try:
                node = loader.get_single_node()
                if node is None:
                    return None
                _check(node, text, name, kind)
                return _build(loader, node, {}, name)
            except yaml.YAMLError as exc:
                raise _yaml_error(exc, text, name, kind) from None
            except RecursionError:  # the pure-Python composer, without libyaml, on a deep document
                raise UserFileError(name, f"nested deeper than {kind.max_depth} levels", code=ErrorCode.TOO_DEEP) \
                    from None
    finally:
        loader.dispose()


def _check(root: Node, text: str, name: str, kind: FileKind) -> None:
    """Aliases and depth, on the composed nodes (see the module's docstring); breadth first, so the depth is the
    level and nothing recurses. Repeats are counted by how much the set of nodes seen grows (at C speed)."""
    if root.__class__ is ScalarNode:
        return
    shared = "&" in text and "*" in text  # an alias needs an anchor: without both characters, no node repeats
    seen = {root}
    repeated = 0
    level: list[Node] = [root]
    depth = 0
    while level:
        depth += 1
        if depth > kind.max_depth:
            raise _error(name, f"nested deeper than {kind.max_depth} levels (lists and mappings inside each other)",
                         ErrorCode.TOO_DEEP, level[0])
        deeper: list[Node] = []
        for node in level:
            children = [child for pair in node.value for child in pair] if node.__class__ is MappingNode \
                else node.value
            if shared:
                before = len(seen)
                seen.update(children)  # nodes hash by identity
                again = len(children) - (len(seen) - before)
                if again and kind.aliases is None:
                    raise _alias_error(text, name, kind, node)
                repeated += again
                if kind.aliases is not None and repeated > kind.aliases:
                    raise _error(name, f"aliases expand beyond {kind.aliases} nodes (they repeat what other aliases "
                                       "repeat); write the values out", ErrorCode.ALIAS_EXPANSION, node)
            deeper += [child for child in children if child.__class__ is not ScalarNode]
        level = deeper


def _build(loader: Any, node: Node, built: dict[Node, Any], name: str) -> Any:
    """The value of checked nodes, with every key a scalar and set once per mapping. Plain mappings, lists and
    strings are built here (most of a document; PyYAML's generic constructor spends several calls on each), anything
    else by PyYAML's safe constructor. A node that aliases repeat is built once, as PyYAML does. The recursion is
    bounded by the depth limit."""
    kind = node.__class__
    if kind is ScalarNode:
        return node.value if node.tag == _STR_TAG else loader.construct_object(node)
    done = built.get(node, _MISSING)
    if done is not _MISSING:
        return done
    if kind is MappingNode and node.tag == _MAP_TAG and all(key.tag != _MERGE_TAG for key, _ in node.value):
        mapping: dict[Any, Any] = {}
        built[node] = mapping
        for key, value in node.value:
            if key.__class__ is not ScalarNode:
                raise _key_error(name, key)
            mapping[_build(loader, key, built, name)] = _build(loader, value, built, name)
        if len(mapping) != len(node.value):
            _check_keys(loader, cast(MappingNode, node), name)
        return mapping
    if kind is SequenceNode and node.tag == _SEQ_TAG:
        items: list[Any] = []
        built[node] = items
        items.extend(_build(loader, item, built, name) for item in node.value)
        return items
    _check_all_keys(loader, node, name)
    value = loader.construct_object(node, deep=True)  # merge keys, !!set, !!omap, ...
    built[node] = value
    return value


def _check_all_keys(loader: Any, root: Node, name: str) -> None:
    """:func:`_check_keys` on every mapping under ``root``, for the nodes PyYAML's constructor builds."""
    todo, seen = [root], {root}
    while todo:
        node = todo.pop()
        if node.__class__ is MappingNode:
            _check_keys(loader, node, name)
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value if node.__class__ is not ScalarNode else []
        todo += [child for child in children if child not in seen]
        seen.update(children)


def _check_keys(loader: Any, node: MappingNode, name: str) -> None:
    """Every key of the mapping a scalar, none set twice (merge keys, ``<<``, may repeat what they merge)."""
    first: dict[Any, Node] = {}
    for key_node, _ in node.value:
        if key_node.__class__ is not ScalarNode:
            raise _key_error(name, key_node)
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node)  # a scalar: the constructor reuses it
        earlier = first.setdefault(key, key_node)
        if earlier is not key_node:
            raise _error(name, f"key {shown(key)} is set twice (first at line {earlier.start_mark.line + 1})",
                         ErrorCode.DUPLICATE_KEY, key_node)


def _key_error(name: str, key_node: Node) -> UserFileError:
    shape = "a mapping" if isinstance(key_node, MappingNode) else "a list"
    return _error(name, f"a key must be a plain value (a string or a number), not {shape}", ErrorCode.KEY, key_node)


def _error(name: str, reason: str, code: ErrorCode, node: Node) -> UserFileError:
    mark = node.start_mark
    return UserFileError(name, reason, code=code, line=mark.line + 1, column=mark.column + 1)


def _alias_error(text: str, name: str, kind: FileKind, node: Node) -> UserFileError:
    """Aliases are refused in ``kind``: name the first one (found again in the event stream; nodes do not keep
    where an alias was)."""
    reason = f"aliases (*name) are not allowed in {kind.label}; write the value out"
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                mark = event.start_mark
                reason = f"alias *{str(event.anchor)[:60]} is not allowed in {kind.label}; write the value out"
                return UserFileError(name, reason, code=ErrorCode.ALIAS, line=mark.line + 1,
                                     column=mark.column + 1)
    except yaml.YAMLError:
        pass
    return _error(name, reason, ErrorCode.ALIAS, node)


def _yaml_error(exc: yaml.YAMLError, text: str, name: str, kind: FileKind) -> UserFileError:
    exc = _in_pyyaml_words(exc, text)
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, e.g. NUL
        at_line, at_column = _reader_position(exc, text)
        return UserFileError(name, str(exc).splitlines()[0], code=ErrorCode.SYNTAX, syntax="YAML", line=at_line,
                             column=at_column)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line: int | None = mark.line + 1 if mark is not None else None
    column: int | None = mark.column + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).splitlines()[0])
    context = getattr(exc, "context", None)
    if problem.startswith("but ") and context:  # "expected a single document in the stream, but found another ..."
        problem = f"{context}, {problem}"
    if "maximum nesting depth" in problem:  # libyaml's own limit (1,000 levels)
        return UserFileError(name, f"nested deeper than {kind.max_depth} levels", code=ErrorCode.TOO_DEEP,
                             line=line, column=column)
    if isinstance(exc, yaml.constructor.ConstructorError) and problem.startswith(_VALUE_PROBLEM):
        return UserFileError(name, problem, code=ErrorCode.VALUE, line=line, column=column)
    return UserFileError(name, problem, code=ErrorCode.SYNTAX, syntax="YAML", line=line, column=column)


def _in_pyyaml_words(exc: yaml.YAMLError, text: str) -> yaml.YAMLError:
    """libyaml's syntax error as PyYAML's own parser words it (``expected ',' or ']', but got '<stream end>'``
    rather than ``did not find expected ',' or ']'``): the messages users of chalk-policy have always seen. Only
    when the error is near the start (PyYAML's parser is slow, and stops at the error)."""
    mark = getattr(exc, "problem_mark", None)
    if not _LIBYAML or not isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)) or mark is None \
            or mark.index > _REWORD_WITHIN or "maximum nesting depth" in str(getattr(exc, "problem", "")):
        return exc
    deadline = time.monotonic() + _REWORD_SECONDS  # its scanner is slow on deep flow nesting (quadratic)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if time.monotonic() > deadline or (event.start_mark is not None and event.start_mark.line > mark.line + 1):
                break  # too slow, or past libyaml's error without one of its own: keep libyaml's
    except (yaml.scanner.ScannerError, yaml.parser.ParserError) as words:
        return words
    except (yaml.YAMLError, RecursionError):
        pass
    return exc


def _reader_position(exc: yaml.reader.ReaderError, text: str) -> tuple[int, int]:
    """libyaml reports a byte offset into the UTF-8 text, PyYAML's own reader a character index."""
    if _LIBYAML:
        before = text.encode("utf-8", "surrogatepass")[:exc.position].decode("utf-8", "replace")
    else:
        before = text[:exc.position]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
