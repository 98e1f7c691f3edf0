"""The one error of the user-file loader: what is wrong with which file, and where."""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    """What kind of problem a :class:`UserFileError` is, for callers that word some of them their own way."""

    NOT_FOUND = "not-found"
    NOT_A_FILE = "not-a-file"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too-large"
    ENCODING = "encoding"
    EMPTY = "empty"
    SYNTAX = "syntax"
    """Not valid YAML or JSON; :attr:`UserFileError.reason` is the parser's own words."""
    TRUNCATED = "truncated"
    """JSON that ends before the document is complete."""
    EXTRA_DATA = "extra-data"
    """JSON with more after the first value (e.g. newline-delimited events)."""
    TOO_DEEP = "too-deep"
    ALIAS = "alias"
    """A YAML alias in a file of ours, where none is allowed."""
    ALIAS_EXPANSION = "alias-expansion"
    """YAML aliases that would repeat more nodes than the budget allows."""
    KEY = "key"
    """A mapping key that is not a scalar."""
    DUPLICATE_KEY = "duplicate-key"
    VALUE = "value"
    """A scalar that cannot be read as its type (a 5,000-digit integer, February 30th)."""


SYNTAX_CODES = frozenset({ErrorCode.SYNTAX, ErrorCode.TRUNCATED, ErrorCode.EXTRA_DATA})


class UserFileError(ValueError):
    """A user's file that cannot be read: ``str()`` is one line, ``<file>: [line L, column C: ]<reason>``.

    ``line`` and ``column`` are 1-based and set when the place is known; ``offset`` is a byte offset (encoding
    errors). For :attr:`ErrorCode.SYNTAX` the reason is the parser's own message (``expected ',' or ']', but got
    '<stream end>'``), and :attr:`detail` says which syntax it is.
    """

    def __init__(self, path: str, reason: str, *, code: ErrorCode, syntax: str = "", line: int | None = None,
                 column: int | None = None, offset: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.code = code
        self.syntax = syntax
        """``YAML`` or ``JSON`` when the file does not parse as such (the reason is then the parser's words)."""
        self.line = line
        self.column = column
        self.offset = offset
        super().__init__(f"{path}: {self.detail}")

    @property
    def where(self) -> str:
        """``line 3, column 7`` (or ``line 3``), empty when the place is not known."""
        if self.line is None:
            return ""
        return f"line {self.line}, column {self.column}" if self.column is not None else f"line {self.line}"

    @property
    def detail(self) -> str:
        """The message without the file name: ``line 3, column 7: not valid YAML: ...``."""
        reason = f"not valid {self.syntax}: {self.reason}" if self.syntax else self.reason
        return f"{self.where}: {reason}" if self.where else reason

    @property
    def is_syntax(self) -> bool:
        """The file is not valid YAML or JSON as such (rather than over a limit, or with a duplicate key)."""
        return self.code in SYNTAX_CODES


def describe(exc: Exception) -> str:
    """A Python error about a value, in words for the file's author (not the advice to call a Python function)."""
    text = str(exc)
    if "integer string conversion" in text:  # int() of more than sys.get_int_max_str_digits() digits
        return "a number of more than 4300 digits"
    return text


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters (a key may be a megabyte long)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
