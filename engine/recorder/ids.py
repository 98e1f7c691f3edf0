"""Ids and computed outputs that look like the ones the real providers return after a create.

The computed outputs of each type are its output-only properties in the installed Python SDKs (the
``__props__.__dict__[...] = None`` entries of each resource constructor), plus ``id`` and, for AWS, the
``region`` the resource lives in. Values are made up: random hex where AWS and Azure use random ids, the
account ``123456789012`` and the subscription ``00000000-0000-0000-0000-000000000000`` unless configured.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from recorder import replacements as r
from recorder.naming import random_hex
from recorder.props import Props, is_secret, is_unknown, reveal

ACCOUNT = "123456789012"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
AZURE_API_VERSION = "2024-05-01"  # the default Microsoft.Network version of the installed azure-native SDK (v3)


@dataclass(frozen=True)
class Cloud:
    """What the provider configuration says about where resources go."""

    region: str = "us-east-1"
    account: str = ACCOUNT
    subscription: str = SUBSCRIPTION
    default_tags: Mapping[str, str] = field(default_factory=dict)


Minted = tuple[str, Props]
"""(id, computed outputs including ``id``)."""

Minter = Callable[[Props, Cloud], Minted]


def _text(inputs: Props, key: str, fallback: str = "") -> str:
    value = reveal(inputs.get(key))
    return value if isinstance(value, str) and not is_unknown(value) else fallback


def region_of(inputs: Props, cloud: Cloud) -> str:
    return _text(inputs, "region", cloud.region)


def tags_all(inputs: Props, cloud: Cloud) -> Any:
    """Provider default tags overlaid with the resource's own ``tags`` (Terraform's ``tags_all``)."""
    tags = inputs.get("tags")
    if tags is None:
        return dict(cloud.default_tags)
    return {**cloud.default_tags, **tags} if isinstance(tags, dict) and not is_secret(tags) else tags


def _ec2_id(prefix: str) -> str:
    return f"{prefix}-{random_hex(17)}"


def _arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _aws(ident: str, inputs: Props, cloud: Cloud, **outputs: Any) -> Minted:
    return ident, {"id": ident, "region": region_of(inputs, cloud), **outputs}


def _security_group(inputs: Props, cloud: Cloud) -> Minted:
    ident = _ec2_id("sg")
    arn = _arn("ec2", region_of(inputs, cloud), cloud.account, f"security-group/{ident}")
    return _aws(ident, inputs, cloud, arn=arn, ownerId=cloud.account, tagsAll=tags_all(inputs, cloud))


def _security_group_rule(inputs: Props, cloud: Cloud) -> Minted:
    ident = _ec2_id("sgr")
    arn = _arn("ec2", region_of(inputs, cloud), cloud.account, f"security-group-rule/{ident}")
    return _aws(ident, inputs, cloud, arn=arn, securityGroupRuleId=ident, tagsAll=tags_all(inputs, cloud))


def _network_firewall(kind: Callable[[Props], str]) -> Minter:
    def mint(inputs: Props, cloud: Cloud) -> Minted:
        resource = f"{kind(inputs)}/{_text(inputs, 'name')}"
        arn = _arn("network-firewall", region_of(inputs, cloud), cloud.account, resource)
        return _aws(arn, inputs, cloud, arn=arn, updateToken=str(uuid.uuid4()), tagsAll=tags_all(inputs, cloud))

    return mint


def _rule_group_kind(inputs: Props) -> str:
    return "stateless-rulegroup" if _text(inputs, "type").upper() == "STATELESS" else "stateful-rulegroup"


def _launch_template(inputs: Props, cloud: Cloud) -> Minted:
    ident = _ec2_id("lt")
    arn = _arn("ec2", region_of(inputs, cloud), cloud.account, f"launch-template/{ident}")
    return _aws(ident, inputs, cloud, arn=arn, latestVersion=1, defaultVersion=1, tagsAll=tags_all(inputs, cloud))


def _autoscaling_group(inputs: Props, cloud: Cloud) -> Minted:
    name = _text(inputs, "name")
    resource = f"autoScalingGroup:{uuid.uuid4()}:autoScalingGroupName/{name}"
    arn = _arn("autoscaling", region_of(inputs, cloud), cloud.account, resource)
    return _aws(name, inputs, cloud, arn=arn, predictedCapacity=0, warmPoolSize=0)


_LB_KINDS = {"application": "app", "network": "net", "gateway": "gwy"}


def _zone_id() -> str:
    return "Z" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(13))


def _load_balancer(inputs: Props, cloud: Cloud) -> Minted:
    name, region, token = _text(inputs, "name"), region_of(inputs, cloud), random_hex(16)
    suffix = f"{_LB_KINDS.get(_text(inputs, 'loadBalancerType', 'application'), 'app')}/{name}/{token}"
    arn = _arn("elasticloadbalancing", region, cloud.account, f"loadbalancer/{suffix}")
    return _aws(arn, inputs, cloud, arn=arn, arnSuffix=suffix, dnsName=f"{name}-{token}.elb.{region}.amazonaws.com",
                vpcId=_ec2_id("vpc"), zoneId=_zone_id(), tagsAll=tags_all(inputs, cloud))


def _target_group(inputs: Props, cloud: Cloud) -> Minted:
    suffix = f"targetgroup/{_text(inputs, 'name')}/{random_hex(16)}"
    arn = _arn("elasticloadbalancing", region_of(inputs, cloud), cloud.account, suffix)
    return _aws(arn, inputs, cloud, arn=arn, arnSuffix=suffix, loadBalancerArns=[], tagsAll=tags_all(inputs, cloud))


def _listener(inputs: Props, cloud: Cloud) -> Minted:
    balancer = _text(inputs, "loadBalancerArn")
    if ":loadbalancer/" in balancer:
        arn = balancer.replace(":loadbalancer/", ":listener/", 1) + f"/{random_hex(16)}"
    else:
        arn = _arn("elasticloadbalancing", region_of(inputs, cloud), cloud.account,
                   f"listener/net/unknown/{random_hex(16)}/{random_hex(16)}")
    return _aws(arn, inputs, cloud, arn=arn, tagsAll=tags_all(inputs, cloud))


def _azure_id(cloud: Cloud, inputs: Props, path: str) -> str:
    group = _text(inputs, "resourceGroupName")
    return f"/subscriptions/{cloud.subscription}/resourceGroups/{group}/providers/Microsoft.Network/{path}"


def _azure(ident: str, name: str, arm_type: str, **outputs: Any) -> Minted:
    return ident, {"id": ident, "name": name, "type": arm_type, "etag": f'W/"{uuid.uuid4()}"',
                   "provisioningState": "Succeeded", "azureApiVersion": AZURE_API_VERSION, **outputs}


def _azure_nsg(inputs: Props, cloud: Cloud) -> Minted:
    name = _text(inputs, "networkSecurityGroupName")
    ident = _azure_id(cloud, inputs, f"networkSecurityGroups/{name}")
    return _azure(ident, name, "Microsoft.Network/networkSecurityGroups", resourceGuid=str(uuid.uuid4()))


def _azure_firewall_policy(inputs: Props, cloud: Cloud) -> Minted:
    name = _text(inputs, "firewallPolicyName")
    return _azure(_azure_id(cloud, inputs, f"firewallPolicies/{name}"), name, "Microsoft.Network/firewallPolicies")


def _azure_rule_collection_group(inputs: Props, cloud: Cloud) -> Minted:
    policy, name = _text(inputs, "firewallPolicyName"), _text(inputs, "ruleCollectionGroupName")
    ident = _azure_id(cloud, inputs, f"firewallPolicies/{policy}/ruleCollectionGroups/{name}")
    return _azure(ident, name, "Microsoft.Network/firewallPolicies/ruleCollectionGroups")


MINTERS: dict[str, Minter] = {
    r.SECURITY_GROUP: _security_group,
    r.EGRESS_RULE: _security_group_rule,
    r.INGRESS_RULE: _security_group_rule,
    r.RULE_GROUP: _network_firewall(_rule_group_kind),
    r.FIREWALL_POLICY: _network_firewall(lambda _inputs: "firewall-policy"),
    r.LAUNCH_TEMPLATE: _launch_template,
    r.AUTOSCALING_GROUP: _autoscaling_group,
    r.LOAD_BALANCER: _load_balancer,
    r.TARGET_GROUP: _target_group,
    r.LISTENER: _listener,
    r.AZURE_NSG: _azure_nsg,
    r.AZURE_FIREWALL_POLICY: _azure_firewall_policy,
    r.AZURE_RULE_COLLECTION_GROUP: _azure_rule_collection_group,
}


def _unmodelled(type_token: str) -> Minter:
    def mint(_inputs: Props, _cloud: Cloud) -> Minted:
        ident = f"{type_token.rsplit(':', 1)[-1].lower()}-{random_hex(17)}"
        return ident, {"id": ident}

    return mint


def mint(type_token: str, inputs: Props, cloud: Cloud) -> Minted:
    """A new id and the computed outputs for a resource of ``type_token`` created from ``inputs``."""
    return MINTERS.get(type_token, _unmodelled(type_token))(inputs, cloud)
