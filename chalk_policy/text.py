"""Text for people: values a user supplied, made safe to print and kept short in messages.

Pure and dependency-free (the bottom layer: it imports nothing from chalk_policy), so that any layer can use it.

* :func:`printable` escapes what a terminal, a log or an XML or UTF-8 encoder cannot take as it is: lone surrogates
  (``"\\udc80"``, what Python makes of bytes that are not UTF-8 in a file name or argument; writing one to a UTF-8
  stream raises ``UnicodeEncodeError``), control characters (``"\\x1b"`` starts an ANSI escape sequence that
  recolours or rewrites a terminal), line and paragraph separators, and the bidirectional-text controls that make
  a terminal or a review show text in another order than it has ("Trojan Source", CVE-2021-42574). Each becomes
  the escape Python's ``repr`` uses (``\\udc80``, ``\\x1b``, ``\\u202e``); everything else is left as it is.
* :func:`join_some` joins a list of values for a message: all of a short list, the first few of a long one plus
  ``and 9,995 more``, each value cut to a readable length, so that one bad argument never becomes an
  80,000-character line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["LIST_HEAD", "LIST_LIMIT", "MESSAGE_LIMIT", "MESSAGE_LINES", "MESSAGE_LINE_LIMIT", "VALUE_LIMIT", "clip",
           "join_some", "message", "printable", "show"]

_UNPRINTABLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 and C1 controls and DEL; newline (\x0a) and tab (\x09) are decided below
    "\ud800-\udfff"  # lone surrogates: a str holds them only when they pair with nothing
    "\u2028\u2029"  # line and paragraph separators: new lines to str.splitlines() and to many viewers
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional-text controls
)

LIST_LIMIT = 10
"""A list of at most this many values is shown whole."""
LIST_HEAD = 5
"""Of a longer list, this many values are shown, then ``and N more``."""
VALUE_LIMIT = 80
"""A value longer than this many characters is cut (``...`` at its end)."""
MESSAGE_LINE_LIMIT = 400
"""An error message's line longer than this is cut: the last guard, after each value in it was cut to VALUE_LIMIT."""
MESSAGE_LINES = 20
"""An error message of more lines is cut to this many, the last of them ``... and N more lines``."""
MESSAGE_LIMIT = 4000
"""An error message of more characters loses its last lines until it fits (50 lines of an 80-column terminal)."""


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, *, newlines: bool = True, tabs: bool = True) -> str:
    """``text`` with every unprintable character (see the module's docstring) replaced by its visible escape:
    ``"a\\udc80b\\x1b[31m"`` -> ``a\\udc80b\\x1b[31m`` (a backslash and the code). ``newlines=False`` escapes
    newlines too (for one-line messages); ``tabs=False`` tabs as well. Text without such characters is returned
    as it is (the same object)."""
    if text.isprintable():  # the usual case, without a regular expression: nothing below is printable to Python
        return text
    pattern = _pattern(newlines, tabs)
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


@functools.cache
def _pattern(newlines: bool, tabs: bool) -> re.Pattern[str]:
    """Compiled on first use (a few milliseconds each: not on every command's start-up)."""
    return re.compile(f"[{_UNPRINTABLE}{'' if newlines else chr(10)}{'' if tabs else chr(9)}]")


def clip(value: str, limit: int = VALUE_LIMIT) -> str:
    """``value`` cut to ``limit`` characters, the last three of them ``...``, when it is longer."""
    return value if len(value) <= limit else value[:max(limit - 3, 0)] + "..."


def join_some(items: Iterable[object], *, limit: int = LIST_LIMIT, head: int = LIST_HEAD, sep: str = ", ",
              value_limit: int = VALUE_LIMIT) -> str:
    """The items (``str()`` of each; quote them first where the message quotes values) joined by ``sep``: all of
    them when there are at most ``limit``, else the first ``head`` and ``and N more``::

        join_some(["au1", "br1"])                      -> "au1, br1"
        join_some(repr(f"xx{i}") for i in range(1, 10_001))
            -> "'xx1', 'xx2', 'xx3', 'xx4', 'xx5' and 9,995 more"

    Each item is cut to ``value_limit`` characters (:func:`clip`) and made :func:`printable` on one line, so the
    result is one short line whatever the items are. The items are read once (a generator is fine)."""
    shown: list[str] = []
    count = 0
    for item in items:
        count += 1
        if count <= limit:
            shown.append(printable(clip(str(item), value_limit), newlines=False))
    if count <= limit:
        return sep.join(shown)
    return f"{sep.join(shown[:head])} and {count - head:,} more"


def show(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value a user gave, for a message: ``repr`` of it (quoted when a string), printable on one line and cut to
    ``limit`` characters with the length it had: ``'aaaaaaaa...' (5,000 characters)``."""
    text = printable(repr(value), newlines=False)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, str) else len(text)
    return f"{clip(text, limit)} ({size:,} characters)"


def message(text: str, *, line_limit: int = MESSAGE_LINE_LIMIT, lines: int = MESSAGE_LINES,
            limit: int = MESSAGE_LIMIT) -> str:
    """An error message made safe to print whatever it quotes: every line printable and at most ``line_limit``
    characters; at most ``lines`` lines and ``limit`` characters in all (the last line then says how many lines were
    left out). The guard at the command line's error boundary: messages cut their values first (:func:`show`,
    :func:`join_some`), so this rarely cuts."""
    parts = [clip(printable(part, newlines=False), line_limit) for part in text.split("\n")]
    kept: list[str] = []
    size = 0
    for index, part in enumerate(parts):
        size += len(part) + 1
        last = index == len(parts) - 1
        if not last and (index == lines - 1 or size > limit - 40):  # 40: room for the line that says what is cut
            kept.append(f"... and {len(parts) - index:,} more lines")
            break
        if last and size - 1 > limit:
            kept.append("... and 1 more line")
            break
        kept.append(part)
    return "\n".join(kept)
