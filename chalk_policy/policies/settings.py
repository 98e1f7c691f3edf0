"""What a policy checks against: regions, port option, encryption, client selector and catalog.

The same settings come from the policy config (JSON schema below, with defaults) or, when
``fromStackConfig`` is true and the stack sets ``<project>:regions``, from the stack's own config keys
``<project>:regions``, ``<project>:option`` and ``<project>:encryption`` (as the chalk-network program
declares them). A catalog overlay always comes from the policy config: the pack cannot know where the
stack's project directory is. That makes the pack work on our stacks with no policy
config; set ``fromStackConfig: false`` to enforce the policy config over what a stack says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import netaddr

from ..catalog import Catalog, load_catalog
from ..coverage import Options, TagSelector
from ..planning import Plan, plan

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "regions": {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "default": ["all"],
        "description": "Chalk media regions the stack must allow (ids such as jp1), or [\"all\"].",
    },
    "option": {
        "type": "integer",
        "enum": [1, 2, 3],
        "default": 1,
        "description": "PTC port option: 1 = UDP 443, 3478, 10000-60000; 2 = UDP 443, 3478, 5349; "
                       "3 = TCP 443, 3478, 5349.",
    },
    "encryption": {
        "type": "string",
        "enum": ["standard", "e2ee"],
        "default": "standard",
        "description": "Chalk session encryption.",
    },
    "clientTag": {
        "type": "object",
        "properties": {"key": {"type": "string", "minLength": 1}, "value": {"type": "string"}},
        "required": ["key"],
        "additionalProperties": False,
        "description": "Only security groups and NSGs with this tag are the Chalk clients' (value optional). "
                       "Default: every egress rule in the stack.",
    },
    "clientCidrs": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The Chalk clients' source addresses (IPv4 CIDRs), for rules limited to some sources (NSG "
                       "source prefixes, Azure Firewall source addresses, Network Firewall sources). Default: not "
                       "known, so such a rule is reported as unverified, never as a pass or a certain gap.",
    },
    "catalogOverlay": {
        "type": "string",
        "default": "",
        "description": "Catalog overlay file (absolute, or relative to the policy pack directory).",
    },
    "fromStackConfig": {
        "type": "boolean",
        "default": True,
        "description": "Use the stack's own regions, option and encryption config keys when it sets them.",
    },
}


class PolicySettingsError(ValueError):
    """The policy or stack config cannot be planned; the message names the key and the allowed values."""


@dataclass(frozen=True)
class PolicySettings:
    regions: tuple[str, ...] | str
    option: int
    encryption: str
    selector: TagSelector | None
    overlay: str | None
    source: str
    """Where the regions, option and encryption came from: ``policy config`` or ``stack config``."""
    clients: tuple[str, ...] | None = None
    """The ``clientCidrs``; None when not configured."""

    @property
    def options(self) -> Options:
        return Options(self.selector, netaddr.IPSet(self.clients) if self.clients is not None else None)

    def resolve(self) -> tuple[Catalog, Plan]:
        try:
            catalog = load_catalog(overlay=self.overlay)
            return catalog, plan(catalog, self.regions, self.option, self.encryption)
        except ValueError as exc:
            summary = getattr(exc, "summary", str(exc))
            raise PolicySettingsError(f"{self.source}: {summary}") from None


def read_settings(config: Mapping[str, Any], stack_config: Mapping[str, str], project: str | None,
                  base_dir: Path | None = None) -> PolicySettings:
    """Combine the policy config (schema defaults already applied by the engine) and the stack config."""
    merged = {key: spec["default"] for key, spec in CONFIG_SCHEMA.items() if "default" in spec}
    merged.update({key: value for key, value in config.items() if key in CONFIG_SCHEMA})
    source = "policy config"
    if merged.get("fromStackConfig", True) and project:
        from_stack = _stack_values(stack_config, project)
        if "regions" in from_stack:
            merged.update(from_stack)
            source = f"stack config ({project}:regions)"
    overlay = str(merged.get("catalogOverlay") or "") or None
    if overlay and base_dir is not None and not Path(overlay).is_absolute():
        overlay = str(base_dir / overlay)
    return PolicySettings(
        regions=_regions(merged["regions"], source),
        option=_option(merged["option"], source),
        encryption=_encryption(merged["encryption"], source),
        selector=_selector(merged.get("clientTag"), source),
        overlay=overlay,
        source=source,
        clients=_clients(merged.get("clientCidrs"), source),
    )


def _invalid(source: str, key: str, value: Any, what: str, allowed: str) -> PolicySettingsError:
    return PolicySettingsError(f"{source}: {key}: {value!r} is not {what}; allowed: {allowed}")


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
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
        return value
    raise _invalid(source, "option", value, "a port option", "1, 2, 3")


def _encryption(value: Any, source: str) -> str:
    if isinstance(value, str):
        return value
    raise _invalid(source, "encryption", value, "an encryption mode", "e2ee, standard")


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
