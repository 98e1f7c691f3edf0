"""A tiny component provider (package `mini`) for the language-host tests: `mini:index:Guard` derives a summary from
its inputs and creates no resources, so it needs no provider and previews the same in every language.

No `from __future__ import annotations`: Pulumi's component analyzer reads the annotations as types, not strings."""

from typing import TypedDict

import pulumi
from pulumi.provider.experimental import component_provider_host


class GuardArgs(TypedDict):
    bucket_name: pulumi.Input[str]
    """Name of the bucket to guard."""
    regions: pulumi.Input[list[str]]
    """Regions the bucket is replicated to."""
    max_age_days: pulumi.Input[int] | None
    """Days to keep objects (30 when not given)."""


class Guard(pulumi.ComponentResource):
    """Derives a retention policy name from its inputs."""

    summary: pulumi.Output[str]
    """The derived policy, e.g. `logs-keep-7d-in-2-regions`."""

    def __init__(self, name: str, args: GuardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mini:index:Guard", name, {}, opts)
        # Numbers arrive as floats from YAML and TypeScript programs.
        age = int(args.get("max_age_days") or 30)
        self.summary = pulumi.Output.all(args["bucket_name"], args["regions"]).apply(
            lambda values: f"{values[0]}-keep-{age}d-in-{len(values[1])}-regions")
        self.register_outputs({"summary": self.summary})


if __name__ == "__main__":
    component_provider_host(name="mini", components=[Guard])
