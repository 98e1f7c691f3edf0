"""What a policy checks against: regions, port option, encryption, client selector and catalog.

The requirement (regions, option, encryption) comes from the first of these that has one, and every report
names it (:attr:`PolicySettings.source`):

1. the policy pack's own configuration, when it sets ``regions``: the organisation's requirement;
2. what the stack's Chalk components were asked for (``ChalkAwsEgress``/``ChalkAzureEgress`` record it as
   ``chalkIntent``, :mod:`chalk_policy.planning.intent`); several components: the union of their regions;
3. the stack's ``<project>:regions`` (with ``<project>:option`` and ``<project>:encryption``);
4. none: the checks then report one advisory saying how to configure a requirement, never a wall of
   mandatory failures.

``option`` and ``encryption`` set in the policy config without ``regions`` replace those two values of whichever
source applies. When the policy config sets the requirement and a component asks for less (fewer regions,
another option or encryption), that disagreement is itself a finding naming both. ``fromStackConfig: false``
ignores sources 2 and 3. A catalog overlay always comes from the policy config: the pack cannot know where the
stack's project directory is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import netaddr

from ..catalog import Catalog, load_catalog
from ..coverage import Addresses, Options, TagSelector
from ..planning import Plan, plan
from ..planning.intent import Intent
from ..text import join_some, show
from .schema import CONFIG_SCHEMA


class PolicySettingsError(ValueError):
    """The policy or stack config cannot be planned; the message names the key and the allowed values."""


NO_REQUIREMENT = (
    "No Chalk requirement is configured for this stack, so its egress was not checked. Set `regions` (and "
    "`option`, `encryption`) in the chalk-media policy pack config (--policy-pack-config), deploy Chalk's "
    "ChalkAwsEgress/ChalkAzureEgress components, or set <project>:regions in the stack config.")


@dataclass(frozen=True)
class PolicySettings:
    regions: tuple[str, ...] | str | None
    """None: no source sets a requirement (:data:`NO_REQUIREMENT`)."""
    option: int
    encryption: str
    selector: TagSelector | None
    overlay: str | None
    source: str
    """Where the regions, option and encryption came from: ``policy config``, ``components (ChalkAwsEgress
    'chalk')``, ``stack config (<project>:regions)`` or ``no requirement``."""
    clients: tuple[str, ...] | None = None
    """The ``clientCidrs``; None when not configured."""
    intents: tuple[Intent, ...] = ()
    """What the stack's components were asked for (whatever the source)."""

    @property
    def required(self) -> bool:
        return self.regions is not None

    def disagreements(self, chalk_plan: Plan) -> list[str]:
        """When the policy config sets the requirement: each component that asks for less, naming both."""
        if self.source != POLICY_CONFIG:
            return []
        found = []
        for intent in self.intents:
            missing = [region for region in chalk_plan.regions if region not in intent.regions]
            differs = [f"option {intent.option} instead of {chalk_plan.option}"] if intent.option != chalk_plan.option \
                else []
            if intent.encryption != chalk_plan.encryption.value:
                differs.append(f"{intent.encryption} instead of {chalk_plan.encryption.value} encryption")
            if missing or differs:
                lacks = "; ".join(([f"it lacks region{'s' if len(missing) > 1 else ''} {join_some(missing)}"]
                                   if missing else []) + differs)
                found.append(f"The policy config requires regions {join_some(chalk_plan.regions)} (option "
                             f"{chalk_plan.option}, {chalk_plan.encryption.value}), but {intent.describe()} was "
                             f"asked for less: {lacks}. Give the component the organisation's regions and option, "
                             "or change the policy config if this stack is an agreed exception.")
        return found

    @property
    def options(self) -> Options:
        return Options(self.selector, Addresses.of(*self.clients) if self.clients is not None else None)

    def resolve(self) -> tuple[Catalog, Plan]:
        """The catalog and the plan of the requirement (call only when :attr:`required`)."""
        if self.regions is None:
            raise PolicySettingsError(NO_REQUIREMENT)
        try:
            catalog = load_catalog(overlay=self.overlay)
            return catalog, plan(catalog, self.regions, self.option, self.encryption)
        except ValueError as exc:
            summary = getattr(exc, "summary", str(exc))
            raise PolicySettingsError(f"{self.source}: {summary}") from None


def read_settings(config: Mapping[str, Any], stack_config: Mapping[str, str], project: str | None,
                  base_dir: Path | None = None, components: Sequence[Intent] = ()) -> PolicySettings:
    """The requirement from the first source that sets one (module docstring), and the other settings."""
    given = {key: value for key, value in config.items() if key in CONFIG_SCHEMA}
    merged = {key: spec["default"] for key, spec in CONFIG_SCHEMA.items() if "default" in spec}
    merged.update(REQUIREMENT_DEFAULTS)
    merged.update(given)
    follow = merged.get("fromStackConfig", True) is not False
    from_stack = _stack_values(stack_config, project) if follow and project else {}
    if "regions" in given:
        source = POLICY_CONFIG
    elif follow and components:
        source = "components (" + join_some(intent.component for intent in components) + ")"
        merged.update(_combined(components), **{key: given[key] for key in ("option", "encryption") if key in given})
    elif "regions" in from_stack:
        source = f"stack config ({project}:regions)"
        merged.update(from_stack, **{key: given[key] for key in ("option", "encryption") if key in given})
    else:
        source, merged["regions"] = NO_SOURCE, None
    overlay = str(merged.get("catalogOverlay") or "") or None
    if overlay and base_dir is not None and not Path(overlay).is_absolute():
        overlay = str(base_dir / overlay)
    def where(key: str) -> str:  # a value the policy config gives is reported as the policy config's
        return POLICY_CONFIG if key in given else source

    return PolicySettings(
        regions=None if merged["regions"] is None else _regions(merged["regions"], where("regions")),
        option=_option(merged["option"], where("option")),
        encryption=_encryption(merged["encryption"], where("encryption")),
        selector=_selector(merged.get("clientTag"), POLICY_CONFIG),
        overlay=overlay,
        source=source,
        clients=_clients(merged.get("clientCidrs"), POLICY_CONFIG),
        intents=tuple(components),
    )


POLICY_CONFIG = "policy config"
NO_SOURCE = "no requirement"
REQUIREMENT_DEFAULTS: dict[str, Any] = {"option": 1, "encryption": "standard"}
"""What a source that sets regions only implies."""


def _combined(intents: Sequence[Intent]) -> dict[str, Any]:
    """Several components: every region any of them was asked for; the first one's option and encryption."""
    regions = list(dict.fromkeys(region for intent in intents for region in intent.regions))
    return {"regions": regions, "option": intents[0].option, "encryption": intents[0].encryption}


def _invalid(source: str, key: str, value: Any, what: str, allowed: str) -> PolicySettingsError:
    return PolicySettingsError(f"{source}: {key}: {show(value)} is not {what}; allowed: {allowed}")


def _regions(value: Any, source: str) -> tuple[str, ...] | str:
    allowed = "\"all\", a region id such as \"jp1\", or a non-empty list of region ids"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _invalid(source, "regions", value, "a region id or a list of region ids", allowed)


def _option(value: Any, source: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # protobuf Structs carry every number as a float
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    options = CONFIG_SCHEMA["option"]["enum"]
    if isinstance(value, int) and not isinstance(value, bool) and value in options:
        return value
    raise _invalid(source, "option", value, "a port option", ", ".join(map(str, options)))


def _encryption(value: Any, source: str) -> str:
    if isinstance(value, str):
        return value
    raise _invalid(source, "encryption", value, "an encryption mode",
                   ", ".join(sorted(CONFIG_SCHEMA["encryption"]["enum"])))


def _selector(value: Any, source: str) -> TagSelector | None:
    if value is None:
        return None
    allowed = '{"key": "<tag key>"} or {"key": "<tag key>", "value": "<tag value>"}'
    if not isinstance(value, Mapping):
        raise _invalid(source, "clientTag", value, "a tag selector", allowed)
    key, tag_value = value.get("key"), value.get("value")
    if not isinstance(key, str) or not key or not (tag_value is None or isinstance(tag_value, str)) or (
            set(value) - {"key", "value"}):
        raise _invalid(source, "clientTag", dict(value), "a tag selector", allowed)
    return TagSelector(key, tag_value)


def _clients(value: Any, source: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    allowed = 'a list of IPv4 networks, e.g. ["10.20.0.0/16"]'
    if not isinstance(value, list | tuple) or not value:
        raise _invalid(source, "clientCidrs", value, "a list of client networks", allowed)
    for item in value:
        try:
            if not isinstance(item, str) or ":" in item or netaddr.IPNetwork(item).version != 4:
                raise ValueError(item)
        except (ValueError, netaddr.AddrFormatError):
            raise _invalid(source, "clientCidrs", item, "an IPv4 network", allowed) from None
    return tuple(value)


def _stack_values(stack_config: Mapping[str, str], project: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("regions", "option", "encryption"):
        text = stack_config.get(f"{project}:{key}")
        if text is None:
            continue
        try:
            values[key] = json.loads(text) if key in ("regions", "option") else text
        except json.JSONDecodeError:
            values[key] = text  # `regions: all` as a plain string
    return values
