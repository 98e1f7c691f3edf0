"""Egress-proxy configuration for Chalk signaling, rendered from the plan: a Squid allowlist and a PAC file.

Pure functions over :class:`chalk_policy.planning.Plan`; no Pulumi, no network. The AWS component
:mod:`chalk_policy.components.proxy` puts the same Squid configuration on its instances, and the CLI's
``chalk-policy render squid|pac`` prints either file.
"""

from ..catalog.models import SIGNALING_PORT
from .common import (
    DEFAULT_PORT,
    LINK_LOCAL_DESTINATIONS,
    METADATA_DESTINATIONS,
    PRIVATE_CLIENT_RANGES,
    RFC1918,
    Endpoint,
    ProxyConfigError,
    check_clients,
    parse_cidrs,
    parse_endpoint,
)
from .pac import DIRECT, render_pac
from .squid import DEFAULT_ACCESS_LOG, DEFAULT_IDLE_TIMEOUT, MIN_IDLE_TIMEOUT, render_squid

__all__ = [
    "DEFAULT_ACCESS_LOG",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_PORT",
    "DIRECT",
    "LINK_LOCAL_DESTINATIONS",
    "METADATA_DESTINATIONS",
    "MIN_IDLE_TIMEOUT",
    "PRIVATE_CLIENT_RANGES",
    "RFC1918",
    "SIGNALING_PORT",
    "Endpoint",
    "ProxyConfigError",
    "check_clients",
    "parse_cidrs",
    "parse_endpoint",
    "render_pac",
    "render_squid",
]
