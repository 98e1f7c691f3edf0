"""Inputs shared by the Squid and PAC renderers: the proxy endpoint, client networks, host-name checks."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import netaddr

from ..planning.networks import NetworkInputError, parse_networks
from ..planning.plan import Plan
from ..text import printable, show

DEFAULT_PORT = 3128
"""Squid's customary port; also the default of the AWS component and of the program's ``awsProxyPort``."""
RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""Default client networks: the private IPv4 ranges."""
PRIVATE_CLIENT_RANGES = (*RFC1918, "100.64.0.0/10", "fc00::/7", "127.0.0.0/8", "::1/128")
"""Where proxy clients may be without an opt-in (:func:`check_clients`): RFC 1918, the shared address space of
carrier-grade NAT (RFC 6598), IPv6 unique local addresses (RFC 4193) and loopback (tests, a proxy on the client's
own machine). A client network must lie inside one of them; any other may hold addresses routed on the internet."""
WORLD_WIDE_PREFIX = 8
"""A client network with a shorter prefix (0.0.0.0/0, ::/0, 8.0.0.0/6) is world-wide rather than a site's network."""
LINK_LOCAL_DESTINATIONS = ("169.254.0.0/16", "fe80::/10")
"""Link-local networks (RFC 3927, RFC 4291): never a Chalk server; where cloud hosts keep their local services.
The proxy never tunnels to them (:func:`chalk_policy.proxy.render_squid`), whatever a host name resolves to."""
METADATA_DESTINATIONS = ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
"""Cloud instance metadata services, which hand out the proxy host's credentials: 169.254.169.254 (AWS, Azure,
Google Cloud, Oracle, DigitalOcean and others; also inside 169.254.0.0/16, listed for the reader), fd00:ec2::254
(AWS over IPv6) and 100.100.100.200 (Alibaba Cloud). The proxy never tunnels to them either."""
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
    """``"10.0.0.0/8,192.168.0.0/16"`` or a list -> unique IPv4/IPv6 networks without host bits, in order
    (:func:`chalk_policy.planning.networks.parse_networks`)."""
    try:
        return parse_networks(values, setting)
    except NetworkInputError as exc:
        raise ProxyConfigError(str(exc)) from None


def check_clients(cidrs: Iterable[str], allow_public: bool, *, setting: str = "--clients",
                  opt_in: str = "--allow-public-clients", ipv4_only: bool = False) -> tuple[str, ...]:
    """The networks of ``cidrs`` (as :func:`parse_cidrs` returns them) that hold public addresses; refused unless
    ``allow_public``.

    A client network must lie inside :data:`PRIVATE_CLIENT_RANGES`; any other one (``0.0.0.0/0``, ``::/0``, any prefix
    shorter than /8, ``8.8.8.0/24``) may hold addresses routed on the internet, whose hosts could then use the proxy
    wherever its port is reachable (an open proxy). ``setting`` and ``opt_in`` name the input and the opt-in in the
    message, which is one line: the value, what is allowed, how to opt in; ``ipv4_only`` lists only the IPv4 ranges
    there (for a setting that takes no IPv6).
    """
    private = [netaddr.IPNetwork(cidr) for cidr in PRIVATE_CLIENT_RANGES]
    public: list[str] = []
    for cidr in cidrs:
        network = netaddr.IPNetwork(cidr)
        if any(network in allowed for allowed in private):
            continue
        if not allow_public:
            if network.prefixlen < WORLD_WIDE_PREFIX:
                what = "is world-wide (anyone on the internet could use the proxy wherever its port is reachable)"
            else:
                is_global = ipaddress.ip_network(str(network.cidr)).is_global
                kind = "holds public addresses" if is_global else "is not a private network"
                what = f"{kind} (its hosts could use the proxy wherever its port is reachable)"
            ranges = [r for r in PRIVATE_CLIENT_RANGES if not (ipv4_only and ":" in r)]
            raise ProxyConfigError(
                f"{setting}: {show(cidr)} {what}; allowed: networks inside {', '.join(ranges[:-1])} or {ranges[-1]}; "
                f"public clients only with {opt_in}")
        public.append(str(network.cidr))
    return tuple(public)


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
