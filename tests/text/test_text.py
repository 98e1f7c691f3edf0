"""chalk_policy.text: printable output and short lists in messages."""

from __future__ import annotations

import ast
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalk_policy.text import (
    LIST_HEAD,
    LIST_LIMIT,
    MESSAGE_LIMIT,
    MESSAGE_LINE_LIMIT,
    MESSAGE_LINES,
    VALUE_LIMIT,
    clip,
    join_some,
    message,
    printable,
    show,
)

ODD = "\udc80\u001b[31m"
"""A lone surrogate (an undecodable byte, as Python reads it) and the start of an ANSI colour sequence."""
ANY_TEXT = st.text(alphabet=st.one_of(
    st.characters(codec=None, exclude_categories=()),  # every category but surrogates and separators, so add those:
    st.sampled_from("\udc80\ud800\udfff\x1b\x00\r\n\t\x85\u2028\u2029\u202e\u2066\\")))


# --- printable ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    pytest.param("jp1, us2 -- 13.115.244.0/27", "jp1, us2 -- 13.115.244.0/27", id="plain"),
    pytest.param("Région 東京 ✓", "Région 東京 ✓", id="non-ascii-is-kept"),
    pytest.param(f"name{ODD}", "name\\udc80\\x1b[31m", id="surrogate-and-ansi"),
    pytest.param("a\x00b\x7fc\x85d\x9f", "a\\x00b\\x7fc\\x85d\\x9f", id="c0-del-c1"),
    pytest.param("over\rwrite", "over\\rwrite", id="carriage-return"),
    pytest.param("one\u2028two\u2029three", "one\\u2028two\\u2029three", id="line-separators"),
    pytest.param("abc\u202edef\u2066g\u200fh", "abc\\u202edef\\u2066g\\u200fh", id="bidi-controls"),
    pytest.param("line\n\tindented", "line\n\tindented", id="newline-and-tab-kept"),
])
def test_printable_escapes_what_a_terminal_or_encoder_cannot_take(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_on_one_line_escapes_newlines_and_optionally_tabs() -> None:
    assert printable("a\nb\tc", newlines=False) == "a\\nb\tc"
    assert printable("a\nb\tc", newlines=False, tabs=False) == "a\\nb\\tc"
    assert printable("a\nb\tc", tabs=False) == "a\nb\\tc"


def test_printable_returns_clean_text_itself() -> None:
    text = "nothing to escape here " * 100
    assert printable(text) is text


def test_the_escapes_are_the_ones_repr_uses() -> None:
    for char in ("\x00", "\x1b", "\x7f", "\x85", "\r", "\n", "\t", "\udc80", "\ud800", "\u2028", "\u202e"):
        assert printable(char, newlines=False, tabs=False) == repr(char)[1:-1]


@given(ANY_TEXT)
def test_printable_text_encodes_as_utf8_and_has_no_control_character(text: str) -> None:
    shown = printable(text, newlines=False, tabs=False)

    shown.encode("utf-8")  # strict: no lone surrogate is left
    assert not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in shown)
    assert len(shown.splitlines()) <= 1


def _unescape(shown: str) -> str:
    short = {"n": "\n", "r": "\r", "t": "\t"}
    return re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])",
                  lambda m: short.get(m[1]) or chr(int(m[1][1:], 16)), shown)


@given(ANY_TEXT, st.booleans(), st.booleans())
def test_printable_changes_only_the_escaped_characters(text: str, newlines: bool, tabs: bool) -> None:
    shown = printable(text, newlines=newlines, tabs=tabs)

    if "\\" not in text:  # without backslashes of its own, the text comes back from its escapes
        assert _unescape(shown) == text
    assert printable(shown, newlines=newlines, tabs=tabs) == shown  # the escapes are printable themselves


def test_writing_printable_text_to_a_utf8_stream_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(UnicodeEncodeError):
        path.write_text(ODD, encoding="utf-8")
    path.write_text(printable(ODD), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "\\udc80\\x1b[31m"


# --- join_some ----------------------------------------------------------------------------------------


def test_a_short_list_is_joined_whole() -> None:
    assert join_some(["au1", "br1", "de1"]) == "au1, br1, de1"
    ten = [f"r{i}" for i in range(LIST_LIMIT)]
    assert join_some(ten) == ", ".join(ten)
    assert join_some([]) == ""
    assert join_some([1, 2, 3]) == "1, 2, 3"


def test_a_long_list_is_the_first_few_and_and_n_more() -> None:
    items = (repr(f"xx{i}") for i in range(1, 10_001))  # a generator: read once

    assert join_some(items) == "'xx1', 'xx2', 'xx3', 'xx4', 'xx5' and 9,995 more"
    eleven = [f"r{i}" for i in range(LIST_LIMIT + 1)]
    assert join_some(eleven) == f"r0, r1, r2, r3, r4 and {LIST_LIMIT + 1 - LIST_HEAD} more"
    assert join_some(eleven, limit=20) == ", ".join(eleven)
    assert join_some(eleven, head=2, sep=" | ") == "r0 | r1 and 9 more"


def test_each_item_is_short_and_printable_on_one_line() -> None:
    long_item = "x" * 10_000
    assert join_some([long_item]) == "x" * (VALUE_LIMIT - 3) + "..."
    assert join_some([f"a\nb{ODD}", "ok"]) == "a\\nb\\udc80\\x1b[31m, ok"


@given(st.lists(ANY_TEXT, max_size=200))
def test_join_some_is_one_bounded_line(items: list[str]) -> None:
    joined = join_some(items)

    joined.encode("utf-8")
    assert "\n" not in joined
    shown = min(len(items), LIST_LIMIT)
    # at most LIST_LIMIT values of at most VALUE_LIMIT characters, each escape at most 6 characters for 1
    assert len(joined) <= shown * (6 * VALUE_LIMIT + 2) + len(f" and {len(items):,} more")
    if len(items) > LIST_LIMIT:
        assert joined.endswith(f" and {len(items) - LIST_HEAD:,} more")


def test_clip() -> None:
    assert clip("short") == "short"
    assert clip("abcdefghij", 8) == "abcde..."
    assert len(clip("y" * 1000)) == VALUE_LIMIT


# --- show and message ---------------------------------------------------------------------------------


def test_show_quotes_a_short_value_as_repr_does() -> None:
    assert show("jp1") == "'jp1'"
    assert show(3) == "3"
    assert show(f"a{ODD}") == "'a\\udc80\\x1b[31m'"


def test_show_cuts_a_long_value_and_says_how_long_it_was() -> None:
    shown = show("a" * 5000)
    assert shown == "'" + "a" * (VALUE_LIMIT - 4) + "... (5,000 characters)"
    assert show(list(range(10_000))).endswith(f"... ({len(repr(list(range(10_000)))):,} characters)")


def test_message_keeps_a_short_message_as_it_is() -> None:
    assert message("stacks/Pulumi.dev.yaml: option: 'x' is not a port option") == \
        "stacks/Pulumi.dev.yaml: option: 'x' is not a port option"
    assert message("two\nlines") == "two\nlines"


def test_message_cuts_lines_count_and_size() -> None:
    many = message("\n".join(f"line {i}" for i in range(100)))
    assert many.splitlines()[-1] == f"... and {100 - MESSAGE_LINES + 1} more lines"
    assert len(many.splitlines()) == MESSAGE_LINES
    wide = message("\n".join("x" * 5000 for _ in range(10)))
    assert all(len(line) <= MESSAGE_LINE_LIMIT for line in wide.splitlines())
    assert len(wide) <= MESSAGE_LIMIT
    assert wide.splitlines()[-1].startswith("... and ")


@given(ANY_TEXT)
def test_message_is_always_bounded_and_printable(text: str) -> None:
    shown = message(text)
    shown.encode("utf-8")
    lines = shown.split("\n")
    assert len(lines) <= MESSAGE_LINES
    assert all(len(line) <= MESSAGE_LINE_LIMIT for line in lines)
    assert len(shown) <= MESSAGE_LIMIT


def test_the_module_imports_nothing_of_chalk_policy() -> None:
    source = Path(sys.modules[printable.__module__].__file__ or "").read_text(encoding="utf-8")
    imported = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import | ast.ImportFrom)]
    names = [alias.name for node in imported if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module or "" for node in imported if isinstance(node, ast.ImportFrom)]
    assert all(node.level == 0 for node in imported if isinstance(node, ast.ImportFrom))
    assert not [name for name in names if name.startswith("chalk_policy")]
