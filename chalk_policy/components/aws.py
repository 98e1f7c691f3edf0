"""Chalk egress on AWS: security groups for Chalk media and signaling, and a Network Firewall policy that
allows the signaling host names.

Everything that decides which resources exist comes from plain values (catalog, regions, option,
encryption, signaling mode), planned before any resource is declared; no resource is created in ``apply``,
so ``pulumi preview`` shows exactly what ``pulumi up`` does.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NotRequired, TypedDict, Unpack, overload

import netaddr
import pulumi
import pulumi_aws as aws

from ..catalog import load_catalog
from ..catalog.models import SIGNALING_PORT, Encryption, Protocol
from ..planning import AwsBudget, AwsRule, Plan, PlanError, aws_budget, plan
from ..planning.budgets import PEER_PORTS
from ..planning.intent import AWS_EGRESS_TYPE, intent_props
from ..planning.network_firewall import DOMAIN_TARGET_TYPES, FirewallRule, capacity, media_rules
from .anatomy import KEYWORDS, merged_args, register_outputs, settings_from
from .errors import ChalkInputError

TYPE_TOKEN = AWS_EGRESS_TYPE
CATALOG_TAG = "chalk:catalog-version"
"""Tag of the security groups, rule groups and firewall policy that records the catalog they were planned from."""
ANYWHERE = "0.0.0.0/0"
DEFAULT_PROXY_PORT = 3128
AWS_MAX_DESCRIPTION = 255
HOSTS_GROUP_PRIORITY, MEDIA_GROUP_PRIORITY = 100, 200
"""Strict-order priorities of the two stateful rule groups; the gaps leave room for the customer's own."""
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
_DESCRIPTION_REJECTED = re.compile(r"[^a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]")
"""AWS accepts only a-zA-Z0-9, space and ._-:/()#,@[]+=;{}!$* in security group (rule) descriptions."""
_FIREWALL_PROTOCOL = {Protocol.UDP: "UDP", Protocol.TCP: "TCP"}


class SignalingMode(StrEnum):
    """How Chalk clients reach the signaling servers, which are known by host name only (HTTPS/WSS on 443)."""

    NETWORK_FIREWALL = "network-firewall"
    """Default. Security groups allow TCP 443 out; an AWS Network Firewall policy allows only the plan's hosts."""
    OPEN_443 = "open-443"
    """Explicit opt-in: TCP 443 to any address, with no host-name filtering."""
    PROXY = "proxy"
    """TCP to an HTTPS proxy's security group, which filters host names itself."""


class ComponentInputError(ChalkInputError):
    """An input of ChalkAwsEgress is invalid; the message names the input and the allowed values."""


class ChalkAwsEgressArgs(TypedDict):
    """The inputs of `ChalkAwsEgress`. `regions` and the other plain inputs decide which rules exist, so they must
    be known when the program runs; `vpc_id` and `proxy_security_group_id` may be outputs of other resources."""

    vpc_id: pulumi.Input[str]
    """VPC of the security groups, e.g. `vpc-0a1b2c3d4e5f60718`."""
    regions: Sequence[str]
    """Chalk media region ids, e.g. `["jp1", "us2"]`, or `["all"]` for every region of the catalog."""
    option: NotRequired[int]
    """PTC's port option: 1 (UDP with the media range, recommended; the default), 2 (UDP on three ports) or 3 (TCP
    only)."""
    encryption: NotRequired[Encryption]
    """`standard` (the default) or `e2ee`; E2EE adds rules for media between Chalk clients on the network."""
    signaling: NotRequired[SignalingMode]
    """How the clients reach the signaling host names: `network-firewall` (the default: TCP 443 out, host names
    filtered by a Network Firewall policy this component creates), `proxy` (TCP to an HTTPS proxy only) or
    `open-443` (TCP 443 to any address, no host-name filtering)."""
    proxy_security_group_id: NotRequired[pulumi.Input[str] | None]
    """Security group of the HTTPS proxy, e.g. `ChalkSquidProxy`'s `proxySecurityGroupId`; required with
    `signaling: proxy` and only allowed then."""
    proxy_port: NotRequired[int]
    """TCP port of the HTTPS proxy (default 3128)."""
    rules_per_group: NotRequired[int]
    """The account's quota of outbound rules per security group (Service Quotas L-0EA8095F; default 60). Media rules
    are sharded over as many groups as this needs."""
    catalog_path: NotRequired[str | None]
    """A catalog file to plan from instead of the one shipped with chalk-policy."""
    overlay_path: NotRequired[str | None]
    """An overlay applied on top of the catalog (added or replaced regions, ranges and hosts)."""
    home_net: NotRequired[Sequence[str]]
    """Source CIDRs of the Chalk clients for the Network Firewall host-name rules (its HOME_NET variable). By
    default AWS only inspects traffic from the firewall's own VPC, so clients in spoke VPCs behind a central
    inspection VPC must be listed here or their TLS to the signaling hosts is dropped."""
    tags: NotRequired[Mapping[str, str]]
    """Tags of every resource the component creates."""


@dataclass(frozen=True)
class AwsEgressSettings:
    """:class:`ChalkAwsEgressArgs` checked and with their defaults (documented there)."""

    vpc_id: pulumi.Input[str]
    regions: Sequence[str] | str
    option: int = 1
    encryption: str = Encryption.STANDARD
    signaling: str = SignalingMode.NETWORK_FIREWALL
    proxy_security_group_id: pulumi.Input[str] | None = None
    proxy_port: int = DEFAULT_PROXY_PORT
    rules_per_group: int = 60
    catalog_path: str | None = None
    overlay_path: str | None = None
    home_net: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


class ChalkAwsEgress(pulumi.ComponentResource):
    """Egress security groups for Vuforia Chalk clients, plus host-name filtering for its signaling.

    Chalk clients must attach *all* of `security_group_ids`: media rules are sharded over them to stay
    within the per-group rule quota, and the first group also holds the signaling and E2EE peer rules.
    """

    security_group_ids: pulumi.Output[list[str]]
    """The security groups, in shard order; attach all of them to the Chalk clients."""
    rule_counts: pulumi.Output[dict[str, int]]
    """Outbound rules per security group (by logical name), to compare with the per-group quota."""
    firewall_policy_arn: pulumi.Output[str | None]
    """Network Firewall policy to attach to the egress firewall; unset unless signaling is network-firewall."""
    rule_group_arns: pulumi.Output[list[str]]
    """The signaling-hosts and media rule groups; empty unless signaling is network-firewall."""
    catalog_version: pulumi.Output[str]
    """Version of the catalog the rules were planned from."""
    regions: pulumi.Output[list[str]]
    """The selected region ids, resolved (`all` -> every catalog region)."""

    @overload
    def __init__(self, name: str, args: ChalkAwsEgressArgs, opts: pulumi.ResourceOptions | None = None) -> None: ...

    @overload
    def __init__(self, name: str, *, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Unpack[ChalkAwsEgressArgs]) -> None: ...

    def __init__(self, name: str, args: ChalkAwsEgressArgs = KEYWORDS, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Any) -> None:
        settings = settings_from("ChalkAwsEgress", AwsEgressSettings,
                                 merged_args("ChalkAwsEgress", args, inputs, ComponentInputError), ComponentInputError)
        chalk_plan, budget, signaling = _validate(settings)
        layout = group_layout(name, chalk_plan, budget)
        super().__init__(TYPE_TOKEN, name, intent_props(chalk_plan), opts)  # the stack's intent, for the policies
        self._name = name
        self._plan = chalk_plan
        self._version = chalk_plan.catalog_version
        self._tags = {**settings.tags, CATALOG_TAG: self._version}
        # The rules carry neither the catalog version nor anything else that changes with the catalog: a new
        # catalog then touches only the rules of the ranges it changes (the groups and rule groups record it).
        self._rule_tags = {key: value for key, value in settings.tags.items() if key != CATALOG_TAG}
        self._home_net = tuple(settings.home_net)

        groups = self._create_security_groups(settings, layout)
        for group in budget.groups:
            for rule in group.rules:
                self._create_media_rule(rule, groups[f"{name}-sg-{group.shard}"])
        # The signaling and E2EE peer rules always go to shard 1, the group with the planner's reserved
        # slots (AWS_RESERVED_RULES): they never move between groups, whichever regions are selected.
        first = groups[f"{name}-sg-1"]
        self._create_signaling_rule(signaling, settings, first)
        if chalk_plan.peer_to_peer:
            self._create_peer_rules(chalk_plan, first)

        if signaling is SignalingMode.NETWORK_FIREWALL:
            policy, rule_groups = self._create_firewall(chalk_plan)
            self.firewall_policy_arn = policy.arn
            self.rule_group_arns = pulumi.Output.all(*[group.arn for group in rule_groups])
        else:
            self.firewall_policy_arn = pulumi.Output.from_input(None)
            self.rule_group_arns = pulumi.Output.from_input([])
        self.security_group_ids = pulumi.Output.all(*[group.id for group in groups.values()])
        self.rule_counts = pulumi.Output.from_input({group_name: group.egress_rules
                                                     for group_name, group in layout.items()})
        self.catalog_version = pulumi.Output.from_input(self._version)
        self.regions = pulumi.Output.from_input(list(chalk_plan.regions))
        register_outputs(self, intent_props(chalk_plan))

    @property
    def chalk_plan(self) -> Plan:
        """The plan the rules come from, as plain values (catalog version, regions, media rules, hosts), for Python
        programs that need them while they run."""
        return self._plan

    # --- security groups ------------------------------------------------------------------------------

    def _create_security_groups(self, args: AwsEgressSettings, layout: Mapping[str, "GroupLayout"]
                                ) -> dict[str, aws.ec2.SecurityGroup]:
        groups: dict[str, aws.ec2.SecurityGroup] = {}
        for group_name, group in layout.items():
            shard, regions = group.shard, group.regions
            # No inline `egress`/`ingress`: every rule is its own aws.vpc.Security*Rule, and mixing the two
            # styles makes them overwrite each other. Left unset, the provider also removes AWS's default
            # allow-all egress on create. The description has no update API in AWS (changing it replaces the
            # group, which fails while clients use it), so the catalog version lives in a tag instead.
            groups[group_name] = aws.ec2.SecurityGroup(
                group_name,
                vpc_id=args.vpc_id,
                description=clean_description(f"Chalk egress for Vuforia Chalk clients, shard {shard}"),
                tags={**self._tags, "Name": group_name, "chalk:shard": str(shard),
                      "chalk:regions": " ".join(regions) or "none"},
                opts=pulumi.ResourceOptions(parent=self),
            )
        return groups

    def _rule_options(self) -> pulumi.ResourceOptions:
        # Create-before-delete (Pulumi's default, stated here so nobody flips it): a rule whose range changes
        # gets a new name, and a rule that a new catalog moves to another shard is replaced; either way the new
        # rule exists before the old one is deleted, so calls in progress keep working. Delete-first would drop
        # Chalk media for the length of the update. Names come from the rule's content only, so two rules with
        # the same content never coexist in one group (AWS would reject the duplicate).
        return pulumi.ResourceOptions(parent=self, delete_before_replace=False)

    def _create_media_rule(self, rule: AwsRule, group: aws.ec2.SecurityGroup) -> None:
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-egress-{rule.key}",
            security_group_id=group.id,
            cidr_ipv4=rule.cidr,
            ip_protocol=rule.protocol.value,
            from_port=rule.ports.from_port,
            to_port=rule.ports.to_port,
            description=clean_description(f"Chalk media {rule.protocol.value.upper()} {rule.ports} to "
                                          f"{', '.join(rule.regions)}"),
            tags=self._rule_tags,
            opts=self._rule_options(),
        )

    def _create_signaling_rule(self, signaling: SignalingMode, args: AwsEgressSettings,
                               group: aws.ec2.SecurityGroup) -> None:
        if signaling is SignalingMode.PROXY:
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-egress-tcp-{args.proxy_port}-proxy",
                security_group_id=group.id,
                referenced_security_group_id=args.proxy_security_group_id,
                ip_protocol=Protocol.TCP.value,
                from_port=args.proxy_port,
                to_port=args.proxy_port,
                description=clean_description(f"Chalk signaling HTTPS/WSS through the proxy on TCP {args.proxy_port}"),
                tags=self._rule_tags,
                opts=self._rule_options(),
            )
            return
        # Security groups match IP addresses, and the signaling hosts have no fixed ones. In network-firewall
        # mode the group still has to let TCP 443 out (a routed firewall sees the same destination address as
        # the group), and the firewall policy then drops every host name the plan does not list.
        filtered = signaling is SignalingMode.NETWORK_FIREWALL
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-egress-tcp-{SIGNALING_PORT}-{ANYWHERE.replace('/', '-')}",
            security_group_id=group.id,
            cidr_ipv4=ANYWHERE,
            ip_protocol=Protocol.TCP.value,
            from_port=SIGNALING_PORT,
            to_port=SIGNALING_PORT,
            description=clean_description(
                "Chalk signaling HTTPS/WSS; host names filtered by the Network Firewall policy" if filtered else
                 "Chalk signaling HTTPS/WSS to any address (open-443, no host-name filtering)"),
            tags=self._rule_tags,
            opts=self._rule_options(),
        )

    def _create_peer_rules(self, chalk_plan: Plan, group: aws.ec2.SecurityGroup) -> None:
        """E2EE: Chalk clients on the network send media to each other directly (WebRTC host candidates).

        Both directions are needed: each peer sends ICE connectivity checks to the other, so packets arrive
        unsolicited at both ends, and a stateful group only admits replies to its own traffic. Referencing the
        group itself limits the peers to Chalk clients that attach it.
        """
        for protocol in chalk_plan.protocols:
            key = f"{protocol.value}-{PEER_PORTS}"
            description = clean_description(f"Chalk E2EE peer-to-peer {protocol.value.upper()} between Chalk "
                                            "clients")
            for role, rule_type in (("egress", aws.vpc.SecurityGroupEgressRule),
                                    ("ingress", aws.vpc.SecurityGroupIngressRule)):
                rule_type(
                    f"{self._name}-peer-{role}-{key}",
                    security_group_id=group.id,
                    referenced_security_group_id=group.id,
                    ip_protocol=protocol.value,
                    from_port=PEER_PORTS.from_port,
                    to_port=PEER_PORTS.to_port,
                    description=description,
                    tags=self._rule_tags,
                    opts=self._rule_options(),
                )

    # --- Network Firewall ------------------------------------------------------------------------------

    def _create_firewall(
        self, chalk_plan: Plan
    ) -> tuple[aws.networkfirewall.FirewallPolicy, list[aws.networkfirewall.RuleGroup]]:
        """A domain allowlist for the signaling hosts, 5-tuple passes for the media ranges, and a policy.

        STRICT_ORDER (AWS's recommendation) with ``aws:drop_established``: the policy is a real allowlist, so
        traffic no rule passes is dropped, while TCP handshakes still complete so that the TLS SNI / HTTP Host
        can be inspected (``aws:drop_strict`` would drop the handshake before any host name is seen). In the
        default action order, unmatched non-HTTP/TLS traffic would pass. ``aws:alert_established`` logs the
        drops. Both rule groups must use the policy's rule order.

        The policy is not attached to a firewall: the firewall's subnets and routes belong to the network
        team. Domain lists inspect traffic from the firewall's own VPC unless HOME_NET is widened (``home_net``).
        """
        child = pulumi.ResourceOptions(parent=self)
        strict = aws.networkfirewall.RuleGroupRuleGroupStatefulRuleOptionsArgs(rule_order="STRICT_ORDER")
        sizes = capacity(chalk_plan)
        hosts = aws.networkfirewall.RuleGroup(
            f"{self._name}-signaling-hosts",
            type="STATEFUL",
            capacity=sizes.hosts,
            description=f"Chalk signaling host names, HTTPS/WSS (catalog {self._version})",
            rule_group=aws.networkfirewall.RuleGroupRuleGroupArgs(
                rules_source=aws.networkfirewall.RuleGroupRuleGroupRulesSourceArgs(
                    rules_source_list=aws.networkfirewall.RuleGroupRuleGroupRulesSourceRulesSourceListArgs(
                        generated_rules_type="ALLOWLIST",
                        target_types=list(DOMAIN_TARGET_TYPES),
                        targets=list(chalk_plan.host_names),
                    ),
                ),
                stateful_rule_options=strict,
                rule_variables=aws.networkfirewall.RuleGroupRuleGroupRuleVariablesArgs(
                    ip_sets=[aws.networkfirewall.RuleGroupRuleGroupRuleVariablesIpSetArgs(
                        key="HOME_NET",
                        ip_set=aws.networkfirewall.RuleGroupRuleGroupRuleVariablesIpSetIpSetArgs(
                            definitions=list(self._home_net)),
                    )],
                ) if self._home_net else None,
            ),
            tags=self._tags,
            opts=child,
        )
        media = aws.networkfirewall.RuleGroup(
            f"{self._name}-media",
            type="STATEFUL",
            capacity=sizes.media,
            description=f"Chalk media ranges and ports, option {chalk_plan.option} (catalog {self._version})",
            rule_group=aws.networkfirewall.RuleGroupRuleGroupArgs(
                rules_source=aws.networkfirewall.RuleGroupRuleGroupRulesSourceArgs(
                    stateful_rules=[_stateful_rule(rule) for rule in media_rules(chalk_plan)],
                ),
                stateful_rule_options=strict,
            ),
            tags=self._tags,
            opts=child,
        )
        policy = aws.networkfirewall.FirewallPolicy(
            f"{self._name}-firewall-policy",
            description=f"Chalk egress: signaling host names and media ranges (catalog {self._version})",
            firewall_policy=aws.networkfirewall.FirewallPolicyFirewallPolicyArgs(
                # Stateless rules would see single packets only; send everything to the stateful engine.
                stateless_default_actions=["aws:forward_to_sfe"],
                stateless_fragment_default_actions=["aws:forward_to_sfe"],
                stateful_engine_options=aws.networkfirewall.FirewallPolicyFirewallPolicyStatefulEngineOptionsArgs(
                    rule_order="STRICT_ORDER",
                ),
                stateful_default_actions=["aws:drop_established", "aws:alert_established"],
                stateful_rule_group_references=[
                    aws.networkfirewall.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
                        resource_arn=hosts.arn, priority=HOSTS_GROUP_PRIORITY),
                    aws.networkfirewall.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
                        resource_arn=media.arn, priority=MEDIA_GROUP_PRIORITY),
                ],
            ),
            tags=self._tags,
            opts=child,
        )
        return policy, [hosts, media]


def _stateful_rule(rule: FirewallRule) -> aws.networkfirewall.RuleGroupRuleGroupRulesSourceStatefulRuleArgs:
    # Source ANY: the security groups already limit who sends; HOME_NET would default to the firewall's VPC
    # only, which misses clients in spoke VPCs behind a central inspection VPC.
    return aws.networkfirewall.RuleGroupRuleGroupRulesSourceStatefulRuleArgs(
        action="PASS",
        header=aws.networkfirewall.RuleGroupRuleGroupRulesSourceStatefulRuleHeaderArgs(
            protocol=_FIREWALL_PROTOCOL[rule.protocol],
            source="ANY",
            source_port="ANY",
            destination=rule.cidr,
            destination_port=rule.destination_port,
            direction="FORWARD",
        ),
        rule_options=[aws.networkfirewall.RuleGroupRuleGroupRulesSourceStatefulRuleRuleOptionArgs(
            keyword="sid", settings=[str(rule.sid)])],
    )


def clean_description(text: str) -> str:
    """``text`` with the characters AWS rejects in security group descriptions removed, cut to 255."""
    return _DESCRIPTION_REJECTED.sub("", text)[:AWS_MAX_DESCRIPTION]


@dataclass(frozen=True)
class GroupLayout:
    shard: int
    regions: tuple[str, ...]
    egress_rules: int


def group_layout(name: str, chalk_plan: Plan, budget: AwsBudget) -> dict[str, GroupLayout]:
    """The security groups, in shard order, with their outbound rule counts.

    Every shard the catalog needs at this quota exists, even one that holds none of the selected ranges:
    adding or removing a region then never creates a group the clients do not have yet, nor deletes one
    they still use (AWS refuses that with DependencyViolation). Shard 1 also holds the signaling rule and
    the E2EE peer rules, in the slots the planner keeps free there.
    """
    media = {group.shard: group for group in budget.groups}
    layout: dict[str, GroupLayout] = {}
    for shard in range(1, budget.shards + 1):
        group = media.get(shard)
        extra = (1 + (len(chalk_plan.protocols) if chalk_plan.peer_to_peer else 0)) if shard == 1 else 0
        layout[f"{name}-sg-{shard}"] = GroupLayout(shard, group.regions if group else (),
                                                   (len(group.rules) if group else 0) + extra)
    over = {group_name: group.egress_rules for group_name, group in layout.items()
            if group.egress_rules > budget.quota}
    if over:
        detail = ", ".join(f"{group_name}: {count}" for group_name, count in over.items())
        raise ComponentInputError(f"rules_per_group: {budget.quota} is too small with the signaling and E2EE "
                                  f"rules ({detail}); allowed: a larger quota")
    return layout


# --- validation ---------------------------------------------------------------------------------------


def _validate(args: AwsEgressSettings) -> tuple[Plan, AwsBudget, SignalingMode]:
    """Check every plain input before any resource exists; planner errors are reported as they are."""
    if isinstance(args.vpc_id, str) and not _VPC_ID.match(args.vpc_id):
        raise ComponentInputError(f"vpc_id: {args.vpc_id!r} is not a VPC id; allowed: vpc- and 8 or 17 "
                                  "lower-case hex digits, e.g. vpc-0a1b2c3d4e5f60718")
    try:
        signaling = SignalingMode(args.signaling)
    except ValueError:
        raise ComponentInputError(f"signaling: {args.signaling!r} is not a signaling mode; allowed: "
                                  f"{', '.join(mode.value for mode in SignalingMode)}") from None
    proxy = args.proxy_security_group_id
    if signaling is SignalingMode.PROXY:
        if proxy is None or proxy == "":
            raise ComponentInputError("proxy_security_group_id: required when signaling is 'proxy'; allowed: "
                                      "the proxy's security group id, e.g. sg-0a1b2c3d4e5f60718")
        if isinstance(proxy, str) and not _SECURITY_GROUP_ID.match(proxy):
            raise ComponentInputError(f"proxy_security_group_id: {proxy!r} is not a security group id; allowed: "
                                      "sg- and 8 or 17 lower-case hex digits, e.g. sg-0a1b2c3d4e5f60718")
    elif proxy is not None:
        raise ComponentInputError(f"proxy_security_group_id: only used when signaling is 'proxy', not "
                                  f"{signaling.value!r}; allowed: unset, or signaling='proxy'")
    port = args.proxy_port
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ComponentInputError(f"proxy_port: {port!r} is not a port; allowed: an integer 1-65535")
    if isinstance(args.home_net, str) or not all(_is_ipv4_cidr(cidr) for cidr in args.home_net):
        raise ComponentInputError(f"home_net: {args.home_net!r} is not a list of CIDRs; allowed: IPv4 CIDRs of the "
                                  "Chalk clients, e.g. ['10.0.0.0/8']")
    if not is_tag_map(args.tags):
        raise ComponentInputError(f"tags: {args.tags!r} is not a tag map; allowed: a mapping of non-empty "
                                  "string keys to string values")
    try:
        catalog = load_catalog(args.catalog_path, overlay=args.overlay_path)
        chalk_plan = plan(catalog, args.regions, args.option, args.encryption)
        budget = aws_budget(catalog, chalk_plan, args.rules_per_group)
    except PlanError as exc:
        raise ComponentInputError(str(exc)) from None
    return chalk_plan, budget, signaling


def _is_ipv4_cidr(value: object) -> bool:
    try:
        return isinstance(value, str) and "/" in value and netaddr.IPNetwork(value).version == 4
    except (netaddr.AddrFormatError, ValueError):
        return False


def is_tag_map(tags: object) -> bool:
    """AWS tags as the components take them: non-empty string keys to string values."""
    return isinstance(tags, Mapping) and all(
        isinstance(key, str) and key and isinstance(value, str) for key, value in tags.items())
