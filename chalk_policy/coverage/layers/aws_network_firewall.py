"""The AWS Network Firewall layer: its policies (:mod:`.aws_nfw_policy`) and domain allowlists
(:mod:`.aws_domain_lists`), how its gaps are reported and fixed."""

from __future__ import annotations

from ..evaluate import Rule
from ..messages import AWS_COMPONENT, all_gaps, denial_clause, distinct_ranges, items_text, region_prefix
from ..model import HostScope, Layer, RegionGap, Scope, ScopeContext, ScopeReport
from .aws_domain_lists import host_scopes
from .aws_nfw_common import FIREWALL_POLICY
from .aws_nfw_policy import network_firewall_scopes


def _scopes(ctx: ScopeContext) -> list[Scope]:
    return network_firewall_scopes(ctx.resources, ctx.notes, ctx.clients)


def _gap_message(report: ScopeReport, gap: RegionGap) -> str:
    head, everything = region_prefix(gap.region, gap.region_name), all_gaps(gap)
    clauses = ([f"does not pass {items_text(gap.missing)}"] if gap.missing else []) + [
        denial_clause(denial, "blocks", "PASS") for denial in gap.denied]
    fix = "; ".join(f"protocol {protocol.upper()}, destination_port "
                    f"{port.from_port if port.from_port == port.to_port else f'{port.from_port}:{port.to_port}'}"
                    for protocol, port in distinct_ranges(everything))
    if any(denial.rule.startswith(("the stateless", "stateless rule group")) for denial in gap.denied):
        return (f"{head}: {report.scope} {'; '.join(clauses)}. Forward that traffic to the stateful engine "
                f"(statelessDefaultActions aws:forward_to_sfe, or a stateless rule with aws:forward_to_sfe ahead "
                f"of the drop), pass it there with a PASS stateful rule per range ({fix}), or use "
                f"{AWS_COMPONENT}.")
    where = ", ahead of the blocking rules," if gap.denied else ""
    return (f"{head}: {report.scope} {'; '.join(clauses)}. Add a PASS stateful rule per range ({fix}) to a rule "
            f"group the policy references{where} or use {AWS_COMPONENT}.")


def _who(_scope: str, rule: Rule) -> str:
    return f"AWS Network Firewall {rule.label}"


def _host_scopes(ctx: ScopeContext) -> list[HostScope]:
    return host_scopes(ctx.resources, ctx.notes)


LAYER = Layer(id="aws-network-firewall", cloud="aws", resource_types=frozenset({FIREWALL_POLICY}), scopes=_scopes,
              gap_message=_gap_message, component=AWS_COMPONENT, who=_who, host_scopes=_host_scopes)
