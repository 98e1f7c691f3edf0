"""Shared by the AWS Network Firewall modules: type tokens, order bands, actions, rule group references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..common import skipping
from ..evaluate import Access
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_list, as_obj, as_str, field
from .aws_common import safe_props

RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
ACTIONS = {"PASS": Access.ALLOW, "DROP": Access.DENY, "REJECT": Access.DENY}
ACTION_RANK = {"PASS": 0, "DROP": 1, "REJECT": 2}
"""Default action order: every PASS, then DROP, then REJECT (ALERT never decides)."""
STATELESS, STATELESS_DEFAULT, STATEFUL, STATEFUL_DEFAULT = 0, 1, 2, 3
"""Bands of the order keys: the stateless engine decides before the stateful one."""


def by_arn(groups: Sequence[Resource]) -> dict[str, Resource]:
    found = {}
    for group in groups:
        arn = field(safe_props(group), "arn")
        if isinstance(arn, str):
            found[arn] = group
    return found


def is_stateless(group: Resource) -> bool:
    kind = field(safe_props(group), "type")
    return isinstance(kind, str) and kind.upper() == "STATELESS"


def references(policy: Resource, body: Any, key: str, groups: Sequence[Resource], notes: list[str]
                ) -> tuple[list[tuple[Resource, int | None]], list[tuple[str, int | None]], bool]:
    """(groups of the stack by known arn, arns not in the stack, whether any reference is unknown)."""
    references = as_list(field(body, key), key)
    known = by_arn(groups)
    chosen: list[tuple[Resource, int | None]] = []
    outside: list[tuple[str, int | None]] = []
    unresolved = references is UNKNOWN
    for index, reference in enumerate(references if isinstance(references, list) else []):
        with skipping(notes, f"{policy.label} {key}[{index}]"):
            item = as_obj(reference, "the reference")
            arn = as_str(field(item, "resourceArn"), "resourceArn")
            priority = as_int(field(item, "priority"), "priority")
            known_priority = priority if isinstance(priority, int) else None
            if arn is UNKNOWN:
                unresolved = True
            elif arn is None:
                raise Malformed("resourceArn is missing")
            elif arn in known:
                chosen.append((known[str(arn)], known_priority))
            else:
                outside.append((str(arn), known_priority))
    return chosen, outside, unresolved


def placed(chosen: list[tuple[Resource, int | None]], unresolved: bool, groups: Sequence[Resource]
           ) -> list[tuple[Resource, int | None]]:
    """The groups a policy references by known arn, plus, when some reference is unknown, every other group of
    the stack at an unknown position (it may be the one referenced)."""
    if not unresolved:
        return list(chosen)
    taken = {id(group) for group, _ in chosen}
    return [*chosen, *((group, None) for group in groups if id(group) not in taken)]
