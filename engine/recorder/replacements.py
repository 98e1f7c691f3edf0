"""Which input changes make the real provider replace a resource instead of updating it in place.

:data:`REPLACE_ON_CHANGE` is the one table the recorder's Diff consults: type token -> top-level input properties
(camelCase, as the Pulumi SDKs send them). A change to any of them is reported as a replacement. Next to each
entry is the provider source it was read from and whether that was verified.

How the real providers decide, and so where these lists come from:

* ``pulumi-aws`` v7 bridges ``terraform-provider-aws`` v6. A change replaces the resource when the Terraform
  schema marks the attribute ``ForceNew: true`` (SDKv2) or gives it a ``RequiresReplace()`` plan modifier
  (plugin framework), or when a ``CustomizeDiff`` / ``ModifyPlan`` function forces it. Sources are files of
  https://github.com/hashicorp/terraform-provider-aws (read at the revisions stored by the search tool, 2024-25).
  Every AWS type here is "region-aware" since provider v6, and "changing the value of ``region`` will force
  resource replacement" (website/docs/guides/enhanced-region-support.html.markdown), so ``region`` is in every
  AWS entry.
* ``pulumi-azure-native`` replaces on a change to any parameter that is part of the resource's ARM path
  (``resourceGroupName``, the resource's own name, its parents' names) and to body properties its metadata
  marks ``ForceNew`` (provider/pkg/provider/diff.go, ``calculateDetailedDiff``, in
  https://github.com/pulumi/pulumi-azure-native). The path parameters below are from the ARM paths of
  ``Microsoft.Network`` API version 2024-05-01 (the default version the installed SDK names in its docstrings).

The table holds the unconditional cases. :data:`CONDITIONAL` holds the few value-dependent rules the sources
show (a ``CustomizeDiff``/``ModifyPlan`` that forces replacement only for some old/new pairs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recorder.props import Props, contains_unknown, present, reveal

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/"

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
AZURE_NSG = "azure-native:network:NetworkSecurityGroup"
AZURE_FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
AZURE_RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"

REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # VERIFIED. internal/service/ec2/vpc_security_group.go, resourceSecurityGroup(): description, name,
    # name_prefix and vpc_id are ForceNew; ingress/egress/tags/revoke_rules_on_delete update in place.
    SECURITY_GROUP: frozenset({"description", "name", "namePrefix", "vpcId", "region"}),
    # VERIFIED. internal/service/ec2/vpc_security_group_ingress_rule.go holds the shared
    # securityGroupRuleResource used by both rule types (vpc_security_group_egress_rule.go embeds it): only
    # security_group_id has RequiresReplace(); Update() sends cidr_ipv4, cidr_ipv6, description, from_port,
    # ip_protocol, prefix_list_id, referenced_security_group_id and to_port through ModifySecurityGroupRules.
    # ModifyPlan() also replaces when the kind of source changes: see CONDITIONAL.
    EGRESS_RULE: frozenset({"securityGroupId", "region"}),
    INGRESS_RULE: frozenset({"securityGroupId", "region"}),
    # VERIFIED. internal/service/networkfirewall/rule_group.go: capacity and name are ForceNew. `type` is NOT:
    # it has no ForceNew and resourceRuleGroupUpdate() sends it in UpdateRuleGroupInput, so the provider plans
    # an in-place update (which the AWS API may then reject). The rule-order CustomizeDiff is in CONDITIONAL.
    RULE_GROUP: frozenset({"capacity", "name", "region"}),
    # VERIFIED. internal/service/networkfirewall/firewall_policy.go: name is ForceNew; description,
    # encryption_configuration and firewall_policy update in place. Rule-order CustomizeDiff: CONDITIONAL.
    FIREWALL_POLICY: frozenset({"name", "region"}),
    # VERIFIED (name/name_prefix read in an older revision of the file, aws/resource_aws_launch_template.go;
    # the current internal/service/ec2/ec2_launch_template.go was read for Update and CustomizeDiff, which
    # create a new template version for every other change). name and name_prefix are ForceNew.
    LAUNCH_TEMPLATE: frozenset({"name", "namePrefix", "region"}),
    # VERIFIED. internal/service/autoscaling/group.go: name, name_prefix and initial_lifecycle_hook
    # (Pulumi: initialLifecycleHooks) are ForceNew; everything else goes through UpdateAutoScalingGroup.
    AUTOSCALING_GROUP: frozenset({"name", "namePrefix", "initialLifecycleHooks", "region"}),
    # VERIFIED. internal/service/elbv2/load_balancer.go: customer_owned_ipv4_pool, internal,
    # load_balancer_type, name and name_prefix are ForceNew. customizeDiffLoadBalancerNLB: CONDITIONAL.
    # NOT MODELLED: customizeDiffLoadBalancerALB and customizeDiffLoadBalancerGWLB (not read).
    LOAD_BALANCER: frozenset(
        {"customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix", "region"}),
    # VERIFIED. internal/service/elbv2/target_group.go: ip_address_type, name, name_prefix, port, protocol,
    # protocol_version, target_type and vpc_id are ForceNew. NOT MODELLED: its CustomizeDiff functions
    # (resourceTargetGroupCustomizeDiff, customizeDiffTargetGroupTargetType*), which were not read.
    TARGET_GROUP: frozenset({"ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion",
                             "targetType", "vpcId", "region"}),
    # VERIFIED. internal/service/elbv2/listener.go: load_balancer_arn is ForceNew; port, protocol and
    # default_action update in place (ModifyListener).
    LISTENER: frozenset({"loadBalancerArn", "region"}),
    # Path params VERIFIED by mechanism (diff.go: every "path" parameter replaces) and by the ARM path
    # .../resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/
    # {networkSecurityGroupName}. `location` NOT VERIFIED against azure-native's metadata for this type: it is
    # here because ARM treats a tracked resource's location as create-only (ARM RPC-Put-V1-14, "set once and
    # non-updatable"); azure-native's body ForceNew flags for these types were not read.
    AZURE_NSG: frozenset({"resourceGroupName", "networkSecurityGroupName", "location"}),
    # As above: .../Microsoft.Network/firewallPolicies/{firewallPolicyName}; `location` NOT VERIFIED.
    AZURE_FIREWALL_POLICY: frozenset({"resourceGroupName", "firewallPolicyName", "location"}),
    # Path params as above: .../firewallPolicies/{firewallPolicyName}/ruleCollectionGroups/
    # {ruleCollectionGroupName}. A rule collection group has no location.
    AZURE_RULE_COLLECTION_GROUP: frozenset({"resourceGroupName", "firewallPolicyName", "ruleCollectionGroupName"}),
}

Rule = Callable[[Props, Props], frozenset[str]]
"""A value-dependent rule: (old inputs, new inputs) -> the top-level properties whose change forces a replace."""

_SOURCE_KINDS = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
_DEFAULT_RULE_ORDER = "DEFAULT_ACTION_ORDER"


def _source_kind(props: Props) -> str:
    return next((key for key in _SOURCE_KINDS if present(props, key)), "")


def _rule_source_kind_changed(olds: Props, news: Props) -> frozenset[str]:
    """vpc_security_group_ingress_rule.go ModifyPlan: "When you modify a rule, you cannot change the rule's
    source type" -> RequiresReplace on the old and the new source attribute."""
    if any(contains_unknown(news.get(key)) for key in _SOURCE_KINDS):
        return frozenset()
    old, new = _source_kind(olds), _source_kind(news)
    return frozenset({old, new} - {""}) if old != new else frozenset()


def _nested(props: Props, *path: str) -> Any:
    value: Any = reveal(props)
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _is_default_order(value: Any) -> bool:
    return value in (None, "", _DEFAULT_RULE_ORDER)


def _rule_order_rule(top: str, *path: str) -> Rule:
    """networkfirewall helpers forceNewIfNotRuleOrderDefault(): ForceNew when the rule order switches between
    the default (unset or DEFAULT_ACTION_ORDER) and a non-default order (STRICT_ORDER), in either direction."""

    def rule(olds: Props, news: Props) -> frozenset[str]:
        old, new = _nested(olds, top, *path), _nested(news, top, *path)
        if contains_unknown(new) or _is_default_order(old) == _is_default_order(new):
            return frozenset()
        return frozenset({top})

    return rule


def _as_set(value: Any) -> set[str]:
    return {str(item) for item in value} if isinstance(value, list) else set()


def _network_lb_rule(olds: Props, news: Props) -> frozenset[str]:
    """load_balancer.go customizeDiffLoadBalancerNLB: a network load balancer cannot lose subnets, cannot get
    security groups when it has none, and cannot lose all of them. Only the part of that function that was read
    is modelled: removed `subnets`, and `securityGroups` going from none to some or from some to none."""
    if reveal(news.get("loadBalancerType")) != "network":
        return frozenset()
    forced: set[str] = set()
    new_subnets, new_groups = news.get("subnets"), news.get("securityGroups")
    if not contains_unknown(new_subnets) and _as_set(reveal(olds.get("subnets"))) - _as_set(reveal(new_subnets)):
        forced.add("subnets")
    if not contains_unknown(new_groups):
        had, has = bool(_as_set(reveal(olds.get("securityGroups")))), bool(_as_set(reveal(new_groups)))
        if had != has:
            forced.add("securityGroups")
    return frozenset(forced)


CONDITIONAL: dict[str, Rule] = {
    EGRESS_RULE: _rule_source_kind_changed,
    INGRESS_RULE: _rule_source_kind_changed,
    RULE_GROUP: _rule_order_rule("ruleGroup", "statefulRuleOptions", "ruleOrder"),
    FIREWALL_POLICY: _rule_order_rule("firewallPolicy", "statefulEngineOptions", "ruleOrder"),
    LOAD_BALANCER: _network_lb_rule,
}


def forcing_keys(type_token: str, olds: Props, news: Props) -> frozenset[str]:
    """The top-level properties of ``type_token`` whose change (between ``olds`` and ``news``) replaces it."""
    rule = CONDITIONAL.get(type_token)
    extra = rule(olds, news) if rule else frozenset()
    return REPLACE_ON_CHANGE.get(type_token, frozenset()) | extra
