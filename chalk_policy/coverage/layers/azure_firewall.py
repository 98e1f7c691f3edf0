"""The Azure Firewall layer: policies and classic firewalls (:mod:`.azure_fw_rules`), application rules for host
names (:mod:`.azure_app_rules`), how its gaps are reported and fixed."""

from __future__ import annotations

from ..messages import (
    AZURE_COMPONENT,
    all_gaps,
    denial_clause,
    items_text,
    ports_by_protocol,
    ports_text,
    region_prefix,
)
from ..model import HostScope, Layer, RegionGap, Scope, ScopeContext, ScopeReport
from .azure_app_rules import host_scopes
from .azure_fw_rules import AZURE_FIREWALL, FIREWALL_POLICY, RULE_COLLECTION_GROUP, firewall_scopes


def _scopes(ctx: ScopeContext) -> list[Scope]:
    return firewall_scopes(ctx.resources, ctx.notes, ctx.clients)


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    head, everything = region_prefix(gap.region, gap.region_name), all_gaps(gap)
    clauses = ([f"does not allow {items_text(gap.missing)}"] if gap.missing else []) + [
        denial_clause(denial, "denies", "allow") for denial in gap.denied]
    fix = "; ".join(f"ip_protocols {protocol.upper()}, destination_ports {ports_text(ports)}"
                    for protocol, ports in ports_by_protocol(everything))
    if report.empty:
        return (f"{head}: {report.scope} has no rule collection group allowing {items_text(everything)}. Add a "
                f"FirewallPolicyRuleCollectionGroup with an Allow rule collection holding a NetworkRule ({fix}) or "
                f"use {AZURE_COMPONENT}.")
    where = " evaluated before the Deny," if gap.denied else ""
    return (f"{head}: {report.scope} {'; '.join(clauses)}. Add a NetworkRule ({fix}) to an Allow rule "
            f"collection{where} or use {AZURE_COMPONENT}.")


def _host_scopes(ctx: ScopeContext) -> list[HostScope]:
    return host_scopes(ctx.resources, ctx.notes, ctx.clients)


LAYER = Layer(id="azure-firewall", cloud="azure",
              resource_types=frozenset({RULE_COLLECTION_GROUP, FIREWALL_POLICY, AZURE_FIREWALL}), scopes=_scopes,
              gap_message=_gap_message, component=AZURE_COMPONENT, host_scopes=_host_scopes)
