"""AWS Network Firewall domain allowlists: the signaling-hosts filter (the hosts are HTTPS on TCP 443, which a
domain list matches by TLS SNI).

The rules a domain list rule group generates (docs.aws.amazon.com/network-firewall/latest/developerguide/
stateful-rule-groups-domain-names.html: "For Allow, traffic of the specified protocol type that does not match the
domain specifications is denied"; the generated rules are listed in .../developerguide/suricata-examples.html,
"Stateful rules examples: domain list rules"). An ALLOWLIST generates, per target type:

* ``TLS_SNI``: ``pass tls $HOME_NET any -> $EXTERNAL_NET any`` for each target (matched by SNI), then
  ``drop tls $HOME_NET any -> $EXTERNAL_NET any`` for every other TLS client hello;
* ``HTTP_HOST``: the same with ``http`` (matched by the Host header). Those rules match HTTP only: they neither
  pass nor drop HTTPS, so a list without ``TLS_SNI`` does not filter the signaling hosts itself.

Where those rules sit (docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html):

* ``DEFAULT_ACTION_ORDER``: every PASS of the policy before any DROP. A host that any TLS_SNI allowlist lists (or
  any PASS passes) passes; every other host is dropped by the generated drop. With no TLS_SNI allowlist nothing
  drops HTTPS: traffic no rule matches passes.
* ``STRICT_ORDER``: by group priority, each group's passes then its drop, so the first TLS_SNI allowlist decides
  every TLS host (a later allowlist's hosts are dropped by the earlier one's drop). TLS that no rule matches (an
  HTTP_HOST-only list matches none) meets the stateful default action: dropped by ``aws:drop_strict`` or
  ``aws:drop_established``, passed otherwise. Under ``aws:drop_strict`` the TCP handshake, before any SNI is seen,
  is dropped unless a rule passes it, which this check does not evaluate: the allowlist's hosts are unverified.
* An unknown rule order (preview): what depends on it (the default action, one allowlist's drop shadowing
  another's hosts) is unverified.

Each firewall policy that holds an ALLOWLIST rule group is one host scope (named per policy when there are
several). A group that no known arn matches, while some reference of the policy is unknown, is taken as referenced
at an unknown position, as the media check does. A policy that surely passes TCP 443 to every public address
before a group's rules (a stateless pass, any PASS in default action order, an earlier PASS in STRICT_ORDER) lets
every host out there. The generated rules' ``$HOME_NET`` source is taken to hold the clients (this check does not
know their addresses). DENYLIST, REJECTLIST and ALERTLIST groups are not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from ..boxes import PUBLIC, BoxSet
from ..common import skipping, unknown
from ..evaluate import Access, Doubt, DoubtKind, doubts_for, evaluate
from ..messages import AWS_COMPONENT
from ..model import HostAllow, HostScope
from ..resources import UNKNOWN, Resource, as_list, as_obj, field, of_type, props_of
from .aws_nfw_common import RULE_GROUP, STATEFUL, STATEFUL_DEFAULT
from .aws_nfw_policy import PASS_DEFAULT, UNKNOWN_DEFAULT, PolicyView, policy_views

TITLE = "AWS Network Firewall domain allowlists"
_EVERY_HOST = ("*",)
"""Not an AWS domain-list pattern: every host (a policy's pass of HTTPS anywhere, a drop, a default action)."""
UNPLACED = 1 << 31
"""The priority of a group whose position is unknown (STRICT_ORDER): after every known one."""


@dataclass(frozen=True)
class DomainList:
    """The TLS rules an ALLOWLIST rule group generates: its passes, then its drop; None: no TLS rule."""

    group: Resource
    passes: HostAllow | None
    drops: HostAllow | None


def host_scopes(resources: Sequence[Resource], notes: list[str]) -> list[HostScope]:
    """One host scope per firewall policy that holds an ALLOWLIST rule group."""
    lists: dict[int, DomainList] = {}
    for group in of_type(resources, RULE_GROUP):
        with skipping(notes, group.label):
            found = domain_list(group)
            if found is not None:
                lists[id(group)] = found
    views = [view for view in policy_views(resources, []) if any(id(group) in lists for group, _ in view.placed)]
    scopes = []
    for view in views:
        rules = policy_rules(view, lists)
        listed = tuple(pattern for rule in rules if rule.access is Access.ALLOW and rule.sure != _EVERY_HOST
                       for pattern in rule.sure)
        label = TITLE if len(views) == 1 else f"{view.scope.label} domain allowlists"
        scopes.append(HostScope(label, view.policy.urn, tuple(rules), matches, partial(message, listed=listed)))
    return scopes


def domain_list(group: Resource) -> DomainList | None:
    """The TLS rules of a domain list rule group; None when it is not an ALLOWLIST (or not a domain list)."""
    source = field(field(field(props_of(group), "ruleGroup"), "rulesSource"), "rulesSourceList")
    if source is None:
        return None
    if source is UNKNOWN:
        return _list(group, (), None, False, (unknown(group.label, "rulesSourceList"),))
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
        return DomainList(group, None, None)  # HTTP_HOST only: http rules, which match no HTTPS
    certain = not doubts
    targets = as_list(field(source, "targets"), "targets")
    if targets is UNKNOWN:
        return _list(group, (), None, certain, (*doubts, unknown(group.label, "targets")))
    assert isinstance(targets, list)
    names = tuple(target for target in targets if isinstance(target, str))
    if any(target is UNKNOWN for target in targets):
        return _list(group, names, None, certain, (*doubts, unknown(group.label, "a target")))
    return _list(group, names, names, certain, tuple(doubts))


def _list(group: Resource, sure: tuple[str, ...], maybe: tuple[str, ...] | None, certain: bool,
          doubts: tuple[Doubt, ...]) -> DomainList:
    """``certain``: surely an ALLOWLIST with TLS_SNI (it surely drops every host it does not list)."""
    label = f"rule group '{group.name}'"
    passes = HostAllow(group, sure if certain else (), maybe, doubts, label=label)
    drops = HostAllow(group, _EVERY_HOST if certain else (), _EVERY_HOST, doubts, Access.DENY, label=label)
    return DomainList(group, passes, drops)


def policy_rules(view: PolicyView, lists: dict[int, DomainList]) -> list[HostAllow]:
    """What ``view`` does with HTTPS to a host: its allowlists' generated rules in order, then its default."""
    placed = [(lists[id(group)], priority) for group, priority in view.placed if id(group) in lists]
    crowded = sum(1 for found, _ in placed if found.passes is not None) > 1
    rules: list[HostAllow] = []
    for index, (found, priority) in enumerate(placed):
        if found.passes is None or found.drops is None:
            continue
        passes, drops = _positioned(view, found, priority, index, crowded)
        rules.extend((_open_before(view, priority if view.strict else None, passes.order), passes, drops))
    rules.append(_default(view))
    return [rule for rule in rules if rule.maybe != ()]


def _positioned(view: PolicyView, found: DomainList, priority: int | None, index: int, crowded: bool
                ) -> tuple[HostAllow, HostAllow]:
    assert found.passes is not None and found.drops is not None
    passes, drops = found.passes, found.drops
    if not view.strict:  # every PASS before any DROP
        return replace(passes, order=(STATEFUL, 0, index)), replace(drops, order=(STATEFUL, 1, index))
    if view.default == "aws:drop_strict":
        doubt = Doubt(DoubtKind.EXTERNAL, f"{view.scope.label}: with aws:drop_strict the TCP handshake is dropped "
                                          f"before rule group '{found.group.name}' sees any SNI, unless a rule "
                                          "passes it, which this check does not evaluate")
        passes = replace(passes, sure=(), doubts=(*passes.doubts, doubt))
    if priority is None:
        doubt = Doubt(DoubtKind.UNKNOWN, f"{view.scope.label}: the position of rule group '{found.group.name}' is "
                                         "not known")
        passes, drops = (replace(rule, doubts=(*rule.doubts, doubt)) for rule in (passes, drops))
        if crowded:  # another allowlist may come first, or this one may: neither decides for sure
            passes, drops = replace(passes, sure=()), replace(drops, sure=())
    if view.scope.doubts and crowded:  # unknown rule order: in default action order the lists add up
        drops = replace(drops, sure=(), doubts=(*drops.doubts, *view.scope.doubts))
    position = UNPLACED if priority is None else priority
    return replace(passes, order=(STATEFUL, position, 1, index)), replace(drops, order=(STATEFUL, position, 2, index))


def _default(view: PolicyView) -> HostAllow:
    """HTTPS that no stateful rule matches: passes in default action order; STRICT_ORDER's default action."""
    order = (STATEFUL_DEFAULT,)
    doubts = view.scope.doubts  # the rule order itself is unknown
    if not view.strict or (view.default == PASS_DEFAULT and not doubts):
        return HostAllow(view.policy, _EVERY_HOST, _EVERY_HOST, order=order,
                         label="traffic that no stateful rule matches")
    if view.default in (UNKNOWN_DEFAULT, PASS_DEFAULT) or doubts:
        doubts = (*doubts, *((unknown(view.scope.label, "statefulDefaultActions"),)
                             if view.default == UNKNOWN_DEFAULT else ()))
        return HostAllow(view.policy, (), None, doubts, order=order, label="the stateful default action")
    return HostAllow(view.policy, _EVERY_HOST, _EVERY_HOST, (), Access.DENY, order,
                     f"the stateful default action {view.default}")


def _open_before(view: PolicyView, priority: int | None, order: tuple[int, ...] | None) -> HostAllow:
    """Whether ``view`` surely (or maybe) passes TCP 443 to every public address ahead of a group at ``priority``
    (None: unknown, or default action order: every rule), as an allow of every host at ``order``."""
    https = BoxSet.of(("tcp",), ((443, 443),), PUBLIC)
    rules = [rule for rule in view.scope.rules if not (rule.builtin and rule.order == (STATEFUL_DEFAULT,))]
    if view.strict:
        cutoff = (STATEFUL, priority) if priority is not None else (STATEFUL,)
        rules = [rule for rule in rules if rule.order is not None and rule.order < cutoff]
    outcome = evaluate(rules, https)
    label = f"{view.scope.label} passes TCP 443 to every address before its host filter"
    before = (*order[:-2], 0) if order else None
    if outcome.worst == https:
        return HostAllow(view.policy, _EVERY_HOST, _EVERY_HOST, order=before, label=label)
    if outcome.best == https:
        return HostAllow(view.policy, (), _EVERY_HOST, doubts_for(rules, https), order=before, label=label)
    return HostAllow(view.policy, (), (), label=label)


def matches(pattern: str, host: str) -> bool:
    """AWS domain-list semantics: ``.example.com`` is the domain and its subdomains, anything else exact."""
    if pattern == "*":  # not an AWS domain-list pattern: every host
        return True
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


def message(label: str, missing: Sequence[str], denied: Sequence[tuple[str, str]], listed: Sequence[str] = ()
            ) -> str:
    """The violation; ``listed``: patterns some allowlist surely passes, so a denied host they match is shadowed
    by an earlier group's drop (STRICT_ORDER)."""
    count, hosts = len(missing), ", ".join(missing)
    noun = f"Chalk signaling host{'s' if count > 1 else ''} (HTTPS on TCP 443)"
    them = "them" if count > 1 else "it"
    shadowed = [(host, rule) for host, rule in denied if any(matches(pattern, host) for pattern in listed)]
    why = ""
    if shadowed:
        names = [host for host, _ in shadowed]
        several = len(names) > 1
        subject = ("They are" if several else "It is") if len(names) == count else (
            f"{', '.join(names)} {'are' if several else 'is'}")
        rules = " and ".join(dict.fromkeys(rule for _, rule in shadowed))
        why = (f" {subject} listed, but {rules} {'drop' if ' and ' in rules else 'drops'} "
               f"{'them' if several else 'it'} first: in STRICT_ORDER an ALLOWLIST rule group drops TLS to every "
               "host it does not list, before later rule groups are evaluated.")
    return (f"{label} do not allow {count} {noun}: {hosts}.{why} Add {them} to the targets of an ALLOWLIST rule "
            f"group with target type TLS_SNI (a leading dot allows a domain and its subdomains) or use "
            f"{AWS_COMPONENT}.")
