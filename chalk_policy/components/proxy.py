"""A small Squid fleet on AWS that filters Chalk signaling by host name: ``signaling: proxy`` made real.

Security groups cannot match host names; Squid can. Chalk clients may then only reach the proxy (TCP
``port`` to its security group), and the proxy only tunnels to TCP 443 of the plan's host names
(:func:`chalk_policy.proxy.render_squid`). Anatomy:

- ``<name>-lb-sg``: the security group of the network load balancer, the one Chalk clients talk to
  (``proxy_security_group_id``; ``ChalkAwsEgress(signaling="proxy")`` allows egress to it). In: TCP ``port``
  from ``client_cidrs`` and/or ``client_security_group_id``. Out: TCP ``port`` to the instances.
- ``<name>-instance-sg``: the Squid instances. In: TCP ``port`` from the load balancer's group only, which AWS
  documents to cover client traffic (even with client IP preservation) and health checks. Out: TCP 443 to
  anywhere; which host names may be reached is Squid's job.
- ``<name>-nlb`` (internal by default), ``<name>-tg`` (TCP, health checks on ``port``), ``<name>-listener``
  (TCP ``port``, idle timeout above Squid's so Squid, not the load balancer, ends idle tunnels).
- ``<name>-launch-template`` (current Amazon Linux 2023, resolved by EC2 from the public SSM parameter at each
  launch; user data installs Squid and writes the generated configuration) and ``<name>-asg`` across the
  subnets, with a rolling instance refresh whenever the configuration (so the launch template) changes.

Every resource follows from plain inputs validated before anything is declared; nothing is created in
``apply``.
"""

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict, Unpack, overload

import pulumi
import pulumi_aws as aws

from ..catalog import load_catalog
from ..catalog.models import SIGNALING_PORT, Encryption, Protocol
from ..planning import Plan, PlanError, plan
from ..planning.intent import PROXY_TYPE
from ..proxy import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_PORT,
    MIN_IDLE_TIMEOUT,
    ProxyConfigError,
    check_clients,
    parse_cidrs,
    render_squid,
)
from ..proxy.common import RFC1918
from .anatomy import KEYWORDS, merged_args, register_outputs, settings_from
from .aws import ANYWHERE, CATALOG_TAG, clean_description, is_tag_map
from .errors import ChalkInputError

TYPE_TOKEN = PROXY_TYPE
AL2023_X86_64 = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
"""EC2 resolves the public SSM parameter at every launch: each new instance gets the current AL2023 image."""
AL2023_ARM64 = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
NLB_MAX_IDLE_TIMEOUT = 6000
NLB_IDLE_MARGIN = 60
"""The listener keeps idle flows this much longer than Squid, so Squid closes idle tunnels cleanly first."""
MAX_USER_DATA = 16384
"""EC2's limit on user data, before base64."""
MAX_NAME = 20
"""``<name>-nlb`` plus Pulumi's ``-`` and 7 random characters must fit the 32 characters of a load balancer name."""
HEALTH_CHECK_GRACE = 300
MAX_INSTANCE_LIFETIME = 14 * 86400
"""Instances are replaced after 14 days, so the fleet picks up new AL2023 images and patches."""
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_GRAVITON = re.compile(r"^(a1|[a-z]+\d+[a-z-]*g[a-z-]*)\.")
"""Arm64 (Graviton) families: a ``g`` after the generation digit (t4g, m7g, c7gn, r8g, im4gn) and a1."""
_IMAGE_ID = re.compile(r"^(ami-[0-9a-f]{8}([0-9a-f]{9})?|resolve:ssm:/?[A-Za-z0-9_.\-/]+(:\d+)?)$")
_PROFILE_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


class ProxyInputError(ChalkInputError):
    """An input of ChalkSquidProxy is invalid; the message names the input and the allowed values."""


class ChalkSquidProxyArgs(TypedDict):
    """The inputs of `ChalkSquidProxy`. `regions` and the other plain inputs decide the allowlist and the resources,
    so they must be known when the program runs; `vpc_id`, `client_security_group_id` and `image_id` may be
    outputs of other resources."""

    vpc_id: pulumi.Input[str]
    """VPC of the proxy, e.g. `vpc-0a1b2c3d4e5f60718`."""
    subnet_ids: Sequence[str]
    """Private subnets for the load balancer and the instances, one per availability zone; they need a route to
    the internet (NAT gateway) for Chalk's hosts and the Amazon Linux package repositories."""
    regions: Sequence[str]
    """Chalk media region ids, e.g. `["jp1", "us2"]`, or `["all"]`: they decide the regional signaling hosts on
    the allowlist."""
    option: NotRequired[int]
    """PTC's port option (1, 2 or 3; default 1), recorded in the generated configuration."""
    encryption: NotRequired[Encryption]
    """`standard` (the default) or `e2ee`, recorded in the generated configuration."""
    port: NotRequired[int]
    """The proxy port (default 3128): the listener's, the instances' and the clients' (`ChalkAwsEgress`'s
    `proxy_port`)."""
    client_cidrs: NotRequired[Sequence[str]]
    """Client networks allowed to use the proxy (security group and Squid `src` ACL): private IPv4 networks (inside
    10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or 127.0.0.0/8) unless `allow_public_clients`."""
    allow_public_clients: NotRequired[bool]
    """Also accept `client_cidrs` with public addresses, even `0.0.0.0/0` (default false): every host in them may
    then use the proxy wherever its port is reachable. The component warns, and the generated squid.conf says so."""
    client_security_group_id: NotRequired[pulumi.Input[str] | None]
    """A client security group allowed to use the proxy; Squid then admits the private ranges (RFC 1918) unless
    `client_cidrs` narrows them, since it cannot see security groups."""
    instance_type: NotRequired[str]
    """EC2 instance type of the Squid instances (default `t3.small`; a Graviton type gets the arm64 image)."""
    min_size: NotRequired[int]
    """Fewest instances (default 2)."""
    max_size: NotRequired[int]
    """Most instances (default 4)."""
    desired_size: NotRequired[int]
    """Instances to run (default 2)."""
    image_id: NotRequired[pulumi.Input[str] | None]
    """AMI id or `resolve:ssm:` parameter; default: current AL2023 for the instance type's architecture."""
    iam_instance_profile: NotRequired[str | None]
    """Optional instance profile name, e.g. one with AmazonSSMManagedInstanceCore for Session Manager access."""
    internal: NotRequired[bool]
    """An internal load balancer, private addresses only (the default); false only for clients outside the VPC's
    network."""
    idle_timeout: NotRequired[int]
    """Seconds an idle tunnel stays open (Squid `read_timeout`); at least 300 (Twilio's WSS minimum)."""
    catalog_path: NotRequired[str | None]
    """A catalog file to plan from instead of the one shipped with chalk-policy."""
    overlay_path: NotRequired[str | None]
    """An overlay applied on top of the catalog (added or replaced regions, ranges and hosts)."""
    tags: NotRequired[Mapping[str, str]]
    """Tags of every resource the component creates."""


@dataclass(frozen=True)
class SquidProxySettings:
    """:class:`ChalkSquidProxyArgs` checked and with their defaults (documented there)."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[str]
    regions: Sequence[str] | str
    option: int = 1
    encryption: str = Encryption.STANDARD
    port: int = DEFAULT_PORT
    client_cidrs: Sequence[str] = ()
    allow_public_clients: bool = False
    client_security_group_id: pulumi.Input[str] | None = None
    instance_type: str = "t3.small"
    min_size: int = 2
    max_size: int = 4
    desired_size: int = 2
    image_id: pulumi.Input[str] | None = None
    iam_instance_profile: str | None = None
    internal: bool = True
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT
    catalog_path: str | None = None
    overlay_path: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class ChalkSquidProxy(pulumi.ComponentResource):
    """A Squid fleet behind a network load balancer that tunnels only to Chalk's signaling hosts on TCP 443."""

    endpoint: pulumi.Output[str]
    """`<load balancer DNS name>:<port>`: what clients (or the PAC file) use as their HTTPS proxy."""
    dns_name: pulumi.Output[str]
    """The load balancer's DNS name."""
    port: pulumi.Output[int]
    """The proxy port."""
    proxy_security_group_id: pulumi.Output[str]
    """The load balancer's security group: allow the Chalk clients' egress to it (`ChalkAwsEgress`)."""
    instance_security_group_id: pulumi.Output[str]
    """The Squid instances' security group."""
    auto_scaling_group_name: pulumi.Output[str]
    """The Auto Scaling group of the Squid instances."""
    squid_config: pulumi.Output[str]
    """The generated squid.conf the instances run."""
    catalog_version: pulumi.Output[str]
    """Version of the catalog the allowlist was planned from."""
    regions: pulumi.Output[list[str]]
    """The selected region ids, resolved (`all` -> every catalog region)."""

    @overload
    def __init__(self, name: str, args: ChalkSquidProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None: ...

    @overload
    def __init__(self, name: str, *, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Unpack[ChalkSquidProxyArgs]) -> None: ...

    def __init__(self, name: str, args: ChalkSquidProxyArgs = KEYWORDS, opts: pulumi.ResourceOptions | None = None,
                 **inputs: Any) -> None:
        settings = settings_from("ChalkSquidProxy", SquidProxySettings,
                                 merged_args("ChalkSquidProxy", args, inputs, ProxyInputError), ProxyInputError)
        chalk_plan, squid_config, user_data, image_id, public = _validate(name, settings)
        super().__init__(TYPE_TOKEN, name, None, opts)
        if public:
            pulumi.log.warn(f"allow_public_clients: public client networks {', '.join(public)} may use this proxy; "
                            "keep its port unreachable from anywhere else, or it is an open proxy", resource=self)
        self._name = name
        self._port = settings.port
        self._version = chalk_plan.catalog_version
        self._tags = {**settings.tags, CATALOG_TAG: self._version, "chalk:role": "signaling-proxy"}
        child = pulumi.ResourceOptions(parent=self)

        lb_sg, instance_sg = self._create_security_groups(settings)
        self._create_rules(settings, lb_sg, instance_sg)
        nlb, target_group = self._create_load_balancer(settings, lb_sg)
        template = aws.ec2.LaunchTemplate(
            f"{name}-launch-template",
            description=f"Chalk signaling proxy (Squid), catalog {self._version}",
            image_id=image_id,
            instance_type=settings.instance_type,
            vpc_security_group_ids=[instance_sg.id],
            user_data=user_data,
            iam_instance_profile=(aws.ec2.LaunchTemplateIamInstanceProfileArgs(name=settings.iam_instance_profile)
                                  if settings.iam_instance_profile else None),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            update_default_version=True,
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type="volume", tags={**self._tags, "Name": name})],
            tags={**self._tags, "Name": f"{name}-launch-template"},
            opts=child,
        )
        group = aws.autoscaling.Group(
            f"{name}-asg",
            vpc_zone_identifiers=list(settings.subnet_ids),
            min_size=settings.min_size,
            max_size=settings.max_size,
            desired_capacity=settings.desired_size,
            # A number, as a string: a changed configuration creates a new template version, and a pinned version
            # (not $Latest) is what lets the change start an instance refresh.
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)),
            target_group_arns=[target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=HEALTH_CHECK_GRACE,
            max_instance_lifetime=MAX_INSTANCE_LIFETIME,
            # Launch before terminate: capacity never drops while a new configuration rolls out.
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=100, max_healthy_percentage=200),
            ),
            tags=[aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
                  for key, value in {**self._tags, "Name": name}.items()],
            opts=child,
        )

        self.dns_name = nlb.dns_name
        self.port = pulumi.Output.from_input(settings.port)
        self.endpoint = pulumi.Output.concat(nlb.dns_name, f":{settings.port}")
        self.proxy_security_group_id = lb_sg.id
        self.instance_security_group_id = instance_sg.id
        self.auto_scaling_group_name = group.name
        self.squid_config = pulumi.Output.from_input(squid_config)
        self.catalog_version = pulumi.Output.from_input(self._version)
        self.regions = pulumi.Output.from_input(list(chalk_plan.regions))
        self._plan = chalk_plan
        register_outputs(self)

    @property
    def chalk_plan(self) -> Plan:
        """The plan the allowlist comes from, as plain values (catalog version, regions, hosts), for Python programs
        that need them while they run."""
        return self._plan

    # --- security groups ------------------------------------------------------------------------------

    def _create_security_groups(self, args: SquidProxySettings
                                ) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        # No inline rules (see aws.py): every rule below is its own resource, and the provider removes AWS's
        # default allow-all egress from both groups.
        groups = []
        # Descriptions are fixed: AWS cannot change a group's description, so a port in it would replace the group.
        for role, description in (("lb", "Chalk signaling proxy load balancer: clients to the proxy port"),
                                  ("instance", "Chalk signaling proxy instances (Squid): TCP 443 out")):
            group_name = f"{self._name}-{role}-sg"
            groups.append(aws.ec2.SecurityGroup(
                group_name,
                vpc_id=args.vpc_id,
                description=clean_description(description),
                tags={**self._tags, "Name": group_name, "chalk:proxy-port": str(args.port)},
                opts=pulumi.ResourceOptions(parent=self),
            ))
        return groups[0], groups[1]

    def _create_rules(self, args: SquidProxySettings, lb_sg: aws.ec2.SecurityGroup,
                      instance_sg: aws.ec2.SecurityGroup) -> None:
        tcp, port, child = Protocol.TCP.value, args.port, pulumi.ResourceOptions(parent=self)
        for cidr in args.client_cidrs:
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-lb-ingress-tcp-{port}-{cidr.replace('/', '-')}",
                security_group_id=lb_sg.id, cidr_ipv4=cidr, ip_protocol=tcp, from_port=port, to_port=port,
                description=clean_description(f"Chalk clients in {cidr} to the signaling proxy"),
                tags=self._tags, opts=child)
        if args.client_security_group_id is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-lb-ingress-tcp-{port}-clients",
                security_group_id=lb_sg.id, referenced_security_group_id=args.client_security_group_id,
                ip_protocol=tcp, from_port=port, to_port=port,
                description=clean_description("Chalk clients security group to the signaling proxy"),
                tags=self._tags, opts=child)
        # A load balancer with a security group needs egress to its targets, for traffic and health checks.
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-lb-egress-tcp-{port}-instances",
            security_group_id=lb_sg.id, referenced_security_group_id=instance_sg.id,
            ip_protocol=tcp, from_port=port, to_port=port,
            description=clean_description("Signaling proxy load balancer to the Squid instances and health checks"),
            tags=self._tags, opts=child)
        # Referencing the load balancer's group admits its traffic even with client IP preservation, and its
        # health checks; no VPC-wide rule, which would let any host in the VPC bypass the client filter.
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-instance-ingress-tcp-{port}-lb",
            security_group_id=instance_sg.id, referenced_security_group_id=lb_sg.id,
            ip_protocol=tcp, from_port=port, to_port=port,
            description=clean_description("Load balancer (clients and health checks) to Squid"),
            tags=self._tags, opts=child)
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-instance-egress-tcp-{SIGNALING_PORT}-{ANYWHERE.replace('/', '-')}",
            security_group_id=instance_sg.id, cidr_ipv4=ANYWHERE, ip_protocol=tcp,
            from_port=SIGNALING_PORT, to_port=SIGNALING_PORT,
            description=clean_description("Squid to TCP 443; host names filtered by Squid, packages from the "
                                          "Amazon Linux repositories"),
            tags=self._tags, opts=child)

    # --- load balancer --------------------------------------------------------------------------------

    def _create_load_balancer(self, args: SquidProxySettings, lb_sg: aws.ec2.SecurityGroup
                              ) -> tuple[aws.lb.LoadBalancer, aws.lb.TargetGroup]:
        child = pulumi.ResourceOptions(parent=self)
        nlb = aws.lb.LoadBalancer(
            f"{self._name}-nlb",
            load_balancer_type="network",
            internal=args.internal,
            subnets=list(args.subnet_ids),
            # A network load balancer only takes security groups when it is created; with one, the clients'
            # egress rule can reference it (ChalkAwsEgress, signaling="proxy").
            security_groups=[lb_sg.id],
            enable_cross_zone_load_balancing=True,
            tags={**self._tags, "Name": f"{self._name}-nlb"},
            opts=child,
        )
        target_group = aws.lb.TargetGroup(
            f"{self._name}-tg",
            port=args.port,
            protocol="TCP",
            target_type="instance",
            vpc_id=args.vpc_id,
            preserve_client_ip="true",  # Squid's src ACL and access log see the real client addresses
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                protocol="TCP", port=str(args.port), interval=10, timeout=5, healthy_threshold=3,
                unhealthy_threshold=3),
            tags={**self._tags, "Name": f"{self._name}-tg"},
            opts=child,
        )
        aws.lb.Listener(
            f"{self._name}-listener",
            load_balancer_arn=nlb.arn,
            port=args.port,
            protocol="TCP",
            tcp_idle_timeout_seconds=nlb_idle_timeout(args.idle_timeout),
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=self._tags,
            opts=child,
        )
        return nlb, target_group


def nlb_idle_timeout(idle_timeout: int) -> int:
    """The listener's TCP idle timeout: a margin above Squid's, within the 60-6000 s AWS allows."""
    return min(idle_timeout + NLB_IDLE_MARGIN, NLB_MAX_IDLE_TIMEOUT)


def user_data_script(squid_config: str, version: str) -> str:
    """The instances' boot script: install Squid (retrying while the network comes up), write and check the
    generated configuration, and start Squid."""
    return (
        "#!/bin/bash\n"
        f"# Chalk signaling proxy, generated by chalk-policy (catalog {version}).\n"
        "set -euo pipefail\n"
        "for attempt in 1 2 3 4 5; do dnf install -y squid && break; sleep $((attempt * 10)); done\n"
        "rpm -q squid\n"
        "cat > /etc/squid/squid.conf <<'CHALK_SQUID_CONF'\n"
        f"{squid_config}"
        "CHALK_SQUID_CONF\n"
        "squid -k parse -f /etc/squid/squid.conf\n"
        "systemctl enable squid\n"
        "systemctl restart squid\n"
    )


# --- validation ---------------------------------------------------------------------------------------


def _validate(name: str, args: SquidProxySettings) -> tuple[Plan, str, str, pulumi.Input[str], tuple[str, ...]]:
    """Check every plain input before any resource exists; return the plan, squid.conf, user data, image and the
    public client networks allowed by `allow_public_clients`."""
    _check_placement(name, args)
    _check_sizes(args)
    image = _image(args)
    cidrs, public = _check_clients(args)
    try:
        chalk_plan = plan(load_catalog(args.catalog_path, overlay=args.overlay_path), args.regions, args.option,
                          args.encryption)
        squid_config = render_squid(chalk_plan, port=args.port, clients=cidrs or RFC1918,
                                    idle_timeout=args.idle_timeout, allow_public_clients=args.allow_public_clients)
    except (PlanError, ProxyConfigError) as exc:
        raise ProxyInputError(str(exc)) from None
    script = user_data_script(squid_config, chalk_plan.catalog_version)
    if len(script.encode()) > MAX_USER_DATA:
        raise ProxyInputError(f"user data: {len(script.encode())} bytes for {len(chalk_plan.hosts)} hosts; "
                              f"allowed: at most {MAX_USER_DATA} bytes (EC2's limit)")
    return chalk_plan, squid_config, base64.b64encode(script.encode()).decode("ascii"), image, public


def _check_placement(name: str, args: SquidProxySettings) -> None:
    """The name, VPC and subnets."""
    if not _NAME.match(name) or len(name) > MAX_NAME:
        raise ProxyInputError(f"name: {name!r} is not usable for a load balancer; allowed: 1-{MAX_NAME} letters, "
                              "digits and inner hyphens, e.g. chalk-proxy")
    if isinstance(args.vpc_id, str) and not _VPC_ID.match(args.vpc_id):
        raise ProxyInputError(f"vpc_id: {args.vpc_id!r} is not a VPC id; allowed: vpc- and 8 or 17 lower-case hex "
                              "digits, e.g. vpc-0a1b2c3d4e5f60718")
    subnets = args.subnet_ids
    if isinstance(subnets, str) or not isinstance(subnets, Sequence) or not subnets:
        raise ProxyInputError(f"subnet_ids: {subnets!r} is not a list of subnets; allowed: one or more subnet ids "
                              "in different availability zones, e.g. [subnet-0a1b2c3d4e5f60718]")
    for subnet in subnets:
        if not isinstance(subnet, str) or not _SUBNET_ID.match(subnet):
            raise ProxyInputError(f"subnet_ids: {subnet!r} is not a subnet id; allowed: subnet- and 8 or 17 "
                                  "lower-case hex digits, e.g. subnet-0a1b2c3d4e5f60718")
    if len(set(subnets)) != len(subnets):
        raise ProxyInputError(f"subnet_ids: {list(subnets)!r} lists a subnet twice; allowed: each subnet once")


def _check_sizes(args: SquidProxySettings) -> None:
    """Port, group sizes, idle timeout, instance type."""
    _check_int("port", args.port, 1, 65535)
    _check_int("min_size", args.min_size, 0, None)
    _check_int("max_size", args.max_size, 1, None)
    _check_int("desired_size", args.desired_size, 1, None)
    if not args.min_size <= args.desired_size <= args.max_size:
        raise ProxyInputError(f"sizes: min_size {args.min_size}, desired_size {args.desired_size}, max_size "
                              f"{args.max_size}; allowed: min_size <= desired_size <= max_size")
    _check_int("idle_timeout", args.idle_timeout, MIN_IDLE_TIMEOUT, NLB_MAX_IDLE_TIMEOUT - NLB_IDLE_MARGIN)
    if not isinstance(args.instance_type, str) or not _INSTANCE_TYPE.match(args.instance_type):
        raise ProxyInputError(f"instance_type: {args.instance_type!r} is not an instance type; allowed: "
                              "family.size, e.g. t3.small")


def _image(args: SquidProxySettings) -> pulumi.Input[str]:
    image = args.image_id
    if image is None:
        # The default image follows the instance type's architecture, so t4g.small works as well as t3.small.
        image = AL2023_ARM64 if _GRAVITON.match(args.instance_type) else AL2023_X86_64
    elif isinstance(image, str) and not _IMAGE_ID.match(image):
        raise ProxyInputError(f"image_id: {image!r} is not an image; allowed: an AMI id (ami-...) or "
                              f"resolve:ssm:<parameter>, e.g. {AL2023_X86_64}")
    return image


def _check_clients(args: SquidProxySettings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Instance profile, client group and CIDRs, tags; the client CIDRs as parsed, and those of them that are public
    (allowed only with `allow_public_clients`)."""
    if args.iam_instance_profile is not None and not (
            isinstance(args.iam_instance_profile, str) and _PROFILE_NAME.match(args.iam_instance_profile)):
        raise ProxyInputError(f"iam_instance_profile: {args.iam_instance_profile!r} is not an instance profile "
                              "name; allowed: None or 1-128 of letters, digits and +=,.@_-")
    client_group = args.client_security_group_id
    if isinstance(client_group, str) and not _SECURITY_GROUP_ID.match(client_group):
        raise ProxyInputError(f"client_security_group_id: {client_group!r} is not a security group id; allowed: "
                              "sg- and 8 or 17 lower-case hex digits, e.g. sg-0a1b2c3d4e5f60718")
    if isinstance(args.client_cidrs, str):
        raise ProxyInputError(f"client_cidrs: {args.client_cidrs!r} is not a list; allowed: a list of IPv4 "
                              "networks, e.g. ['10.20.0.0/16']")
    if not args.client_cidrs and client_group is None:
        raise ProxyInputError("client_cidrs: no clients; allowed: client networks (e.g. ['10.20.0.0/16']) "
                              "and/or client_security_group_id")
    try:
        cidrs = parse_cidrs(args.client_cidrs, "client_cidrs") if args.client_cidrs else ()
    except ProxyConfigError as exc:
        raise ProxyInputError(str(exc)) from None
    if any(":" in cidr for cidr in cidrs) or tuple(cidrs) != tuple(args.client_cidrs):
        raise ProxyInputError(f"client_cidrs: {list(args.client_cidrs)!r} must be unique IPv4 networks without "
                              "host bits; allowed: e.g. ['10.20.0.0/16', '192.168.0.0/16']")
    if not isinstance(args.allow_public_clients, bool):
        raise ProxyInputError(f"allow_public_clients: {args.allow_public_clients!r} is not a boolean; allowed: true "
                              "or false")
    try:
        public = check_clients(cidrs, args.allow_public_clients, setting="client_cidrs",
                               opt_in="allow_public_clients: true", ipv4_only=True)
    except ProxyConfigError as exc:
        raise ProxyInputError(str(exc)) from None
    if not is_tag_map(args.tags):
        raise ProxyInputError(f"tags: {args.tags!r} is not a tag map; allowed: a mapping of non-empty string keys "
                              "to string values")
    return cidrs, public


def _check_int(setting: str, value: object, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"an integer {low}-{high}" if high is not None else f"an integer >= {low}"
        raise ProxyInputError(f"{setting}: {value!r} is out of range; allowed: {allowed}")
