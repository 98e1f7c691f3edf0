"""AWS Network Firewall policies as scopes: each ``aws:networkfirewall/firewallPolicy:FirewallPolicy`` is a
scope, evaluated first-match in two engines (stateless in :mod:`.aws_nfw_stateless`, stateful rule groups in
:mod:`.aws_nfw_stateful`, Suricata text in :mod:`.aws_suricata`).

Each ``aws:networkfirewall/firewallPolicy:FirewallPolicy`` is a scope, evaluated first-match in two layers.

Stateless engine, ahead of every stateful rule. ``statelessRuleGroupReferences`` (by ``resourceArn``) name
STATELESS rule groups; their ``statelessRulesAndCustomActions.statelessRules[]`` run by reference priority,
then rule ``priority``: ``ruleDefinition.actions`` ``aws:pass`` allows, ``aws:drop`` denies,
``aws:forward_to_sfe`` hands the traffic to the stateful engine (later stateless rules and the stateless
default never see it). ``matchAttributes``: ``protocols`` 6/17 (empty: all; others carry no Chalk traffic),
``destinations[].addressDefinition`` (empty: any), ``destinationPorts[]`` (empty: all); ``tcpFlags`` make a
rule uncertain (TCP only, maybe). Then ``statelessDefaultActions``: ``aws:drop`` denies everything left,
``aws:pass`` allows it, ``aws:forward_to_sfe`` (or absent) forwards it. Unknown values are uncertain rules.

Stateful engine. ``statefulRuleGroupReferences[].resourceArn`` are matched to the ``arn`` of the stack's
``aws:networkfirewall/ruleGroup:RuleGroup``; if any reference (or the list) is unknown, every rule group
of the stack that no known arn matched is considered too, at an unknown position (which, in STRICT_ORDER,
is a doubt; such a rule never decides traffic the stateless engine surely decided). A known arn that is
not in the stack is an uncertain rule (it may pass or drop anything). Rules: ``ruleGroup.rulesSource
.statefulRules[]`` (``action`` + ``header{protocol, destination, destinationPort}``) and the Suricata
lines of ``rulesString`` (``pass udp any any -> 1.2.3.0/24 10000:60000 (sid:1;)``). Protocols ``UDP``,
``TCP``, ``IP`` (both); application protocols (``tls``, ``http``, ...) match by content: a PASS of them is
not counted, a DROP/REJECT of them is an uncertain deny of their transport. Destinations: CIDRs, ``ANY``,
``$EXTERNAL_NET`` (anywhere), negation ``!x``, lists ``[a, !b]`` (nested; a list of negations only is
"any but"). Ports: ``ANY``, ``443``, ``10000:60000``, ``1024:``, ``!53``, ``[443,3478,!5000]``. A
destination or port that cannot be read (another ``$VARIABLE``, garbage), or a PASS/DROP/REJECT line whose
header cannot be read, makes the rule uncertain (matches nothing for sure, maybe everything): an
unreadable DROP yields *unverified*, never a silent pass. Sources and direction are not checked (the rules
are assumed to apply to the clients).

``PASS`` allows, ``DROP``/``REJECT`` deny, ``ALERT`` never decides. ``statefulEngineOptions.ruleOrder``
absent or ``DEFAULT_ACTION_ORDER`` (the AWS default): every PASS, then every DROP, then every REJECT, and
traffic no rule matches passes (``statefulDefaultActions`` are only valid with STRICT_ORDER).
``STRICT_ORDER`` (or unknown): rules run by group priority then position, first match wins, so an earlier
DROP shadows a later PASS; traffic no rule matches is dropped when ``statefulDefaultActions`` hold
``aws:drop_strict`` or ``aws:drop_established``, and passes otherwise (none, or ``aws:alert_*`` only).

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..boxes import EMPTY, EVERYTHING, BoxSet
from ..common import skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, Rule
from ..model import Scope
from ..resources import UNKNOWN, Resource, as_list, as_obj, field, props_of
from .aws_nfw_common import (
    FIREWALL_POLICY,
    RULE_GROUP,
    STATEFUL,
    STATEFUL_DEFAULT,
    is_stateless,
    references,
)
from .aws_nfw_stateful import group_rules
from .aws_nfw_stateless import stateless_layer

DROP_DEFAULTS = {"aws:drop_strict", "aws:drop_established"}


def network_firewall_scopes(resources: Sequence[Resource], notes: list[str]) -> list[Scope]:
    return [view.scope for view in policy_views(resources, notes)]


class PolicyView:
    """One firewall policy as read: its scope, and which rule groups it references at which position."""

    def __init__(self, policy: Resource, scope: Scope, strict: bool, references: list[tuple[Resource, int | None]],
                 unresolved: bool) -> None:
        self.policy, self.scope, self.strict = policy, scope, strict
        self.references = references
        """Stateful rule groups of the stack the policy references by a known arn, with their priority."""
        self.unresolved = unresolved
        """Some stateful reference (or the list) is unknown: any other group of the stack may be referenced."""


def policy_views(resources: Sequence[Resource], notes: list[str]) -> list[PolicyView]:
    groups = [resource for resource in resources if resource.type == RULE_GROUP]
    views = []
    for policy in resources:
        if policy.type == FIREWALL_POLICY:
            with skipping(notes, policy.label):
                views.append(_policy_view(policy, groups, notes))
    return views


def _policy_view(policy: Resource, groups: Sequence[Resource], notes: list[str]) -> PolicyView:
    label = f"AWS Network Firewall policy '{policy.name}'"
    props = props_of(policy)
    body = as_obj(field(props, "firewallPolicy"), "firewallPolicy")
    mode = field(field(body, "statefulEngineOptions"), "ruleOrder") if isinstance(body, dict) else UNKNOWN
    strict = mode is UNKNOWN or mode == "STRICT_ORDER"
    stateless_rules, decided_sure, decided_maybe = stateless_layer(
        policy, label, body, [group for group in groups if is_stateless(group)], notes)
    stateful_groups = [group for group in groups if not is_stateless(group)]
    chosen, outside, unresolved = references(policy, body, "statefulRuleGroupReferences", stateful_groups, notes)
    rules: list[Rule] = []
    for arn, priority in outside:
        doubt = Doubt(DoubtKind.EXTERNAL, f"{label}: rule group {arn} is not in this stack")
        order = (STATEFUL, priority) if strict and priority is not None else None
        rules.append(Rule(f"rule group {arn}", None, EMPTY, EVERYTHING, order, (doubt,)))
    placed = list(chosen)
    if unresolved:
        taken = {id(group) for group, _ in chosen}
        placed.extend((group, None) for group in stateful_groups if id(group) not in taken)
    taken_by_arn = {id(group) for group, _ in chosen}
    for group, priority in placed:
        with skipping(notes, group.label):
            found = group_rules(group, priority, strict, notes)
            if strict and priority is None:
                text = (f"{label}: the rule group arns are unknown, so the position of rule group '{group.name}' "
                        "is not known") if id(group) not in taken_by_arn else (
                        f"{label}: the priority of rule group '{group.name}' is unknown")
                doubt = Doubt(DoubtKind.UNKNOWN, text)
                found = [replace(rule, doubts=(*rule.doubts, doubt)) for rule in found]
            rules.extend(found)
    rules = [_after_stateless(rule, decided_sure, decided_maybe) if rule.order is None else rule for rule in rules]
    rules.extend(_stateful_default(label, body, strict))
    scope = Scope(label, policy.urn, (*stateless_rules, *rules))
    return PolicyView(policy, scope, strict, chosen, unresolved)


def _after_stateless(rule: Rule, decided_sure: BoxSet, decided_maybe: BoxSet) -> Rule:
    """A stateful rule at an unknown position still never sees what the stateless engine decided."""
    return replace(rule, sure=rule.sure - decided_maybe, maybe=rule.maybe - decided_sure)


def _stateful_default(label: str, body: Any, strict: bool) -> list[Rule]:
    """What happens to traffic no stateful rule decides: it passes, unless STRICT_ORDER drops it by default."""
    unmatched_passes = Rule("traffic that no stateful rule matches", Access.ALLOW, EVERYTHING, EVERYTHING,
                            (STATEFUL_DEFAULT,), builtin=True)
    if not strict:
        return [unmatched_passes]  # default action order: statefulDefaultActions are not allowed; unmatched passes
    actions = as_list(field(body, "statefulDefaultActions"), "statefulDefaultActions")
    if actions is UNKNOWN or any(action is UNKNOWN for action in actions):  # type: ignore[union-attr]
        doubt = unknown(label, "statefulDefaultActions")
        return [Rule("the stateful default action", None, EMPTY, EVERYTHING, (STATEFUL_DEFAULT,), (doubt,),
                     builtin=True)]
    if any(isinstance(action, str) and action.lower() in DROP_DEFAULTS for action in actions):  # type: ignore[union-attr]
        return []  # unmatched traffic is dropped: what no PASS decides is a gap
    return [unmatched_passes]  # no default action, or aws:alert_* only
