"""Rules as box sets, and first-match evaluation with unknowns (best case / worst case).

Every cloud construct is reduced to :class:`Rule`: an access (allow, deny, or unknown), the destinations it
matches for sure (``sure``) and at most (``maybe``; ``sure`` is a subset), and its position (``order``, a
sort key; None when unknown). Security groups are the special case with allow rules only, where first match
is the same as union.

:func:`evaluate` runs first-match twice over the requirement:

* **best case** (the most the stack can allow): allows match ``maybe`` and come first when their position is
  unknown; denies match only ``sure`` and come last; a rule of unknown access is an allow;
* **worst case** (the least it can allow): allows match only ``sure`` and come last when their position is
  unknown; denies match ``maybe`` and come first; a rule of unknown access is a deny.

First-match is monotone (a wider allow or a narrower deny never allows less), so worst <= best. What the best
case does not allow is a gap for certain; what the best case allows but the worst case does not depends on
unknown values (or on things outside the stack): it is *unverified*, never a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .addresses import Addresses
from .boxes import EMPTY, BoxSet
from .resources import Resource


class Access(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class DoubtKind(StrEnum):
    UNKNOWN = "unknown"
    """A value is computed during preview: known at ``pulumi up``."""
    EXTERNAL = "external"
    """The rule refers to something outside the stack (a prefix list, rule group or IP group by id)."""


@dataclass(frozen=True, order=True)
class Doubt:
    kind: DoubtKind
    text: str
    """What is uncertain, e.g. ``aws.vpc.SecurityGroupEgressRule 'media-1': cidrIpv4 is unknown``."""


@dataclass(frozen=True)
class Dest:
    """One destination entry of a rule as written (``0.0.0.0/0``, ``Internet``) and the addresses it means."""

    text: str
    addresses: Addresses


@dataclass(frozen=True, eq=False)
class Rule:
    label: str
    """How a denial names the rule, e.g. ``rule 'deny-all' (priority 200)``."""
    access: Access | None
    sure: BoxSet
    maybe: BoxSet
    order: tuple[int, ...] | None
    doubts: tuple[Doubt, ...] = ()
    priority: int | None = None
    """The rule's own priority number, when the cloud has one (for the advice in messages)."""
    resource: Resource | None = None
    """The resource that declares the rule (None for built-in defaults)."""
    services: BoxSet = EMPTY
    """Protocols and ports the rule matches for sure, to any address (for least privilege)."""
    dests: tuple[Dest, ...] = ()
    """Destinations known for sure, as written (for least privilege)."""
    builtin: bool = False
    """A cloud default (Azure's AllowInternetOutBound), not declared by the stack."""

    def uncertain(self, doubts: Iterable[Doubt]) -> Rule:
        """The rule matching nothing for sure, with ``doubts`` added (``dataclasses.replace`` without its cost:
        this runs once per rule whose source may miss the clients)."""
        return Rule(self.label, self.access, EMPTY, self.maybe, self.order,
                    tuple(dict.fromkeys((*self.doubts, *doubts))), self.priority, self.resource, self.services,
                    self.dests, self.builtin)


def known_rule(label: str, access: Access | None, box: BoxSet, order: tuple[int, ...] | None, **kwargs: object
               ) -> Rule:
    return Rule(label, access, box, box, order, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Outcome:
    best: BoxSet
    """The part of the requirement that the stack may allow (allowed in the best case)."""
    worst: BoxSet
    """The part that is allowed for sure."""
    denials: tuple[tuple[Rule, BoxSet], ...]
    """Best case: the rules that deny parts of the requirement, in evaluation order."""
    unmatched: BoxSet
    """Best case: the part no rule matched (the implicit default deny)."""
    allowed_by: tuple[tuple[Rule, BoxSet], ...]
    """Best case: which allow rule decided which part."""

    @property
    def unverified(self) -> BoxSet:
        return self.best - self.worst


def evaluate(rules: Sequence[Rule], requirement: BoxSet) -> Outcome:
    rules = relevant(rules, requirement)
    best_allowed, denials, unmatched, allowed_by = _first_match(_best_order(rules), requirement)
    worst_allowed, _, _, _ = _first_match(_worst_order(rules), requirement)
    return Outcome(best_allowed, worst_allowed & best_allowed, denials, unmatched, allowed_by)


def best_allowed_by(rules: Sequence[Rule], requirement: BoxSet) -> tuple[tuple[Rule, BoxSet], ...]:
    """Best case only (half the work of :func:`evaluate`): which allow rule decided which part."""
    return _first_match(_best_order(relevant(rules, requirement)), requirement)[3]


def relevant(rules: Sequence[Rule], requirement: BoxSet) -> list[Rule]:
    """The rules that may match some address of ``requirement`` (``sure`` lies within ``maybe``), in their
    order: the others cannot change a first-match result, and most of an estate's rules reach none of Chalk's
    ranges, so dropping them first keeps evaluation proportional to the rules that matter."""
    wanted = requirement.addresses()
    return [rule for rule in rules if rule.maybe.addresses().intersects(wanted)]


def doubts_for(rules: Iterable[Rule], region: BoxSet) -> tuple[Doubt, ...]:
    """The doubts of the uncertain rules that may match part of ``region``, sorted and unique."""
    found: set[Doubt] = set()
    for rule in rules:
        if rule.doubts and (rule.maybe & region):
            found.update(rule.doubts)
    return tuple(sorted(found))


_Step = tuple[Rule, Access, BoxSet]


def _best_order(rules: Sequence[Rule]) -> list[_Step]:
    first: list[_Step] = []
    ordered: list[tuple[tuple[int, ...], int, _Step]] = []
    last: list[_Step] = []
    for index, rule in enumerate(rules):
        allow = rule.access is not Access.DENY
        step: _Step = (rule, Access.ALLOW, rule.maybe) if allow else (rule, Access.DENY, rule.sure)
        if rule.order is None:
            (first if allow else last).append(step)
        else:
            ordered.append((rule.order, index, step))
    return [*first, *(step for _, _, step in sorted(ordered, key=lambda item: item[:2])), *last]


def _worst_order(rules: Sequence[Rule]) -> list[_Step]:
    first: list[_Step] = []
    ordered: list[tuple[tuple[int, ...], int, _Step]] = []
    last: list[_Step] = []
    for index, rule in enumerate(rules):
        allow = rule.access is Access.ALLOW
        step: _Step = (rule, Access.ALLOW, rule.sure) if allow else (rule, Access.DENY, rule.maybe)
        if rule.order is None:
            (last if allow else first).append(step)
        else:
            ordered.append((rule.order, index, step))
    return [*first, *(step for _, _, step in sorted(ordered, key=lambda item: item[:2])), *last]


def _first_match(steps: Sequence[_Step], requirement: BoxSet
                 ) -> tuple[BoxSet, tuple[tuple[Rule, BoxSet], ...], BoxSet, tuple[tuple[Rule, BoxSet], ...]]:
    remaining, allowed = requirement, EMPTY
    denials: list[tuple[Rule, BoxSet]] = []
    allowed_by: list[tuple[Rule, BoxSet]] = []
    for rule, access, box in steps:
        if not remaining:
            break
        matched = remaining & box
        if not matched:
            continue
        remaining = remaining - matched
        if access is Access.ALLOW:
            allowed = allowed | matched
            allowed_by.append((rule, matched))
        else:
            denials.append((rule, matched))
    return allowed, tuple(denials), remaining, tuple(allowed_by)
