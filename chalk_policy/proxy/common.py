"""Inputs shared by the Squid and PAC renderers: the proxy endpoint, client networks, host-name checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import netaddr

from ..planning.plan import Plan
from ..text import printable, show

DEFAULT_PORT = 3128
"""Squid's customary port; also the default of the AWS component and of the program's ``awsProxyPort``."""
RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""Default client networks: the private IPv4 ranges."""
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ENDPOINT_HOST = re.compile(r"^(?!-)[A-Za-z0-9.-]{1,253}(?<![-.])$")


class ProxyConfigError(ValueError):
    """A proxy setting is invalid; the message names the setting and the allowed values."""


@dataclass(frozen=True)
class Endpoint:
    """Where clients reach the proxy: a host name or IPv4 address, and a TCP port."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_endpoint(value: str, setting: str = "--proxy") -> Endpoint:
    """``proxy.corp.example:3128`` -> Endpoint; anything else is refused with the accepted form."""
    allowed = "allowed: HOST:PORT with a host name or IPv4 address and a port 1-65535, e.g. proxy.corp.example:3128"
    host, sep, port_text = value.strip().rpartition(":")
    if not sep or not _ENDPOINT_HOST.match(host) or not port_text.isdigit():
        raise ProxyConfigError(f"{setting}: {show(value)} is not a proxy endpoint; {allowed}")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise ProxyConfigError(f"{setting}: {show(value)} has port {port}; {allowed}")
    return Endpoint(host.lower(), port)


def check_port(port: object, setting: str) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ProxyConfigError(f"{setting}: {show(port)} is not a port; allowed: an integer 1-65535")
    return port


def parse_cidrs(values: str | Iterable[str], setting: str = "--clients") -> tuple[str, ...]:
    """``"10.0.0.0/8,192.168.0.0/16"`` or a list -> unique IPv4/IPv6 networks without host bits, in order."""
    items = [part.strip() for part in (values.split(",") if isinstance(values, str) else values)]
    items = [item for item in items if item]
    allowed = "allowed: IPv4 or IPv6 networks without host bits, e.g. 10.20.0.0/16"
    if not items:
        raise ProxyConfigError(f"{setting}: no network given; {allowed}")
    networks: list[str] = []
    for item in items:
        try:
            network = netaddr.IPNetwork(item if "/" in item else f"{item}/{32 if ':' not in item else 128}")
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise ProxyConfigError(f"{setting}: {show(item)} is not a network; {allowed}") from None
        if network.ip != network.network:
            raise ProxyConfigError(f"{setting}: {show(item)} has host bits set; allowed: the network address, "
                                   f"{network.cidr}")
        text = str(network.cidr)
        if text not in networks:
            networks.append(text)
    return tuple(networks)


def plan_hosts(plan: Plan) -> tuple[str, ...]:
    """The plan's signaling host names, checked again before they are written into a proxy configuration.

    The catalog loader already validates them; the check here keeps a hand-built plan from smuggling a
    space, a newline (a new Squid directive) or a quote (JavaScript) into the generated files.
    """
    hosts: list[str] = []
    for host in plan.host_names:
        labels = host.split(".")
        if len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
            raise ProxyConfigError(f"hosts: {show(host)} is not a host name; allowed: lower-case labels of a-z, 0-9 "
                                   "and '-', separated by dots")
        if host not in hosts:
            hosts.append(host)
    if not hosts:
        raise ProxyConfigError("hosts: the plan has no signaling host names; allowed: a plan with at least one host")
    return tuple(hosts)


def describe(plan: Plan) -> str:
    """One line for file headers: catalog version, regions, option and encryption of the plan. Printable on one line
    (a hand-built plan's region with a newline must not end the comment it is written in and start a directive)."""
    return printable(f"catalog {plan.catalog_version}, regions {','.join(plan.regions)}, option {plan.option}, "
                     f"encryption {plan.encryption.value}", newlines=False)
