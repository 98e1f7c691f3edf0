"""Text and JSON views of an offline preview (JSON: the digest ``pulumi preview --json`` writes; see ``to_dict``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .engine import STACK_TYPE, PreviewResult, ResourceRecord, is_secret, is_unknown
from .quotas import SG, quota_lines, sections

UNKNOWN_TEXT = "<computed>"
SECRET_TEXT = "[secret]"

KEY_INPUTS = (
    "vpcId", "securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "prefixListId",
    "referencedSecurityGroupId", "type", "capacity", "egress", "ingress", "cidrBlocks",
    "resourceGroupName", "location", "networkSecurityGroupName", "securityRules", "priority", "direction", "access",
    "protocol", "destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange",
    "destinationPortRanges", "firewallPolicyName",
)
NESTED_INPUTS = {
    "securityRules": ("rule", ("priority", "direction", "access", "protocol", "destinationAddressPrefix",
                               "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges")),
    "ruleCollections": ("collection", ("ruleCollectionType", "priority", "action")),
}
"""Inline lists shown one entry a line under their resource (Azure NSG rules, firewall rule collections)."""
NESTED_RULE_INPUTS = ("ruleType", "ipProtocols", "sourceAddresses", "destinationAddresses", "destinationPorts",
                      "targetFqdns", "protocols")
MAX_LIST_ITEMS = 4


def plain(value: Any) -> Any:
    """Engine values for people and tools: whole numbers as integers (protobuf numbers are doubles; the CLI's JSON
    prints 443, not 443.0) and secrets masked as ``[secret]`` like ``pulumi preview --json``. Unknowns stay as the
    engine's sentinel string."""
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


STACK_OUTPUTS_KEY = "chalkStackOutputs"
"""Extension: the stack outputs, which a real preview digest does not carry."""
POLICY_VIOLATIONS_KEY = "chalkPolicyViolations"
"""Extension: the chalk-media policy results, which a real preview digest does not carry."""
SEVERITY_PREFIXED = ("warning", "error")


def engine_json(value: Any) -> Any:
    """``plain`` with every map's keys sorted, as Go's ``encoding/json`` writes the engine's property maps."""
    value = plain(value)
    if isinstance(value, list):
        return [engine_json(v) for v in value]
    if isinstance(value, dict):
        return {k: engine_json(value[k]) for k in sorted(value)}
    return value


def _engine_order(result: PreviewResult) -> list[ResourceRecord]:
    """The records in an order the engine could have registered them in: every resource after its parent, its
    dependencies and its explicit provider; otherwise in ``result.resources`` order (deterministic, unlike the
    engine's, which follows the program's concurrency)."""
    index = {r.urn: i for i, r in enumerate(result.resources)}
    waits_for: dict[str, set[str]] = {}
    for record in result.resources:
        before = {record.parent_urn or "", *record.dependencies, record.provider.rpartition("::")[0]}
        waits_for[record.urn] = {urn for urn in before if urn in index and urn != record.urn}
    ordered: list[ResourceRecord] = []
    done: set[str] = set()
    pending = list(result.resources)
    while pending:
        # Nothing ready would mean a dependency cycle, which the program could not have registered; take the
        # first pending record then rather than loop forever.
        ready = next((r for r in pending if waits_for[r.urn] <= done), pending[0])
        ordered.append(ready)
        done.add(ready.urn)
        pending.remove(ready)
    return ordered


def _state(record: ResourceRecord) -> dict[str, Any]:
    """``apitype.ResourceV3`` (its key order; empty fields left out, like its ``omitempty``) of a create or read."""
    state: dict[str, Any] = {"urn": record.urn, "custom": record.custom}
    if record.read and record.id:
        state["id"] = record.id
    state["type"] = record.type
    inputs = engine_json(record.inputs)
    if inputs:
        state["inputs"] = inputs
    if record.parent_urn:
        state["parent"] = record.parent_urn
    if record.read:
        state["external"] = True
    if record.dependencies:
        state["dependencies"] = sorted(record.dependencies)
    if record.provider:
        state["provider"] = record.provider
    if record.property_dependencies:
        state["propertyDependencies"] = {k: sorted(v) for k, v in sorted(record.property_dependencies.items())}
    return state


def _step(op: str, urn: str, provider: str, state: dict[str, Any]) -> dict[str, Any]:
    """``display.PreviewStep`` of a resource that is not deployed yet: no old state, no diff."""
    step: dict[str, Any] = {"op": op, "urn": urn}
    if provider:
        step["provider"] = provider
    step["newState"] = state
    step["detailedDiff"] = None
    return step


def _config(result: PreviewResult) -> dict[str, str]:
    """The prelude's config: every key namespaced, every value the engine's string, secrets blinded."""
    if result.config is None:
        return {}
    secret = set(result.config.secret_keys)
    return {key: SECRET_TEXT if key in secret else value for key, value in sorted(result.config.config.items())}


def _diagnostic(severity: str, message: str) -> dict[str, str]:
    """``display.PreviewDiagnostic``: the sink's ``<severity>: `` prefix (none for info) and newline included."""
    prefix = f"{severity}: " if severity in SEVERITY_PREFIXED else ""
    return {"message": f"{prefix}{message}\n", "severity": severity}


def to_dict(result: PreviewResult, violations: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The run as the digest ``pulumi preview --json --show-sames`` writes for the stack with nothing deployed.

    The shape is the engine's (pulumi v3.274.1), from its Go module source:

    - ``pkg/backend/display/json.go``: ``ShowPreviewDigest`` (``config`` from the prelude event, one step per
      ``ResourcePreEvent`` -- the root stack's always --, diagnostics without debug messages, ``duration`` and
      ``changeSummary`` from the summary event; policy events skipped), ``getPreviewMetadataStep`` and
      ``stateForJSONOutput`` (secrets in inputs written as ``"[secret]"``);
    - ``pkg/display/json.go``: ``PreviewDigest`` (``config``, ``steps``, ``diagnostics``, ``duration``,
      ``changeSummary``, all ``omitempty``), ``PreviewStep`` (``op``, ``urn``, ``provider``, ``newState``,
      ``detailedDiff`` -- always written, ``null`` for a create) and ``PreviewDiagnostic``;
    - ``sdk/go/common/apitype/core.go``: ``ResourceV3``, the ``newState`` (``urn``, ``custom``, ``id``, ``type``,
      ``inputs``, ``parent``, ``external``, ``dependencies``, ``provider``, ``propertyDependencies``, in that order,
      empty ones left out);
    - ``pkg/engine/events.go`` ``preludeEvent`` (config values through the blinding decrypter: ``"[secret]"``),
      ``sdk/go/common/diag/sink.go`` ``Stringify`` (``"warning: <text>\\n"``; info without a prefix),
      ``pkg/resource/deploy/step_generator.go`` (a ``Resource.get`` is a ``read`` step: ``id`` and
      ``external: true``, no property dependencies).

    Checked against ``tests/fixtures/engine/dev-preview-create.json``, which the real CLI wrote for this project.
    Every step is a ``create`` (``read`` for ``Resource.get``), the root stack's first (``pulumi:pulumi:Stack``,
    ``custom: false``, no parent), components ``custom: false``; values as the engine writes them: whole numbers
    as integers, values computed during the preview as the unknown sentinel
    ``04da6b54-80e4-46f7-96ec-b56ff0331ba9``, secrets as ``"[secret]"``, map keys sorted; ``changeSummary`` counts
    the steps per op; ``duration`` is the mock run's, in nanoseconds.

    Left out, because the mock engine cannot know it (never invented):

    - ``newState.sourcePosition`` and ``stackTrace`` (the engine's capture of the registration's call stack);
    - ``provider`` of resources on a *default* provider (the engine's
      ``urn:...::pulumi:providers:aws::default_7_51_1::<id>``): the mock makes no default providers. An explicit
      provider's reference is written as the SDK sends it (``<urn>::<id>``, the unknown sentinel as id);
    - what the provider's ``Check`` adds to the inputs: ``__defaults`` and auto-names (``name:
      chalk-sg-1-079a9f5``) -- the inputs are what the program sent;
    - the engine's own diagnostics (plugin warnings, ``error: preview failed``) and each diagnostic's ``urn``;
      programs' stdout (printed, not recorded);
    - resource options the recorder does not keep (``protect``, ``ignoreChanges``, ``aliases``,
      ``additionalSecretOutputs``, ``customTimeouts``, ...); ``maybeCorrupt`` (false, so omitted anyway);
    - the engine's step order (registration order, which follows the program's concurrency): here every step
      comes after its parent, dependencies and explicit provider, otherwise in resource-tree order; and the order
      of the URNs in ``dependencies`` and ``propertyDependencies`` (the Python SDK sends them from a ``set``, so the
      engine's order changes with the process's string hashing): sorted here.

    Extensions (top-level keys a real digest does not have; readers of the real digest ignore them):

    - ``chalkStackOutputs``: the stack outputs (the root stack's ``RegisterResourceOutputs``), same value
      conventions. A real preview of a new stack has none: the root stack's ``newState`` is taken at its
      registration, before the program exports anything;
    - ``chalkPolicyViolations`` (only when ``violations`` is given): the chalk-media policy results,
      ``[{"policy", "level", "message"}]`` -- the real digest has no policy results at all.
    """
    stack_state = {"urn": result.stack_urn, "custom": False, "type": STACK_TYPE}
    steps = [_step("create", result.stack_urn, "", stack_state)]
    steps += [_step("read" if r.read else "create", r.urn, r.provider, _state(r)) for r in _engine_order(result)]
    digest: dict[str, Any] = {}
    config = _config(result)
    if config:
        digest["config"] = config
    digest["steps"] = steps
    if result.diagnostics:
        digest["diagnostics"] = [_diagnostic(severity, message) for severity, message in result.diagnostics]
    if result.duration:
        digest["duration"] = result.duration
    digest["changeSummary"] = dict(sorted(Counter(step["op"] for step in steps).items()))
    digest[STACK_OUTPUTS_KEY] = engine_json(result.exports)
    if violations is not None:
        digest[POLICY_VIOLATIONS_KEY] = [dict(violation) for violation in violations]
    return digest


def to_json(result: PreviewResult, violations: Sequence[Mapping[str, Any]] | None = None) -> str:
    return json.dumps(to_dict(result, violations), indent=2)


def _scalar(value: Any) -> str:
    value = plain(value)
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def _value(value: Any) -> str:
    value = plain(value)
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            shown = ",".join(_scalar(v) for v in value[:MAX_LIST_ITEMS])
            more = f",...+{len(value) - MAX_LIST_ITEMS}" if len(value) > MAX_LIST_ITEMS else ""
            return f"[{shown}{more}]"
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    return _scalar(value)


def _inputs_text(record: ResourceRecord, names: dict[str, str]) -> str:
    parts = []
    for key in KEY_INPUTS:
        if key not in record.inputs:
            continue
        value = record.inputs[key]
        deps = [names[u] for u in record.property_dependencies.get(key, ()) if u in names]
        if is_unknown(value) and len(deps) == 1:
            parts.append(f"{key}=({deps[0]})")
        else:
            parts.append(f"{key}={_value(value)}")
    return " ".join(parts)


def _entry_text(entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    parts = []
    for key in keys:
        if key not in entry:
            continue
        value = plain(entry[key])
        if key == "action" and isinstance(value, dict) and "type" in value:
            value = value["type"]
        elif key == "protocols" and isinstance(value, list):
            value = [f"{p.get('protocolType')}:{p.get('port')}" if isinstance(p, dict) else p for p in value]
        parts.append(f"{key}={_value(value)}")
    return " ".join(parts)


def _nested_lines(record: ResourceRecord, indent: str) -> list[str]:
    """One line per inline NSG rule or firewall rule collection (and its rules), under the resource."""
    lines = []
    for key, (label, keys) in NESTED_INPUTS.items():
        entries = record.inputs.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            detail = _entry_text(entry, keys)
            lines.append(f"{indent}{label} {_scalar(entry.get('name', '?'))}{'  ' + detail if detail else ''}")
            rules = entry.get("rules") if key == "ruleCollections" else None
            for rule in rules if isinstance(rules, list) else ():
                if isinstance(rule, dict):
                    detail = _entry_text(rule, NESTED_RULE_INPUTS)
                    lines.append(f"{indent}  rule {_scalar(rule.get('name', '?'))}{'  ' + detail if detail else ''}")
    return lines


def to_text(result: PreviewResult) -> str:
    custom = sum(1 for r in result.resources if r.custom)
    mode = "dry run, like pulumi preview" if result.preview else "as if applied"
    lines = [
        f"Offline preview of stack '{result.stack}' (project '{result.project}') under the Pulumi SDK mock engine "
        f"({mode}): {len(result.resources)} resources, {custom} custom, {len(result.resources) - custom} component(s)",
        f"{UNKNOWN_TEXT}: known only after the cloud creates it; (name): taken from that resource",
        "",
    ]
    names = {r.urn: r.name for r in result.resources}
    depth = {result.stack_urn: 0}
    lines.append(f"{STACK_TYPE}  {result.project}-{result.stack}")
    for record in result.resources:
        level = depth.get(record.parent_urn or result.stack_urn, 0) + 1
        depth[record.urn] = level
        kind = "" if record.custom else "  (component)"
        read = "  (read)" if record.read else ""
        detail = _inputs_text(record, names) if record.custom else ""
        lines.append(f"{'  ' * level}{record.type}  {record.name}{kind}{read}{'  ' + detail if detail else ''}")
        if record.custom:
            lines.extend(_nested_lines(record, "  " * (level + 1)))

    lines += ["", "Resources by type:"]
    for type_token, count in sorted(Counter(r.type for r in result.resources).items()):
        lines.append(f"  {count:5d}  {type_token}")

    grouped = sections(quota_lines(result))
    if grouped:
        lines += ["", "Quotas and budgets:"]
        for section, entries in grouped.items():
            lines.append(f"  {section}:")
            width = max(len(e.subject) for e in entries)
            for entry in entries:
                used = "?" if entry.used is None else str(entry.used)
                limit = "?" if entry.limit is None else str(entry.limit)
                status = "OVER" if entry.over else ("ok" if entry.used is not None and entry.limit is not None
                                                    else "unknown")
                note = f"  ({entry.note})" if entry.note else ""
                lines.append(f"    {entry.subject:<{width}}  {used:>5}/{limit:<5}  {status}{note}")
    elif result.by_type(SG):
        lines += ["", "Quotas and budgets: none apply"]

    if result.diagnostics:
        lines += ["", "Diagnostics:"]
        lines += [f"  {severity}: {message}" for severity, message in result.diagnostics]

    lines += ["", "Outputs:"]
    if not result.exports:
        lines.append("  (none)")
    for key, value in sorted(result.exports.items()):
        shown = _mark_unknowns(plain(value))
        text = _scalar(shown) if not isinstance(shown, (list, dict)) else json.dumps(shown, separators=(", ", ": "))
        lines.append(f"  {key}: {text.replace(json.dumps(UNKNOWN_TEXT), UNKNOWN_TEXT)}")
    return "\n".join(lines)


def _mark_unknowns(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, list):
        return [_mark_unknowns(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark_unknowns(v) for k, v in value.items()}
    return value
