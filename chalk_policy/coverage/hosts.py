"""The signaling-hosts check: when a layer filters host names (AWS Network Firewall domain allowlists, Azure
Firewall application rules), every host of the plan must be allowed. First match with unknowns, as for
addresses: the best case decides violations, the worst case what is unverified."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..catalog.models import Catalog
from ..planning.plan import Plan
from . import layers
from .engine import catalog_clients
from .evaluate import Access, Doubt
from .messages import hosts_unverified_message
from .model import POLICY_HOSTS, CheckResult, Finding, FindingKind, HostAllow, HostScope, Options, ScopeContext
from .resources import Resource

Matcher = Callable[[str, str], bool]


def _host_outcome(host: str, rules: Sequence[HostAllow], match: Matcher, best: bool) -> HostAllow | None:
    """The first rule that decides ``host`` (best or worst case); None when none does."""

    def hits(rule: HostAllow, wide: bool) -> bool:
        patterns = rule.maybe if wide else rule.sure
        return patterns is None or any(match(pattern, host) for pattern in patterns)

    known = sorted((rule for rule in rules if rule.order is not None), key=lambda rule: rule.order or ())
    floating = [rule for rule in rules if rule.order is None]
    allows_first = best
    first = [rule for rule in floating if (rule.access is Access.ALLOW) == allows_first]
    last = [rule for rule in floating if (rule.access is Access.ALLOW) != allows_first]
    for rule in (*first, *known, *last):
        wide = (rule.access is Access.ALLOW) == best
        if hits(rule, wide):
            return rule
    return None


def _hosts_scope(scope: HostScope, hosts: Sequence[str]) -> list[Finding]:
    rules, matches = scope.rules, scope.matches
    missing: list[str] = []
    denied: list[tuple[str, str]] = []
    pending: list[str] = []
    doubts: set[Doubt] = set()
    for host in hosts:
        best = _host_outcome(host, rules, matches, True)
        worst = _host_outcome(host, rules, matches, False)
        if best is None or best.access is Access.DENY:
            missing.append(host)
            if best is not None:
                denied.append((host, best.label))
        elif worst is None or worst.access is Access.DENY:
            pending.append(host)
            doubts.update(doubt for rule in rules for doubt in rule.doubts)
    findings = []
    if missing:
        findings.append(Finding(POLICY_HOSTS, FindingKind.VIOLATION, scope.message(scope.label, missing, denied),
                                scope.urn))
    if pending:
        findings.append(Finding(POLICY_HOSTS, FindingKind.UNVERIFIED,
                                hosts_unverified_message(scope.label, pending, sorted(doubts)), scope.urn))
    return findings


def check_signaling_hosts(resources: Sequence[Resource], plan: Plan, catalog: Catalog | None = None,
                          options: Options | None = None) -> CheckResult:
    """``chalk-signaling-hosts-required``: when the stack filters host names, every plan host is allowed (to the
    clients: ``catalog`` and ``options`` say what is known of their addresses)."""
    notes: list[str] = []
    options = options or Options()
    context = ScopeContext(resources, options.selector, catalog_clients(catalog, options), notes)
    scopes = [scope for layer in layers.LAYERS if layer.host_scopes is not None for scope in layer.host_scopes(context)]
    findings = [finding for scope in scopes for finding in _hosts_scope(scope, plan.host_names)]
    findings.extend(Finding(POLICY_HOSTS, FindingKind.NOTE, note) for note in notes)
    if not scopes:
        return CheckResult(POLICY_HOSTS, False, "the stack holds no host-name allowlist (Network Firewall "
                           "ALLOWLIST rule group or Azure Firewall application rule)", tuple(findings))
    return CheckResult(POLICY_HOSTS, True, "", tuple(findings))
