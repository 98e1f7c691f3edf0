"""The exact text of every finding. One sentence says what is wrong and where; the next says how to fix it.

Each layer's gap and host messages live in its module under :mod:`.layers` (built from the helpers here);
these are the formats:

Formats (``<items>`` is ``UDP 443, 3478 to 13.115.244.0/27, 54.65.63.192/26 and UDP 10000-60000 to ...``):

* AWS security groups: ``Region jp1 (Japan): AWS security groups do not allow <items>. Add an
  aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port 10000, to_port 60000) or use
  chalk_policy.components.aws.ChalkAwsEgress.``
* Network Firewall: ``Region jp1 (Japan): AWS Network Firewall policy 'fw' does not pass <items>; blocks <items>
  with rule group 'g' sid 7 (DROP), before any PASS. Add a PASS stateful rule per range (protocol UDP,
  destination_port 10000:60000) to a rule group the policy references, ahead of the blocking rules, or use
  chalk_policy.components.aws.ChalkAwsEgress.``
* NSG: ``Region de1 (Germany): NSG 'chalk-nsg' denies <items> with rule 'deny-all' (priority 200), before any
  allow. Add an Outbound Allow rule numbered below 200 (protocol Udp, destination_port_ranges 3478) or use
  chalk_policy.components.azure.ChalkAzureEgress.``
* Azure Firewall: ``Region de1 (Germany): Azure Firewall policy 'p' denies <items> with rule 'r' of rule collection
  'c' (priority 100) in group 'g' (priority 500), before any allow. Add a NetworkRule (ip_protocols UDP,
  destination_ports 3478) to an Allow rule collection evaluated before the Deny, or use
  chalk_policy.components.azure.ChalkAzureEgress.``
* Network ACL (egress): ``Region jp1 (Japan): network ACL 'acl' denies <items> with rule 100 (deny), before any
  allow. Add an egress allow rule numbered below 100 per port range and CIDR (protocol udp, ports 3478).``
* Network ACL (replies): ``Region jp1 (Japan): network ACL 'acl' does not allow replies (UDP 1024-65535 from
  13.115.244.0/27). Network ACLs are stateless: add an ingress allow rule per CIDR for the replies (protocol udp,
  ports 1024-65535).``
* Unverified: ``Region jp1 (Japan): AWS security groups may allow <items>, but this can only be verified at
  `pulumi up`: aws.vpc.SecurityGroupEgressRule 'm': cidrIpv4 is unknown.``
"""

from __future__ import annotations

from collections.abc import Sequence

from ..planning.plan import PortRange
from ..text import join_some
from .evaluate import Doubt, DoubtKind
from .model import Denial, PortGap, RegionGap, RegionUnverified

AWS_COMPONENT = "chalk_policy.components.aws.ChalkAwsEgress"
AZURE_COMPONENT = "chalk_policy.components.azure.ChalkAzureEgress"
AZURE_PROTOCOL = {"udp": "Udp", "tcp": "Tcp"}


def ports_text(ports: Sequence[PortRange]) -> str:
    return ", ".join(str(port) for port in ports)


def gap_text(gap: PortGap) -> str:
    return f"{gap.protocol.value.upper()} {ports_text(gap.ports)} to {', '.join(gap.cidrs)}"


def items_text(gaps: Sequence[PortGap]) -> str:
    return " and ".join(gap_text(gap) for gap in gaps)


def replies_text(gaps: Sequence[PortGap]) -> str:
    """``replies (UDP 1024-65535 from 13.115.244.0/27 and TCP ...)``: inbound replies to the clients."""
    return "replies (" + " and ".join(f"{gap.protocol.value.upper()} {ports_text(gap.ports)} from "
                                      f"{', '.join(gap.cidrs)}" for gap in gaps) + ")"


def region_prefix(region: str, name: str) -> str:
    return f"Region {region} ({name})"


def doubts_text(doubts: Sequence[Doubt]) -> str:
    """``can only be verified at `pulumi up`: a; b`` and/or ``cannot be verified from this stack: c``."""
    clauses = []
    pending = [doubt.text for doubt in doubts if doubt.kind is DoubtKind.UNKNOWN]
    external = [doubt.text for doubt in doubts if doubt.kind is DoubtKind.EXTERNAL]
    if pending:
        clauses.append(f"can only be verified at `pulumi up`: {_first_few(pending)}")
    if external:
        clauses.append(f"cannot be verified from this stack: {_first_few(external)}")
    return " and ".join(clauses) or "can only be verified at `pulumi up`"


MAX_DOUBTS = 3


def _first_few(texts: Sequence[str]) -> str:
    shown = "; ".join(texts[:MAX_DOUBTS])
    return shown if len(texts) <= MAX_DOUBTS else f"{shown}; and {len(texts) - MAX_DOUBTS} more like these"


def all_gaps(gap: RegionGap) -> list[PortGap]:
    return [*gap.missing, *(item for denial in gap.denied for item in denial.gaps)]


def distinct_ranges(gaps: Sequence[PortGap]) -> list[tuple[str, PortRange]]:
    return sorted({(item.protocol.value, port) for item in gaps for port in item.ports})


def ports_by_protocol(gaps: Sequence[PortGap]) -> list[tuple[str, list[PortRange]]]:
    result: dict[str, set[PortRange]] = {}
    for item in gaps:
        result.setdefault(item.protocol.value, set()).update(item.ports)
    return [(protocol, sorted(ports)) for protocol, ports in sorted(result.items())]


def denial_clause(denial: Denial, verb: str, before: str) -> str:
    return f"{verb} {items_text(denial.gaps)} with {denial.rule}, before any {before}"


def unverified_message(scope: str, item: RegionUnverified, *, replies: bool = False) -> str:
    head = region_prefix(item.region, item.region_name)
    items = replies_text(item.gaps) if replies else items_text(item.gaps)
    return f"{head}: {scope} may allow {items}, but this {doubts_text(item.doubts)}."


def hosts_unverified_message(scope: str, hosts: Sequence[str], doubts: Sequence[Doubt]) -> str:
    return f"{scope} may allow Chalk signaling hosts {', '.join(hosts)}, but this {doubts_text(doubts)}."


def wide_message(who: str, services: str, dests: Sequence[str], option: int, regions: Sequence[str],
                 component: str) -> str:
    return (f"{who} allows {services} to {join_some(dests)}, wider than Chalk's media ranges (it also reaches "
            f"addresses outside every catalog range). Allow only the catalog ranges of the selected regions "
            f"(`chalk-policy plan --regions {','.join(regions)} --option {option}`) or use {component}.")


def untagged_message(nouns: Sequence[str], selector: str) -> str:
    """A tag selector that picks none of the stack's ``nouns`` (``security group``, ``NSG``): the Chalk clients'
    egress is not checked at all."""
    noun = " or ".join(nouns)
    return (f"No {noun} of the stack carries the tag {selector}, so the Chalk clients' egress is not checked. Tag "
            f"the {noun} that governs the Chalk clients with {selector}, or change the policy's clientTag.")


def default_allow_message(nsg: str, services: str) -> str:
    """``services``: the media protocols and ports the default rule lets out (never TCP 443: signaling)."""
    return (f"{nsg} allows {services} to every public address through Azure's default rule 'AllowInternetOutBound' "
            f"(priority 65001), because no rule denies that traffic first. Add an Outbound Deny of 'Internet' for "
            f"{services} numbered after the Chalk allows (e.g. priority 4096), keeping TCP 443 allowed for "
            f"signaling, or use {AZURE_COMPONENT}.")


def other_option_message(allowed: Sequence[tuple[int, str]], expected: int, expected_text: str,
                         regions: Sequence[str]) -> str:
    listed = " and ".join(f"{option} ({text})" for option, text in allowed)
    noun = "options" if len(allowed) > 1 else "option"
    first = allowed[0][0]
    return (f"The stack allows {noun} {listed} but the policy expects option {expected} ({expected_text}) for "
            f"regions {', '.join(regions)}. Set the policy's option to {first}, or allow option {expected} in the "
            f"stack (`chalk-policy plan --regions {','.join(regions)} --option {expected}`).")


def partial_option_message(expected: int, expected_text: str, missing: Sequence[str], regions: Sequence[str]) -> str:
    verb = "are" if len(missing) > 1 else "is"
    return (f"Option {expected} expects {expected_text}; {' and '.join(missing)} {verb} not allowed to any Chalk "
            f"range of regions {', '.join(regions)}. Allow {'them' if len(missing) > 1 else 'it'} or check which "
            f"option the stack was built for.")
