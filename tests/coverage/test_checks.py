"""The signaling-hosts, least-privilege and option-consistency checks; exact messages (reviewed by hand)."""

from __future__ import annotations

import pytest

from chalk_policy.coverage import Options, check_least_privilege, check_option_consistency, check_signaling_hosts
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.coverage.advisory import default_allow_reach
from chalk_policy.coverage.boxes import ANYWHERE, EMPTY, PUBLIC
from chalk_policy.coverage.engine import collect_scopes, media_box, media_requirement
from chalk_policy.coverage.evaluate import _best_order, _first_match, _worst_order, relevant
from chalk_policy.coverage.layers.azure_nsg import ALLOW_INTERNET_DEFAULT
from chalk_policy.planning import plan

from .cases_checks import ALL, HOSTS_CASES, LEAST_PRIVILEGE_CASES, OPTION_CASES
from .helpers import CATALOG, PLAN, nsg, nsg_rule

NOT_APPLICABLE = {'no-allowlist', 'aws-denylist-is-not-an-allowlist', 'aws-allowlist-without-policy',
                  'aws-allowlist-not-referenced'}

HOSTS: dict[str, list[str]] = {
    'aws-allowlist-exact': [],
    'aws-allowlist-wildcards': [],
    'aws-allowlist-missing-hosts': [
        'AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS on TCP '
        '443): accountapi.prod.look.vuforia.com, chalkusageservice.prod.look.vuforia.com. Add them to '
        'the targets of an ALLOWLIST rule group with target type TLS_SNI (a leading dot allows a domain '
        'and its subdomains) or use chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'aws-allowlist-http-only': [
        'AWS Network Firewall domain allowlists do not allow 17 Chalk signaling hosts (HTTPS on TCP '
        '443): accountapi.prod.look.vuforia.com, chalkusageservice.prod.look.vuforia.com, '
        'cognito-idp.us-west-2.amazonaws.com, global.vss.twilio.com, '
        'loginservice.prod.look.vuforia.com, mobile-endpoint.twilio.com, otc.prod.look.vuforia.com, '
        'portalapi.prod.look.vuforia.com, sdkgw.us1.twilio.com, smartproxy.prod.look.vuforia.com, '
        'switchboard.prod.look.vuforia.com, usageservice.prod.vuforia.com, vuforiachalk.com, '
        'de1.vss.twilio.com, jp1.vss.twilio.com, smartproxy-ap-southeast-1.prod.look.vuforia.com, '
        'smartproxy-eu-west-1.prod.look.vuforia.com. Add them to the targets of an ALLOWLIST rule group '
        'with target type TLS_SNI (a leading dot allows a domain and its subdomains) or use '
        'chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'aws-denylist-is-not-an-allowlist': [],
    'aws-allowlist-without-policy': [],
    'aws-allowlist-not-referenced': [],
    # the arns are unknown, but the 2 hosts are dropped either way: by the allowlist's drop for unlisted hosts if
    # the policy references it, by STRICT_ORDER's aws:drop_established if not (the group is taken as referenced)
    'aws-allowlist-arns-unknown': [
        'AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS on TCP '
        '443): accountapi.prod.look.vuforia.com, chalkusageservice.prod.look.vuforia.com. Add them to '
        'the targets of an ALLOWLIST rule group with target type TLS_SNI (a leading dot allows a domain '
        'and its subdomains) or use chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'aws-pass-443-before-filter': [],
    'aws-pass-443-after-filter': [
        'AWS Network Firewall domain allowlists do not allow 2 Chalk signaling hosts (HTTPS on TCP '
        '443): accountapi.prod.look.vuforia.com, chalkusageservice.prod.look.vuforia.com. Add them to '
        'the targets of an ALLOWLIST rule group with target type TLS_SNI (a leading dot allows a domain '
        'and its subdomains) or use chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'aws-pass-443-default-order': [],
    'azure-application-rule': [],
    'azure-wildcards': [],
    'azure-apex-not-matched-by-wildcard': [
        "Azure Firewall policy 'fw-policy' does not allow 1 Chalk signaling host (HTTPS on TCP 443): "
        'vuforiachalk.com. Add it to the target_fqdns of an ApplicationRule (protocol Https, port 443) '
        'in an Allow rule collection evaluated before any Deny, or use '
        'chalk_policy.components.azure.ChalkAzureEgress.',
    ],
    'azure-http-only': [
        "Azure Firewall policy 'fw-policy' does not allow 17 Chalk signaling hosts (HTTPS on TCP 443): "
        'accountapi.prod.look.vuforia.com, chalkusageservice.prod.look.vuforia.com, '
        'cognito-idp.us-west-2.amazonaws.com, global.vss.twilio.com, '
        'loginservice.prod.look.vuforia.com, mobile-endpoint.twilio.com, otc.prod.look.vuforia.com, '
        'portalapi.prod.look.vuforia.com, sdkgw.us1.twilio.com, smartproxy.prod.look.vuforia.com, '
        'switchboard.prod.look.vuforia.com, usageservice.prod.vuforia.com, vuforiachalk.com, '
        'de1.vss.twilio.com, jp1.vss.twilio.com, smartproxy-ap-southeast-1.prod.look.vuforia.com, '
        'smartproxy-eu-west-1.prod.look.vuforia.com. Add them to the target_fqdns of an ApplicationRule '
        '(protocol Https, port 443) in an Allow rule collection evaluated before any Deny, or use '
        'chalk_policy.components.azure.ChalkAzureEgress.',
    ],
    'azure-deny-collection-shadows': [
        "Azure Firewall policy 'fw-policy' does not allow 5 Chalk signaling hosts (HTTPS on TCP 443): "
        'global.vss.twilio.com, mobile-endpoint.twilio.com, sdkgw.us1.twilio.com, de1.vss.twilio.com, '
        'jp1.vss.twilio.com. global.vss.twilio.com, mobile-endpoint.twilio.com, sdkgw.us1.twilio.com, '
        "de1.vss.twilio.com, jp1.vss.twilio.com are denied first by rule 'deny' of rule collection "
        "'no-twilio' (priority 100) in group 'rcg' (priority 500). Add them to the target_fqdns of an "
        'ApplicationRule (protocol Https, port 443) in an Allow rule collection evaluated before any '
        'Deny, or use chalk_policy.components.azure.ChalkAzureEgress.',
    ],
    'no-allowlist': [],
    'azure-network-rule-allows-https-anywhere': [],  # network rules come before application rules
    'azure-network-rule-https-unknown-destination': [],  # may be allowed: unverified, see below
    'azure-network-rule-https-to-one-range': [
        "Azure Firewall policy 'fw-policy' does not allow 1 Chalk signaling host (HTTPS on TCP 443): "
        'vuforiachalk.com. Add it to the target_fqdns of an ApplicationRule (protocol Https, port 443) '
        'in an Allow rule collection evaluated before any Deny, or use '
        'chalk_policy.components.azure.ChalkAzureEgress.',
    ],
}

LEAST_PRIVILEGE: dict[str, list[str]] = {
    'catalog-ranges-only': [],
    'tcp-443-anywhere-is-signaling': [],
    'tcp-443-anywhere-with-option-3': [],  # signaling needs TCP 443 to any address, whatever the option
    'tcp-443-5349-anywhere-with-option-3': [
        "aws.vpc.SecurityGroupEgressRule 'sig' allows TCP 3478, 5349 to 0.0.0.0/0, wider than Chalk's media "
        'ranges (it also reaches addresses outside every catalog range). Allow only the catalog ranges '
        'of the selected regions (`chalk-policy plan --regions de1,jp1 --option 3`) or use '
        'chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'udp-range-anywhere': [
        "aws.vpc.SecurityGroupEgressRule 'open' allows UDP 10000-60000 to 0.0.0.0/0, wider than Chalk's "
        'media ranges (it also reaches addresses outside every catalog range). Allow only the catalog '
        'ranges of the selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) or use '
        'chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'all-traffic-anywhere': [
        "aws.vpc.SecurityGroupEgressRule 'all' allows UDP 443, 3478, 10000-60000 to 0.0.0.0/0, wider "
        "than Chalk's media ranges (it also reaches addresses outside every catalog range). Allow only "
        'the catalog ranges of the selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) '
        'or use chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'cidr-wider-than-catalog': [
        "aws.vpc.SecurityGroupEgressRule 'wide' allows UDP 3478 to 13.115.0.0/16, wider than Chalk's "
        'media ranges (it also reaches addresses outside every catalog range). Allow only the catalog '
        'ranges of the selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) or use '
        'chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'short-prefix': [
        "aws.vpc.SecurityGroupEgressRule 'short' allows UDP 3478 to 10.0.0.0/7, wider than Chalk's "
        'media ranges (it also reaches addresses outside every catalog range). Allow only the catalog '
        'ranges of the selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) or use '
        'chalk_policy.components.aws.ChalkAwsEgress.',
    ],
    'unrelated-host-is-fine': [],
    'non-media-port-anywhere': [],
    'nsg-internet-allow': [
        "NSG 'chalk-nsg' rule 'open' (priority 100) allows UDP 443, 3478, 10000-60000 to Internet, "
        "wider than Chalk's media ranges (it also reaches addresses outside every catalog range). Allow "
        'only the catalog ranges of the selected regions (`chalk-policy plan --regions de1,jp1 --option '
        '1`) or use chalk_policy.components.azure.ChalkAzureEgress.',
    ],
    'nsg-without-deny-uses-default': [
        "NSG 'chalk-nsg' allows UDP 443, 3478, 10000-60000 to every public address through Azure's "
        "default rule 'AllowInternetOutBound' (priority 65001), because no rule denies that traffic "
        "first. Add an Outbound Deny of 'Internet' for UDP 443, 3478, 10000-60000 numbered after the Chalk "
        'allows (e.g. priority 4096), keeping TCP 443 allowed for signaling, or use '
        'chalk_policy.components.azure.ChalkAzureEgress.',
    ],
    'nsg-with-deny': [],
    'azure-firewall-star': [
        "Azure Firewall policy 'fw-policy' rule 'r' of rule collection 'c' (priority 100) in group "
        "'rcg' (priority 500) allows UDP 443, 3478, 10000-60000 to *, wider than Chalk's media ranges "
        '(it also reaches addresses outside every catalog range). Allow only the catalog ranges of the '
        'selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) or use '
        'chalk_policy.components.azure.ChalkAzureEgress.',
    ],
}

OPTION: dict[str, list[str]] = {
    'configured-option-allowed': [],
    'stack-built-for-option-2': [
        'The stack allows option 2 (UDP 443, 3478, 5349) but the policy expects option 1 (UDP 443, '
        "3478, 10000-60000) for regions de1, jp1. Set the policy's option to 2, or allow option 1 in "
        'the stack (`chalk-policy plan --regions de1,jp1 --option 1`).',
    ],
    'stack-allows-options-2-and-3': [
        'The stack allows options 2 (UDP 443, 3478, 5349) and 3 (TCP 443, 3478, 5349) but the policy '
        "expects option 1 (UDP 443, 3478, 10000-60000) for regions de1, jp1. Set the policy's option to "
        '2, or allow option 1 in the stack (`chalk-policy plan --regions de1,jp1 --option 1`).',
    ],
    'option-3-partially': [
        'Option 3 expects TCP 443, 3478, 5349; TCP 3478 is not allowed to any Chalk range of regions '
        'de1, jp1. Allow it or check which option the stack was built for.',
    ],
    'nothing-allowed': [],
    'partial-ranges-only': [],
}


@pytest.mark.parametrize(("key", "resources"), HOSTS_CASES, ids=[key for key, _ in HOSTS_CASES])
def test_signaling_hosts(key, resources):
    result = check_signaling_hosts(resources, PLAN)
    assert result.applicable is (key not in NOT_APPLICABLE)
    assert [f.message for f in result.violations] == HOSTS[key]


HOSTS_UNVERIFIED = {
    'azure-network-rule-https-unknown-destination': [
        "Azure Firewall policy 'fw-policy' may allow Chalk signaling hosts vuforiachalk.com, but this can only be "
        "verified at `pulumi up`: azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' "
        "ruleCollections[0].rules[0]: destinationAddresses is unknown.",
    ],
}


@pytest.mark.parametrize(("key", "resources"), HOSTS_CASES, ids=[key for key, _ in HOSTS_CASES])
def test_signaling_hosts_unverified(key, resources):
    assert [f.message for f in check_signaling_hosts(resources, PLAN).unverified] == HOSTS_UNVERIFIED.get(key, [])


@pytest.mark.parametrize(("key", "resources", "option"), LEAST_PRIVILEGE_CASES,
                         ids=[key for key, *_ in LEAST_PRIVILEGE_CASES])
def test_least_privilege(key, resources, option):
    result = check_least_privilege(resources, plan(CATALOG, "de1,jp1", option), CATALOG)
    assert [f.message for f in result.violations] == LEAST_PRIVILEGE[key]


@pytest.mark.parametrize(("key", "resources", "option"), OPTION_CASES, ids=[key for key, *_ in OPTION_CASES])
def test_option_consistency(key, resources, option):
    result = check_option_consistency(resources, plan(CATALOG, "de1,jp1", option), CATALOG)
    assert [f.message for f in result.violations] == OPTION[key]


def test_dropping_rules_that_cannot_reach_the_requirement_changes_no_result():
    """evaluate() and the least-privilege probe first drop the rules whose addresses miss the requirement's
    (evaluate.relevant); first-match over every rule gives the same allows, denials and default-deny part."""
    chalk_plan = plan(CATALOG, "de1,jp1", 1)
    mixed = [nsg(f"nsg-{n}", [nsg_rule(f"media-{i}", 100 + i, prefixes=[cidr]) for i, cidr in enumerate(ALL)]
                 + [nsg_rule("open-stun", 150, "Allow", "Udp", "Internet", "3478"),
                    nsg_rule("private", 155, "Deny", "Udp", "10.0.0.0/8", "*"),
                    nsg_rule("deny-some", 160, "Deny", "Udp", "8.0.0.0/8", "*"),
                    nsg_rule("deny-garbage", 170, "Deny", "Udp", "no prefix!", "10000-60000")]
                 + ([nsg_rule("deny", 4096, "Deny", "*", "Internet", "*")] if n % 2 else []))
             for n in range(4)]
    catalog_set = Addresses.of(*(cidr.network for region in CATALOG.regions for cidr in region.cidrs))
    media = media_box([(r.protocol, r.ports) for r in chalk_plan.media_rules], ANYWHERE)
    probe = media.restrict(PUBLIC - catalog_set)
    requirement = media_requirement(chalk_plan)
    for _, scope in collect_scopes(mixed, Options(), []):
        for wanted in (probe, requirement):
            kept = relevant(scope.rules, wanted)
            assert len(kept) < len(scope.rules)  # something was dropped
            for order in (_best_order, _worst_order):
                every, dropped = _first_match(order(scope.rules), wanted), _first_match(order(kept), wanted)
                assert every[0] == dropped[0] and every[2] == dropped[2]
                assert [(rule.label, box) for rule, box in every[1]] == [(r.label, b) for r, b in dropped[1]]
                assert [(rule.label, box) for rule, box in every[3]] == [(r.label, b) for r, b in dropped[3]]
        full = _first_match(_best_order(scope.rules), probe)[3]
        before = next((box for rule, box in full if rule is ALLOW_INTERNET_DEFAULT), EMPTY)
        assert default_allow_reach(scope.rules, probe, ALLOW_INTERNET_DEFAULT) == before
    wide = ("NSG 'nsg-{}' rule 'open-stun' (priority 150) allows UDP 3478 to Internet, wider than Chalk's media "
            "ranges (it also reaches addresses outside every catalog range). Allow only the catalog ranges of the "
            "selected regions (`chalk-policy plan --regions de1,jp1 --option 1`) or use "
            "chalk_policy.components.azure.ChalkAzureEgress.")
    default = ("NSG 'nsg-{}' allows UDP 443, 10000-60000 to every public address through Azure's default rule "
               "'AllowInternetOutBound' (priority 65001), because no rule denies that traffic first. Add an Outbound "
               "Deny of 'Internet' for UDP 443, 10000-60000 numbered after the Chalk allows (e.g. priority 4096), "
               "keeping TCP 443 allowed for signaling, or use chalk_policy.components.azure.ChalkAzureEgress.")
    assert [f.message for f in check_least_privilege(mixed, chalk_plan, CATALOG).violations] == [
        wide.format(0), default.format(0), wide.format(1), wide.format(2), default.format(2), wide.format(3)]
