"""Hypothesis strategies for hostile values and for perturbing a valid document's tree.

:func:`weird_values` draws any value a YAML or JSON document can hold, favouring the ones parsers and validators
trip on: lone surrogates, control characters, very long strings, huge and negative numbers, NaN, YAML 1.1 look-alikes
(``yes``, ``0x1F``, ``2026-11-25``), tags, recursive aliases, deep nesting. :func:`perturbed` walks a template tree
(a valid document) and changes a drawn share of its nodes: a key dropped, added, renamed, duplicated; a value of
another type; a list emptied or repeated a thousand times. Every draw shrinks towards the template unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fuzz_documents import Alias, Anchor, Laughs, Pairs, Raw, Tagged
from hypothesis import strategies as st

SS = st.SearchStrategy
Draw = Callable[[SS[Any]], Any]

SPECIAL_STRINGS = (
    "", " ", "yes", "no", "on", "off", "y", "~", "null", "NULL", "true", "False", "0x1F", "0o17", "017", "1_000",
    "1e3", ".inf", "-.inf", ".nan", "2026-11-25", "2026-11-25T10:00:00Z", "12:30:45", "<<", "=", "&a", "*a", "!tag",
    "!!str", "- a", "a: b", "[a", "{a", "#c", "%YAML", "---", "...", "'", '"', "\\", "%s%n", "{0}", "$(id)", "`id`",
    "../../../etc/passwd", "C:\\chalk", "\udc80", "\ud800", "\udfff", "x\udcffy", "\U0001f600", "\u00e9", "\u0130",
    "\ufb03", "\u0661\u0662", "\u202e", "\ufeff", "\u200b", "\u2028", "\x85", "\x00", "\x07", "\x1b[31m", "\t",
    "\r\n", "a\nb", "a\rb", " jp1 ", "JP1", "jp1\n", "jp1,us2", "all", "ALL", "13.115.244.0/27", "13.115.244.1/27",
    "1.2.3.4/33", "::/0", "0.0.0.0/0", "2001:db8::/32", "999.1.1.1/8", "1.2.3.4/-1", "10/8", "010.001.002.003/24",
    "1.2.3.4%eth0/24", "\u0661.\u0662.\u0663.\u0664/8", "example.com", "-bad-.example", "a..b", "xn--", "*.example.com",
    "udp", "tcp", "UDP", "icmp", "-1", "all", "standard", "e2ee", "retrieved", "seed", "inferred", "ptc-av",
)
"""Strings that look like something else to YAML, to the validators or to a terminal."""

ODD_CHARS = ("\x00", "\x01", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff", "\udc80", "\ud800", "\U0001f600", "\u00e9",
             "\u202e", ":", "#", "&", "*", "!", "|", ">", "'", '"', "\\", "\n", "\t", " ", "%", "@", "`", ",", "[", "{")

LONG_FRAGMENTS = ("a", "a.", "-", "\u00e9", "\udc80", "0", "ab-", " ", "\n", "a" * 63 + ".", "1.", "[", "{a: ")
LONG_LENGTHS = (300, 5_000, 100_000)


@functools.cache
def long_strings() -> SS[str]:
    return st.builds(lambda fragment, count: fragment * count, st.sampled_from(LONG_FRAGMENTS),
                     st.sampled_from(LONG_LENGTHS))


@functools.cache
def odd_text() -> SS[str]:
    return st.one_of(
        st.sampled_from(SPECIAL_STRINGS),
        st.text(st.characters(exclude_categories=()), max_size=20),  # surrogates and control characters included
        st.text(st.sampled_from(ODD_CHARS), min_size=1, max_size=8),
        long_strings(),
    )


INTERESTING_INTS = (0, -1, 1, 2, 3, 4, 65535, 65536, 100000, 2**31, 2**31 - 1, 2**32, 2**63, 2**64, -2**63,
                    10**30, -10**30, 10**400)


@functools.cache
def numbers() -> SS[Any]:
    return st.one_of(
        st.sampled_from(INTERESTING_INTS),
        st.integers(-2**70, 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([443.0, 1.5, -0.0, 1e308, 5e-324]),
    )


def deep(depth: int, json_ok: bool = True) -> Raw:
    text = "[" * depth + "]" * depth
    return Raw(text, text if json_ok else None)


SPECIAL_RAWS = (
    Raw("9" * 5000, "9" * 5000),  # past Python's 4,300-digit int() limit
    Raw("-" + "9" * 4400, "-" + "9" * 4400),
    Raw("1e999", "1e999"),
    Raw("-0", "-0"),
    Raw(".nan", "NaN"),
    Raw(".inf", "Infinity"),
    Raw("-.inf", "-Infinity"),
    Raw("~", "null"),
    Raw("0x10"),
    Raw("0o17"),
    Raw("0b101"),
    Raw("1_000"),
    Raw("yes"),
    Raw("2026-11-25"),
    Raw("2001-12-14t21:59:43.10-05:00"),
    Raw("12:30"),
    Raw("!!binary aGVsbG8="),
    Raw("!!binary '////'"),
    Raw("!!set {a, b}"),
    Raw("!!omap [a: 1, b: 2]"),
    Raw("!!pairs [a: 1, a: 2]"),
    Raw("!!timestamp 2026-13-45"),
    Raw("!!int abc"),
    Raw("!!float x"),
    Raw("!!python/name:builtins.len"),
    Raw("!custom x"),
    Raw("!<tag:example.com,2000:x> y"),
    Raw("&r [*r]"),
    Raw("&m {a: *m}"),
    Raw("*undefined"),
    Raw('"\\ud800"', '"\\ud800"'),
    Raw('"\\udc80x"', '"\\udc80x"'),
    Raw('"a\\u0000b"', '"a\\u0000b"'),
    Raw('"\\U0010ffff"', '"\\udbff\\udfff"'),
    deep(100),
    deep(1000),
    deep(10_000),
    deep(100_000),
    Raw("{a: " * 2000 + "1" + "}" * 2000, '{"a": ' * 2000 + "1" + "}" * 2000),
)


@functools.cache
def laughs() -> SS[Laughs]:
    return st.builds(Laughs, st.integers(2, 10), st.integers(2, 10))


@functools.cache
def scalars() -> SS[Any]:
    return st.one_of(st.none(), st.booleans(), numbers(), odd_text())


@functools.cache
def keys() -> SS[Any]:
    return st.one_of(odd_text(), st.sampled_from(["id", "name", "cidr", "host", "source", "regions", "version",
                                                  "config", "type", "inputs", "<<", "? x"]),
                     st.integers(-5, 5), st.none(), st.booleans())


@functools.cache
def weird_values() -> SS[Any]:
    base = st.one_of(scalars(), st.sampled_from(SPECIAL_RAWS), laughs())
    return st.recursive(base, lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.dictionaries(odd_text(), kids, max_size=3),
        st.builds(lambda items: Pairs(tuple(items)), st.lists(st.tuples(st.one_of(keys(), st.lists(kids, max_size=2),
                                                                                  st.dictionaries(keys(), kids,
                                                                                                  max_size=2)),
                                                                        kids), max_size=3)),
        st.builds(Tagged, st.sampled_from(["!!str", "!!map", "!!seq", "!!binary", "!!set", "!x"]), kids),
        st.builds(Anchor, st.sampled_from(["a", "b"]), kids),
        st.builds(Alias, st.sampled_from(["a", "b"])),
    ), max_leaves=6)


# --- perturbing a template ------------------------------------------------------------------------------------------

RATES = (5, 20, 60)
_ROLL = st.integers(0, 999)
_DICT_EDITS = st.sampled_from(["drop", "extra", "rename", "duplicate", "complex-key", "weird", "empty", "retype"])
_LIST_EDITS = st.sampled_from(["drop", "duplicate", "extend", "repeat", "reverse", "empty", "weird", "retype"])
_SCALAR_EDITS = st.sampled_from(["similar", "similar", "weird", "retype"])
_REPEATS = st.sampled_from([2, 50, 1000])
"""Per-mille of nodes changed in a document (drawn once per document)."""


_BOOL_NEAR = st.sampled_from([False, True, "true", "false", 1, 0, "yes"])
_INT_NEAR = st.one_of(st.sampled_from(INTERESTING_INTS), st.integers(-70000, 70000))
_TEXT_EDITS = st.sampled_from(["insert", "replace", "delete", "upper", "pad", "double", "truncate", "odd"])
_ODD_CHAR = st.sampled_from(ODD_CHARS)
_PICK = st.integers(0, 3)


def _similar(draw: Draw, value: Any) -> Any:
    """Another value of the same kind (or a near miss of it)."""
    if isinstance(value, bool):
        return draw(_BOOL_NEAR)
    if isinstance(value, int):
        pick = draw(_PICK)
        return draw(_INT_NEAR) if pick < 2 else [str(value), float(value), -value][pick - 2] if pick == 2 \
            else draw(numbers())
    if isinstance(value, float):
        return draw(numbers())
    if isinstance(value, str):
        return _edited(draw, value)
    return draw(weird_values())


def _edited(draw: Draw, text: str) -> str:
    """``text`` with a character inserted, replaced or removed, changed case, padded or repeated; or odd text."""
    how = draw(_TEXT_EDITS)
    if how == "odd":
        result: str = draw(odd_text())
        return result
    at = draw(st.integers(0, len(text)))
    char = draw(_ODD_CHAR)
    edits: dict[str, Callable[[], str]] = {
        "insert": lambda: text[:at] + char + text[at:],
        "replace": lambda: text[:at] + char + text[at + 1:],
        "delete": lambda: text[:at] + text[at + 1:],
        "upper": lambda: text.upper(),
        "pad": lambda: f" {text} ",
        "double": lambda: text + text,
        "truncate": lambda: text[:at],
    }
    return edits[how]()


def _retyped(value: Any) -> SS[Any]:
    return st.sampled_from([None, str(value) if not isinstance(value, dict | list) else "x", [value], {"value": value},
                            0, True, 1.5, [], {}])


def _perturb_dict(draw: Draw, node: dict[Any, Any], rate: int, budget: list[int], changed: bool) -> Any:
    items = [(k, _perturb(draw, v, rate, budget)) for k, v in node.items()]
    if not changed:
        return dict(items)
    how = draw(_DICT_EDITS)
    at = draw(st.integers(0, max(len(items) - 1, 0)))
    if how == "drop" and items:
        del items[at]
    elif how == "extra":
        items.append((draw(keys()), draw(weird_values())))
    elif how == "rename" and items:
        items[at] = (draw(keys()), items[at][1])
    elif how == "duplicate" and items:
        return Pairs((*items, (items[at][0], draw(st.one_of(st.just(items[at][1]), weird_values())))))
    elif how == "complex-key":
        key = draw(st.one_of(st.lists(scalars(), max_size=2), st.dictionaries(st.text(max_size=3), scalars(),
                                                                             max_size=2)))
        return Pairs((*items, (key, draw(weird_values()))))
    elif how == "weird":
        return draw(weird_values())
    elif how == "empty":
        return {}
    elif how == "retype":
        return draw(_retyped(dict(items)))
    try:
        return dict(items)
    except TypeError:  # an unhashable renamed key: keep it as written
        return Pairs(tuple(items))


def _perturb_list(draw: Draw, node: list[Any], rate: int, budget: list[int], changed: bool) -> Any:
    items = [_perturb(draw, v, rate, budget) for v in node]
    if not changed:
        return items
    how = draw(_LIST_EDITS)
    at = draw(st.integers(0, max(len(items) - 1, 0)))
    if how == "drop" and items:
        del items[at]
    elif how == "duplicate" and items:
        items.insert(at, items[at])
    elif how == "extend":
        items += draw(st.lists(weird_values(), min_size=1, max_size=3))
    elif how == "repeat" and items:
        items = items[at:at + 1] * draw(_REPEATS)
    elif how == "reverse":
        items.reverse()
    elif how == "empty":
        items = []
    elif how == "weird":
        return draw(weird_values())
    elif how == "retype":
        return draw(_retyped(items))
    return items


def _perturb(draw: Draw, node: Any, rate: int, budget: list[int]) -> Any:
    """``budget[0]``: how many more nodes may be looked at (a bound on the draws of a large template)."""
    budget[0] -= 1
    changed = budget[0] > 0 and draw(_ROLL) < rate
    if isinstance(node, dict):
        return _perturb_dict(draw, node, rate, budget, changed)
    if isinstance(node, list):
        return _perturb_list(draw, node, rate, budget, changed)
    if not changed:
        return node
    how = draw(_SCALAR_EDITS)
    if how == "similar":
        return _similar(draw, node)
    if how == "weird":
        return draw(weird_values())
    return draw(_retyped(node))


def perturbed(template: Any, rate: int | None = None, max_nodes: int = 2000) -> SS[Any]:
    """The template with a drawn share of its nodes changed (none, when shrunk all the way)."""
    @st.composite
    def build(draw: Draw) -> Any:
        chosen = rate if rate is not None else draw(st.sampled_from(RATES))
        return _perturb(draw, template, chosen, [max_nodes])
    return build()


MAX_ARG_BYTES = 32 * 1024
"""Longest argument drawn (Linux refuses one over 128 KiB with E2BIG, which a forked child would not notice)."""


def _as_argument(text: str) -> str:
    raw = text.replace("\x00", "").encode("utf-8", "surrogatepass")[:MAX_ARG_BYTES]
    return raw.decode("utf-8", "surrogateescape")


def cli_text(strategy: SS[str]) -> SS[str]:
    """Values that can be a command-line argument: no NUL, at most 32 KiB, and bytes other than UTF-8 as the
    interpreter decodes them (surrogateescape)."""
    return strategy.map(_as_argument)
