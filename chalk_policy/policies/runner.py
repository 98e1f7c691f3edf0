"""Run the chalk-media policies in-process, e.g. on an offline preview or a saved plan.

Same policies, same settings rules and same messages as the pack under ``pulumi preview --policy-pack``;
only the transport differs (no gRPC, no engine-side config reconciliation: the schema defaults apply and
``config`` may override any policy's properties and enforcement level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

from ..coverage import POLICY_MEDIA, Resource
from .analysis import Analysis, evaluate, intents_of
from .pack import CHALK_POLICIES
from .settings import POLICY_CONFIG, PolicySettingsError, read_settings

LEVELS = {level.value: level for level in EnforcementLevel}


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    """``mandatory`` or ``advisory``."""
    message: str
    urn: str | None = None
    region: str | None = None
    """The Chalk region the finding is about (media findings), else None."""

    def as_dict(self) -> dict[str, str]:
        return {"policy": self.policy, "level": self.level, "message": self.message}


def run_policies(resources: Sequence[Resource], *, config: Mapping[str, Any] | None = None,
                 stack_config: Mapping[str, str] | None = None, project: str | None = None,
                 base_dir: Path | None = None) -> list[Violation]:
    """Every policy's findings, ordered mandatory first. ``config`` is a policy-pack-config document:
    ``{"all": "<level>", "<policy>": "<level>" | {"enforcementLevel": ..., <properties>}}``."""
    config = config or {}
    analysis = Analysis(resources)  # shared by every policy: each check runs once
    violations: list[Violation] = []
    for spec in CHALK_POLICIES:
        level, properties = _policy_config(config, spec.name, spec.level)
        if level is EnforcementLevel.DISABLED:
            continue
        shown = "mandatory" if level in (EnforcementLevel.MANDATORY, EnforcementLevel.REMEDIATE) else "advisory"
        findings = evaluate(spec, analysis, properties, stack_config or {}, project, base_dir)
        violations += [Violation(spec.name, shown, finding.message, finding.urn, finding.region)
                       for finding in findings]
    return sorted(violations, key=lambda v: v.level != "mandatory")


@dataclass(frozen=True)
class Requirement:
    """What the media policy checks against, and where that came from (for a report's heading)."""

    regions: tuple[str, ...]
    """Empty when there is no requirement or it cannot be read."""
    source: str
    text: str
    """``regions de1, ie1, option 1, standard, from components (ChalkAwsEgress 'chalk')`` or ``no requirement``."""


def media_properties(config: Mapping[str, Any]) -> dict[str, Any]:
    """The media policy's properties in a policy-pack-config document."""
    entry = config.get(POLICY_MEDIA)
    return {k: v for k, v in entry.items() if k != "enforcementLevel"} if isinstance(entry, Mapping) else {}


def requirement(resources: Sequence[Resource], *, config: Mapping[str, Any] | None = None,
                stack_config: Mapping[str, str] | None = None, project: str | None = None,
                base_dir: Path | None = None) -> Requirement:
    try:
        settings = read_settings(media_properties(config or {}), stack_config or {}, project, base_dir,
                                 intents_of(resources))
    except (ValueError, TypeError, KeyError, AttributeError):
        return Requirement((), POLICY_CONFIG, "requirement not readable (see the violations)")
    if not settings.required:
        return Requirement((), settings.source, settings.source)
    try:
        chalk_plan = settings.resolve()[1]
    except (PolicySettingsError, ValueError, TypeError):
        return Requirement((), settings.source, "requirement not readable (see the violations)")
    return Requirement(chalk_plan.regions, settings.source,
                       f"regions {', '.join(chalk_plan.regions)}, option {chalk_plan.option}, "
                       f"{chalk_plan.encryption.value}, from {settings.source}")


def policy_levels(config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Each policy's effective level under ``config``: ``mandatory``, ``advisory`` or ``disabled``."""
    levels = {}
    for spec in CHALK_POLICIES:
        level = _policy_config(config or {}, spec.name, spec.level)[0]
        levels[spec.name] = ("disabled" if level is EnforcementLevel.DISABLED else "mandatory"
                             if level in (EnforcementLevel.MANDATORY, EnforcementLevel.REMEDIATE) else "advisory")
    return levels


def _policy_config(config: Mapping[str, Any], name: str,
                   default: EnforcementLevel) -> tuple[EnforcementLevel, dict[str, Any]]:
    level = default
    every = config.get("all")  # a level, or an object whose enforcementLevel applies (Pulumi's applyConfig)
    if isinstance(every, Mapping):
        every = every.get("enforcementLevel")
    if isinstance(every, str):
        level = LEVELS.get(every, level)
    entry = config.get(name)
    properties: dict[str, Any] = {}
    if isinstance(entry, str):
        level = LEVELS.get(entry, level)
    elif isinstance(entry, Mapping):
        properties = {key: value for key, value in entry.items() if key != "enforcementLevel"}
        if isinstance(entry.get("enforcementLevel"), str):
            level = LEVELS.get(entry["enforcementLevel"], level)
    return level, properties
