"""Pulumi components that open Chalk egress in a cloud network.

The only layer of ``chalk_policy`` that declares cloud resources. Each cloud lives in its own module
(``aws``, ``azure``) and is imported on first use of one of its names, so that a program only pays for the
provider SDK it uses: ``from chalk_policy.components import ChalkAwsEgress`` never imports pulumi_azure_native.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .aws import ChalkAwsEgress, ChalkAwsEgressArgs, ComponentInputError, SignalingMode
    from .azure import AzureInputError, ChalkAzureEgress, ChalkAzureEgressArgs
    from .proxy import ChalkSquidProxy, ChalkSquidProxyArgs, ProxyInputError

_MODULE_OF = {
    "ChalkAwsEgress": "aws",
    "ChalkAwsEgressArgs": "aws",
    "ComponentInputError": "aws",
    "SignalingMode": "aws",
    "AzureInputError": "azure",
    "ChalkAzureEgress": "azure",
    "ChalkAzureEgressArgs": "azure",
    "ChalkSquidProxy": "proxy",
    "ChalkSquidProxyArgs": "proxy",
    "ProxyInputError": "proxy",
}

__all__ = ["AzureInputError", "ChalkAwsEgress", "ChalkAwsEgressArgs", "ChalkAzureEgress", "ChalkAzureEgressArgs",
           "ChalkSquidProxy", "ChalkSquidProxyArgs", "ComponentInputError", "ProxyInputError", "SignalingMode"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
