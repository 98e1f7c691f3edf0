"""AWS Network Firewall policies as scopes: each ``aws:networkfirewall/firewallPolicy:FirewallPolicy`` is a
scope that must pass the clients' media traffic, evaluated first-match in two engines, stateless then stateful
(docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policy-processing.html).

Stateless engine (:mod:`.aws_nfw_stateless`), ahead of every stateful rule: ``statelessRuleGroupReferences`` by
reference priority then rule priority, then ``statelessDefaultActions``.

Stateful engine. ``statefulRuleGroupReferences[].resourceArn`` are matched to the ``arn`` of the stack's
``aws:networkfirewall/ruleGroup:RuleGroup``; if any reference (or the list) is unknown, every rule group
of the stack that no known arn matched is considered too, at an unknown position (which, in STRICT_ORDER,
is a doubt; such a rule never decides traffic the stateless engine surely decided). A known arn that is
not in the stack is an uncertain rule (it may pass or drop anything). The rules of a group, their 5-tuple
(sources and direction included: a rule that never matches a client's packet is dropped, one that matches only
some is uncertain) and rule variables: :mod:`.aws_nfw_stateful`, :mod:`.aws_nfw_header`, :mod:`.aws_suricata`.

``PASS`` allows, ``DROP``/``REJECT`` deny, ``ALERT`` never decides. Rule order
(docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html):

* ``statefulEngineOptions`` absent, its ``ruleOrder`` absent, or ``DEFAULT_ACTION_ORDER`` (the AWS default): every
  PASS, then every DROP, then every REJECT, and traffic no rule matches passes (``statefulDefaultActions`` are
  only valid with STRICT_ORDER);
* ``STRICT_ORDER``: rules run by group priority then position, first match wins, so an earlier DROP shadows a
  later PASS; traffic no rule matches is dropped when ``statefulDefaultActions`` hold ``aws:drop_strict`` or
  ``aws:drop_established``, and passes otherwise (none, or ``aws:alert_*`` only);
* an unknown ``ruleOrder`` (preview) is evaluated as STRICT_ORDER with a doubt on the whole scope: nothing it
  lacks is certain, it is unverified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..boxes import EMPTY, EVERYTHING, BoxSet
from ..common import skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..model import Scope
from ..resources import UNKNOWN, Malformed, Resource, as_list, as_obj, field, of_type, props_of
from ..sources import Clients
from .aws_nfw_common import (
    FIREWALL_POLICY,
    RULE_GROUP,
    STATEFUL,
    STATEFUL_DEFAULT,
    is_stateless,
    placed,
    references,
)
from .aws_nfw_stateful import group_rules
from .aws_nfw_stateless import stateless_layer

DROP_DEFAULTS = ("aws:drop_strict", "aws:drop_established")
UNKNOWN_DEFAULT, PASS_DEFAULT = "unknown", "pass"


def network_firewall_scopes(resources: Sequence[Resource], notes: list[str], clients: Clients | None = None
                            ) -> list[Scope]:
    return [view.scope for view in policy_views(resources, notes, clients)]


class PolicyView:
    """One firewall policy as read: its scope, and which rule groups it references at which position."""

    def __init__(self, policy: Resource, scope: Scope, strict: bool, references: list[tuple[Resource, int | None]],
                 unresolved: bool, placed: list[tuple[Resource, int | None]], default: str) -> None:
        self.policy, self.scope, self.strict = policy, scope, strict
        self.references = references
        """Stateful rule groups of the stack the policy references by a known arn, with their priority."""
        self.unresolved = unresolved
        """Some stateful reference (or the list) is unknown: any other group of the stack may be referenced."""
        self.placed = placed
        """The stateful groups whose rules the scope holds: ``references`` plus, when ``unresolved``, every other
        stateful group of the stack (at an unknown position)."""
        self.default = default
        """What STRICT_ORDER does with traffic no stateful rule matches: ``aws:drop_strict``,
        ``aws:drop_established``, ``pass`` or ``unknown``."""


def policy_views(resources: Sequence[Resource], notes: list[str], clients: Clients | None = None
                 ) -> list[PolicyView]:
    groups = of_type(resources, RULE_GROUP)
    views = []
    for policy in of_type(resources, FIREWALL_POLICY):
        with skipping(notes, policy.label):
            views.append(_policy_view(policy, groups, notes, clients or Clients()))
    return views


def rule_order(body: Any, label: str) -> tuple[bool, Doubt | None]:
    """(STRICT_ORDER, a doubt when the order is unknown). A policy without ``statefulEngineOptions``, or without
    its ``ruleOrder``, uses DEFAULT_ACTION_ORDER, the AWS default
    (docs.aws.amazon.com/network-firewall/latest/APIReference/API_StatefulEngineOptions.html: "DEFAULT_ACTION_ORDER
    is the default option"). Only an unknown value (preview) is unknown: it is evaluated as STRICT_ORDER, and the
    scope carries the doubt, so what the order alone decides is unverified."""
    options = field(body, "statefulEngineOptions")
    if options is None:
        return False, None
    mode = field(as_obj(options, "statefulEngineOptions"), "ruleOrder")
    if mode is UNKNOWN:
        return True, unknown(label, "statefulEngineOptions.ruleOrder")
    if mode is None or (isinstance(mode, str) and mode.upper() == "DEFAULT_ACTION_ORDER"):
        return False, None
    if isinstance(mode, str) and mode.upper() == "STRICT_ORDER":
        return True, None
    raise Malformed(f"statefulEngineOptions.ruleOrder is {mode!r}; allowed: DEFAULT_ACTION_ORDER, STRICT_ORDER")


def _policy_view(policy: Resource, groups: Sequence[Resource], notes: list[str], clients: Clients) -> PolicyView:
    label = f"AWS Network Firewall policy '{policy.name}'"
    body = as_obj(field(props_of(policy), "firewallPolicy"), "firewallPolicy")
    strict, order_doubt = rule_order(body, label)
    stateless_rules, decided_sure, decided_maybe = stateless_layer(
        policy, label, body, [group for group in groups if is_stateless(group)], notes, clients)
    stateful_groups = [group for group in groups if not is_stateless(group)]
    chosen, outside, unresolved = references(policy, body, "statefulRuleGroupReferences", stateful_groups, notes)
    rules: list[Rule] = []
    for arn, priority in outside:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{label}: rule group {arn} is not in this stack")
        order = (STATEFUL, priority) if strict and priority is not None else None
        rules.append(Rule(f"rule group {arn}", None, EMPTY, EVERYTHING, order, (doubt,)))
    placed_groups = placed(chosen, unresolved, stateful_groups)
    for group, priority in placed_groups:
        with skipping(notes, group.label):
            rules.extend(_placed_rules(label, group, priority, strict, notes, clients,
                                       known=any(group is item for item, _ in chosen)))
    rules = [_after_stateless(rule, decided_sure, decided_maybe) if rule.order is None else rule for rule in rules]
    default = default_action(body) if strict else PASS_DEFAULT
    rules.extend(_stateful_default(label, default))
    scope = Scope(label, policy.urn, (*stateless_rules, *rules), (order_doubt,) if order_doubt else ())
    return PolicyView(policy, scope, strict, chosen, unresolved, placed_groups, default)


def _placed_rules(label: str, group: Resource, priority: int | None, strict: bool, notes: list[str],
                  clients: Clients, *, known: bool) -> list[Rule]:
    found = group_rules(group, priority, strict, notes, clients)
    if strict and priority is None:
        text = (f"{label}: the priority of rule group '{group.name}' is unknown" if known else
                f"{label}: the rule group arns are unknown, so the position of rule group '{group.name}' is not "
                "known")
        doubt = Doubt(DoubtKind.UNKNOWN, text)
        found = [replace(rule, doubts=(*rule.doubts, doubt)) for rule in found]
    return found


def _after_stateless(rule: Rule, decided_sure: BoxSet, decided_maybe: BoxSet) -> Rule:
    """A stateful rule at an unknown position still never sees what the stateless engine decided."""
    return replace(rule, sure=rule.sure - decided_maybe, maybe=rule.maybe - decided_sure)


def default_action(body: Any) -> str:
    """STRICT_ORDER's default for traffic no stateful rule matches: ``aws:drop_strict`` or
    ``aws:drop_established`` drop it, none or ``aws:alert_*`` only pass it (``pass``), ``unknown``."""
    actions = as_list(field(body, "statefulDefaultActions"), "statefulDefaultActions")
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        return UNKNOWN_DEFAULT
    names = {action.lower() for action in actions if isinstance(action, str)}  # type: ignore[union-attr]
    return next((name for name in DROP_DEFAULTS if name in names), PASS_DEFAULT)


def _stateful_default(label: str, default: str) -> list[Rule]:
    """What happens to traffic no stateful rule decides: it passes, unless STRICT_ORDER drops it by default."""
    if default == UNKNOWN_DEFAULT:
        doubt = unknown(label, "statefulDefaultActions")
        return [Rule("the stateful default action", None, EMPTY, EVERYTHING, (STATEFUL_DEFAULT,), (doubt,),
                     builtin=True)]
    if default in DROP_DEFAULTS:
        return []  # unmatched traffic is dropped: what no PASS decides is a gap
    return [Rule("traffic that no stateful rule matches", Access.ALLOW, EVERYTHING, EVERYTHING,
                 (STATEFUL_DEFAULT,), builtin=True)]  # default order, or no drop default: unmatched passes
