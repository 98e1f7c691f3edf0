"""chalk-media-egress-required: every shape, a compliant case and a mutation each; exact messages.

The expected texts were reviewed by hand against the semantics in chalk_policy.coverage (module docstrings).
"""

from __future__ import annotations

import pytest

from chalk_policy.coverage import Options, check_least_privilege, check_media, check_option_consistency

from .cases_aws import SECURITY_GROUP_CASES
from .cases_azure import AZURE_CASES
from .cases_more import AZURE_FIREWALL_CASES, MALFORMED_CASES, NETWORK_FIREWALL_CASES, NSG_CASES, UNKNOWN_CASES
from .cases_nacl import NACL_CASES
from .helpers import CATALOG, PLAN

TABLES = [("aws", SECURITY_GROUP_CASES), ("nsg", NSG_CASES), ("nfw", NETWORK_FIREWALL_CASES),
          ("azfw", AZURE_FIREWALL_CASES), ("unknown", UNKNOWN_CASES), ("malformed", MALFORMED_CASES),
          ("azure", AZURE_CASES), ("nacl", NACL_CASES)]

_UNTAGGED_ACL = ("aws.ec2.NetworkAcl 'other': it does not carry the tag chalk=media, but it may govern the Chalk "
                 "clients' subnets (a network ACL applies to subnets, not to the tagged security groups).")

EXPECTED: dict[str, list[tuple[str, str]]] = {
    'aws/egress-rules': [],
    'aws/inline-egress': [],
    'aws/security-group-rule': [],
    'aws/prefix-list-by-id': [],
    'aws/prefix-list-entries': [],
    'aws/port-ranges-together': [],
    'aws/wider-cidrs': [],
    'aws/protocol-all': [],
    'aws/ports-as-float-and-string': [],
    'aws/missing-cidr': [
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27. Add an aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port '
         '443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; ip_protocol udp, from_port '
         '10000, to_port 60000) or use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/narrowed-ports': [
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 60000 to 54.65.63.192/26. Add an '
         'aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port 60000, to_port 60000) or '
         'use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/gap-between-ranges': [
        ('violation',
         'Region de1 (Germany): AWS security groups do not allow UDP 30001 to 18.156.18.128/25, '
         '18.195.48.224/27, 52.59.186.0/27. Add an aws.vpc.SecurityGroupEgressRule per range '
         '(ip_protocol udp, from_port 30001, to_port 30001) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 30001 to 13.115.244.0/27, '
         '18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule per range '
         '(ip_protocol udp, from_port 30001, to_port 30001) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/udp-swapped-for-tcp': [
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule '
         'per range (ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, '
         'to_port 3478; ip_protocol udp, from_port 10000, to_port 60000) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/dropped-region': [
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule '
         'per range (ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, '
         'to_port 3478; ip_protocol udp, from_port 10000, to_port 60000) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/prefix-list-missing-entry': [
        ('violation',
         'Region de1 (Germany): AWS security groups do not allow UDP 443, 3478, 10000-60000 to '
         '18.156.18.128/25. Add an aws.vpc.SecurityGroupEgressRule per range (ip_protocol udp, from_port '
         '443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; ip_protocol udp, from_port '
         '10000, to_port 60000) or use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/referenced-group-and-ipv6': [
        ('violation',
         'Region jp1 (Japan): AWS security groups do not allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule '
         'per range (ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, '
         'to_port 3478; ip_protocol udp, from_port 10000, to_port 60000) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/tag-selector-excludes-group': [
        ('violation',
         'Region jp1 (Japan): AWS security groups tagged chalk=media do not allow UDP 443 to '
         '18.180.220.128/25, 54.65.63.192/26 and UDP 3478, 10000-60000 to 13.115.244.0/27, '
         '18.180.220.128/25, 54.65.63.192/26. Add an aws.vpc.SecurityGroupEgressRule per range '
         '(ip_protocol udp, from_port 443, to_port 443; ip_protocol udp, from_port 3478, to_port 3478; '
         'ip_protocol udp, from_port 10000, to_port 60000) or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'aws/tag-selector-reads-tags-all': [],
    'aws/tag-selector-matches-no-group': [
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
    'nsg/inline-rules': [],
    'nsg/standalone-security-rule': [],
    'nsg/single-prefix-and-port-strings': [],
    'nsg/star-protocol-and-ports': [],
    'nsg/internet-prefix': [],
    'nsg/default-allow-internet': [],
    'nsg/deny-after-allow': [],
    'nsg/inbound-deny-ignored': [],
    'nsg/deny-shadows-fully': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule 'deny-all' (priority 200), before any allow. Add an "
         'Outbound Allow rule numbered below 200 (protocol Udp, destination_port_ranges 443, 3478, '
         '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'deny-all' (priority 200), before any allow. Add "
         'an Outbound Allow rule numbered below 200 (protocol Udp, destination_port_ranges 443, 3478, '
         '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/deny-shadows-partially': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 3478 to 52.59.186.0/27 with rule 'deny-all' "
         '(priority 200), before any allow. Add an Outbound Allow rule numbered below 200 (protocol Udp, '
         'destination_port_ranges 3478) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/virtual-network-does-not-cover': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/missing-cidr': [
        ('violation',
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 54.65.63.192/26 with "
         "rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow rule "
         'numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
         'chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/tcp-instead-of-udp': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/second-nsg-lacks': [
        ('violation',
         "Region jp1 (Japan): NSG 'bad' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'nsg/tag-selector-skips-nsg': [],
    'nsg/service-tag-not-modelled': [
        ('violation',
         "Region de1 (Germany): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
         "18.195.48.224/27, 52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         "18.180.220.128/25, 54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any "
         'allow. Add an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges '
         '443, 3478, 10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
        ('note',
         "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: service tag "
         "'AzureCloud' (rule 'tag') is not modelled; it is treated as matching no Chalk range."),
    ],
    'nfw/five-tuple-pass': [],
    'nfw/any-and-lists': [],
    'nfw/any-destination': [],
    'nfw/rules-string': [],
    'nfw/unknown-arns-consider-every-group': [],
    'nfw/default-order-drop-does-not-shadow': [],
    'nfw/missing-rule': [
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' does not pass UDP 443, 3478, 10000-60000 "
         'to 18.180.220.128/25. Add a PASS stateful rule per range (protocol UDP, destination_port 443; '
         'protocol UDP, destination_port 3478; protocol UDP, destination_port 10000:60000) to a rule '
         'group the policy references or use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'nfw/drop-shadows-in-strict-order': [
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
    'nfw/rule-group-not-referenced': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' does not pass UDP 443, 3478, "
         '10000-60000 to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27. Add a PASS stateful rule '
         'per range (protocol UDP, destination_port 443; protocol UDP, destination_port 3478; protocol '
         'UDP, destination_port 10000:60000) to a rule group the policy references or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' does not pass UDP 443, 3478, 10000-60000 "
         'to 13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add a PASS stateful rule per range '
         '(protocol UDP, destination_port 443; protocol UDP, destination_port 3478; protocol UDP, '
         'destination_port 10000:60000) to a rule group the policy references or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'nfw/stateless-default-drop': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' blocks UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27 with the stateless default action aws:drop, '
         'before any PASS. Forward that traffic to the stateful engine (statelessDefaultActions '
         'aws:forward_to_sfe, or a stateless rule with aws:forward_to_sfe ahead of the drop), pass it '
         'there with a PASS stateful rule per range (protocol UDP, destination_port 443; protocol UDP, '
         'destination_port 3478; protocol UDP, destination_port 10000:60000), or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' blocks UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26 with the stateless default action aws:drop,'
         ' before any PASS. Forward that traffic to the stateful engine (statelessDefaultActions '
         'aws:forward_to_sfe, or a stateless rule with aws:forward_to_sfe ahead of the drop), pass it '
         'there with a PASS stateful rule per range (protocol UDP, destination_port 443; protocol UDP, '
         'destination_port 3478; protocol UDP, destination_port 10000:60000), or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'nfw/stateless-default-pass': [],
    'nfw/stateless-forward-before-drop': [],
    'nfw/stateless-drop-rule': [
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
    'nfw/stateless-group-not-in-stack': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this '
         "stack: AWS Network Firewall policy 'fw': stateless rule group arn:aws:network-firewall:rule-"
         'group/elsewhere is not in this stack.'),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this '
         "stack: AWS Network Firewall policy 'fw': stateless rule group arn:aws:network-firewall:rule-"
         'group/elsewhere is not in this stack.'),
    ],
    'nfw/stateless-default-unknown': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: AWS Network Firewall policy 'fw': statelessDefaultActions is unknown."),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: AWS Network Firewall policy 'fw': statelessDefaultActions is unknown."),
    ],
    'nfw/negated-destination-drop': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' blocks UDP 443, 3478, 10000-60000 to "
         "18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27 with rule group 'drops' sid 5 (DROP), before"
         ' any PASS. Add a PASS stateful rule per range (protocol UDP, destination_port 443; protocol '
         'UDP, destination_port 3478; protocol UDP, destination_port 10000:60000) to a rule group the '
         'policy references, ahead of the blocking rules, or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' blocks UDP 443, 3478, 10000-60000 to "
         "13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26 with rule group 'drops' sid 5 (DROP), "
         'before any PASS. Add a PASS stateful rule per range (protocol UDP, destination_port 443; '
         'protocol UDP, destination_port 3478; protocol UDP, destination_port 10000:60000) to a rule '
         'group the policy references, ahead of the blocking rules, or use '
         'chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'nfw/negated-list-and-port': [
        ('violation',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' blocks UDP 443, 10000-60000 to "
         "18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27 with rule group 'drops' sid 6 (DROP), before"
         ' any PASS. Add a PASS stateful rule per range (protocol UDP, destination_port 443; protocol '
         'UDP, destination_port 10000:60000) to a rule group the policy references, ahead of the blocking'
         ' rules, or use chalk_policy.components.aws.ChalkAwsEgress.'),
        ('violation',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' blocks UDP 443, 10000-60000 to "
         "18.180.220.128/25, 54.65.63.192/26 with rule group 'drops' sid 6 (DROP), before any PASS. Add a"
         ' PASS stateful rule per range (protocol UDP, destination_port 443; protocol UDP, '
         'destination_port 10000:60000) to a rule group the policy references, ahead of the blocking '
         'rules, or use chalk_policy.components.aws.ChalkAwsEgress.'),
    ],
    'nfw/variable-port-drop-is-uncertain': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this '
         "stack: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: destinationPort '$MEDIA_PORTS'"
         ' uses the rule variable $MEDIA_PORTS, which the rule group does not define.'),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this '
         "stack: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: destinationPort '$MEDIA_PORTS'"
         ' uses the rule variable $MEDIA_PORTS, which the rule group does not define.'),
    ],
    'nfw/unreadable-drop-is-uncertain': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this '
         "stack: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: 'drop udp any -> any any "
         "(sid:3;)' is not 'action protocol source port -> destination port (options)'; "
         "aws.networkfirewall.RuleGroup 'drops' statefulRules[0]: destination '$HOME' uses the rule "
         'variable $HOME, which the rule group does not define.'),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this '
         "stack: aws.networkfirewall.RuleGroup 'drops' rulesString line 1: 'drop udp any -> any any "
         "(sid:3;)' is not 'action protocol source port -> destination port (options)'; "
         "aws.networkfirewall.RuleGroup 'drops' statefulRules[0]: destination '$HOME' uses the rule "
         'variable $HOME, which the rule group does not define.'),
    ],
    'nfw/drop-tls-does-not-touch-udp': [],
    # no statefulEngineOptions: DEFAULT_ACTION_ORDER (the AWS default), so the PASSes win over the earlier DROP
    'nfw/no-engine-options-is-default-order': [],
    'nfw/default-order-unmatched-passes': [],
    'nfw/strict-alert-default-passes': [],
    'nfw/strict-without-default-passes': [],
    'nfw/strict-default-actions-unknown': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: AWS Network Firewall policy 'fw': statefulDefaultActions is unknown."),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: AWS Network Firewall policy 'fw': statefulDefaultActions is unknown."),
    ],
    'nfw/known-arn-unknown-priority': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 3478 to 18.156.18.128/25, "
         '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: AWS Network '
         "Firewall policy 'fw': the priority of rule group 'drops' is unknown."),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 3478 to 13.115.244.0/27, "
         '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: AWS Network '
         "Firewall policy 'fw': the priority of rule group 'drops' is unknown."),
    ],
    'azfw/network-rule': [],
    'azfw/any-protocol-star': [],
    'azfw/missing-port': [
        ('violation',
         "Region de1 (Germany): Azure Firewall policy 'fw-policy' does not allow UDP 3478 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27. Add a NetworkRule (ip_protocols UDP, '
         'destination_ports 3478) to an Allow rule collection or use '
         'chalk_policy.components.azure.ChalkAzureEgress.'),
        ('violation',
         "Region jp1 (Japan): Azure Firewall policy 'fw-policy' does not allow UDP 3478 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add a NetworkRule (ip_protocols UDP, '
         'destination_ports 3478) to an Allow rule collection or use '
         'chalk_policy.components.azure.ChalkAzureEgress.'),
    ],
    'azfw/deny-collection-shadows': [
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
    'azfw/deny-group-later-does-not-shadow': [],
    'unknown/whole-egress-list-unknown': [
        ('unverified',
         'Region de1 (Germany): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: aws.ec2.SecurityGroup 'g': egress is unknown."),
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: aws.ec2.SecurityGroup 'g': egress is unknown."),
    ],
    'unknown/cidr-unknown': [
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, but this can only be verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule '
         "'u10000': cidrIpv4 is unknown; aws.vpc.SecurityGroupEgressRule 'u3478': cidrIpv4 is unknown; "
         "aws.vpc.SecurityGroupEgressRule 'u443': cidrIpv4 is unknown."),
    ],
    'unknown/port-unknown': [
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 10000-60000 to 13.115.244.0/27, but this '
         "can only be verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule 'u': toPort is unknown."),
    ],
    'unknown/security-group-id-unknown-under-selector': [
        ('unverified',
         'Region de1 (Germany): AWS security groups tagged chalk=media may allow UDP 443, 3478, '
         '10000-60000 to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be '
         "verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule 'udp-10000-18.156.18.128/25': "
         'securityGroupId is unknown, so it may or may not belong to a group tagged chalk=media; '
         "aws.vpc.SecurityGroupEgressRule 'udp-10000-18.195.48.224/27': securityGroupId is unknown, so "
         'it may or may not belong to a group tagged chalk=media; aws.vpc.SecurityGroupEgressRule '
         "'udp-10000-52.59.186.0/27': securityGroupId is unknown, so it may or may not belong to a group "
         'tagged chalk=media; and 6 more like these.'),
        ('unverified',
         'Region jp1 (Japan): AWS security groups tagged chalk=media may allow UDP 443, 3478, '
         '10000-60000 to 13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be '
         "verified at `pulumi up`: aws.vpc.SecurityGroupEgressRule 'udp-10000-13.115.244.0/27': "
         'securityGroupId is unknown, so it may or may not belong to a group tagged chalk=media; '
         "aws.vpc.SecurityGroupEgressRule 'udp-10000-18.180.220.128/25': securityGroupId is unknown, so "
         'it may or may not belong to a group tagged chalk=media; aws.vpc.SecurityGroupEgressRule '
         "'udp-10000-54.65.63.192/26': securityGroupId is unknown, so it may or may not belong to a "
         'group tagged chalk=media; and 6 more like these.'),
    ],
    'unknown/props-unknown': [
        ('unverified',
         'Region de1 (Germany): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: aws.vpc.SecurityGroupEgressRule 'u': every property is unknown."),
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: aws.vpc.SecurityGroupEgressRule 'u': every property is unknown."),
    ],
    'unknown/prefix-list-id-unknown': [
        ('unverified',
         'Region de1 (Germany): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: aws.vpc.SecurityGroupEgressRule 'p': prefixListId is unknown."),
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: aws.vpc.SecurityGroupEgressRule 'p': prefixListId is unknown."),
    ],
    'unknown/prefix-list-not-in-stack': [
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this '
         "stack: aws.vpc.SecurityGroupEgressRule 'p': prefix list pl-0abc is not in this stack."),
    ],
    'unknown/secret-value-known': [],
    'unknown/secret-plaintext-known': [],
    'unknown/secret-ciphertext-unknown': [
        ('unverified',
         'Region jp1 (Japan): AWS security groups may allow UDP 443, 3478, 10000-60000 to '
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: aws.vpc.SecurityGroupEgressRule 's': cidrIpv4 is unknown."),
    ],
    'unknown/nsg-rules-unknown': [
        ('unverified',
         "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: azure_native.network.NetworkSecurityGroup 'chalk-nsg': securityRules is unknown."),
        ('unverified',
         "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: '
         "azure_native.network.NetworkSecurityGroup 'chalk-nsg': securityRules is unknown."),
    ],
    'unknown/nsg-rule-priority-unknown': [
        ('unverified',
         "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 3478 to 18.156.18.128/25, "
         '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: '
         "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: priority is unknown."),
        ('unverified',
         "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
         '54.65.63.192/26, but this can only be verified at `pulumi up`: '
         "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: priority is unknown."),
    ],
    'unknown/nsg-tags-unknown-under-selector': [
        ('unverified',
         "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: azure_native.network.NetworkSecurityGroup 'chalk-nsg': its tags are unknown, so the "
         'selector chalk may or may not pick it.'),
        ('unverified',
         "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: '
         "azure_native.network.NetworkSecurityGroup 'chalk-nsg': its tags are unknown, so the selector "
         'chalk may or may not pick it.'),
    ],
    'unknown/security-rule-nsg-name-unknown': [
        ('unverified',
         "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: azure_native.network.SecurityRule 'media': the NSG it belongs to is unknown."),
        ('unverified',
         "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
         '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: '
         "azure_native.network.SecurityRule 'media': the NSG it belongs to is unknown."),
    ],
    'unknown/firewall-rule-destination-unknown': [
        ('unverified',
         "Region de1 (Germany): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi '
         "up`: aws.networkfirewall.RuleGroup 'media' statefulRules[0]: destination is unknown."),
        ('unverified',
         "Region jp1 (Japan): AWS Network Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to "
         '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi '
         "up`: aws.networkfirewall.RuleGroup 'media' statefulRules[0]: destination is unknown."),
    ],
    'malformed/props-not-a-dict': [
        ('note', "Skipped aws.vpc.SecurityGroupEgressRule 'x': properties are a list, not an object."),
    ],
    'malformed/egress-not-a-list': [
        ('note', "Skipped aws.ec2.SecurityGroup 'g': egress is the string '0.0.0.0/0', not a list."),
    ],
    'malformed/port-garbage': [
        ('note',
         "Skipped aws.vpc.SecurityGroupEgressRule 'garbage': fromPort is the string 'abc', not an "
         'integer.'),
    ],
    'malformed/cidr-garbage': [
        ('note', "Skipped aws.vpc.SecurityGroupEgressRule 'garbage': 'not-a-cidr' is not an IP address or CIDR."),
    ],
    # A Deny that cannot be read may deny anything: unverified, no longer skipped (it failed open).
    'malformed/nsg-port-garbage': [('unverified',
      "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this stack: '
      "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule 'bad' cannot be read "
      "(port 'lots' is not '*', a port or a 'from-to' range)."),
     ('unverified',
      "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      '18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this stack: '
      "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule 'bad' cannot be read "
      "(port 'lots' is not '*', a port or a 'from-to' range)."),
     ('note',
      "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the Deny rule 'bad' may deny "
      "traffic but cannot be read (port 'lots' is not '*', a port or a 'from-to' range); what it may deny is "
      'reported as unverified.')],
    'malformed/nsg-rule-not-an-object': [
        ('note',
         "Skipped azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: the rule is "
         "the string 'deny everything', not an object."),
    ],
    'malformed/firewall-garbage': [
        ('note',
         "Skipped aws.networkfirewall.RuleGroup 'media' statefulRules[18]: the rule is the number 42, "
         'not an object.'),
        ('note',
         "Skipped aws.networkfirewall.RuleGroup 'media' rulesString line 1: 'this is not suricata' is "
         "not 'action protocol source port -> destination port (options)'."),
    ],
    'azure/nsg-deny-prefix-garbage': [('unverified',
      "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 3478 to 18.156.18.128/25, 18.195.48.224/27, "
      '52.59.186.0/27, but this cannot be verified from this stack: azure_native.network.NetworkSecurityGroup '
      "'chalk-nsg' securityRules[0]: the Deny rule 'bad' cannot be read ('not a prefix!' is not a CIDR, address or "
      'service tag).'),
     ('unverified',
      "Region jp1 (Japan): NSG 'chalk-nsg' may allow UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
      '54.65.63.192/26, but this cannot be verified from this stack: azure_native.network.NetworkSecurityGroup '
      "'chalk-nsg' securityRules[0]: the Deny rule 'bad' cannot be read ('not a prefix!' is not a CIDR, address or "
      'service tag).'),
     ('note',
      "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: the Deny rule 'bad' may deny "
      "traffic but cannot be read ('not a prefix!' is not a CIDR, address or service tag); what it may deny is "
      'reported as unverified.')],
    'azure/nsg-allow-garbage-is-skipped': [('violation',
      "Region jp1 (Japan): NSG 'chalk-nsg' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      "18.180.220.128/25, 54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add "
      'an Outbound Allow rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) '
      'or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('note',
      "Skipped azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[1]: port 'lots' is not '*', a "
      "port or a 'from-to' range.")],
    'azure/firewall-deny-rule-garbage': [('unverified',
      "Region de1 (Germany): Azure Firewall policy 'fw-policy' may allow UDP 443, 3478, 10000-60000 to "
      '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this stack: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' ruleCollections[1].rules[0]: the Deny rule "
      "'odd' cannot be read (port 'lots' is not '*', a port or a 'from-to' range)."),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall policy 'fw-policy' may allow UDP 443, 3478, 10000-60000 to "
      '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this stack: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' ruleCollections[1].rules[0]: the Deny rule "
      "'odd' cannot be read (port 'lots' is not '*', a port or a 'from-to' range)."),
     ('note',
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' ruleCollections[1].rules[0]: the Deny rule "
      "'odd' may deny traffic but cannot be read (port 'lots' is not '*', a port or a 'from-to' range); what it "
      'may deny is reported as unverified.')],
    'azure/security-rule-name-case-insensitive': [],
    'azure/security-rule-by-id': [('violation',
      "Region de1 (Germany): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, 18.195.48.224/27, "
      "52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/security-rule-by-resource-group': [('violation',
      "Region de1 (Germany): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, 18.195.48.224/27, "
      "52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/security-rule-resource-group-unknown': [('unverified',
      "Region de1 (Germany): NSG 'nsg-a' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: '
      "azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its resource group is unknown."),
     ('unverified',
      "Region jp1 (Japan): NSG 'nsg-a' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26, but this can only be verified at `pulumi up`: azure_native.network.SecurityRule 'media': 2 "
      "NSGs are named 'chalk-nsg' and its resource group is unknown."),
     ('unverified',
      "Region de1 (Germany): NSG 'nsg-b' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: '
      "azure_native.network.SecurityRule 'media': 2 NSGs are named 'chalk-nsg' and its resource group is unknown."),
     ('unverified',
      "Region jp1 (Japan): NSG 'nsg-b' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26, but this can only be verified at `pulumi up`: azure_native.network.SecurityRule 'media': 2 "
      "NSGs are named 'chalk-nsg' and its resource group is unknown.")],
    'azure/security-rule-nsg-elsewhere': [('violation',
      "Region de1 (Germany): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 18.156.18.128/25, 18.195.48.224/27, "
      "52.59.186.0/27 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): NSG 'nsg-a' denies UDP 443, 3478, 10000-60000 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26 with rule 'chalk-deny-internet' (priority 4096), before any allow. Add an Outbound Allow "
      'rule numbered below 4096 (protocol Udp, destination_port_ranges 443, 3478, 10000-60000) or use '
      'chalk_policy.components.azure.ChalkAzureEgress.'),
     ('note',
      "Skipped azure_native.network.SecurityRule 'media': NSG 'chalk-nsg' (resource group 'rg-b') is not in this "
      'stack.')],
    'azure/rcg-policy-from-id': [('violation',
      "Region de1 (Germany): Azure Firewall policy 'fw-policy' denies UDP 3478 to 18.156.18.128/25, "
      "18.195.48.224/27, 52.59.186.0/27 with rule 'stun' of rule collection 'stun' (priority 100) in group 'deny' "
      '(priority 100), before any allow. Add a NetworkRule (ip_protocols UDP, destination_ports 3478) to an Allow '
      'rule collection evaluated before the Deny, or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): Azure Firewall policy 'fw-policy' denies UDP 3478 to 13.115.244.0/27, "
      "18.180.220.128/25, 54.65.63.192/26 with rule 'stun' of rule collection 'stun' (priority 100) in group "
      "'deny' (priority 100), before any allow. Add a NetworkRule (ip_protocols UDP, destination_ports 3478) to an "
      'Allow rule collection evaluated before the Deny, or use chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/rcg-policy-unknown-not-merged': [('unverified',
      "Region de1 (Germany): Azure Firewall policy of rule collection group 'media' may allow UDP 3478 to "
      '18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'media': its firewall policy is unknown, so it may "
      'be evaluated together with other rule collection groups of the stack.'),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall policy of rule collection group 'media' may allow UDP 3478 to "
      '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'media': its firewall policy is unknown, so it may "
      'be evaluated together with other rule collection groups of the stack.'),
     ('unverified',
      "Region de1 (Germany): Azure Firewall policy of rule collection group 'stun' may allow UDP 443, 10000-60000 "
      'to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'stun': its firewall policy is unknown, so it may be "
      'evaluated together with other rule collection groups of the stack.'),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall policy of rule collection group 'stun' may allow UDP 443, 10000-60000 to "
      '13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: '
      "azure_native.network.FirewallPolicyRuleCollectionGroup 'stun': its firewall policy is unknown, so it may be "
      'evaluated together with other rule collection groups of the stack.')],
    'azure/firewall-policy-without-groups': [('violation',
      "Region de1 (Germany): Azure Firewall policy 'fw' has no rule collection group allowing UDP 443, 3478, "
      '10000-60000 to 18.156.18.128/25, 18.195.48.224/27, 52.59.186.0/27. Add a FirewallPolicyRuleCollectionGroup '
      'with an Allow rule collection holding a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): Azure Firewall policy 'fw' has no rule collection group allowing UDP 443, 3478, "
      '10000-60000 to 13.115.244.0/27, 18.180.220.128/25, 54.65.63.192/26. Add a FirewallPolicyRuleCollectionGroup '
      'with an Allow rule collection holding a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) or use chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/firewall-policy-with-group': [],
    'azure/only-policy-adopts-group-of-unknown-policy': [],
    'azure/two-policies-group-of-unknown-policy': [('unverified',
      "Region de1 (Germany): Azure Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      "18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: Azure Firewall policy 'fw': "
      "rule collection group 'rcg' of unknown policy may belong to it."),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall policy 'fw' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: Azure Firewall policy '
      "'fw': rule collection group 'rcg' of unknown policy may belong to it."),
     ('unverified',
      "Region de1 (Germany): Azure Firewall policy 'fw2' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: Azure Firewall policy '
      "'fw2': rule collection group 'rcg' of unknown policy may belong to it."),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall policy 'fw2' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: Azure Firewall policy '
      "'fw2': rule collection group 'rcg' of unknown policy may belong to it.")],
    'azure/classic-firewall': [],
    'azure/classic-firewall-deny-first': [('violation',
      "Region de1 (Germany): Azure Firewall 'afw' denies UDP 3478 to 18.156.18.128/25, 18.195.48.224/27, "
      "52.59.186.0/27 with rule 'stun' of network rule collection 'block' (priority 100), before any allow. Add a "
      'NetworkRule (ip_protocols UDP, destination_ports 3478) to an Allow rule collection evaluated before the '
      'Deny, or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): Azure Firewall 'afw' denies UDP 3478 to 13.115.244.0/27, 18.180.220.128/25, "
      "54.65.63.192/26 with rule 'stun' of network rule collection 'block' (priority 100), before any allow. Add a "
      'NetworkRule (ip_protocols UDP, destination_ports 3478) to an Allow rule collection evaluated before the '
      'Deny, or use chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/classic-firewall-unreadable-collection': [('unverified',
      "Region de1 (Germany): Azure Firewall 'afw' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this stack: '
      "azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule collection 'block' cannot be "
      "read (action.type is 'Block'; allowed: Allow or Deny)."),
     ('unverified',
      "Region jp1 (Japan): Azure Firewall 'afw' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      '18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this stack: '
      "azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule collection 'block' cannot be "
      "read (action.type is 'Block'; allowed: Allow or Deny)."),
     ('note',
      "azure_native.network.AzureFirewall 'afw' networkRuleCollections[1]: the rule collection 'block' may deny "
      "traffic but cannot be read (action.type is 'Block'; allowed: Allow or Deny); what it may deny is reported "
      'as unverified.')],
    'azure/classic-firewall-without-rules': [('violation',
      "Region de1 (Germany): Azure Firewall 'afw' does not allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
      '18.195.48.224/27, 52.59.186.0/27. Add a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) to an Allow rule collection or use chalk_policy.components.azure.ChalkAzureEgress.'),
     ('violation',
      "Region jp1 (Japan): Azure Firewall 'afw' does not allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
      '18.180.220.128/25, 54.65.63.192/26. Add a NetworkRule (ip_protocols UDP, destination_ports 443, 3478, '
      '10000-60000) to an Allow rule collection or use chalk_policy.components.azure.ChalkAzureEgress.')],
    'azure/firewall-with-policy-is-the-policy': [],
    'azure/selector-picks-no-nsg': [('violation',
      "No NSG of the stack carries the tag chalk=media, so the Chalk clients' egress is not checked. Tag the NSG "
      "that governs the Chalk clients with chalk=media, or change the policy's clientTag.")],
    'azure/selector-picks-no-nsg-with-firewall': [('violation',
      "No NSG of the stack carries the tag chalk, so the Chalk clients' egress is not checked. Tag the NSG that "
      "governs the Chalk clients with chalk, or change the policy's clientTag.")],
    'nacl/allow-both-ways': [],
    'nacl/protocol-all-and-ignored-entries': [],
    'nacl/missing-egress': [('violation',
       "Region jp1 (Japan): network ACL 'subnets' does not allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27. Add "
       'an egress allow rule per port range and CIDR (protocol udp, ports 443, 3478, 10000-60000).')],
    'nacl/missing-reply-ingress': [('violation',
       "Region de1 (Germany): network ACL 'subnets' does not allow replies (UDP 1024-65535 from 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'subnets' does not allow replies (UDP 1024-65535 from 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).')],
    'nacl/narrow-reply-ports': [('violation',
       "Region de1 (Germany): network ACL 'subnets' does not allow replies (UDP 1024-32767 from 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-32767).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'subnets' does not allow replies (UDP 1024-32767 from 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-32767).')],
    'nacl/deny-shadows-allow': [('violation',
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
    'nacl/deny-after-allow': [],
    'nacl/standalone-rules-by-id': [('note',
       "Skipped aws.ec2.NetworkAclRule 'elsewhere': network ACL acl-0123456789abcdef0 is not in this stack.")],
    'nacl/unknown-network-acl-id': [('unverified',
       "Region de1 (Germany): network ACL 'subnets' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27, but this can only be verified at `pulumi up`: aws.ec2.NetworkAclRule '
       "'out': networkAclId is unknown, so it may or may not belong to network ACL 'subnets'."),
      ('unverified',
       "Region jp1 (Japan): network ACL 'subnets' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26, but this can only be verified at `pulumi up`: aws.ec2.NetworkAclRule '
       "'out': networkAclId is unknown, so it may or may not belong to network ACL 'subnets'.")],
    'nacl/unreadable-deny': [('unverified',
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
    'nacl/default-network-acl': [],
    'nacl/default-network-acl-without-ingress': [('violation',
       "Region de1 (Germany): network ACL 'default' does not allow replies (UDP 1024-65535 from 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).'),
      ('violation',
       "Region jp1 (Japan): network ACL 'default' does not allow replies (UDP 1024-65535 from 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26). Network ACLs are stateless: add an ingress allow rule per CIDR for the '
       'replies (protocol udp, ports 1024-65535).')],
    # Class 5: a clientTag cannot tell which ACL governs the clients' subnets, so the untagged ACL stays a scope
    # whose gaps are unverified (it denies everything: before the fix it was silently dropped).
    'nacl/selector-excludes-untagged': [('unverified',
       "Region de1 (Germany): network ACL 'other' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this stack: ' + _UNTAGGED_ACL),
      ('unverified',
       "Region jp1 (Japan): network ACL 'other' may allow UDP 443, 3478, 10000-60000 to 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26, but this cannot be verified from this stack: ' + _UNTAGGED_ACL),
      ('unverified',
       "Region de1 (Germany): network ACL 'other' may allow replies (UDP 1024-65535 from 18.156.18.128/25, "
       '18.195.48.224/27, 52.59.186.0/27), but this cannot be verified from this stack: ' + _UNTAGGED_ACL),
      ('unverified',
       "Region jp1 (Japan): network ACL 'other' may allow replies (UDP 1024-65535 from 13.115.244.0/27, "
       '18.180.220.128/25, 54.65.63.192/26), but this cannot be verified from this stack: ' + _UNTAGGED_ACL)],
}


CASES = [pytest.param(resources, selector, f"{prefix}/{name}", id=f"{prefix}/{name}")
         for prefix, table in TABLES for name, resources, selector in table]


@pytest.mark.parametrize(("resources", "selector", "key"), CASES)
def test_media_findings_are_exact(resources, selector, key):
    result = check_media(resources, PLAN, CATALOG, Options(selector))
    assert result.applicable
    assert [(f.kind.value, f.message) for f in result.findings] == EXPECTED[key]


def test_every_case_has_an_expectation():
    assert {key for *_, key in (p.values for p in CASES)} == set(EXPECTED)


def test_network_acls_count_for_the_media_check_only():
    resources = dict((name, resources) for name, resources, _ in NACL_CASES)["default-network-acl"]
    assert check_media(resources, PLAN, CATALOG).applicable
    assert not check_least_privilege(resources, PLAN, CATALOG).applicable
    assert not check_option_consistency(resources, PLAN, CATALOG).applicable
