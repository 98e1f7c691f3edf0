"""AWS Network Firewall domain allowlists: the signaling-hosts filter.

Only ALLOWLIST rule groups with target type TLS_SNI that a policy references count (any group no known arn
matches, when some policy's references are unknown: unverified, never a violation). A policy that surely passes
TCP 443 to every public address before its host filter lets every host out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..boxes import PUBLIC, BoxSet
from ..common import skipping, unknown
from ..evaluate import Doubt, DoubtKind, doubts_for, evaluate
from ..messages import AWS_COMPONENT
from ..model import HostAllow, HostScope
from ..resources import UNKNOWN, Resource, as_list, as_obj, field, props_of
from .aws_nfw_common import RULE_GROUP, STATEFUL, STATEFUL_DEFAULT
from .aws_nfw_policy import PolicyView, policy_views

TITLE = "AWS Network Firewall domain allowlists"


def domain_allowlists(resources: Sequence[Resource], notes: list[str]) -> list[HostAllow]:
    """The ALLOWLIST rule groups inspecting TLS SNI (HTTPS) that a firewall policy of the stack references.

    A group that no policy references by a known arn, while some policy's references are unknown, may or may not
    filter: its hosts are allowed either way, any other host only maybe (unverified, never a violation) unless a
    group that is certainly referenced filters too. A policy that surely passes TCP 443 to every public address
    before its host filter (a stateless pass, any PASS in default action order, an earlier PASS in STRICT_ORDER)
    lets every host out."""
    views = policy_views(resources, [])
    referenced: dict[int, list[tuple[PolicyView, int | None]]] = {}
    for view in views:
        for group, priority in view.references:
            referenced.setdefault(id(group), []).append((view, priority))
    unresolved = [view for view in views if view.unresolved]
    filters: list[HostAllow] = []
    uncertain: list[HostAllow] = []
    opens: list[HostAllow] = []
    for group in resources:
        if group.type != RULE_GROUP:
            continue
        with skipping(notes, group.label):
            allow = _domain_allowlist(group)
            if allow is None:
                continue
            if id(group) in referenced:
                filters.append(allow)
                opens.extend(_open_before(view, priority) for view, priority in referenced[id(group)])
            elif unresolved:
                doubts = tuple(Doubt(DoubtKind.UNKNOWN, f"{view.scope.label}: the rule group arns are unknown, so "
                                                        f"it may or may not reference rule group '{group.name}'")
                               for view in unresolved)
                uncertain.append(replace(allow, doubts=(*allow.doubts, *doubts)))
                opens.extend(_open_before(view, None) for view in unresolved)
    opens = [allow for allow in opens if allow.maybe != ()]
    if filters:  # a host filter certainly applies: the uncertain groups can only add hosts
        return [*filters, *(replace(allow, sure=()) for allow in uncertain), *opens]
    if uncertain:  # maybe no host filter applies at all
        return [*(replace(allow, maybe=None) for allow in uncertain), *opens]
    return []


_EVERY_HOST = ("*",)
"""The pattern of a policy that passes HTTPS to every address before its host filter."""


def _open_before(view: PolicyView, priority: int | None) -> HostAllow:
    """Whether ``view`` surely (or maybe) passes TCP 443 to every public address ahead of a host filter at
    ``priority`` (None: unknown position); an empty HostAllow when it does not."""
    https = BoxSet.of(("tcp",), ((443, 443),), PUBLIC)
    rules = [rule for rule in view.scope.rules if not (rule.builtin and rule.order == (STATEFUL_DEFAULT,))]
    if view.strict:
        cutoff = (STATEFUL, priority) if priority is not None else (STATEFUL,)
        rules = [rule for rule in rules if rule.order is not None and rule.order < cutoff]
    outcome = evaluate(rules, https)
    label = f"{view.scope.label} passes TCP 443 to every address before its host filter"
    if outcome.worst == https:
        return HostAllow(view.policy, _EVERY_HOST, _EVERY_HOST, label=label)
    if outcome.best == https:
        return HostAllow(view.policy, (), _EVERY_HOST, doubts_for(rules, https), label=label)
    return HostAllow(view.policy, (), (), label=label)


def _domain_allowlist(group: Resource) -> HostAllow | None:
    props = props_of(group)
    source = field(field(field(props, "ruleGroup"), "rulesSource"), "rulesSourceList")
    if source is None:
        return None
    if source is UNKNOWN:
        return HostAllow(group, (), None, (unknown(group.label, "rulesSourceList"),))
    source = as_obj(source, "rulesSourceList")
    doubts: list[Doubt] = []
    kind = field(source, "generatedRulesType")
    if kind is UNKNOWN:
        doubts.append(unknown(group.label, "generatedRulesType"))
    elif kind != "ALLOWLIST":
        return None
    types = as_list(field(source, "targetTypes"), "targetTypes")
    if types is UNKNOWN:
        doubts.append(unknown(group.label, "targetTypes"))
    elif "TLS_SNI" not in types:  # type: ignore[operator]
        return HostAllow(group, (), ())  # a host-name allowlist, but not for HTTPS
    targets = as_list(field(source, "targets"), "targets")
    if targets is UNKNOWN:
        return HostAllow(group, (), None, (*doubts, unknown(group.label, "targets")))
    assert isinstance(targets, list)
    names = tuple(target for target in targets if isinstance(target, str))
    if any(target is UNKNOWN for target in targets):
        return HostAllow(group, () if doubts else names, None, (*doubts, unknown(group.label, "a target")))
    return HostAllow(group, () if doubts else names, names, tuple(doubts))


def matches(pattern: str, host: str) -> bool:
    """AWS domain-list semantics: ``.example.com`` is the domain and its subdomains, anything else exact."""
    if pattern == "*":  # not an AWS domain-list pattern: a policy that passes HTTPS before its host filter
        return True
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


def message(label: str, missing: Sequence[str], _denied: Sequence[tuple[str, str]]) -> str:
    count, hosts = len(missing), ", ".join(missing)
    noun = f"Chalk signaling host{'s' if count > 1 else ''} (HTTPS on TCP 443)"
    them = "them" if count > 1 else "it"
    return (f"{label} do not allow {count} {noun}: {hosts}. Add {them} to the targets of an ALLOWLIST rule group "
            f"with target type TLS_SNI (a leading dot allows a domain and its subdomains) or use {AWS_COMPONENT}.")


def host_scopes(resources: Sequence[Resource], notes: list[str]) -> list[HostScope]:
    lists = domain_allowlists(resources, notes)
    return [HostScope(TITLE, None, tuple(lists), matches, message)] if lists else []
