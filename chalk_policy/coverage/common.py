"""Helpers shared by the AWS and Azure readers: turning parsed fields into rules, skipping with notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .addresses import EMPTY_ADDRESSES, Addresses
from .boxes import ALL_PORTS, ANYWHERE, EMPTY, PROTOCOLS, BoxSet
from .evaluate import Access, Dest, Doubt, DoubtKind, Rule
from .resources import UNKNOWN, Malformed, Resource

ALL_SERVICES = BoxSet.of(PROTOCOLS, ALL_PORTS, ANYWHERE)
SKIPPED_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)
"""Anything a strange property shape can raise while it is read; the reader skips the item with a note."""


class skipping:
    """Run a block that reads one item; on a malformed shape, note ``Skipped <where>: <why>.`` and go on.

    A class rather than ``@contextmanager``: it wraps every rule a stack declares, and a generator-based context
    manager costs several times more per use."""

    __slots__ = ("notes", "where")

    def __init__(self, notes: list[str], where: str) -> None:
        self.notes, self.where = notes, where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is not None and isinstance(exc, SKIPPED_ERRORS):
            self.notes.append(f"Skipped {self.where}: {exc}.")
            return True
        return False


def unknown(where: str, what: str) -> Doubt:
    return Doubt(DoubtKind.UNKNOWN, f"{where}: {what} is unknown")


@dataclass
class Services:
    """Protocols and ports a rule matches: for sure, and at most."""

    sure: BoxSet = EMPTY
    maybe: BoxSet = EMPTY
    doubts: list[Doubt] = field(default_factory=list)

    @staticmethod
    def exactly(box: BoxSet) -> Services:
        return Services(box, box)

    @staticmethod
    def anything(doubt: Doubt) -> Services:
        return Services(EMPTY, ALL_SERVICES, [doubt])


@dataclass
class Destinations:
    """Addresses a rule matches: for sure, and at most, plus the entries as written."""

    sure: Addresses = EMPTY_ADDRESSES
    maybe: Addresses = EMPTY_ADDRESSES
    dests: list[Dest] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)

    def add(self, text: str, addresses: Addresses) -> None:
        certain = self.sure is self.maybe  # kept one object while nothing is uncertain (make_rule's fast path)
        self.sure = self.sure | addresses
        self.maybe = self.sure if certain else self.maybe | addresses
        self.dests.append(Dest(text, addresses))

    def add_doubt(self, doubt: Doubt, addresses: Addresses = ANYWHERE) -> None:
        self.maybe = self.maybe | addresses
        self.doubts.append(doubt)


def make_rule(label: str, access: Access | None, order: tuple[int, ...] | None, services: Services,
              destinations: Destinations, resource: Resource | None, *, member: bool = True,
              extra_doubts: tuple[Doubt, ...] = (), priority: int | None = None) -> Rule:
    """A rule from its parts. ``member=False``: the rule may not apply at all (unknown membership)."""
    maybe = services.maybe.restrict(destinations.maybe)
    if not member:
        sure = EMPTY
    elif services.sure is services.maybe and destinations.sure is destinations.maybe:
        sure = maybe  # nothing uncertain: the same box (the usual case)
    else:
        sure = services.sure.restrict(destinations.sure)
    doubts = (*services.doubts, *destinations.doubts, *extra_doubts)
    return Rule(label, access, sure, maybe, order, tuple(dict.fromkeys(doubts)), priority, resource,
                services.sure, tuple(destinations.dests))


def unreadable_deny(label: str, order: tuple[int, ...] | None, box: BoxSet, where: str, name: str,
                    error: Exception, resource: Resource, notes: list[str], doubts: tuple[Doubt, ...] = (),
                    priority: int | None = None, what: str = "rule") -> Rule:
    """A Deny (or unknown-action) rule or collection whose destinations or ports cannot be read: it matches
    nothing for sure and at most ``box`` (its protocols on every port to every address), so what it may shadow
    is unverified instead of silently allowed (skipping a Deny would fail open). An empty ``name``: ``what``
    names the rule on its own (``deny rule 100``)."""
    subject = f"the {what} '{name}'" if name else f"the {what}"
    notes.append(f"{where}: {subject} may deny traffic but cannot be read ({error}); what it may deny is "
                 "reported as unverified.")
    doubt = Doubt(DoubtKind.EXTERNAL, f"{where}: {subject} cannot be read ({error})")
    return Rule(label, Access.DENY, EMPTY, box, order, (*doubts, doubt), priority, resource)


def first_str(*values: object) -> str | None:
    return next((value for value in values if isinstance(value, str)), None)


Reader = Callable[[Resource], None]


def parse_access(value: object, label: str, allowed: str) -> Access | None:
    """``allow``/``deny`` in any case -> Access; unknown -> None (decided later, as uncertain); else Malformed."""
    if value is UNKNOWN:
        return None
    if isinstance(value, str) and value.lower() in ("allow", "deny"):
        return Access(value.lower())
    raise Malformed(f"{label} is {value!r}; allowed: {allowed}")
