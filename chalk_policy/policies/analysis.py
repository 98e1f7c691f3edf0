"""One analysis: a stack's resources and what the checks found in them, shared by every policy that reports it.

Each check (media, signaling hosts, least privilege, option consistency) runs at most once per analysis and
settings, however many policies report its findings (chalk-egress-unverified reports the media and signaling
checks' unverified findings), and every check reads the same resource list, so the coverage engine reads the
stack's scopes once too (it keys them on the list's identity). A new analysis is a new :class:`Analysis`, so results
are never carried over from another stack or another version of it.

The policy pack (:mod:`.pack`) imports this module with its first analysis, not at start-up; the in-process runner
(:mod:`.runner`) makes one per ``run_policies`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

from ..catalog import Catalog
from ..coverage import (
    POLICY_HOSTS,
    POLICY_LEAST_PRIVILEGE,
    POLICY_MEDIA,
    POLICY_OPTION,
    POLICY_UNVERIFIED,
    CheckResult,
    Finding,
    FindingKind,
    Options,
    Resource,
    check_least_privilege,
    check_media,
    check_option_consistency,
    check_signaling_hosts,
)
from ..coverage.resources import of_type
from ..planning import Plan
from ..planning.intent import INTENT_TYPES, Intent, read_intents
from .pack import ChalkPolicy, one_line
from .settings import NO_REQUIREMENT, PolicySettings, read_settings

Check = Callable[[Sequence[Resource], Plan, Catalog, Options], CheckResult]
CHECKS: dict[str, Check] = {
    POLICY_MEDIA: check_media,
    POLICY_HOSTS: check_signaling_hosts,
    POLICY_LEAST_PRIVILEGE: check_least_privilege,
    POLICY_OPTION: check_option_consistency,
}
"""The coverage checks, by the name of the policy each is written for (:attr:`ChalkPolicy.checks` names them)."""


class Analysis:
    """The resources of one analysis (treated as read-only) and the check results computed on them so far."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self._requirements: dict[PolicySettings, tuple[Catalog, Plan]] = {}
        self._results: dict[tuple[str, PolicySettings], CheckResult] = {}

    @cached_property
    def intents(self) -> tuple[Intent, ...]:
        """What the stack's Chalk components were asked for (their ``chalkIntent``)."""
        return tuple(intents_of(self.resources))

    def requirement(self, settings: PolicySettings) -> tuple[Catalog, Plan]:
        """The catalog and plan of ``settings`` (which must be :attr:`~PolicySettings.required`)."""
        if settings not in self._requirements:
            self._requirements[settings] = settings.resolve()
        return self._requirements[settings]

    def result(self, check: str, settings: PolicySettings) -> CheckResult:
        """What ``check`` (a key of :data:`CHECKS`) finds under ``settings``: computed on the first request only.
        A check that raises is not remembered; the next policy that asks runs it again (and reports it)."""
        key = (check, settings)
        if key not in self._results:
            catalog, chalk_plan = self.requirement(settings)
            self._results[key] = CHECKS[check](self.resources, chalk_plan, catalog, settings.options)
        return self._results[key]


def evaluate(spec: ChalkPolicy, analysis: Analysis, config: Mapping[str, Any], stack_config: Mapping[str, str],
             project: str | None, base_dir: Path | None = None) -> list[Finding]:
    """The findings ``spec`` reports in this analysis; a config problem is one violation naming it. Without a
    requirement, only the advisory unverified policy reports (how to set one); a component that asks for less
    than the policy config requires is one violation of the media policy."""
    try:
        settings = read_settings(config, stack_config, project, base_dir, analysis.intents)
        if not settings.required:
            return [Finding(spec.name, FindingKind.NOTE, NO_REQUIREMENT)] if spec.name == POLICY_UNVERIFIED else []
        chalk_plan = analysis.requirement(settings)[1]
    except Exception as exc:  # PolicySettingsError, or anything else a strange config raises
        return _cannot_check(spec, exc)
    findings: list[Finding] = []
    if spec.name == POLICY_MEDIA:
        findings += [Finding(spec.name, FindingKind.VIOLATION, text) for text in settings.disagreements(chalk_plan)]
    try:
        for check in spec.checks:
            findings.extend(f for f in analysis.result(check, settings).findings if f.kind in spec.kinds)
    except Exception as exc:  # a validator must never raise: report it instead
        return _cannot_check(spec, exc)
    return findings


def _cannot_check(spec: ChalkPolicy, exc: Exception) -> list[Finding]:
    """A mandatory policy reports what stopped it (each one once); an advisory one stays silent."""
    if spec.level is not EnforcementLevel.MANDATORY:
        return []
    return [Finding(spec.name, FindingKind.VIOLATION, f"Cannot check Chalk egress: {one_line(exc)}")]


def intents_of(resources: Sequence[Resource]) -> list[Intent]:
    """What the stack's Chalk components were asked for (their ``chalkIntent``)."""
    return read_intents((resource.type, resource.name, resource.props)
                        for resource in of_type(resources, *INTENT_TYPES))
