"""What a Chalk component was asked for, as it records it in the stack, and how a checker reads it back.

``ChalkAwsEgress`` and ``ChalkAzureEgress`` record their plan's regions, option, encryption and catalog version
under one property, ``chalkIntent``: as the component's properties (its inputs in ``pulumi preview --json``) and
again as a registered output (what ``AnalyzeStack`` and ``pulumi stack export`` show). One nested key, because
the Python SDK sets each component property as an attribute typed by the class's annotations. The policies then
know the stack's intent without any config key: a user's own program that only uses the components is checked
against what it asked for.

Pure: no Pulumi import (the components import the type tokens from here, the policies the reader).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..text import join_some
from .plan import Plan

AWS_EGRESS_TYPE: Final = "chalk:index:ChalkAwsEgress"
AZURE_EGRESS_TYPE: Final = "chalk:index:ChalkAzureEgress"
PROXY_TYPE: Final = "chalk:index:ChalkSquidProxy"
INTENT_KEY: Final = "chalkIntent"
INTENT_TYPES: Final = {AWS_EGRESS_TYPE: "ChalkAwsEgress", AZURE_EGRESS_TYPE: "ChalkAzureEgress"}
"""The components whose intent the media and signaling policies follow (the proxy filters host names only)."""


def intent_props(chalk_plan: Plan) -> dict[str, Any]:
    """The property a component records: what it was asked for, resolved (``all`` -> the region ids)."""
    return {INTENT_KEY: {"regions": list(chalk_plan.regions), "option": chalk_plan.option,
                         "encryption": chalk_plan.encryption.value, "catalogVersion": chalk_plan.catalog_version}}


@dataclass(frozen=True)
class Intent:
    component: str
    """``ChalkAwsEgress 'chalk'``: the class and the Pulumi name."""
    regions: tuple[str, ...]
    option: int
    encryption: str

    def describe(self) -> str:
        return f"{self.component} (regions {join_some(self.regions)}; option {self.option}; {self.encryption})"


def read_intents(resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[Intent]:
    """The intents recorded by the stack's components, from ``(type, name, properties)``; a component whose
    properties do not (yet) hold a readable intent is left out (an older release, or values unknown)."""
    found = []
    for type_token, name, props in resources:
        kind = INTENT_TYPES.get(type_token)
        intent = props.get(INTENT_KEY) if kind is not None and isinstance(props, Mapping) else None
        if kind is None or not isinstance(intent, Mapping):
            continue
        regions, option, encryption = intent.get("regions"), intent.get("option"), intent.get("encryption")
        if isinstance(option, float) and option.is_integer():
            option = int(option)  # protobuf Structs carry every number as a float
        if not (isinstance(regions, list) and regions and all(isinstance(r, str) for r in regions)
                and isinstance(option, int) and not isinstance(option, bool) and isinstance(encryption, str)):
            continue
        found.append(Intent(f"{kind} '{name}'", tuple(regions), option, encryption))
    return found
