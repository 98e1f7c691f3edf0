"""Pulumi components that open Chalk egress in a cloud network.

The only layer of ``chalk_policy`` that declares cloud resources. Each cloud lives in its own module
(``aws``, ``azure``) and is imported on first use of one of its names, so that a program only pays for the
provider SDK it uses: ``from chalk_policy.components import ChalkAwsEgress`` never imports pulumi_azure_native.

Each provider SDK is an extra of the package (``pip install 'chalk-policy[aws]'``, ``[azure]`` or ``[all]``). Using a
name whose SDK is not installed raises :class:`MissingSdkError`, one line naming the extra to install (under the
Pulumi engine, an error line instead of a traceback).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from .errors import ChalkInputError

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

SDKS: dict[str, tuple[str, str]] = {
    # cloud (the package extra, the program's `clouds` value): (provider SDK module, its distribution)
    "aws": ("pulumi_aws", "pulumi-aws"),
    "azure": ("pulumi_azure_native", "pulumi-azure-native"),
}
"""The provider SDK of each cloud; the cloud's name is also the extra that installs it."""

COMPONENT_CLOUDS: dict[str, str] = {
    "ChalkAwsEgress": "aws",
    "ChalkAzureEgress": "azure",
    "ChalkSquidProxy": "aws",
}
"""The components (what the component provider serves, chalk_policy.components.provider) and the cloud each needs."""

__all__ = ["AzureInputError", "ChalkAwsEgress", "ChalkAwsEgressArgs", "ChalkAzureEgress", "ChalkAzureEgressArgs",
           "ChalkSquidProxy", "ChalkSquidProxyArgs", "ComponentInputError", "MissingSdkError", "ProxyInputError",
           "COMPONENT_CLOUDS", "SDKS", "SignalingMode", "missing_sdk_message", "sdk_installed"]


class MissingSdkError(ChalkInputError, ModuleNotFoundError):
    """A cloud's provider SDK is not installed; the message names the extra that installs it. Also a
    ``ModuleNotFoundError``, for callers that catch import errors."""


def missing_sdk_message(cloud: str, needed_by: str) -> str:
    """``ChalkAzureEgress needs pulumi-azure-native, which is not installed; install chalk-policy[azure] ...``."""
    distribution = SDKS[cloud][1]
    return (f"{needed_by} needs {distribution}, which is not installed; install chalk-policy with the {cloud} extra: "
            f"pip install 'chalk-policy[{cloud}]' (or 'chalk-policy[all]')")


def sdk_installed(cloud: str) -> bool:
    """Whether the cloud's provider SDK can be imported (found, without importing it)."""
    try:
        return importlib.util.find_spec(SDKS[cloud][0]) is not None
    except (ImportError, ValueError):  # a module in sys.modules without a spec
        return False


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        cloud = next((cloud for cloud, (sdk, _) in SDKS.items() if sdk == missing), None)
        if cloud is None:
            raise
        error = MissingSdkError(missing_sdk_message(cloud, name))
        error.name = exc.name
        raise error from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
