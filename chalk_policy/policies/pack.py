"""The chalk-media CrossGuard policies: their declarations, and the adapter from pulumi_policy to the coverage engine.

Every policy is a stack validation: whether Chalk's media can get out depends on all the stack's firewall resources
together (several security groups, NSG rule priorities, firewall rule groups). Logic lives in
:mod:`chalk_policy.coverage`; what one analysis computes, in :mod:`.analysis`.

Start-up: this module imports pulumi_policy and nothing heavier, so the pack answers the engine's GetAnalyzerInfo
about as soon as a pack that does nothing would. The coverage engine, the catalog and the planner load with the
first analysis (:func:`_validator`).

The SDK's cost (pulumi_policy 1.21, ``_PolicyAnalyzerServicer.AnalyzeStack``): for every enabled policy it turns
every resource of the request into a new ``PolicyResource`` (``json_format.MessageToDict``, deserialization, an
unknown-checking proxy of its properties), so an AnalyzeStack costs the SDK about as many times one conversion as
the pack has policies, with or without our code; a stack policy gets no handle on the analysis it belongs to. The
adapter therefore converts the resources to the engine's once per analysis (:func:`_analysis_of`) and every
policy reads the same :class:`~.analysis.Analysis`, whose checks run once. The pack's process also collects its
young objects less often (:func:`chalk_policy.gc_tuning.tune_gc`): the SDK's per-policy objects made the cyclic GC
a large part of that cost.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi.runtime
from pulumi.runtime.proto.analyzer_pb2 import AnalyzeResponse
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import proxy as sdk_proxy

from ..policy_names import POLICY_HOSTS, POLICY_LEAST_PRIVILEGE, POLICY_MEDIA, POLICY_OPTION, POLICY_UNVERIFIED
from .schema import CONFIG_SCHEMA

if TYPE_CHECKING:
    from ..coverage import Resource
    from .analysis import Analysis

PTC_MEDIA_DOCS = "http://support.ptc.com/help/vuforia/chalk_admin_center/Vuforia_Chalk_Admin_Center/Network_Config_AV_Comm.html"
PTC_HOSTS_DOCS = ("https://support.ptc.com/help/vuforia/chalk_desktop_center/Vuforia_Chalk_Desktop/common/"
                  "Network_Config_Signal_Server_Required.html")


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
    checks: tuple[str, ...]
    """The coverage checks whose findings it reports, each by the name of the policy it is written for
    (:data:`.analysis.CHECKS`)."""
    kinds: frozenset[str]
    """Which findings of those checks it reports: values of ``coverage.FindingKind``."""
    per_region: bool = False
    """Its findings name a region (reports group and annotate them per region)."""


VIOLATIONS = frozenset({"violation"})
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
        checks=(POLICY_MEDIA,),
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
        checks=(POLICY_HOSTS,),
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
        checks=(POLICY_LEAST_PRIVILEGE,),
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
        checks=(POLICY_OPTION,),
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
        checks=(POLICY_MEDIA, POLICY_HOSTS),
        kinds=frozenset({"unverified", "note"}),
        per_region=True,
    ),
)


def one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else f"{text[:297]}..."


def to_resource(resource_type: str, urn: str, name: str, props: Any) -> Resource:
    from ..coverage import Resource

    return Resource(resource_type, urn, name, plain(props))


_DICT_PROXY: Any = getattr(sdk_proxy, "_DictProxy", None)
_LIST_PROXY: Any = getattr(sdk_proxy, "_ListProxy", None)
_TARGET = "__target"
"""The item of the SDK's proxies that is the data they wrap (pulumi_policy.deserialize.serialize_properties reads it
the same way). The wrapped dicts and lists hold proxies of their own containers, and unknown values as the
engine's sentinel strings."""


def plain(value: Any) -> Any:
    """pulumi_policy's unknown-checking proxies -> plain data with the engine's unknown sentinels, never raising."""
    kind = type(value)
    if kind is _DICT_PROXY:
        return {key: plain(item) for key, item in value[_TARGET].items()}
    if kind is _LIST_PROXY:
        return [plain(item) for item in value[_TARGET]]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, Mapping):  # any other mapping (another SDK version's proxy): item by item
        return {key: plain(_get(value, key)) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(_get(value, index)) for index in range(len(value))]
    return value


def _get(container: Any, key: Any) -> Any:
    try:
        return container[key]
    except sdk_proxy.UnknownValueError as exc:
        return exc.unknown_type_sentinel


class _Analyses:
    """The analysis in progress: the AnalyzeStack call it belongs to, and its :class:`~.analysis.Analysis`.

    The SDK calls each enabled policy in turn with resources it built anew for that policy, and gives a validator no
    handle on the call. The ``report_violation`` it passes closes over the call's ``AnalyzeResponse``
    (``_PolicyAnalyzerServicer._create_report_violation``): that object identifies the call, and holding it here
    keeps its identity from being reused by a later call. Should a future SDK not offer it, resources equal in
    content to the analysis' are the same analysis (converting them once per policy to compare)."""

    lock = threading.Lock()
    call: object = None
    analysis: Analysis | None = None


def _analysis_of(args: StackValidationArgs, report_violation: ReportViolation) -> Analysis:
    from .analysis import Analysis

    call = _call_of(report_violation)
    with _Analyses.lock:
        if call is not None and _Analyses.call is call and _Analyses.analysis is not None:
            return _Analyses.analysis
    resources = [to_resource(r.resource_type, r.urn, r.name, r.props) for r in args.resources]
    with _Analyses.lock:
        if call is None and _Analyses.analysis is not None and _Analyses.analysis.resources == resources:
            return _Analyses.analysis
        _Analyses.call, _Analyses.analysis = call, Analysis(resources)
        return _Analyses.analysis


def _call_of(report_violation: ReportViolation) -> AnalyzeResponse | None:
    """The response of the AnalyzeStack call that made ``report_violation``, when it closes over one."""
    for cell in getattr(report_violation, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(contents, AnalyzeResponse):
            return contents
    return None


def _validator(spec: ChalkPolicy) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            from .analysis import evaluate  # the engine, loaded by the first analysis (module docstring)

            findings = [(finding.message, finding.urn) for finding in evaluate(
                spec, _analysis_of(args, report_violation), args.get_config(), pulumi.runtime.get_config_env(),
                os.environ.get("PULUMI_PROJECT"), Path.cwd())]
        except Exception as exc:  # never let an exception escape a validator
            findings = [] if spec.level is not EnforcementLevel.MANDATORY else [
                (f"Cannot check Chalk egress: {one_line(exc)}", None)]
        for message, urn in findings:
            report_violation(message, urn)

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
