"""A new firewall layer is one module (here: this test's GCP-like declaration) plus its registration: the media
check, its messages, least privilege and option consistency all pick it up from the registry alone."""

from __future__ import annotations

from typing import Any

import pytest

from chalk_policy.coverage import (
    FindingKind,
    Options,
    check_least_privilege,
    check_media,
    check_option_consistency,
    layers,
    media_report,
)
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.coverage.boxes import ANYWHERE, BoxSet
from chalk_policy.coverage.evaluate import Access, Dest, Rule, known_rule
from chalk_policy.coverage.messages import all_gaps, items_text, region_prefix
from chalk_policy.coverage.model import Layer, RegionGap, Scope, ScopeContext, ScopeReport
from chalk_policy.coverage.resources import Resource, props_of

from .helpers import CATALOG, DE1, JP1, PLAN, res

FIREWALL = "gcp:compute/firewall:Firewall"


def _rules(firewall: Resource) -> list[Rule]:
    props: dict[str, Any] = props_of(firewall)  # type: ignore[assignment]
    destinations = Addresses.of(*props["destinationRanges"])
    dests = tuple(Dest(text, Addresses.of(text)) for text in props["destinationRanges"])
    found = []
    for key, access in (("allows", Access.ALLOW), ("denies", Access.DENY)):
        for entry in props.get(key, []):
            low, _, high = entry["ports"].partition("-")
            services = BoxSet.of((entry["protocol"],), ((int(low), int(high or low)),), ANYWHERE)
            found.append(known_rule(f"rule priority {props['priority']}", access, services.restrict(destinations),
                                    (props["priority"],), priority=props["priority"], resource=firewall,
                                    services=services, dests=dests))
    return found


def _scopes(ctx: ScopeContext) -> list[Scope]:
    firewalls = [r for r in ctx.resources if r.type == FIREWALL]
    if not firewalls:
        return []
    rules = [rule for firewall in firewalls for rule in _rules(firewall)]
    return [Scope("GCP firewall of network 'vpc'", firewalls[0].urn, tuple(rules))]


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    return (f"{region_prefix(gap.region, gap.region_name)}: {report.scope} does not allow "
            f"{items_text(all_gaps(gap))}. Add an EGRESS allow rule.")


GCP = Layer(id="gcp-firewall", cloud="gcp", resource_types=frozenset({FIREWALL}), scopes=_scopes,
            gap_message=_gap_message, component="(none yet)")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layers, "LAYERS", (*layers.LAYERS, GCP))


def _firewall(name: str, priority: int, ranges: list[str], allows: list[dict[str, str]]) -> Any:
    return res(FIREWALL, name, {"direction": "EGRESS", "priority": priority, "destinationRanges": ranges,
                                "allows": allows})


MEDIA = [{"protocol": "udp", "ports": port} for port in ("443", "3478", "10000-60000")]


def test_an_unregistered_layer_is_invisible() -> None:
    assert not check_media([_firewall("media", 1000, [*DE1, *JP1], MEDIA)], PLAN, CATALOG).applicable


@pytest.mark.usefixtures("registered")
def test_a_registered_layer_is_checked_reported_and_advised_on() -> None:
    complete = [_firewall("media", 1000, [*DE1, *JP1], MEDIA)]
    assert check_media(complete, PLAN, CATALOG).findings == ()
    partial = [_firewall("media", 1000, list(DE1), MEDIA)]
    report = media_report(partial, PLAN, CATALOG, Options())
    assert [(scope.layer.id, [gap.region for gap in scope.gaps]) for scope in report.scopes] == [
        ("gcp-firewall", ["jp1"])]
    messages = [f.message for f in check_media(partial, PLAN, CATALOG).findings if f.kind is FindingKind.VIOLATION]
    assert messages == [f"Region jp1 (Japan): GCP firewall of network 'vpc' does not allow UDP 443, 3478, "
                        f"10000-60000 to {', '.join(JP1)}. Add an EGRESS allow rule."]
    wide = [_firewall("open", 1000, ["0.0.0.0/0"], [{"protocol": "udp", "ports": "3478"}])]
    advice = check_least_privilege(wide, PLAN, CATALOG)
    assert advice.applicable and [f.message.split(" allows ")[0] for f in advice.findings] == [
        "GCP firewall of network 'vpc' rule priority 1000"]
    assert check_option_consistency(complete, PLAN, CATALOG).applicable
