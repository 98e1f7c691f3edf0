"""JSON from users' files, bounded: size (:mod:`.source`), nesting depth, and (where asked) duplicate keys.

The depth is measured before parsing, on the bytes, with a handful of C-speed passes (``bytes.translate`` and
``bytes.replace``; no Python loop per character or per value): keep only quotes, backslashes and brackets, drop the
escaped characters, drop the strings (brackets inside them are text), then strip innermost ``[]`` pairs once per
level. A 10k-resource plan (18 MB) takes about 35 ms, a ninth of ``json.loads`` of it. Only a document that is too
deep is tokenized in Python, to say where.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from .errors import ErrorCode, UserFileError, describe, shown
from .limits import FileKind
from .source import check_length, decode, read_bytes

_KEEP = b'"\\[]{}'
_DROP = bytes(sorted(set(range(256)) - set(_KEEP)))
_SQUARE = bytes.maketrans(b"{}", b"[]")
_DELTA = [0] * 256
_DELTA[ord("[")] = 1
_DELTA[ord("]")] = -1
_PASSES = 16
"""Innermost-pair passes before the rest of the depth is counted exactly (real documents need fewer)."""
_MANY_ESCAPES = 20_000
"""Above this many backslashes, escapes are dropped by two ``bytes.replace`` over the whole document rather than
one at a time."""
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def read_json(path: str | Path, kind: FileKind) -> Any:
    """The file's JSON value; a :class:`UserFileError` (one line naming the file) for any problem."""
    data = read_bytes(path, kind)
    text = decode(data, str(path))
    return _parse(text, data if data[:2] not in (b"\xff\xfe", b"\xfe\xff") else None, str(path), kind)


def parse_json(text: str, name: str, kind: FileKind) -> Any:
    """``text`` (from a file called ``name``) as JSON under ``kind``'s limits."""
    check_length(text, name, kind)
    return _parse(text, None, name, kind)


def deeper_than(data: bytes, limit: int) -> bool:
    """Whether the JSON in ``data`` (UTF-8) nests lists and objects more than ``limit`` deep. Exact for valid JSON;
    for invalid JSON either answer is fine (the parser refuses it)."""
    marks = data.translate(None, _DROP)
    if b"\\" in marks:
        marks = _without_escapes(data, marks)
    marks = marks.replace(b'""', b"")  # strings without brackets (and the gap between two adjacent strings)
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[::2])  # what is left outside the strings that hold brackets
    marks = marks.translate(_SQUARE)
    passes = 0
    while marks and passes < min(limit, _PASSES):
        marks = marks.replace(b"[]", b"")  # every innermost pair: one level less
        passes += 1
    return bool(marks) and max(accumulate(map(_DELTA.__getitem__, marks))) > limit - passes


def _without_escapes(data: bytes, marks: bytes) -> bytes:
    """``marks`` (the quotes, backslashes and brackets of ``data``, in order) without escapes: an escaped quote is
    not the end of a string, an escaped backslash escapes nothing."""
    if marks.count(b"\\") > _MANY_ESCAPES:
        return data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DROP)
    pieces = marks.split(b"\\")  # pieces[j] follows the j-th backslash (in data's order too)
    kept = [pieces[0]]
    index = 1
    position = data.find(b"\\")
    while position >= 0 and index < len(pieces):
        escaped = data[position + 1:position + 2]
        piece = pieces[index]
        kept.append(piece[1:] if escaped == b'"' else piece)  # an escaped quote is the piece's first mark
        index += 1
        if escaped == b"\\":  # the next backslash is the escaped one: nothing to drop after it
            if index < len(pieces):
                kept.append(pieces[index])
            index += 1
            position = data.find(b"\\", position + 2)
        else:
            position = data.find(b"\\", position + 1)
    return b"".join(kept)


def _too_deep_at(data: bytes, limit: int) -> int | None:
    """Byte offset of the first bracket deeper than ``limit`` (tokenizing in Python: only for the error)."""
    depth = 0
    for match in _TOKEN.finditer(data):
        char = data[match.start()]
        if char in b"[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif char in b"]}":
            depth -= 1
    return None


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _parse(text: str, data: bytes | None, name: str, kind: FileKind) -> Any:
    if not text or text.isspace():
        raise UserFileError(name, "empty file; expected a JSON document", code=ErrorCode.EMPTY)
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    if deeper_than(data, kind.max_depth):
        offset = _too_deep_at(data, kind.max_depth)
        line, column = _line_column(data, offset) if offset is not None else (None, None)
        raise UserFileError(name, f"nested deeper than {kind.max_depth} levels (lists and objects inside each "
                                  "other); that is not a document of ours", code=ErrorCode.TOO_DEEP,
                            line=line, column=column)
    try:
        if kind.duplicate_keys:
            return json.loads(text)
        return json.loads(text, object_pairs_hook=_unique_object)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc, name) from None
    except _DuplicateKey as exc:
        raise UserFileError(name, f"key {shown(exc.key)} is set twice in one object",
                            code=ErrorCode.DUPLICATE_KEY) from None
    except RecursionError:
        raise UserFileError(name, f"nested deeper than {kind.max_depth} levels (lists and objects inside each "
                                  "other)", code=ErrorCode.TOO_DEEP) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UserFileError(name, describe(exc), code=ErrorCode.SYNTAX, syntax="JSON") from None


def _syntax_error(text: str, exc: json.JSONDecodeError, name: str) -> UserFileError:
    if not text[exc.pos:].strip() or exc.msg.startswith("Unterminated string"):
        end = text.rstrip()
        line = end.count("\n") + 1
        column = len(end) - (end.rfind("\n") + 1)
        return UserFileError(name, f"truncated JSON: the document ends at line {line} column {column} before it is "
                                   "complete", code=ErrorCode.TRUNCATED)
    code = ErrorCode.EXTRA_DATA if exc.msg == "Extra data" else ErrorCode.SYNTAX
    return UserFileError(name, exc.msg, code=code, syntax="JSON", line=exc.lineno, column=exc.colno)
