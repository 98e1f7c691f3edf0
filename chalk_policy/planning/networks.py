"""Client networks as users write them (``--clients``, ``client_cidrs``): one parser for the plan's ticket, the
proxies and the firewall renderings. The standard library's ipaddress, as in :mod:`.plan`, keeps netaddr off the
command line's start-up."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from ..text import show

CLIENTS_IPV4_ONLY = "the rules are IPv4 only, as the catalog's media ranges are"
"""Why the client networks of a ticket or a firewall rendering must be IPv4."""


class NetworkInputError(ValueError):
    """A network list that cannot be used; the message names the setting, the value and what is allowed."""


def parse_networks(values: str | Iterable[str], setting: str = "--clients", *, ipv4_only: bool = False,
                   why_ipv4: str = "") -> tuple[str, ...]:
    """``"10.0.0.0/8, 192.168.0.0/16"`` or a list -> unique networks without host bits, in the order given; an
    address without a prefix is one host (/32, /128). ``ipv4_only`` refuses IPv6 networks (``why_ipv4`` says why)."""
    items = [part.strip() for part in (values.split(",") if isinstance(values, str) else values)]
    items = [item for item in items if item]
    allowed = (f"allowed: {'IPv4' if ipv4_only else 'IPv4 or IPv6'} networks without host bits, e.g. 10.20.0.0/16")
    if not items:
        raise NetworkInputError(f"{setting}: no network given; {allowed}")
    networks: list[str] = []
    for item in items:
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise NetworkInputError(f"{setting}: {show(item)} is not a network; {allowed}") from None
        if ipv4_only and network.version != 4:
            raise NetworkInputError(f"{setting}: {show(item)} is an IPv6 network; {allowed}"
                                    + (f" ({why_ipv4})" if why_ipv4 else ""))
        if network.network_address != ipaddress.ip_address(item.split("/", 1)[0]):
            raise NetworkInputError(f"{setting}: {show(item)} has host bits set; allowed: the network address, "
                                    f"{network}")
        if str(network) not in networks:
            networks.append(str(network))
    return tuple(networks)
