"""The shared loader of users' files (chalk_policy.files) on its own: the depth scan of JSON against the structure
itself, YAML values built exactly as PyYAML builds them, and each kind of problem as one line."""

from __future__ import annotations

import codecs
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chalk_policy.files import (
    CATALOG,
    MB,
    PLAN,
    POLICY_CONFIG,
    PULUMI,
    ErrorCode,
    UserFileError,
    deeper_than,
    jsondoc,
    parse_json,
    read_bytes,
    read_json,
)
from chalk_policy.files.limits import size_text
from chalk_policy.files.yamldoc import parse_yaml, read_yaml

# --- the JSON depth scan --------------------------------------------------------------------------------------------


def depth(value: Any) -> int:
    """Levels of lists and objects: the structure's own count, to compare the byte scan with."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


TRICKY = st.text(alphabet=st.sampled_from('[]{}"\\/ab\n\t\u00e9\u2028\U0001f600'), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TRICKY, children, max_size=4),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans(), st.booleans())
def test_the_depth_scan_agrees_with_the_structure(value: Any, ascii_only: bool, indented: bool) -> None:
    """Brackets, quotes and backslashes inside strings (escaped or not) never count; every level outside does."""
    data = json.dumps(value, ensure_ascii=ascii_only, indent=2 if indented else None).encode("utf-8")
    levels = depth(value)
    for limit in {max(levels - 1, 1), levels, levels + 1}:
        assert deeper_than(data, limit) == (levels > limit), (data, limit)


@settings(max_examples=50, deadline=None)
@given(JSON_VALUES)
def test_the_depth_scan_agrees_when_escapes_are_many(value: Any) -> None:
    """Above a threshold of backslashes the escapes are dropped by bytes.replace over the whole document."""
    data = json.dumps([value, "\\" * (jsondoc._MANY_ESCAPES + 1)]).encode("utf-8")
    levels = depth([value])
    assert deeper_than(data, levels) is False
    assert deeper_than(data, levels - 1) is True


@pytest.mark.parametrize("levels", [1, 15, 16, 17, 40, 199, 200, 201, 5000])
def test_the_depth_scan_is_exact_past_its_quick_passes(levels: int) -> None:
    data = ("[" * levels + "]" * levels).encode()
    assert deeper_than(data, 200) == (levels > 200)
    assert deeper_than(data, levels) is False
    assert deeper_than(data, levels - 1) is True


def test_a_plan_too_deep_says_where() -> None:
    text = '{"steps": [' + '{"a": ' * 300 + "1" + "}" * 300 + "]}"
    with pytest.raises(UserFileError) as raised:
        parse_json(text, "plan.json", PLAN)
    assert raised.value.code is ErrorCode.TOO_DEEP
    assert (raised.value.line, raised.value.column) == (1, len('{"steps": [') + 6 * 198 + 1)


def test_json_problems_are_one_line(tmp_path: Path) -> None:
    cases = {
        '{"a": [1, 2': (ErrorCode.TRUNCATED, "truncated JSON: the document ends at line 1 column 11 before it is "
                                             "complete"),
        "{not json}": (ErrorCode.SYNTAX, "line 1, column 2: not valid JSON: Expecting property name enclosed in "
                                         "double quotes"),
        '{"a": 1}\n{"b": 2}': (ErrorCode.EXTRA_DATA, "line 2, column 1: not valid JSON: Extra data"),
        "[" + "9" * 5000 + "]": (ErrorCode.SYNTAX, "not valid JSON: a number of more than 4300 digits"),
        " \n": (ErrorCode.EMPTY, "empty file; expected a JSON document"),
        '{"a": 1, "b": {"c": 1, "c": 2}}': (ErrorCode.DUPLICATE_KEY, "key 'c' is set twice in one object"),
    }
    for text, (code, detail) in cases.items():
        with pytest.raises(UserFileError) as raised:
            parse_json(text, "config.json", POLICY_CONFIG)
        assert (raised.value.code, str(raised.value)) == (code, f"config.json: {detail}")
    assert parse_json('{"a": 1, "a": 2}', "plan.json", PLAN) == {"a": 2}  # the engine's documents: not looked for


def test_utf16_with_a_byte_order_mark_and_utf8_with_one(tmp_path: Path) -> None:
    document = {"steps": [{"a": "[caf\u00e9]"}]}
    for name, data in {"le": codecs.BOM_UTF16_LE + json.dumps(document).encode("utf-16-le"),
                       "be": codecs.BOM_UTF16_BE + json.dumps(document).encode("utf-16-be"),
                       "bom": codecs.BOM_UTF8 + json.dumps(document).encode()}.items():
        (tmp_path / name).write_bytes(data)
        assert read_json(tmp_path / name, PLAN) == document
    (tmp_path / "bad").write_bytes(codecs.BOM_UTF8 + b'{"a": "\xff"}')
    with pytest.raises(UserFileError, match=r"bad: not UTF-8 text at byte 10$"):
        read_json(tmp_path / "bad", PLAN)


def test_files_that_are_missing_directories_or_too_large(tmp_path: Path) -> None:
    with pytest.raises(UserFileError, match=r"nope\.json: file not found$"):
        read_bytes(tmp_path / "nope.json", PLAN)
    with pytest.raises(UserFileError, match=r": is a directory, not a file$"):
        read_bytes(tmp_path, PLAN)
    small = dataclasses.replace(POLICY_CONFIG, max_bytes=10)
    (tmp_path / "big.json").write_text("[" + "1," * 10 + "1]")
    with pytest.raises(UserFileError) as raised:
        read_bytes(tmp_path / "big.json", small)
    assert str(raised.value) == (f"{tmp_path / 'big.json'}: the file is 23 bytes, over the 10 bytes limit for policy "
                                 "config files")


def test_a_pipe_is_read_up_to_the_limit_only() -> None:
    import os

    small = dataclasses.replace(POLICY_CONFIG, max_bytes=100)
    for content, expected in ((b"[1, 2]", b"[1, 2]"), (b"x" * 5000, None)):
        read_end, write_end = os.pipe()
        os.write(write_end, content)
        os.close(write_end)
        try:
            if expected is None:
                with pytest.raises(UserFileError, match=r": the file is over the 100 bytes limit for policy config"):
                    read_bytes(f"/dev/fd/{read_end}", small)
            else:
                assert read_bytes(f"/dev/fd/{read_end}", small) == expected
        finally:
            os.close(read_end)


def test_sizes_in_messages() -> None:
    assert [size_text(n) for n in (700 * MB, 512 * MB, int(1.5 * MB), 2048, 1)] == [
        "700 MB", "512 MB", "1.5 MB", "2,048 bytes", "1 bytes"]


# --- YAML: the same values as PyYAML, without what PyYAML lets through --------------------------------------------

ALIASES_ALLOWED = dataclasses.replace(CATALOG, aliases=1000)
"""PyYAML's own YAML 1.1, aliases allowed: to compare values with yaml.safe_load."""

SAME_AS_PYYAML = [
    "a: 1\nb: [x, 'y', \"z\", 2.5, true, null, ~, 0x1F, 1_000, 1:30, 2024-01-02, 2024-01-02T03:04:05Z]\n",
    "base: &b {k: 1, l: [1, 2]}\ncopy: *b\nmerged: {<<: *b, k: 2}\nmany: {<<: [*b, {m: 3}], n: 4}\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}, {a: 2}]\nbin: !!binary aGVsbG8=\n",
    "? !!str 1\n: one\n1: int one\n'2': two\n",
    "list: &l [a, b]\nnested: {x: *l, y: [*l, *l]}\nscalar: &s text\nagain: *s\n",
    "- {a: 1}\n- [1, [2, [3, {b: [4]}]]]\n- ''\n- |\n  block\n  text\n",
    "",
    "just a string\n",
]


@pytest.mark.parametrize("text", SAME_AS_PYYAML)
def test_values_are_what_pyyaml_builds(text: str) -> None:
    assert parse_yaml(text, "f.yaml", ALIASES_ALLOWED) == yaml.safe_load(text)


def test_an_aliased_node_is_one_object_as_in_pyyaml() -> None:
    value = parse_yaml("a: &x [1]\nb: *x\n", "f.yaml", ALIASES_ALLOWED)
    assert value["a"] is value["b"]


def test_the_pulumi_kind_reads_yaml_1_2_core_scalars() -> None:
    assert parse_yaml("a: yes\nb: 0x1F\nc: 1:30\nd: True\ne: 2024-01-02\nf: 0o17\ng: .inf\nh: ~\n", "Pulumi.yaml",
                      PULUMI) == {"a": "yes", "b": 31, "c": "1:30", "d": True, "e": "2024-01-02", "f": 15,
                                  "g": float("inf"), "h": None}


YAML_PROBLEMS = [
    ("a: &x [1]\nb: *x\n", CATALOG, ErrorCode.ALIAS,
     "line 2, column 4: alias *x is not allowed in catalog files; write the value out"),
    ("a: &a [*a]\n", PULUMI, ErrorCode.TOO_DEEP,
     "line 1, column 4: nested deeper than 64 levels (lists and mappings inside each other)"),
    ("a: 1\nb: 2\na: 3\n", PULUMI, ErrorCode.DUPLICATE_KEY, "line 3, column 1: key 'a' is set twice (first at line 1)"),
    ("1: a\n0x1: b\n", CATALOG, ErrorCode.DUPLICATE_KEY, "line 2, column 1: key 1 is set twice (first at line 1)"),
    ("b: &b {a: 1}\nx: {<<: *b, y: {c: 1, c: 2}}\n", ALIASES_ALLOWED, ErrorCode.DUPLICATE_KEY,
     "line 2, column 23: key 'c' is set twice (first at line 2)"),
    ("? [a, b]\n: 1\n", CATALOG, ErrorCode.KEY,
     "line 1, column 3: a key must be a plain value (a string or a number), not a list"),
    ("a: " + "9" * 5000 + "\n", CATALOG, ErrorCode.VALUE,
     "line 1, column 4: cannot read this value: a number of more than 4300 digits"),
    ("a: 2024-02-30\n", CATALOG, ErrorCode.VALUE, "line 1, column 4: cannot read this value: day is out of range for "
                                                  "month"),
    ("a: b\x00\n", CATALOG, ErrorCode.SYNTAX, "line 1, column 5: not valid YAML: unacceptable character #x0000: "
                                              "special characters are not allowed"),
    ("regions: [jp1\n", CATALOG, ErrorCode.SYNTAX, "line 2, column 1: not valid YAML: expected ',' or ']', but got "
                                                   "'<stream end>'"),
    ("a: 1\n---\nb: 2\n", CATALOG, ErrorCode.SYNTAX, "line 2, column 1: not valid YAML: expected a single document in "
                                                     "the stream, but found another document"),
    ("a: !foo 1\n", CATALOG, ErrorCode.SYNTAX, "line 1, column 4: not valid YAML: could not determine a constructor "
                                               "for the tag '!foo'"),
    ("[" * 2000 + "]" * 2000, PULUMI, ErrorCode.TOO_DEEP, "line 1, column 1001: nested deeper than 64 levels"),
]


@pytest.mark.parametrize(("text", "kind", "code", "detail"), YAML_PROBLEMS)
def test_yaml_problems_are_one_line_with_their_place(text: str, kind: Any, code: ErrorCode, detail: str) -> None:
    with pytest.raises(UserFileError) as raised:
        parse_yaml(text, "f.yaml", kind)
    assert raised.value.code is code
    assert raised.value.detail.replace("control characters", "special characters") == detail


def test_an_alias_budget_counts_what_aliases_repeat() -> None:
    small = dataclasses.replace(PULUMI, aliases=10)
    assert parse_yaml("a: &a [1, 2, 3]\nb: [*a, *a]\n", "f.yaml", small) == {"a": [1, 2, 3], "b": [[1, 2, 3]] * 2}
    with pytest.raises(UserFileError, match="aliases expand beyond 10 nodes"):
        parse_yaml("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", "f.yaml", small)


def test_a_big_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    with path.open("wb") as file:
        file.truncate(PULUMI.max_bytes + 1)
    with pytest.raises(UserFileError) as raised:
        read_yaml(path, PULUMI)
    assert str(raised.value) == (f"{path}: the file is 8,388,609 bytes, over the 8,388,608 bytes limit for Pulumi "
                                 "project and stack files")
