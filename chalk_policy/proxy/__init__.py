"""Egress-proxy configuration for Chalk signaling, rendered from the plan: a Squid allowlist and a PAC file.

Pure functions over :class:`chalk_policy.planning.Plan`; no Pulumi, no network. The AWS component
:mod:`chalk_policy.components.proxy` puts the same Squid configuration on its instances, and the CLI's
``chalk-policy render squid|pac`` prints either file.
"""

from ..catalog.models import SIGNALING_PORT
from .common import DEFAULT_PORT, RFC1918, Endpoint, ProxyConfigError, parse_cidrs, parse_endpoint
from .pac import DIRECT, render_pac
from .squid import DEFAULT_ACCESS_LOG, DEFAULT_IDLE_TIMEOUT, MIN_IDLE_TIMEOUT, render_squid

__all__ = [
    "DEFAULT_ACCESS_LOG",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_PORT",
    "DIRECT",
    "MIN_IDLE_TIMEOUT",
    "RFC1918",
    "SIGNALING_PORT",
    "Endpoint",
    "ProxyConfigError",
    "parse_cidrs",
    "parse_endpoint",
    "render_pac",
    "render_squid",
]
