"""The advisory checks: least privilege (no media allow wider than the catalog) and option consistency (the
stack allows the configured port option, not another one)."""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog.models import SIGNALING_PORT, Catalog, Protocol
from ..planning.plan import Plan, PortRange
from .addresses import Addresses
from .boxes import ANYWHERE, EMPTY, PUBLIC, BoxSet
from .engine import NOT_APPLICABLE, LayerScope, catalog_spans, collect_scopes, media_box
from .evaluate import Access, Outcome, Rule, best_allowed_by, evaluate
from .messages import default_allow_message, other_option_message, partial_option_message, ports_text, wide_message
from .model import POLICY_LEAST_PRIVILEGE, POLICY_OPTION, CheckResult, Finding, FindingKind, Options
from .resources import Resource


def services_text(box: BoxSet) -> str:
    return ", ".join(f"{protocol.upper()} {ports_text([PortRange(lo, hi) for lo, hi in box.ports(protocol)])}"
                     for protocol in box.protocols)


class _Wide:
    """Whether a destination is wider than Chalk's media ranges: shorter than /8, or holding a whole catalog range
    and more. Memoized per address set: an estate repeats the same destinations across many rules."""

    def __init__(self, catalog: Catalog) -> None:
        self._networks = catalog_spans(catalog)
        self.catalog_set = Addresses(self._networks)
        self._seen: dict[Addresses, bool] = {}

    def __call__(self, addresses: Addresses) -> bool:
        wide = self._seen.get(addresses)
        if wide is None:
            wide = self._seen[addresses] = self._decide(addresses)
        return wide

    def _decide(self, addresses: Addresses) -> bool:
        prefix = addresses.shortest_prefix()
        if prefix is not None and prefix < 8:
            return True
        if not addresses.intersects(self.catalog_set):
            return False
        holds_a_range = any(lo <= first and last <= hi for first, last in self._networks
                            for lo, hi in addresses.spans)
        return holds_a_range and not addresses.issubset(self.catalog_set)


def check_least_privilege(resources: Sequence[Resource], plan: Plan, catalog: Catalog,
                          options: Options | None = None) -> CheckResult:
    """``chalk-media-egress-least-privilege`` (advisory): no allow on the option's media ports reaches wider than
    the catalog. TCP 443 to anywhere is never flagged, even where option 3 makes it a media port: signaling
    (HTTPS/WSS to host names) needs it, and host names are filtered by a firewall or proxy, not by address."""
    options = options or Options()
    scopes = collect_scopes(resources, options, [], catalog, advisory=True)
    if not scopes:
        return CheckResult(POLICY_LEAST_PRIVILEGE, False, NOT_APPLICABLE)
    signaling = BoxSet.of([Protocol.TCP.value], [(SIGNALING_PORT, SIGNALING_PORT)], ANYWHERE)
    media = media_box([(rule.protocol, rule.ports) for rule in plan.media_rules], ANYWHERE) - signaling
    is_wide = _Wide(catalog)
    catalog_set = is_wide.catalog_set
    probe = media.restrict(PUBLIC - catalog_set)  # what AllowInternetOutBound must not let out
    findings: dict[tuple[str | None, str], Finding] = {}
    for layer, scope in scopes:
        for rule in scope.rules:
            if rule.access is not Access.ALLOW or rule.builtin or rule.resource is None:
                continue
            wide = [dest.text for dest in rule.dests if is_wide(dest.addresses)]
            overlap = rule.services & media if wide else EMPTY
            if overlap:
                who = layer.who(scope.label, rule)
                message = wide_message(who, services_text(overlap), wide, plan.option, plan.regions, layer.component)
                findings.setdefault((rule.resource.urn, who), Finding(
                    POLICY_LEAST_PRIVILEGE, FindingKind.VIOLATION, message, rule.resource.urn))
        if layer.default_allow is not None:
            reached = default_allow_reach(scope.rules, probe, layer.default_allow)
            if reached:
                services = services_text(BoxSet.of(reached.protocols, (), ANYWHERE) | _services_of(reached))
                findings.setdefault((scope.urn, scope.label), Finding(
                    POLICY_LEAST_PRIVILEGE, FindingKind.VIOLATION, default_allow_message(scope.label, services),
                    scope.urn))
    return CheckResult(POLICY_LEAST_PRIVILEGE, True, "", tuple(findings.values()))


def default_allow_reach(rules: Sequence[Rule], probe: BoxSet, default: Rule) -> BoxSet:
    """What of ``probe`` (the media ports to public addresses outside the catalog) a built-in allow (Azure's
    AllowInternetOutBound) lets out (best case)."""
    allowed_by = best_allowed_by(rules, probe)  # the best case is all that Outcome.allowed_by holds
    return next((box for rule, box in allowed_by if rule is default), EMPTY)


def _services_of(box: BoxSet) -> BoxSet:
    result = EMPTY
    for protocol in box.protocols:
        result = result | BoxSet.of((protocol,), box.ports(protocol), ANYWHERE)
    return result


def _option_text(rules: Sequence[tuple[Protocol, PortRange]]) -> str:
    by_protocol: dict[Protocol, list[PortRange]] = {}
    for protocol, ports in rules:
        by_protocol.setdefault(protocol, []).append(ports)
    return "; ".join(f"{protocol.value.upper()} {ports_text(sorted(ports))}"
                     for protocol, ports in sorted(by_protocol.items(), key=lambda item: item[0].value))


def effective_allowed(scopes: Sequence[LayerScope], requirement: BoxSet) -> BoxSet:
    """What every scope may allow (best case) within ``requirement``."""
    allowed = requirement
    for _, scope in scopes:
        outcome: Outcome = evaluate(scope.rules, requirement)
        allowed = allowed & (requirement if scope.doubts else outcome.best)
    return allowed


def check_option_consistency(resources: Sequence[Resource], plan: Plan, catalog: Catalog,
                             options: Options | None = None) -> CheckResult:
    """``chalk-option-consistency`` (advisory): the stack's allows toward the selected regions match the
    configured port option rather than another one, and no entry of the option is missing entirely."""
    options = options or Options()
    scopes = collect_scopes(resources, options, [], catalog, advisory=True)
    if not scopes:
        return CheckResult(POLICY_OPTION, False, NOT_APPLICABLE)
    addresses = Addresses.of(*plan.cidrs)
    entries = {option.id: [(rule.protocol, PortRange(rule.from_port, rule.to_port)) for rule in option.rules]
               for option in catalog.port_options}
    if plan.option not in entries:
        entries[plan.option] = [(rule.protocol, rule.ports) for rule in plan.media_rules]
    boxes = {option: media_box(rules, addresses) for option, rules in entries.items()}
    everything = EMPTY
    for box in boxes.values():
        everything = everything | box
    allowed = effective_allowed(scopes, everything)
    expected = plan.option
    if not boxes[expected] - allowed:
        return CheckResult(POLICY_OPTION, True, "")
    others = [(option, _option_text(entries[option])) for option in sorted(boxes)
              if option != expected and not boxes[option] - allowed]
    text = _option_text(entries[expected])
    if others:
        message = other_option_message(others, expected, text, plan.regions)
    else:
        if not boxes[expected] & allowed:
            return CheckResult(POLICY_OPTION, True, "")
        missing = [f"{protocol.value.upper()} {ports}" for protocol, ports in entries[expected]
                   if not media_box([(protocol, ports)], addresses) & allowed]
        if not missing:
            return CheckResult(POLICY_OPTION, True, "")
        message = partial_option_message(expected, text, missing, plan.regions)
    return CheckResult(POLICY_OPTION, True, "", (Finding(POLICY_OPTION, FindingKind.VIOLATION, message),))
