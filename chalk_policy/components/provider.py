"""The `chalk` component provider: ChalkAwsEgress, ChalkAzureEgress and ChalkSquidProxy for every Pulumi language.

`provider/` (the plugin directory: `PulumiPlugin.yaml`, runtime python) runs :func:`serve`: the Python SDK's
component provider (`pulumi.provider.experimental`, what its `component_provider_host` runs), which infers the
package schema from the components' types (see :mod:`chalk_policy.components.anatomy`) and constructs them for
programs in other languages. Ours adds three things:

- the descriptions in the schema are the docstrings dedented (the SDK keeps their source indentation, which the
  generated SDKs' docs would show);
- the schema is served in the shape the engine writes it (see :func:`_as_the_engine_writes`), so `sdk/schema.json`
  is the same JSON document `pulumi package get-schema provider` prints, which the e2e test checks;
- a component's input error (`ChalkInputError`, or a `CatalogError` from `catalogPath`/`overlayPath`) reaches the
  program as the engine's invalid-input error, with the inputs named as the program wrote them (`vpcId`, not
  `vpc_id`), instead of the SDK's "Unexpected <class 'Exception'>" and a Python traceback of our code.

`pulumi package get-schema provider` prints the schema, checked into `sdk/schema.json` (`make schema`); `pulumi
package add provider` in a TypeScript, Go, C# or Java program generates its SDK; YAML programs need none.

Only the components whose provider SDK is installed are served: an AWS-only install (`chalk-policy[aws]`) offers
ChalkAwsEgress and ChalkSquidProxy.
"""

import importlib
import inspect
import json
import re
import sys
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import pulumi
import pulumi.provider
from pulumi.errors import InputPropertiesError
from pulumi.output import Inputs
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from ..catalog.errors import CatalogError
from . import COMPONENT_CLOUDS, sdk_installed
from .errors import ChalkInputError

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
        served = _as_the_engine_writes(_dedented(json.loads(self.schema or "{}")))
        self.schema = json.dumps(served)
        self._schema_names = {token: _schema_names(resource.get("inputProperties", {}))
                              for token, resource in served.get("resources", {}).items()}

    def construct(self, name: str, resource_type: str, inputs: Inputs,
                  options: pulumi.ResourceOptions | None = None) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            inner = getattr(error, "inner", None)
            if not isinstance(inner, (ChalkInputError, CatalogError)):
                raise
            names = self._schema_names.get(resource_type, {})
            message = _renamed(str(inner), names)
            field, _, reason = message.partition(": ")
            path = field if field in names.values() or field in inputs else ""
            # With a list of errors: the SDK (3.2xx) fails on a status without one ('Status' object has no attribute
            # 'trailing_metadata').
            raise InputPropertiesError(message, [{"property_path": path, "reason": reason if path else message}]) \
                from None


def serve() -> None:
    """Run the provider: the engine starts `provider/__main__.py` with its address as the first argument."""
    pulumi.provider.main(ChalkProvider(), sys.argv[1:])


def schema() -> dict[str, Any]:
    """The package schema the provider serves (what `pulumi package get-schema provider` prints), without the
    engine."""
    return dict(json.loads(ChalkProvider().schema or "{}"))


def _schema_names(properties: Mapping[str, Any]) -> dict[str, str]:
    """Python name -> schema name of the inputs whose names differ (`vpc_id` -> `vpcId`)."""
    python_names = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): name for name in properties}
    return {python: schema for python, schema in python_names.items() if python != schema}


def _renamed(message: str, names: Mapping[str, str]) -> str:
    """``message`` with every input's Python name, as a whole word, replaced by its schema name."""
    if not names:
        return message
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda match: names[match[1]], message)


TYPE_SPEC_KEYS = ("items", "additionalProperties", "oneOf")
"""Where a schema nests a bare type (the engine's ``TypeSpec``) rather than a property."""


def _as_the_engine_writes(package: dict[str, Any]) -> dict[str, Any]:
    """The package schema as the CLI re-encodes it (`pulumi package get-schema` decodes the provider's schema into
    ``schema.PackageSpec`` and encodes that; pulumi/pkg v3.274.1, ``pkg/codegen/schema/schema.go``):

    - ``TypeSpec`` (an array's ``items``, a map's ``additionalProperties``, ``oneOf``) has no ``description``, so the
      SDK's copy of a property's description inside them is dropped;
    - ``dependencies`` is ``omitempty``: an empty list is left out;
    - ``config`` is a ``ConfigSpec`` struct, which ``omitempty`` does not leave out: ``{}`` when there is none;
    - a ``null`` (the SDK writes ``"description": null`` for an enum value without a docstring) decodes to Go's zero
      value, which ``omitempty`` leaves out.
    """
    shaped = {key: value for key, value in _without_type_descriptions(package).items()
              if not (key == "dependencies" and not value)}
    shaped.setdefault("config", {})
    return shaped


def _without_type_descriptions(node: Any, in_type: bool = False) -> Any:
    if isinstance(node, list):
        return [_without_type_descriptions(item, in_type) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: _without_type_descriptions(value, key in TYPE_SPEC_KEYS) for key, value in node.items()
            if value is not None and not (in_type and key == "description")}


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
