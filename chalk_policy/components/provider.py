"""The `chalk` component provider: ChalkAwsEgress, ChalkAzureEgress and ChalkSquidProxy for every Pulumi language.

`provider/` (the plugin directory: `PulumiPlugin.yaml`, runtime python) runs :func:`serve`: the Python SDK's
component provider (`pulumi.provider.experimental`, what its `component_provider_host` runs), which infers the
package schema from the components' types (see :mod:`chalk_policy.components.anatomy`) and constructs them for
programs in other languages. Ours only adds one thing: the descriptions in the schema are the docstrings dedented
(the SDK keeps their source indentation, which the generated SDKs' docs would show).

`pulumi package get-schema provider` prints the schema, checked into `sdk/schema.json` (`make schema`); `pulumi
package add provider` in a TypeScript, Go, C# or Java program generates its SDK; YAML programs need none.

Only the components whose provider SDK is installed are served: an AWS-only install (`chalk-policy[aws]`) offers
ChalkAwsEgress and ChalkSquidProxy.
"""

import importlib
import inspect
import json
import sys
from importlib import metadata
from typing import Any

import pulumi
import pulumi.provider
from pulumi.provider.experimental.component import ComponentProvider

from . import COMPONENT_CLOUDS, sdk_installed

PACKAGE = "chalk"
"""The Pulumi package name: the first part of every type token (`chalk:index:ChalkAwsEgress`)."""


def components() -> list[type[pulumi.ComponentResource]]:
    """The component classes this installation can serve, in the order of COMPONENT_CLOUDS."""
    package = importlib.import_module(__package__ or "chalk_policy.components")
    return [getattr(package, name) for name, cloud in COMPONENT_CLOUDS.items() if sdk_installed(cloud)]


def version() -> str:
    """The package version of chalk-policy, which is the provider's and its SDKs' version."""
    return metadata.version("chalk-policy")


class ChalkProvider(ComponentProvider):
    """The SDK's component provider for :func:`components`, with dedented descriptions in its schema."""

    def __init__(self) -> None:
        super().__init__(components(), name=PACKAGE, version=version())
        self.schema = json.dumps(_dedented(json.loads(self.schema or "{}")))


def serve() -> None:
    """Run the provider: the engine starts `provider/__main__.py` with its address as the first argument."""
    pulumi.provider.main(ChalkProvider(), sys.argv[1:])


def schema() -> dict[str, Any]:
    """The package schema the provider serves (what `pulumi package get-schema provider` prints), without the
    engine."""
    return dict(json.loads(ChalkProvider().schema or "{}"))


def _dedented(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: inspect.cleandoc(value) if key == "description" and isinstance(value, str) else _dedented(value)
                for key, value in node.items()}
    if isinstance(node, list):
        return [_dedented(item) for item in node]
    return node


def write_schema() -> None:
    """`python -m chalk_policy.components.provider > sdk/schema.json` (`make schema`)."""
    json.dump(schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    write_schema()
