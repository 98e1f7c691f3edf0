"""The one error type of the catalog layer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import printable

TRANSLATED_PROBLEMS = 1000
"""At most this many of the schema's problems are described (each costs some work: 100,000 unknown keys took
seconds); the rest are counted."""
LISTED_PROBLEMS = 10
"""A catalog error lists at most this many problems, then how many more there are (fixing the first ones often
fixes the rest: one bad indentation can make hundreds)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a catalog file: where it is and what is allowed instead."""

    file: str
    path: str
    """Where inside the file, e.g. ``regions[jp1].cidrs[2]``; empty for the whole file."""
    message: str

    def __str__(self) -> str:
        """One line, printable: a file name, an id or a value with a control character or a lone surrogate in it is
        shown escaped (``\\x1b``, ``\\udc80``), never written to a terminal as it is."""
        text = f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"
        return printable(text, newlines=False)


class CatalogError(ValueError):
    """Every problem found in a catalog (or overlay) file, reported together."""

    def __init__(self, problems: list[Problem], omitted: int = 0) -> None:
        """``omitted``: how many more problems were found but not described (see ``TRANSLATED_PROBLEMS``)."""
        self.problems = tuple(sorted(set(problems), key=_natural))
        self.omitted = omitted
        count = len(self.problems) + omitted
        file = printable(self.problems[0].file, newlines=False)
        head = f"{file}: {count:,} problem{'s' if count != 1 else ''} in the catalog"
        lines = [head, *(f"  {problem}" for problem in self.problems[:LISTED_PROBLEMS])]
        if count > LISTED_PROBLEMS:
            lines.append(f"  ... and {count - LISTED_PROBLEMS:,} more problems: fix these and validate again")
        super().__init__("\n".join(lines))

    @property
    def summary(self) -> str:
        """One line for an operator: the first problem and how many more there are."""
        first = str(self.problems[0])
        more = len(self.problems) + self.omitted - 1
        return first if not more else f"{first} (and {more} more problem{'s' if more != 1 else ''})"


def _natural(problem: Problem) -> tuple[str, list[str | int], str]:
    """Sort ``hosts[2]`` before ``hosts[10]``."""
    parts: list[str | int] = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", problem.path)]
    return problem.file, parts, problem.message
