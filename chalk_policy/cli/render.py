"""Plain renderings of catalogs, plans and diffs for people (text) and machines (json, csv).

The text renderings are :func:`chalk_policy.text.printable` line by line: a catalog's free text (a region's name,
a gap, a note) with a control character, a line break or a lone surrogate is shown escaped, never written to a
terminal as it is (JSON is written by ``json.dumps``, which escapes them anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalog.models import Catalog, Evidence, Region, to_data
from ..text import printable

if TYPE_CHECKING:
    from ..catalog.compare import CatalogDiff
    from ..planning.budgets import AwsBudget, AzureBudget
    from ..planning.plan import Plan
    from ..planning.ticket import Ticket


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[printable(str(c), newlines=False) for c in row] for row in (header, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --- plan ---------------------------------------------------------------------------------------------


def plan_dict(plan: Plan, aws: AwsBudget, azure: AzureBudget) -> dict[str, Any]:
    return {
        "catalog_version": plan.catalog_version,
        "regions": list(plan.regions),
        "option": plan.option,
        "encryption": plan.encryption.value,
        "peer_to_peer": plan.peer_to_peer,
        "media_rules": [
            {
                "protocol": rule.protocol.value,
                "from_port": rule.ports.from_port,
                "to_port": rule.ports.to_port,
                "cidrs": list(rule.cidrs),
                "regions": list(rule.regions),
                "destinations": [{"cidr": d.cidr, "regions": list(d.regions)} for d in rule.destinations],
                "twilio_documented": rule.twilio_documented,
            }
            for rule in plan.media_rules
        ],
        "hosts": [
            {"host": h.host, "port": h.port, "protocol": h.protocol.value, "scope": h.scope, "regions": list(h.regions)}
            for h in plan.hosts
        ],
        "notes": [{"text": note.text, "action": note.action} for note in plan.notes],
        "budgets": budgets_dict(aws, azure),
    }


def budgets_dict(aws: AwsBudget, azure: AzureBudget) -> dict[str, Any]:
    return {
        "aws": {
            "rules_per_group": aws.quota,
            "reserved_per_group": aws.reserved,
            "rules": aws.rule_count,
            "security_groups": len(aws.groups),
            "groups": [{"shard": g.shard, "rules": len(g.rules), "regions": list(g.regions)} for g in aws.groups],
        },
        "azure": {
            "nsg_rules": len(azure.rules),
            "addresses": azure.address_count,
            "priority_window": list(azure.window),
            "rules": [{"name": r.name, "priority": r.priority, "access": r.access.value} for r in azure.rules],
        },
    }


def budget_lines(aws: AwsBudget, azure: AzureBudget) -> list[str]:
    groups = ", ".join(f"shard {g.shard}: {len(g.rules)} rules ({', '.join(g.regions)})" for g in aws.groups)
    return [
        f"AWS:   {aws.rule_count} egress rules in {len(aws.groups)} security group(s) of at most {aws.quota} "
        f"({aws.reserved} reserved in shard 1) -- {groups}",
        f"Azure: {len(azure.rules)} NSG rules, {azure.address_count} destination prefixes, priorities "
        f"{', '.join(str(r.priority) for r in azure.rules)} within {azure.window[0]}-{azure.window[1]}",
    ]


def plan_text(plan: Plan, aws: AwsBudget, azure: AzureBudget, ticket: Ticket) -> str:
    from ..planning.ticket import Kind, Needed

    head = (f"Chalk egress plan -- catalog {plan.catalog_version}, regions {', '.join(plan.regions)}, "
            f"option {plan.option}, {plan.encryption.value} encryption")
    media = table([(r.protocol.value.upper(), r.ports, d.cidr, ", ".join(d.regions))
                   for r in plan.media_rules for d in r.destinations],
                  ("PROTOCOL", "PORTS", "DESTINATION", "REGIONS"))
    hosts = table([(h.protocol.value.upper(), h.port, h.host, h.scope if h.scope == "global" else ", ".join(h.regions))
                   for h in plan.hosts], ("PROTOCOL", "PORT", "HOST", "NEEDED BY"))
    parts = [head, "", f"Media, outbound ({len(plan.cidrs)} ranges x {len(plan.media_rules)} port rules):", media, "",
             f"Signaling hosts, outbound ({len(plan.hosts)}):", hosts]
    peers = [rule for rule in ticket.rules if rule.kind is Kind.PEER]
    if peers:
        parts += ["", "Peer rules (E2EE), between Chalk clients, both directions:",
                  table([(r.protocol.value.upper(), r.ports, r.source, r.destination) for r in peers],
                        ("PROTOCOL", "PORTS", "SOURCE", "DESTINATION"))]
    replies = sum(rule.needed is Needed.STATELESS for rule in ticket.rules)
    parts += ["", f"Replies: {replies} inbound rules, for stateless firewalls only (`--format csv` lists them).",
              "", "Cloud budgets (for the Pulumi components on AWS and Azure; on-premises firewalls can skip this):",
              *(f"  {line}" for line in budget_lines(aws, azure))]
    if ticket.actions:
        parts += ["", "ACTIONS for the network team:",
                  *(printable(f"  - {note}", newlines=False) for note in ticket.actions)]
    others = [note for note in ticket.notes if not note.action]
    if others:
        parts += ["", "Notes (no action needed):", *(printable(f"  - {note.text}", newlines=False) for note in others)]
    return "\n".join(parts)


# --- catalog ------------------------------------------------------------------------------------------


def _mark(evidence: Evidence) -> str:
    return "" if evidence is Evidence.RETRIEVED else f" ({evidence.value})"


def catalog_text(catalog: Catalog, regions: Sequence[Region]) -> str:
    lines = [f"Chalk network catalog {catalog.version}  (marks: (seed) = PTC's seed page, (inferred) = our conclusion)"]
    if len(regions) == len(catalog.regions):
        lines += ["", "Port options:"]
        for option in catalog.port_options:
            rules = ", ".join(f"{r.protocol.value.upper()} {r.ports}" + ("" if r.twilio_documented else "*")
                              for r in option.rules)
            lines.append(f"  {option.id}: {rules}  [{option.name}; {option.quality} quality"
                         f"{'; recommended' if option.recommended else ''}]{_mark(option.evidence)}")
        lines.append("  * listed by PTC, not in Twilio's documentation")
        lines += ["", "Encryption modes:"]
        lines += [f"  {m.id.value}: {m.name}{'; peer to peer' if m.peer_to_peer else ''}{_mark(m.evidence)}"
                  for m in catalog.encryption_modes]
        lines += ["", f"Hosts required by every configuration (TCP 443; the port is inferred) ({len(catalog.hosts)}):"]
        lines += [f"  {h.host}{h.path or ''}  [{h.role.value}]{_mark(h.evidence)}" for h in catalog.hosts]
        if catalog.twilio_hosts:
            lines += ["", "Documented by Twilio, not on PTC's list:"]
            lines += [f"  {h.host} {h.protocol.value.upper()} {h.port}{_mark(h.evidence)}"
                      for h in catalog.twilio_hosts]
    lines += ["", "Regions:"]
    for region in regions:
        proxy = region.annotation_proxy
        proxy_text = (f"{catalog.annotation_proxy(proxy.id).host}{_mark(proxy.evidence)}" if proxy else "none (gap)")
        lines += [f"  {region.id}  {region.name}",
                  f"    media host:       {region.media_host.host}{_mark(region.media_host.evidence)}",
                  f"    annotation proxy: {proxy_text}",
                  "    media ranges:     " + ", ".join(f"{c.cidr}{_mark(c.evidence)}" for c in region.cidrs)]
        lines += [f"    gap: {gap}" for gap in region.gaps]
    if len(regions) == len(catalog.regions) and catalog.gaps:
        lines += ["", "Known gaps:", *(f"  - {gap}" for gap in catalog.gaps)]
    inferred = inferred_facts(catalog, regions)
    lines += ["", f"Inferred facts ({len(inferred)}):", *(f"  - {fact}" for fact in inferred)] if inferred else []
    return "\n".join(printable(line, newlines=False) for line in lines)


def inferred_facts(catalog: Catalog, regions: Sequence[Region]) -> list[str]:
    facts: list[str] = []
    for region in regions:
        if region.media_host.evidence is Evidence.INFERRED:
            facts.append(f"{region.id}: media host {region.media_host.host}")
        if region.annotation_proxy is not None and region.annotation_proxy.evidence is Evidence.INFERRED:
            facts.append(f"{region.id}: annotation proxy {catalog.annotation_proxy(region.annotation_proxy.id).host}")
        facts += [f"{region.id}: media range {c.cidr}" for c in region.cidrs if c.evidence is Evidence.INFERRED]
    if len(regions) == len(catalog.regions):
        facts += [f"host {h.host}" for h in catalog.hosts if h.evidence is Evidence.INFERRED]
    return facts


def catalog_dict(catalog: Catalog, regions: Sequence[Region]) -> dict[str, Any]:
    data: dict[str, Any] = to_data(catalog)
    wanted = {region.id for region in regions}
    data["regions"] = [r for r in data["regions"] if r["id"] in wanted]
    data["inferred"] = inferred_facts(catalog, regions)
    return data


# --- diff ---------------------------------------------------------------------------------------------


def diff_text(result: CatalogDiff) -> str:
    head = f"Catalog {result.old_version} -> {result.new_version}: {len(result.changes)} change(s)"
    if not result.changes:
        return head
    rows = [(c.region, c.kind.value, c.item, c.detail) for c in result.changes]
    return head + "\n" + table(rows, ("REGION", "CHANGE", "ITEM", "DETAIL"))


def diff_dict(result: CatalogDiff) -> dict[str, Any]:
    return {
        "old_version": result.old_version,
        "new_version": result.new_version,
        "has_removals": result.has_removals,
        "changes": [{"region": c.region, "kind": c.kind.value, "item": c.item, "detail": c.detail}
                    for c in result.changes],
    }


def violations_text(violations: Sequence[Any], requirement: str = "") -> str:
    """The chalk-media policy results under a preview; ``requirement``: what they checked against, and its source."""
    heading = f"Policies (chalk-media; {requirement})" if requirement else "Policies (chalk-media)"
    if not violations:
        return f"\n{heading}: no violations."
    mandatory = sum(1 for v in violations if v.level == "mandatory")
    lines = [f"\n{heading}: {mandatory} mandatory, {len(violations) - mandatory} advisory"]
    lines += [printable(f"  [{v.level}] {v.policy}: {v.message}", newlines=False) for v in violations]
    return "\n".join(lines)
