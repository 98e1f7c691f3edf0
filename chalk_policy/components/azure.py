"""Chalk egress on Azure: an NSG for the Chalk clients and an Azure Firewall policy for host names.

Everything that decides which resources and rules exist comes from plain values (catalog, regions, option,
encryption, priority window), planned by ``chalk_policy.planning.azure_budget`` before any resource is
declared; no resource is created in ``apply``, so ``pulumi preview`` shows exactly what ``pulumi up`` does.
"""

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict, Unpack, overload

import pulumi
import pulumi_azure_native as azure_native

from ..catalog import load_catalog
from ..catalog.models import SIGNALING_PORT, Encryption, Protocol
from ..planning import AzureBudget, AzureRule, Plan, PlanError, azure_budget, plan
from ..planning.budgets import (
    AZURE_MAX_ADDRESSES,
    AZURE_MAX_DESCRIPTION,
    AZURE_MAX_NAME,
    AZURE_MAX_RULES,
    AZURE_PRIORITY_MAX,
    AZURE_PRIORITY_MIN,
)
from ..planning.intent import AZURE_EGRESS_TYPE, intent_props
from .anatomy import KEYWORDS, merged_args, register_outputs, settings_from
from .errors import ChalkInputError

TYPE_TOKEN = AZURE_EGRESS_TYPE
_LOCATION = re.compile(r"^[a-z][a-z0-9]+$")
"""Programmatic location names (``az account list-locations --query [].name``): lower case, no spaces."""
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{0,89}[-\w()]$")
"""1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.' (Microsoft.Resources naming rules)."""
_POLICY_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.Network/firewallPolicies/(?P<name>[^/]+)$",
    re.IGNORECASE,
)
_RULE_NAME = re.compile(r"^[A-Za-z0-9](?:[\w.-]*\w)?$")
"""NSG rule names: start with a letter or digit, end with a letter, digit or '_', else letters, digits, '_.-'."""
_TAG_NAME_REJECTED = re.compile(r"[<>%&\\?/]")
AZURE_MAX_TAGS, AZURE_MAX_TAG_NAME, AZURE_MAX_TAG_VALUE = 50, 512, 256
CATALOG_TAG = "chalk-catalog-version"
RCG_PRIORITY_MIN, RCG_PRIORITY_MAX = 100, 65000
"""Priorities of a rule collection group in its firewall policy (REST API FirewallPolicyRuleCollectionGroups)."""
MEDIA_COLLECTION_PRIORITY, SIGNALING_COLLECTION_PRIORITY = 100, 200
"""Priorities of the two collections inside the Chalk rule collection group; both allow, so order is moot."""
_FIREWALL_PROTOCOL = {Protocol.UDP: "UDP", Protocol.TCP: "TCP"}


class AzureInputError(ChalkInputError):
    """An input of ChalkAzureEgress is invalid; the message names it and the allowed values."""


class ChalkAzureEgressArgs(TypedDict):
    """The inputs of ``ChalkAzureEgress``. ``regions`` and the other plain inputs decide which rules exist, so they
    must be known when the program runs; ``resource_group_name`` may be an output of another resource."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the NSG (and of the firewall policy this component creates)."""
    location: str
    """Azure location of the NSG and firewall policy, programmatic name, e.g. `westeurope`."""
    regions: Sequence[str]
    """Chalk media region ids, e.g. `["de1", "ie1"]`, or `["all"]` for every region of the catalog."""
    option: NotRequired[int]
    """PTC's port option: 1 (UDP with the media range, recommended; the default), 2 (UDP on three ports) or 3 (TCP
    only)."""
    encryption: NotRequired[Encryption]
    """`standard` (the default) or `e2ee`; E2EE adds rules for media between Chalk clients in the virtual network."""
    priority_window: NotRequired[Sequence[int]]
    """`[start, end]`: the NSG priorities the Chalk rules may use (default `[100, 4096]`): allows at fixed offsets
    from the start, the final deny at the end."""
    deny_internet: NotRequired[bool]
    """End with a Deny of all other Internet egress (the default); Azure's default AllowInternetOutBound lets it
    out."""
    firewall_policy_id: NotRequired[str | None]
    """An existing Azure Firewall Policy to add the Chalk rule collection group to, instead of a new one."""
    rule_collection_group_priority: NotRequired[int]
    """Priority of the Chalk rule collection group in the firewall policy, 100-65000 (default 500)."""
    source_addresses: NotRequired[Sequence[str]]
    """Chalk client addresses (IPv4 addresses or CIDRs) for the firewall rules; `["*"]` (the default) for any."""
    catalog_path: NotRequired[str | None]
    """A catalog file to plan from instead of the one shipped with chalk-policy."""
    overlay_path: NotRequired[str | None]
    """An overlay applied on top of the catalog (added or replaced regions, ranges and hosts)."""
    tags: NotRequired[Mapping[str, str]]
    """Tags of the NSG and the firewall policy."""


@dataclass(frozen=True)
class AzureEgressSettings:
    """:class:`ChalkAzureEgressArgs` checked and with their defaults (documented there)."""

    resource_group_name: pulumi.Input[str]
    location: str
    regions: Sequence[str] | str
    option: int = 1
    encryption: str = Encryption.STANDARD
    priority_window: Sequence[int] = (AZURE_PRIORITY_MIN, AZURE_PRIORITY_MAX)
    deny_internet: bool = True
    firewall_policy_id: str | None = None
    rule_collection_group_priority: int = 500
    source_addresses: Sequence[str] = ("*",)
    catalog_path: str | None = None
    overlay_path: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class ChalkAzureEgress(pulumi.ComponentResource):
    """Outbound NSG rules for Chalk media plus an Azure Firewall policy for Chalk signaling host names.

    Associate `nsg_id` with the Chalk clients' subnet or NICs, and attach `firewall_policy_id` to the
    Azure Firewall that their default route points at; association and routes belong to the network team.
    """

    nsg_id: pulumi.Output[str]
    """The network security group of the Chalk clients: associate it with their subnet or NICs."""
    nsg_name: pulumi.Output[str]
    """Its name (auto-named by Pulumi from the component's name)."""
    rule_count: pulumi.Output[int]
    """Security rules in the NSG (Azure's limit is 1,000)."""
    firewall_policy_id: pulumi.Output[str]
    """The firewall policy that holds the Chalk rule collection group (the one given, or a new one)."""
    rule_collection_group_id: pulumi.Output[str]
    """The Chalk rule collection group: media ranges and ports, and the signaling host names."""
    catalog_version: pulumi.Output[str]
    """Version of the catalog the rules were planned from."""
    regions: pulumi.Output[list[str]]
    """The selected region ids, resolved (`all` -> every catalog region)."""

    @overload
    def __init__(self, name: str, args: ChalkAzureEgressArgs, opts: pulumi.ResourceOptions | None = None) -> None: ...

    @overload
    def __init__(self, name: str, *, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Unpack[ChalkAzureEgressArgs]) -> None: ...

    def __init__(self, name: str, args: ChalkAzureEgressArgs = KEYWORDS, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Any) -> None:
        settings = settings_from("ChalkAzureEgress", AzureEgressSettings,
                                 merged_args("ChalkAzureEgress", args, inputs, AzureInputError), AzureInputError)
        chalk_plan, budget, sources = _validate(settings)
        super().__init__(TYPE_TOKEN, name, intent_props(chalk_plan), opts)  # the stack's intent, for the policies
        # Create-before-delete (Pulumi's default, stated so nobody flips it). Range and port changes are in-place
        # updates of the NSG and of the rule collection group (rule names come from their role, not their
        # content, so nothing is replaced); only a new resource group, location or policy replaces a resource,
        # and then the new one (auto-named) exists before the old one goes, like the AWS component's rules.
        child = pulumi.ResourceOptions(parent=self, delete_before_replace=False)
        tags = {**settings.tags, CATALOG_TAG: chalk_plan.catalog_version}

        # Inline `security_rules`, never standalone SecurityRule resources: this component owns the whole
        # NSG, so the rule set is updated atomically in one PUT and a rule added by hand is reverted.
        # Mixing the two styles makes azure-native delete and recreate rules on every update
        # (pulumi-azure-native#3359, #1087). A changed range is an in-place update of the NSG, so there is no
        # moment without the rule.
        self._nsg = azure_native.network.NetworkSecurityGroup(
            f"{name}-nsg",
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            security_rules=[_security_rule(rule) for rule in budget.rules],
            tags=tags,
            opts=child,
        )
        policy_name, policy_rg, self.firewall_policy_id = self._firewall_policy(name, settings, tags, child)
        self._rule_collection_group = azure_native.network.FirewallPolicyRuleCollectionGroup(
            f"{name}-rule-collection-group",
            firewall_policy_name=policy_name,
            resource_group_name=policy_rg,
            priority=settings.rule_collection_group_priority,
            rule_collections=rule_collections(chalk_plan, sources),
            opts=child,
        )
        self.nsg_id = self._nsg.id
        self.nsg_name = self._nsg.name
        self.rule_count = pulumi.Output.from_input(len(budget.rules))
        self.rule_collection_group_id = self._rule_collection_group.id
        self.catalog_version = pulumi.Output.from_input(chalk_plan.catalog_version)
        self.regions = pulumi.Output.from_input(list(chalk_plan.regions))
        self._plan = chalk_plan
        register_outputs(self, intent_props(chalk_plan))

    @property
    def chalk_plan(self) -> Plan:
        """The plan the rules come from, as plain values (catalog version, regions, media rules, hosts), for Python
        programs that need them while they run."""
        return self._plan

    def _firewall_policy(
        self, name: str, args: AzureEgressSettings, tags: Mapping[str, str], child: pulumi.ResourceOptions
    ) -> tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Output[str]]:
        """The policy's name, resource group and id: the given existing policy, or a new Standard one.

        Standard tier: application rules on Https:443 match the TLS SNI, which is all Chalk needs (no TLS
        inspection). Azure Firewall denies what no rule allows, so the policy is an allowlist by itself.
        """
        if args.firewall_policy_id is not None:
            match = _POLICY_ID.match(args.firewall_policy_id)
            assert match is not None  # checked in _validate
            return match["name"], match["rg"], pulumi.Output.from_input(args.firewall_policy_id)
        policy = azure_native.network.FirewallPolicy(
            f"{name}-firewall-policy",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=azure_native.network.FirewallPolicySkuArgs(tier="Standard"),
            threat_intel_mode="Alert",
            tags=tags,
            opts=child,
        )
        return policy.name, args.resource_group_name, policy.id


# --- rules --------------------------------------------------------------------------------------------


def _security_rule(rule: AzureRule) -> azure_native.network.SecurityRuleArgs:
    prefixes, ports = list(rule.destination_prefixes), list(rule.destination_ports)
    # Azure takes either the single-value or the list field, never both; a service tag (Internet,
    # VirtualNetwork) must be the single value, since augmented rules take CIDRs only.
    return azure_native.network.SecurityRuleArgs(
        name=rule.name,
        priority=rule.priority,
        direction="Outbound",
        access=rule.access.value,
        protocol=rule.protocol,
        source_address_prefix="*",
        source_port_range="*",
        destination_address_prefix=prefixes[0] if len(prefixes) == 1 else None,
        destination_address_prefixes=prefixes if len(prefixes) > 1 else None,
        destination_port_range=ports[0] if len(ports) == 1 else None,
        destination_port_ranges=ports if len(ports) > 1 else None,
        description=rule.description,
    )


def rule_collections(
    chalk_plan: Plan, sources: Sequence[str]
) -> list[azure_native.network.FirewallPolicyFilterRuleCollectionArgs]:
    """A network rule collection for the media ranges and an application rule collection for host names.

    The E2EE peer-to-peer media stays inside the virtual network and never reaches the firewall, so only the
    NSG has rules for it.
    """
    allow = azure_native.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow")
    media_rules = [
        azure_native.network.NetworkRuleArgs(
            rule_type="NetworkRule",
            name=f"chalk-media-{protocol.value}",
            description=f"Chalk media {protocol.value.upper()} (catalog {chalk_plan.catalog_version})",
            ip_protocols=[_FIREWALL_PROTOCOL[protocol]],
            source_addresses=list(sources),
            destination_addresses=list(chalk_plan.cidrs),
            destination_ports=[str(rule.ports) for rule in chalk_plan.media_rules if rule.protocol is protocol],
        )
        for protocol in chalk_plan.protocols
    ]
    signaling = azure_native.network.ApplicationRuleArgs(
        rule_type="ApplicationRule",
        name="chalk-signaling",
        description=f"Chalk signaling HTTPS/WSS (catalog {chalk_plan.catalog_version})",
        source_addresses=list(sources),
        target_fqdns=list(chalk_plan.host_names),
        protocols=[azure_native.network.FirewallPolicyRuleApplicationProtocolArgs(
            protocol_type="Https", port=SIGNALING_PORT)],
    )
    return [
        azure_native.network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection", name="chalk-media",
            priority=MEDIA_COLLECTION_PRIORITY, action=allow, rules=media_rules),
        azure_native.network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection", name="chalk-signaling",
            priority=SIGNALING_COLLECTION_PRIORITY, action=allow, rules=[signaling]),
    ]


# --- validation ---------------------------------------------------------------------------------------


def _validate(args: AzureEgressSettings) -> tuple[Plan, AzureBudget, tuple[str, ...]]:
    """Check every plain input before any resource exists; planner errors are reported as they are."""
    group = args.resource_group_name
    if isinstance(group, str) and not _RESOURCE_GROUP.match(group):
        raise AzureInputError(f"resource_group_name: {group!r} is not a resource group name; allowed: 1-90 "
                              "letters, digits, '_', '-', '.', '(' or ')', not ending in '.', e.g. rg-chalk-network")
    if not isinstance(args.location, str) or not _LOCATION.match(args.location):
        raise AzureInputError(f"location: {args.location!r} is not an Azure location name; allowed: the "
                              "programmatic name, lower case without spaces, e.g. westeurope or germanywestcentral")
    window = _window(args.priority_window)
    if not isinstance(args.deny_internet, bool):
        raise AzureInputError(f"deny_internet: {args.deny_internet!r} is not a boolean; allowed: True or False")
    if args.firewall_policy_id is not None and not (
            isinstance(args.firewall_policy_id, str) and _POLICY_ID.match(args.firewall_policy_id)):
        raise AzureInputError(f"firewall_policy_id: {args.firewall_policy_id!r} is not a firewall policy id; "
                              "allowed: None or /subscriptions/<id>/resourceGroups/<group>/providers/"
                              "Microsoft.Network/firewallPolicies/<name>")
    priority = args.rule_collection_group_priority
    if isinstance(priority, bool) or not isinstance(priority, int) or not (
            RCG_PRIORITY_MIN <= priority <= RCG_PRIORITY_MAX):
        raise AzureInputError(f"rule_collection_group_priority: {priority!r} is out of range; allowed: an "
                              f"integer {RCG_PRIORITY_MIN}-{RCG_PRIORITY_MAX}")
    sources = _sources(args.source_addresses)
    _check_tags(args.tags)
    try:
        catalog = load_catalog(args.catalog_path, overlay=args.overlay_path)
        chalk_plan = plan(catalog, args.regions, args.option, args.encryption)
        budget = azure_budget(chalk_plan, window, deny_internet=args.deny_internet)
    except PlanError as exc:
        raise AzureInputError(str(exc)) from None
    _check_limits(budget)
    return chalk_plan, budget, sources


def _window(value: object) -> tuple[int, int]:
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise AzureInputError(f"priority_window: {value!r} is not a window; allowed: (start, end), two integers "
                              f"with {AZURE_PRIORITY_MIN} <= start <= end <= {AZURE_PRIORITY_MAX}")
    start, end = value
    if not AZURE_PRIORITY_MIN <= start <= end <= AZURE_PRIORITY_MAX:
        raise AzureInputError(f"priority_window: ({start}, {end}) is outside the NSG priorities; allowed: "
                              f"{AZURE_PRIORITY_MIN} <= start <= end <= {AZURE_PRIORITY_MAX}")
    return start, end


def _sources(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise AzureInputError(f"source_addresses: {value!r} is not a list of addresses; allowed: a non-empty list "
                              "of '*' or IPv4 addresses and CIDRs, e.g. ['10.20.0.0/16']")
    for address in value:
        if address != "*" and not _is_ipv4(address):
            raise AzureInputError(f"source_addresses: {address!r} is not an address; allowed: '*' or IPv4 addresses "
                                  "and CIDRs without host bits, e.g. 10.20.0.0/16")
    return tuple(value)


def _is_ipv4(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_network(value, strict=True).version == 4
    except ValueError:
        return False


def _check_tags(tags: object) -> None:
    if not isinstance(tags, Mapping) or len(tags) > AZURE_MAX_TAGS - 1 or not all(
            isinstance(key, str) and 0 < len(key) <= AZURE_MAX_TAG_NAME and not _TAG_NAME_REJECTED.search(key)
            and isinstance(value, str) and len(value) <= AZURE_MAX_TAG_VALUE for key, value in tags.items()):
        raise AzureInputError(f"tags: {tags!r} is not an Azure tag map; allowed: at most {AZURE_MAX_TAGS - 1} tags "
                              f"(one is {CATALOG_TAG}), names of 1-{AZURE_MAX_TAG_NAME} characters without < > % & "
                              f"\\ ? /, string values of at most {AZURE_MAX_TAG_VALUE} characters")


def _check_limits(budget: AzureBudget) -> None:
    """Azure's NSG limits, checked on the planned rules (a custom catalog could break them)."""
    if len(budget.rules) > AZURE_MAX_RULES:
        raise AzureInputError(f"regions: {len(budget.rules)} rules exceed the NSG limit; allowed: at most "
                              f"{AZURE_MAX_RULES} rules per NSG")
    if budget.address_count > AZURE_MAX_ADDRESSES:
        raise AzureInputError(f"regions: {budget.address_count} destination prefixes exceed the NSG limit; allowed: "
                              f"at most {AZURE_MAX_ADDRESSES} per NSG")
    start, end = budget.window
    seen: set[int] = set()
    for rule in budget.rules:
        if len(rule.name) > AZURE_MAX_NAME or not _RULE_NAME.match(rule.name):
            raise AzureInputError(f"rule name {rule.name!r} is not an NSG rule name; allowed: 1-{AZURE_MAX_NAME} "
                                  "letters, digits, '_', '.', '-', starting with a letter or digit")
        if len(rule.description) > AZURE_MAX_DESCRIPTION:
            raise AzureInputError(f"rule {rule.name}: description of {len(rule.description)} characters; allowed: "
                                  f"at most {AZURE_MAX_DESCRIPTION}")
        if not start <= rule.priority <= end or rule.priority in seen:
            raise AzureInputError(f"rule {rule.name}: priority {rule.priority} is taken or outside the window; "
                                  f"allowed: a unique priority in priority_window ({start}, {end})")
        seen.add(rule.priority)
