"""Readers shared by the AWS layers: protocol and port fields, CIDR fields, tag selection, safe properties."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..boxes import ALL_PORTS, ANYWHERE, EMPTY, PORT_MAX, PORT_MIN, BoxSet, parse_ipv4
from ..common import ALL_SERVICES, Destinations, Services, unknown
from ..evaluate import Doubt, DoubtKind
from ..model import TagSelector
from ..resources import UNKNOWN, Malformed, Resource, as_int, as_str, field, of_type, props_of

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GROUP_TYPES = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
"""Resources that are a security group (inline ``egress``, ``tags``/``tagsAll``, ``id``): a VPC's default group
adopted by ``aws.ec2.DefaultSecurityGroup`` is one too, and standalone rules can name it by id."""
PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}
ANY_PROTOCOL = {"-1", "all"}
SKIPPED_FOR_MEMBERSHIP = (ValueError, TypeError)


def add_cidr(target: Destinations, cidr: object, where: str, name: str) -> None:
    if cidr is UNKNOWN:
        target.add_doubt(unknown(where, name))
        return
    if not isinstance(cidr, str):
        raise Malformed(f"{name} is missing")
    addresses = parse_ipv4(cidr)
    if addresses is not None:
        target.add(cidr, addresses)


def read_services(protocol: object, from_port: object, to_port: object, where: str) -> Services:
    if isinstance(protocol, int | float) and not isinstance(protocol, bool):
        protocol = str(int(protocol))
    name = as_str(protocol, "protocol")
    if name is None:
        raise Malformed("protocol is missing")
    if name is UNKNOWN:
        return Services.anything(unknown(where, "protocol"))
    text = str(name).strip().lower()
    if text in ANY_PROTOCOL:
        return Services.exactly(ALL_SERVICES)
    if text not in PROTOCOLS:
        return Services()
    protocols = (PROTOCOLS[text],)
    low, high = as_int(from_port, "fromPort"), as_int(to_port, "toPort")
    if low is None or high is None:
        raise Malformed(f"{'fromPort' if low is None else 'toPort'} is missing")
    if low is UNKNOWN or high is UNKNOWN:
        what = "fromPort" if low is UNKNOWN else "toPort"
        return Services(EMPTY, BoxSet.of(protocols, ALL_PORTS, ANYWHERE), [unknown(where, what)])
    assert isinstance(low, int) and isinstance(high, int)
    if not PORT_MIN <= low <= high <= PORT_MAX:
        raise Malformed(f"ports {low}-{high} are not a port range; allowed: 0 <= fromPort <= toPort <= 65535")
    return Services.exactly(BoxSet.of(protocols, ((low, high),), ANYWHERE))



class Membership:
    """Which security groups (``aws.ec2.SecurityGroup`` and ``aws.ec2.DefaultSecurityGroup``) a tag selector
    picks."""

    def __init__(self, resources: Sequence[Resource], selector: TagSelector | None) -> None:
        self.selector = selector
        self.by_id: dict[str, tuple[bool, Doubt | None]] = {}
        self.any_candidate = False
        for resource in of_type(resources, *GROUP_TYPES):
            try:
                props = props_of(resource)
            except SKIPPED_FOR_MEMBERSHIP:
                continue
            member, doubt = self.of_group(resource, props)
            group_id = field(props, "id")
            if isinstance(group_id, str):
                self.by_id[group_id] = (member, doubt)
            if member or doubt is not None:
                self.any_candidate = True

    def of_group(self, resource: Resource, props: object) -> tuple[bool, Doubt | None]:
        """(counts for sure, doubt when it may or may not count)."""
        if self.selector is None:
            return True, None
        maybe = False
        for name in ("tags", "tagsAll"):  # tagsAll adds the provider's default tags
            tags = field(props, name)  # type: ignore[arg-type]
            value = tags.get(self.selector.key) if isinstance(tags, dict) else (UNKNOWN if tags is UNKNOWN else None)
            if value is UNKNOWN:
                maybe = True
            elif value is not None and (self.selector.value is None or value == self.selector.value):
                return True, None
        if maybe:
            return False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: its tags are unknown, so the selector "
                                                   f"{self.selector} may or may not pick it")
        return False, None

    def of_rule(self, resource: Resource, group_id: object) -> tuple[bool, Doubt | None]:
        if self.selector is None:
            return True, None
        if group_id is UNKNOWN:
            if not self.any_candidate:
                return False, None
            return False, Doubt(DoubtKind.UNKNOWN, f"{resource.label}: securityGroupId is unknown, so it may or "
                                                   f"may not belong to a group tagged {self.selector}")
        if not isinstance(group_id, str):
            raise Malformed("securityGroupId is missing")
        return self.by_id.get(group_id, (False, None))


def safe_props(resource: Resource) -> Any:
    try:
        return props_of(resource)
    except SKIPPED_FOR_MEMBERSHIP:
        return {}

