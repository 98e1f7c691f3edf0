"""chalk-media-egress-required: the exact message texts, one snapshot per message shape.

The layer tests (tests/coverage/layers/test_*.py) assert each case's structured outcome (what is missing, denied
or unverified, by which rule, and the notes); these snapshots pin the full texts of the findings, fix included, for
one case of each shape. The stacks are the cases of tests/coverage/layers/cases_<layer>.py, named
``<layer>/<case name>``. The texts were copied verbatim from the former exact table (tests/coverage/test_media.py),
whose texts were reviewed by hand against the semantics in chalk_policy.coverage (module docstrings); only the NSG
Deny at priority 100 is new (that table had no such case).
"""

from __future__ import annotations

import pytest

from chalk_policy.coverage import Options, check_media

from .helpers import CATALOG, PLAN
from .layers import (
    cases_aws_network_acl,
    cases_aws_network_firewall,
    cases_aws_security_groups,
    cases_azure_firewall,
    cases_azure_nsg,
)
from .layers.expect import Case

LAYERS = {module.__name__.rsplit(".cases_", 1)[1]: module.CASES
          for module in (cases_aws_security_groups, cases_aws_network_acl, cases_aws_network_firewall,
                         cases_azure_nsg, cases_azure_firewall)}

SNAPSHOTS: dict[str, list[tuple[str, str]]] = {
    # security groups: a gap (items joined with "and", a tagged scope)
    'aws_security_groups/tag-selector-excludes-group': [
        ('violation',
         'Region jp1 (Japan): AWS security groups tagged chalk=media do not allow UDP 443 to '
         '18.180.220.128/25, 54.65.63.192/26 and UDP 3478, 10000-60000 to 13.115.244.0/27, '
         '18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule per range '
         '(ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; '
         'ip_protocol udp, from_port 10000, to_port 60000) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    # security groups: a clientTag that no group carries
    'aws_security_groups/tag-selector-matches-no-group': [
        ('violation',
         'Region de1 (Germany): AWS security groups tagged chalk=media do not allow UDP 443, 3478, '
         '10000-60000 to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27: no security group carries '
         "the tag chalk=media (provider default tags appear in tagsAll). Tag the Chalk clients' security "
         "groups with chalk=media or change the policy's clientTag."),
        ('violation',
         'Region jp1 (Japan): AWS security groups tagged chalk=media do not allow UDP 443, 3478, '
         '10000-60000 to 13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26: no security group carries '
         "the tag chalk=media (provider default tags appear in tagsAll). Tag the Chalk clients' security "
         "groups with chalk=media or change the policy's clientTag."),
    ],
    # Network Firewall: no PASS
    'aws_network_firewall/missing-rule': [
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' does not pass UDP 443, 3478, 10000-60000 "
         'to 18.180.220.128/25. Add a PASS stateful rule per range (protocol UDP, destination_port 443; '
         'protocol UDP, destination_port 3478; protocol UDP, destination_port 10000:60000) to a rule '
         'group the policy references or use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    # Network Firewall: a stateful DROP ahead of the PASSes
    'aws_network_firewall/drop-shadows-in-strict-order': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' blocks UDP 3478 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule group 'drops' sid 7 (DROP), before any PASS. Add a "
         'PASS stateful rule per range (protocol UDP, destination_port 3478) to a rule group the policy '
         'references, ahead of the blocking rules, or use chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' blocks UDP 3478 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule group 'drops' sid 7 (DROP), before any PASS. Add "
         'a PASS stateful rule per range (protocol UDP, destination_port 3478) to a rule group the '
         'policy references, ahead of the blocking rules, or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    # Network Firewall: a stateless drop
    'aws_network_firewall/stateless-drop-rule': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' blocks UDP 3478 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with stateless rule group 'sl' rule priority 5 (aws:drop), "
         'before any PASS. Forward that traffic to the stateful engine (statelessDefaultActions '
         'aws:forward_to_sfe, or a stateless rule with aws:forward_to_sfe ahead of the drop), pass it '
         'there with a PASS stateful rule per range (protocol UDP, destination_port 3478), or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' blocks UDP 3478 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with stateless rule group 'sl' rule priority 5 (aws:drop), "
         'before any PASS. Forward that traffic to the stateful engine (statelessDefaultActions '
         'aws:forward_to_sfe, or a stateless rule with aws:forward_to_sfe ahead of the drop), pass it '
         'there with a PASS stateful rule per range (protocol UDP, destination_port 3478), or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    # NSG: a Deny an Allow can be numbered below
    'azure_nsg/deny-shadows-partially': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 3478 to 52.59.186.0/27 with rule 'deny-all' "
         '(priority 200), before any allow. Add an Outbound Allow rule numbered below 200 (protocol Udp, '
         'destination_port_ranges 3478) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    # NSG: a Deny at priority 100 (no case of the old exact table had one; its text follows the format of
    # chalk_policy/coverage/layers/azure_nsg.py and tests/policy/test_pack_grpc.py)
    'azure_nsg/deny-at-first-priority': [
        ("violation",
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 3478 to 18.156.18.128/25, 18.195.48.224/27, "
         "52.59.186.0/27 with rule 'deny-stun' (priority 100), before any allow. Renumber or narrow that Deny (no "
         "priority is below 100), then allow (protocol Udp, destination_port_ranges 3478) ahead of it, or use "
         "chalk_policy.components.azure.ChalkAzureEgress."),
        ("violation",
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
         "54.65.63.192/26 with rule 'deny-stun' (priority 100), before any allow. Renumber or narrow that Deny (no "
         "priority is below 100), then allow (protocol Udp, destination_port_ranges 3478) ahead of it, or use "
         "chalk_policy.components.azure.ChalkAzureEgress."),
    ],
    # Azure Firewall: a Deny collection
    'azure_firewall/deny-collection-shadows': [
        ('violation',
         "Region de1 (Germany): Azure Firewall policy 'fw-policy' denies UDP 3478 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule 'stun' of rule collection 'block-stun' (priority "
         "100) in group 'rcg' (priority 500), before any allow. Add a NetworkRule (ip_protocols UDP, "
         'destination_ports 3478) to an Allow rule collection evaluated before the Deny, or use '
         'chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): Azure Firewall policy 'fw-policy' denies UDP 3478 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'stun' of rule collection 'block-stun' (priority "
         "100) in group 'rcg' (priority 500), before any allow. Add a NetworkRule (ip_protocols UDP, "
         'destination_ports 3478) to an Allow rule collection evaluated before the Deny, or use '
         'chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    # Azure Firewall: a policy without rule collection groups
    'azure_firewall/firewall-policy-without-groups': [('violation',
      "Region de1 (Germany): Azure Firewall policy 'fw' has no rule collection group allowing UDP 443, 3478, "
      '10000-60000 to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27. Add a FirewallPolicyRuleCollectionGroup '
      'with an Allow rule collection holding a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): Azure Firewall policy 'fw' has no rule collection group allowing UDP 443, 3478, "
      '10000-60000 to 13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add a FirewallPolicyRuleCollectionGroup '
      'with an Allow rule collection holding a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.')],
    # network ACL: egress and reply denies
    'aws_network_acl/deny-shadows-allow': [('violation',
       "Region de1 (Germany): network ACL 'subnets' denies UDP 3478 to 18.156.18.128/25, 18.195.48.224/27, "
       '52.59.186.0/27 with rule 100 (deny), before any allow. Add an egress allow rule numbered below 100 per port '
       'range and CIDR (protocol udp, ports 3478).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'subnets' denies UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
       '54.65.63.192/26 with rule 100 (deny), before any allow. Add an egress allow rule numbered below 100 per '
       'port range and CIDR (protocol udp, ports 3478).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'subnets' denies replies (UDP 1024-65535 from 13.115.244.0/27) with rule "
       '100 (deny), before any allow. Network ACLs are stateless: add an ingress allow rule numbered below 100 per '
       'CIDR for the replies (protocol udp, ports 1024-65535).')],
    # network ACL: replies not allowed
    'aws_network_acl/missing-reply-ingress': [('violation',
       "Region de1 (Germany): network ACL 'subnets' does not allow replies (UDP 1024-65535 from 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'subnets' does not allow replies (UDP 1024-65535 from 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).')],
    # unverified: only `pulumi up` can tell
    'aws_security_groups/cidr-unknown': [
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, but this can only be verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule '
         "'u10000': cidrIpv4 is unknown; aws.vpc.SecurityGroupEgressRule 'u3478': cidrIpv4 is unknown; "
         "aws.vpc.SecurityGroupEgressRule 'u443': cidrIpv4 is unknown."),
    ],
    # unverified: it cannot be told from the stack; then notes
    'aws_network_acl/unreadable-deny': [('unverified',
       "Region de1 (Germany): network ACL 'subnets' may allow UDP 3478 to 18.156.18.128/25, 18.195.48.224/27, "
       "52.59.186.0/27, but this cannot be verified from this stack: aws.ec2.NetworkAcl 'subnets' egress[0]: the "
       "deny rule 90 cannot be read ('13.115.244.0/33' is not an IP address or CIDR)."),
      ('unverified',
       "Region jp1 (Japan): network ACL 'subnets' may allow UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
       "54.65.63.192/26, but this cannot be verified from this stack: aws.ec2.NetworkAcl 'subnets' egress[0]: the "
       "deny rule 90 cannot be read ('13.115.244.0/33' is not an IP address or CIDR)."),
      ('note',
       "aws.ec2.NetworkAcl 'subnets' egress[0]: the deny rule 90 may deny traffic but cannot be read "
       "('13.115.244.0/33' is not an IP address or CIDR); what it may deny is reported as unverified."),
      ('note', "Skipped aws.ec2.NetworkAcl 'subnets' ingress[0]: 'garbage' is not an IP address or CIDR.")],
    # a clientTag that no NSG carries
    'azure_nsg/selector-picks-no-nsg': [('violation',
      "No NSG of the stack carries the tag chalk=media, so the Chalk clients' egress is not checked. Tag the NSG "
      "that governs the Chalk clients with chalk=media, or change the policy's clientTag.")],
}


def _case(key: str) -> Case:
    layer, name = key.split("/")
    return next(case for case in LAYERS[layer] if case.name == name)


@pytest.mark.parametrize("key", SNAPSHOTS)
def test_media_messages_are_exact(key: str) -> None:
    case = _case(key)
    result = check_media(case.resources, PLAN, CATALOG, Options(case.selector))
    assert result.applicable
    assert [(f.kind.value, f.message) for f in result.findings] == SNAPSHOTS[key]
