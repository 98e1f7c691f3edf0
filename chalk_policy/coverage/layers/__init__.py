"""The firewall layers: one module declares each, and this registry lists them in evaluation and report order.

Everything else (the media check, the messages, least privilege, option consistency, the signaling-hosts
check) iterates :data:`LAYERS`; adding a layer is one module with a :class:`~chalk_policy.coverage.model.Layer`
declaration plus one line here.
"""

from __future__ import annotations

from ..model import Layer
from . import aws_network_acl, aws_network_firewall, aws_security_groups, azure_firewall, azure_nsg

LAYERS: tuple[Layer, ...] = (
    aws_security_groups.LAYER,
    aws_network_firewall.LAYER,
    aws_network_acl.LAYER,
    azure_nsg.LAYER,
    azure_firewall.LAYER,
)

__all__ = ["LAYERS", "Layer"]
