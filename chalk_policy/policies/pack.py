"""The chalk-media CrossGuard policies: thin wrappers over the pure coverage engine.

Every policy is a stack validation: whether Chalk's media can get out depends on all the stack's
firewall resources together (several security groups, NSG rule priorities, firewall rule groups).
Logic lives in :mod:`chalk_policy.coverage`; this module adapts pulumi_policy's arguments to it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi.runtime
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

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
from ..planning import Plan
from ..planning.intent import Intent, read_intents
from .settings import CONFIG_SCHEMA, NO_REQUIREMENT, read_settings

PTC_MEDIA_DOCS = "http://support.ptc.com/help/vuforia/chalk_admin_center/Vuforia_Chalk_Admin_Center/Network_Config_AV_Comm.html"
PTC_HOSTS_DOCS = ("https://support.ptc.com/help/vuforia/chalk_desktop_center/Vuforia_Chalk_Desktop/common/"
                  "Network_Config_Signal_Server_Required.html")
Check = Callable[[Sequence[Resource], Plan, Catalog, Options], tuple[CheckResult, ...]]


@dataclass(frozen=True)
class ChalkPolicy:
    """One policy, declared once: the pack (build_policies), `check` and `preview` (the runner, the report's rules,
    SARIF and JUnit included) and the README's table (tests/policy/test_declarations.py) all derive from these."""

    name: str
    description: str
    level: EnforcementLevel
    severity: Severity
    remediation: str
    url: str
    check: Check
    kinds: frozenset[FindingKind]
    """Which findings of the check this policy reports."""
    per_region: bool = False
    """Its findings name a region (reports group and annotate them per region)."""


def _media(resources: Sequence[Resource], chalk_plan: Plan, catalog: Catalog,
           options: Options) -> tuple[CheckResult, ...]:
    return (_shared(POLICY_MEDIA, resources, chalk_plan, options,
                    lambda: check_media(resources, chalk_plan, catalog, options)),)


def _hosts(resources: Sequence[Resource], chalk_plan: Plan, catalog: Catalog,
           options: Options) -> tuple[CheckResult, ...]:
    return (_shared(POLICY_HOSTS, resources, chalk_plan, options,
                    lambda: check_signaling_hosts(resources, chalk_plan, catalog, options)),)


def _least_privilege(resources: Sequence[Resource], chalk_plan: Plan, catalog: Catalog,
                     options: Options) -> tuple[CheckResult, ...]:
    return (check_least_privilege(resources, chalk_plan, catalog, options),)


def _option(resources: Sequence[Resource], chalk_plan: Plan, catalog: Catalog,
            options: Options) -> tuple[CheckResult, ...]:
    return (check_option_consistency(resources, chalk_plan, catalog, options),)


def _unverified(resources: Sequence[Resource], chalk_plan: Plan, catalog: Catalog,
                options: Options) -> tuple[CheckResult, ...]:
    return (*_media(resources, chalk_plan, catalog, options), *_hosts(resources, chalk_plan, catalog, options))


class _Analysis:
    """The check results of the analysis in progress, shared by the policies that report them (the media and
    signaling checks run once, though both their policy and chalk-egress-unverified report from them). Keyed on
    the resources' content and the settings, so a new analysis (or another config) never sees stale results."""

    key: object = None
    results: dict[str, CheckResult] = {}  # noqa: RUF012 - one analysis at a time, replaced as a whole


def _shared(check: str, resources: Sequence[Resource], chalk_plan: Plan, options: Options,
            compute: Callable[[], CheckResult]) -> CheckResult:
    content = json.dumps([(r.type, r.urn, r.props) for r in resources], sort_keys=True, default=str)
    key = (hashlib.sha256(content.encode()).hexdigest(), chalk_plan.regions, tuple(chalk_plan.cidrs), chalk_plan.option,
           chalk_plan.encryption, chalk_plan.catalog_version, options.selector,
           None if options.clients is None else tuple(options.clients.iter_cidrs()))
    if _Analysis.key != key:
        _Analysis.key, _Analysis.results = key, {}
    if check not in _Analysis.results:
        _Analysis.results[check] = compute()
    return _Analysis.results[check]


VIOLATIONS = frozenset({FindingKind.VIOLATION})
CHALK_POLICIES = (
    ChalkPolicy(
        name=POLICY_MEDIA,
        description="The stack's firewall resources must allow outbound traffic to Chalk's media ranges on the "
                    "ports of the chosen port option, for every enabled region.",
        level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        remediation="Add the missing egress rules named in the message (or deploy chalk_policy's ChalkAwsEgress / "
                    "ChalkAzureEgress component); `chalk-policy plan --regions ... --option N` lists every rule.",
        url=PTC_MEDIA_DOCS,
        check=_media,
        kinds=VIOLATIONS,
        per_region=True,
    ),
    ChalkPolicy(
        name=POLICY_HOSTS,
        description="When the stack filters HTTPS by host name (AWS Network Firewall domain lists, Azure Firewall "
                    "application rules), every Chalk signaling host must be allowed.",
        level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        remediation="Add the missing host names to the allowlist (TLS_SNI and HTTP_HOST on AWS, Https:443 "
                    "target FQDNs on Azure); `chalk-policy plan --regions ...` lists them.",
        url=PTC_HOSTS_DOCS,
        check=_hosts,
        kinds=VIOLATIONS,
    ),
    ChalkPolicy(
        name=POLICY_LEAST_PRIVILEGE,
        description="Egress on Chalk's media ports should not reach destinations wider than Chalk's published "
                    "media ranges, such as 0.0.0.0/0 or large blocks.",
        level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        remediation="Replace wide destinations with the catalog ranges of the selected regions.",
        url=PTC_MEDIA_DOCS,
        check=_least_privilege,
        kinds=VIOLATIONS,
    ),
    ChalkPolicy(
        name=POLICY_OPTION,
        description="The stack's media rules should match the chosen Chalk port option, not part of it or "
                    "another option.",
        level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation="Either allow the chosen option's ports or configure the option the stack implements.",
        url=PTC_MEDIA_DOCS,
        check=_option,
        kinds=VIOLATIONS,
    ),
    ChalkPolicy(
        name=POLICY_UNVERIFIED,
        description="Chalk egress that can only be verified at `pulumi up` (values unknown during preview) or "
                    "resources whose shape the checks do not understand are reported here.",
        level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation="Re-run the check at `pulumi up`, or reference resources that the stack itself declares.",
        url=PTC_MEDIA_DOCS,
        check=_unverified,
        kinds=frozenset({FindingKind.UNVERIFIED, FindingKind.NOTE}),
        per_region=True,
    ),
)


def evaluate(spec: ChalkPolicy, resources: Sequence[Resource], config: Mapping[str, Any],
             stack_config: Mapping[str, str], project: str | None, base_dir: Path | None = None) -> list[Finding]:
    """The findings ``spec`` reports for these resources; a config problem is one violation naming it. Without a
    requirement, only the advisory unverified policy reports (how to set one); a component that asks for less
    than the policy config requires is one violation of the media policy."""
    try:
        settings = read_settings(config, stack_config, project, base_dir, intents_of(resources))
        if not settings.required:
            return [Finding(spec.name, FindingKind.NOTE, NO_REQUIREMENT)] if spec.name == POLICY_UNVERIFIED else []
        catalog, chalk_plan = settings.resolve()
    except Exception as exc:  # PolicySettingsError, or anything else a strange config raises
        if spec.level is not EnforcementLevel.MANDATORY:
            return []  # the mandatory policies already report the config problem once each
        return [Finding(spec.name, FindingKind.VIOLATION, f"Cannot check Chalk egress: {_one_line(exc)}", None,
                        None)]
    findings: list[Finding] = []
    if spec.name == POLICY_MEDIA:
        findings += [Finding(spec.name, FindingKind.VIOLATION, text) for text in settings.disagreements(chalk_plan)]
    try:
        for result in spec.check(resources, chalk_plan, catalog, settings.options):
            findings.extend(f for f in result.findings if f.kind in spec.kinds)
    except Exception as exc:  # a validator must never raise: report it instead
        if spec.level is not EnforcementLevel.MANDATORY:
            return []
        return [Finding(spec.name, FindingKind.VIOLATION, f"Cannot check Chalk egress: {_one_line(exc)}", None, None)]
    return findings


def intents_of(resources: Sequence[Resource]) -> list[Intent]:
    """What the stack's Chalk components were asked for (their ``chalkIntent``)."""
    return read_intents((resource.type, resource.name, resource.props) for resource in resources)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else f"{text[:297]}..."


def to_resource(resource_type: str, urn: str, name: str, props: Any) -> Resource:
    return Resource(resource_type, urn, name, plain(props))


def plain(value: Any) -> Any:
    """pulumi_policy's unknown-checking proxies -> plain data with the engine's unknown sentinels, never raising."""
    if isinstance(value, Mapping):
        return {key: plain(_get(value, key)) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(_get(value, index)) for index in range(len(value))]
    return value


def _get(container: Any, key: Any) -> Any:
    try:
        return container[key]
    except UnknownValueError as exc:
        return exc.unknown_type_sentinel


def _validator(spec: ChalkPolicy) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            resources = [to_resource(r.resource_type, r.urn, r.name, r.props) for r in args.resources]
            findings = evaluate(spec, resources, args.get_config(), pulumi.runtime.get_config_env(),
                                os.environ.get("PULUMI_PROJECT"), Path.cwd())
        except Exception as exc:  # never let an exception escape a validator
            findings = [] if spec.level is not EnforcementLevel.MANDATORY else [Finding(
                spec.name, FindingKind.VIOLATION, f"Cannot check Chalk egress: {_one_line(exc)}", None, None)]
        for finding in findings:
            report_violation(finding.message, finding.urn)

    return validate


def build_policies() -> list[StackValidationPolicy]:
    return [
        StackValidationPolicy(
            name=spec.name,
            description=spec.description,
            validate=_validator(spec),
            enforcement_level=spec.level,
            config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA),
            severity=spec.severity,
            remediation_steps=spec.remediation,
            url=spec.url,
        )
        for spec in CHALK_POLICIES
    ]
