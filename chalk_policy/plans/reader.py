"""Read a saved plan or state into the coverage engine's resources.

Two document kinds (shapes: ``pkg/display/json.go`` and ``sdk/go/common/apitype/core.go`` of pulumi/pulumi):

* ``preview``: ``pulumi preview --json --show-sames``, one ``PreviewDigest`` object ``{"config", "steps",
  "diagnostics", "duration", "changeSummary", "maybeCorrupt"}`` (every key may be omitted when empty). Each
  resource is what its last step leaves (:data:`STEP_EFFECTS`): a create's ``newState``, a same's or update's
  inputs with the id and outputs of its ``oldState``, nothing after a delete; refresh steps only stand in until the
  resource's own step. A digest that cannot prove anything (sames left out, a failed preview, no resources, no
  steps) is refused. Secrets are masked as ``"[secret]"``; computed values are the unknown sentinel.
* ``export``: ``pulumi stack export``, ``{"version": 3 | 4, "deployment": {"manifest", "resources": [...]}}``.
  Secrets are ``{<sig key>: <sig>, "ciphertext": ...}``, or ``"plaintext": "<json>"`` with ``--show-secrets``.

``chalk-policy preview --format json`` writes a preview digest too (``chalk_policy.preview.render.to_dict``).

Each resource keeps its ``outputs`` when non-empty, else its ``inputs``. Only custom resources are kept, and the
Chalk components (their ``chalkIntent`` says what the stack asked for), never providers (``pulumi:providers:*``)
or the root stack. Secrets whose value is not in the document (ciphertext,
``"[secret]"``) become the unknown sentinel, so the policies report them as unverifiable and never crash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any, Final

from ..coverage import SECRET_KEY, SECRET_SIG, UNKNOWN_STRING, Resource
from ..files import (
    CONFIG_MAX_DEPTH,
    PLAINTEXT_MAX_DEPTH,
    PLAN,
    PULUMI,
    ErrorCode,
    UserFileError,
    deeper_than,
    read_json,
    read_text,
    shown,
)
from ..planning.intent import INTENT_TYPES

KINDS: Final = ("preview", "export")
POLICY_FAILURE: Final = "preview failed"
"""The one error diagnostic of a digest whose preview ran to the end and then failed a mandatory policy (the digest
carries no policy results: ``ShowPreviewDigest`` in ``pkg/backend/display/json.go`` skips policy events)."""


class StepEffect(Enum):
    """What a preview step says about its resource after the update."""

    NEW = "newState is the resource afterwards"
    MERGED = "newState has the (new) inputs only; the id and outputs are in oldState"
    BEFORE = "newState is the resource before the update (refresh); a later step of it decides"
    GONE = "the resource does not exist afterwards"
    NONE = "not a resource of the stack"


STEP_EFFECTS: Final[Mapping[str, StepEffect]] = {
    # Ops: pkg/resource/deploy/step.go (v3.274.1). The digest (pkg/backend/display/json.go, shouldShow in
    # display.go) shows a replacement as its logical "replace" step only, and "same" steps only with --show-sames;
    # with --refresh, a "refresh" step (newState: the refreshed old state) comes before the resource's own step.
    "create": StepEffect.NEW, "create-replacement": StepEffect.NEW, "replace": StepEffect.NEW,
    "import": StepEffect.NEW, "import-replacement": StepEffect.NEW, "read": StepEffect.NEW,
    "read-replacement": StepEffect.NEW,
    "same": StepEffect.MERGED, "update": StepEffect.MERGED,
    "refresh": StepEffect.BEFORE,
    "delete": StepEffect.GONE, "delete-replaced": StepEffect.GONE, "discard": StepEffect.GONE,
    "discard-replaced": StepEffect.GONE, "remove-pending-replace": StepEffect.GONE,
    "diff": StepEffect.NONE, "extend-parameterize": StepEffect.NONE,
}
DEPLOYMENT_VERSIONS: Final = (3, 4)
STACK_TYPE: Final = "pulumi:pulumi:Stack"
PROVIDER_PREFIX: Final = "pulumi:providers:"
MASKED_SECRET: Final = "[secret]"
PREVIEW_KEYS: Final = frozenset({"steps", "changeSummary", "duration"})
PROJECT_SCHEME: Final = "project:///"


class DocumentError(ValueError):
    """The file cannot be read as a plan; the message is one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Document:
    path: Path
    kind: str
    """One of :data:`KINDS`."""
    project: str | None
    stack: str | None
    config: dict[str, str]
    """Stack config in engine form (``<namespace>:<key>`` -> string; lists and maps as JSON). Only a preview digest
    carries it; masked secrets are left out."""
    resources: list[Resource] = field(default_factory=list)
    positions: dict[str, str] = field(default_factory=dict)
    """URN -> the engine's ``sourcePosition`` (``project:///<path from the project root>#<line>[,<column>]``,
    ``parseSourcePosition`` in pkg/resource/deploy/source_eval.go), for every resource that has one."""
    parents: dict[str, str] = field(default_factory=dict)
    """URN -> parent URN (components included), to find a declaration in the program for a component's child."""


def read_document(path: str | Path) -> Document:
    """Read and normalise one document; raise :class:`DocumentError` (one line) when it cannot be used."""
    path = Path(path)
    data = _load_json(path)
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected a JSON object (pulumi preview --json or pulumi stack export), "
                            f"got {_kind(data)}")
    version = data.get("version")
    if "deployment" in data or "checkpoint" in data or (isinstance(version, int) and not isinstance(version, bool)):
        return _export(path, data)
    if PREVIEW_KEYS & data.keys():
        return _preview(path, data)
    if isinstance(data.get("resources"), list) and "stack" in data and "project" in data:
        raise DocumentError(f"{path}: written by an older `chalk-policy preview --format json`; run it again (it now "
                            "writes what `pulumi preview --json --show-sames` writes, stack config included)")
    keys = ", ".join(sorted(map(str, data))[:6]) or "none"
    raise DocumentError(f"{path}: not a plan: expected the output of `pulumi preview --json --show-sames` (steps) "
                        f"or `pulumi stack export` (version, deployment); top-level keys: {keys}")


# --- parsing --------------------------------------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    """The document, through the shared loader of users' files (:mod:`chalk_policy.files`): its size (see
    :data:`~chalk_policy.files.PLAN_MAX_MB`) and nesting bounded, UTF-8 or UTF-16 with a byte order mark. Keys set
    twice are not looked for: the engine writes these documents and never does, and looking would cost every read."""
    try:
        return read_json(path, PLAN)
    except UserFileError as exc:
        if exc.code is ErrorCode.EXTRA_DATA:
            try:
                events = _looks_like_events(read_text(path, PLAN))
            except UserFileError:
                events = False
            if events:
                raise DocumentError(f"{path}: newline-delimited engine events (streaming `--json` output) are not "
                                    "supported; save the digest of `pulumi preview --json` instead") from None
        raise DocumentError(str(exc)) from None


def _looks_like_events(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        event = json.loads(first)  # the first value of a document read (and depth-checked) whole a moment ago
    except (ValueError, RecursionError):
        return False
    return isinstance(event, dict) and "sequence" in event and "timestamp" in event


def _export(path: Path, data: dict[str, Any]) -> Document:
    if "checkpoint" in data and "deployment" not in data:
        raise DocumentError(f"{path}: a Pulumi state checkpoint, not a stack export; run `pulumi stack export`")
    if "version" not in data:
        raise DocumentError(f"{path}: stack export: missing field 'version' (expected 3)")
    version = data["version"]
    if isinstance(version, bool) or version not in DEPLOYMENT_VERSIONS:
        raise DocumentError(f"{path}: stack export: deployment version {json.dumps(version)} is not supported; "
                            f"allowed: 3 (or 4)")
    deployment = data.get("deployment")
    if deployment is None:
        raise DocumentError(f"{path}: stack export: missing field 'deployment'")
    if not isinstance(deployment, dict):
        raise DocumentError(f"{path}: stack export: 'deployment' is {_kind(deployment)}, not an object")
    states = _or_empty(deployment.get("resources"), [])  # omitted when the stack is empty
    if not isinstance(states, list):
        raise DocumentError(f"{path}: stack export: 'deployment.resources' is {_kind(states)}, not a list")
    kept: list[dict[str, Any]] = []
    for index, state in enumerate(states):
        where = f"deployment.resources[{index}]"
        _check_state(path, "stack export", where, state)
        # `delete`: pending deletion after a replacement; `pendingReplacement`: already deleted, its replacement
        # not yet created (apitype.ResourceV3, sdk/go/common/apitype/core.go).
        if not state.get("delete") and not state.get("pendingReplacement"):
            kept.append(state)
    return _document(path, "export", kept, {})


def _preview(path: Path, data: dict[str, Any]) -> Document:
    steps = _or_empty(data.get("steps"), [])
    if not isinstance(steps, list):
        raise DocumentError(f"{path}: preview: 'steps' is {_kind(steps)}, not a list")
    config = _or_empty(data.get("config"), {})
    if not isinstance(config, dict):
        raise DocumentError(f"{path}: preview: 'config' is {_kind(config)}, not an object")
    _require_complete(path, data, steps)
    after: dict[str, dict[str, Any]] = {}  # urn -> the resource after the preview's changes, in step order
    for index, step in enumerate(steps):
        _apply_step(path, f"steps[{index}]", step, after)
    return _document(path, "preview", list(after.values()), _engine_config(path, config))


def _apply_step(path: Path, where: str, step: Any, after: dict[str, dict[str, Any]]) -> None:
    """One step's effect on ``after`` (urn -> the resource after the preview's changes)."""
    if not isinstance(step, dict):
        raise DocumentError(f"{path}: preview: {where} is {_kind(step)}, not an object")
    op = step.get("op")
    if not isinstance(op, str) or not op:
        raise DocumentError(f"{path}: preview: {where}: missing field 'op'")
    effect = STEP_EFFECTS.get(op)
    if effect is None:
        raise DocumentError(f"{path}: preview: {where}: unknown step op {op!r}; allowed: "
                            f"{', '.join(sorted(STEP_EFFECTS))}")
    if effect is StepEffect.NONE:
        return
    urn = step.get("urn")
    if effect is StepEffect.GONE:
        if isinstance(urn, str):
            after.pop(urn, None)
        return
    state = step.get("newState")
    if state is None:
        raise DocumentError(f"{path}: preview: {where} (op {op}): missing field 'newState'")
    _check_state(path, "preview", f"{where}.newState", state)
    old = step.get("oldState")
    if old is not None:
        _check_state(path, "preview", f"{where}.oldState", old)
    if effect is StepEffect.BEFORE:
        after.setdefault(state["urn"], state)  # a later step of the same resource says what it becomes
    elif effect is StepEffect.MERGED and old is not None:
        after[state["urn"]] = _merged(state, old)
    else:
        after[state["urn"]] = state


def _require_complete(path: Path, data: dict[str, Any], steps: list[Any]) -> None:
    """A digest that cannot prove anything is refused, never passed: a failed preview, or one without its sames."""
    diagnostics = _or_empty(data.get("diagnostics"), [])
    errors = [str(d.get("message", "")).strip() for d in diagnostics if isinstance(d, dict)
              and d.get("severity") == "error"] if isinstance(diagnostics, list) else []
    # A preview that ran to the end but failed a mandatory policy reports only this (its steps are complete).
    failures = [message for message in errors if message.removeprefix("error: ") != POLICY_FAILURE]
    if failures:
        raise DocumentError(f"{path}: preview: the preview failed ({failures[0].removeprefix('error: ')}), so its "
                            "steps are incomplete; fix the stack and save the plan again")
    summary = _or_empty(data.get("changeSummary"), {})
    if "steps" not in data and isinstance(summary, dict) and any(summary.values()):
        raise DocumentError(f"{path}: preview: a change summary without steps; save the digest of "
                            "`pulumi preview --json --show-sames` instead")
    sames = summary.get("same") if isinstance(summary, dict) else None
    shown = sum(1 for step in steps if isinstance(step, dict) and step.get("op") == "same")
    if isinstance(sames, int) and not isinstance(sames, bool) and sames > shown:
        raise DocumentError(f"{path}: preview: leaves out {sames - shown} unchanged resource(s) "
                            f"(changeSummary.same is {sames}, {shown} 'same' step(s) shown), so it cannot prove "
                            "what the stack allows; save it with `pulumi preview --json --show-sames`")


def _merged(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """A same or update step: its ``newState`` has the inputs only; the id and outputs are in ``oldState``. The new
    inputs win over the old outputs (an update changes them); computed outputs (id, arn) come from the old state."""
    merged = dict(new)
    outputs = {**(_or_empty(old.get("outputs"), {})), **(_or_empty(new.get("inputs"), {}))}
    if isinstance(old.get("id"), str) and old["id"]:
        merged["id"] = old["id"]
        outputs.setdefault("id", old["id"])
    merged["outputs"] = outputs
    return merged


def _or_empty(value: Any, empty: Any) -> Any:
    """``empty`` for an omitted (or null) field, the value itself otherwise (checked by the caller)."""
    return empty if value is None else value


def _check_state(path: Path, kind: str, where: str, state: Any) -> None:
    if not isinstance(state, dict):
        raise DocumentError(f"{path}: {kind}: {where} is {_kind(state)}, not an object")
    for key in ("urn", "type"):
        if not isinstance(state.get(key), str) or not state[key]:
            raise DocumentError(f"{path}: {kind}: {where}: missing field '{key}'")
    if not state["urn"].startswith("urn:pulumi:") or state["urn"].count("::") < 3:
        raise DocumentError(f"{path}: {kind}: {where}: urn {state['urn']!r} is not a Pulumi URN "
                            "(urn:pulumi:<stack>::<project>::<type>::<name>)")
    for key in ("inputs", "outputs"):
        if state.get(key) is not None and not isinstance(state[key], dict):
            raise DocumentError(f"{path}: {kind}: {where}.{key} is {_kind(state[key])}, not an object")


def _document(path: Path, kind: str, states: list[dict[str, Any]], config: dict[str, str]) -> Document:
    root = next((s["urn"] for s in states if s["type"] == STACK_TYPE), None)
    stack, project = _urn_stack_project(root or (states[0]["urn"] if states else None))
    try:
        resources = [
            Resource(state["type"], state["urn"], state["urn"].split("::", 3)[3],
                     _plain(state.get("outputs") or state.get("inputs") or {}))
            for state in states
            if (state.get("custom", True) or state["type"] in INTENT_TYPES) and state["type"] != STACK_TYPE
            and not state["type"].startswith(PROVIDER_PREFIX)
        ]
    except _SecretTooDeep:
        raise DocumentError(f"{path}: {'stack export' if kind == 'export' else kind}: a secret's plaintext is nested "
                            f"deeper than {PLAINTEXT_MAX_DEPTH} levels (lists and objects inside each other)") \
            from None
    positions = {s["urn"]: s["sourcePosition"] for s in states if isinstance(s.get("sourcePosition"), str)}
    parents = {s["urn"]: s["parent"] for s in states if isinstance(s.get("parent"), str)}
    if not resources:
        label = "stack export" if kind == "export" else kind
        raise DocumentError(f"{path}: {label}: holds no resources, so it cannot show that anything is allowed; "
                            "check the plan or export of the stack that holds the firewall resources")
    return Document(path, kind, project, stack, config, resources, positions, parents)


def source_position(document: Document, urn: str) -> tuple[str, int] | None:
    """Where ``urn`` is declared in the project: its own ``sourcePosition`` when that is a project file (not the
    SDK's or a library's, outside the project or in its virtualenv), else its nearest ancestor's (a component's
    child points at the component in the program). (path relative to the project root, line) or None."""
    seen: set[str] = set()
    current: str | None = urn
    while current is not None and current not in seen:
        seen.add(current)
        found = _project_file(document.positions.get(current))
        if found is not None:
            return found
        current = document.parents.get(current)
    return None


def _project_file(position: str | None) -> tuple[str, int] | None:
    if position is None or not position.startswith(PROJECT_SCHEME):
        return None
    path, _, fragment = position[len(PROJECT_SCHEME):].partition("#")
    parts = PurePosixPath(path).parts
    if not parts or ".." in parts or parts[0].startswith(".") or "site-packages" in parts:
        return None
    line = fragment.split(",", 1)[0]
    return "/".join(parts), int(line) if line.isdigit() and int(line) > 0 else 1


def _urn_stack_project(urn: str | None) -> tuple[str | None, str | None]:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` -> (stack, project)."""
    if urn is None:
        return None, None
    head, project = urn.split("::", 2)[:2]
    return head.removeprefix("urn:pulumi:") or None, project or None


def _engine_config(path: Path, config: Mapping[str, Any]) -> dict[str, str]:
    """The digest's config map (strings); masked secrets dropped, other values kept as JSON text. Lists and maps are
    JSON in strings, which the document's own depth check cannot see into: they may nest as deep as a stack file's
    values (:data:`~chalk_policy.files.CONFIG_MAX_DEPTH`), since the policies parse them."""
    result: dict[str, str] = {}
    for key, value in config.items():
        if value == MASKED_SECRET or value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        if text[:1] in ("[", "{") and deeper_than(text.encode("utf-8", "surrogatepass"), CONFIG_MAX_DEPTH):
            raise DocumentError(f"{path}: preview: config {shown(key)}: its value nests deeper than {CONFIG_MAX_DEPTH} "
                                "levels (lists and objects inside each other)")
        result[str(key)] = text
    return result


def _plain(value: Any) -> Any:
    """Secrets opened when their plaintext is present, else the unknown sentinel; ``"[secret]"`` is unknown too."""
    if isinstance(value, str):
        return UNKNOWN_STRING if value == MASKED_SECRET else value
    if isinstance(value, dict):
        if value.get(SECRET_KEY) == SECRET_SIG:
            if "value" in value:
                return _plain(value["value"])
            plaintext = value.get("plaintext")
            if isinstance(plaintext, str):
                return _plaintext(plaintext, PLAINTEXT_MAX_DEPTH)
            return UNKNOWN_STRING
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class _SecretTooDeep(Exception):
    """A secret's plaintext (JSON in a string, which the document's own depth check cannot see into) nests too
    deep."""


def _plaintext(text: str, depth: int) -> Any:
    """A secret's plaintext JSON (``stack export --show-secrets``), opened like :func:`_plain`, nested at most
    ``depth`` levels, plaintexts inside it included; the unknown sentinel when it is not JSON."""
    if deeper_than(text.encode("utf-8", "surrogatepass"), depth):
        raise _SecretTooDeep
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return UNKNOWN_STRING
    return _plain_within(value, depth)


def _plain_within(value: Any, depth: int) -> Any:
    """:func:`_plain` on an opened plaintext, ``depth`` levels left for the plaintexts inside it."""
    if isinstance(value, str):
        return UNKNOWN_STRING if value == MASKED_SECRET else value
    if isinstance(value, dict):
        if value.get(SECRET_KEY) == SECRET_SIG:
            if "value" in value:
                return _plain_within(value["value"], depth - 1)
            plaintext = value.get("plaintext")
            return _plaintext(plaintext, depth - 1) if isinstance(plaintext, str) else UNKNOWN_STRING
        return {str(key): _plain_within(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_within(item, depth - 1) for item in value]
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


# --- the stack's config file ----------------------------------------------------------------------------------------


def stack_config_file(project_dir: Path, stack: str | None) -> Path | None:
    """``<stackConfigDir>/Pulumi.<stack>.yaml`` of the project in ``project_dir`` (``stackConfigDir`` from
    ``Pulumi.yaml``; ``stacks/`` and the project directory are tried too), when it exists."""
    if not stack:
        return None
    name = f"Pulumi.{stack.rsplit('/', 1)[-1]}.yaml"
    candidates = [project_dir / d / name for d in (_project_field(project_dir, "stackConfigDir"), "stacks", ".")
                  if isinstance(d, str)]
    return next((c for c in candidates if c.is_file()), None)


def _read_pulumi_yaml(path: Path) -> Any:
    """A Pulumi project or stack file through the shared loader (:mod:`chalk_policy.files`, bounded; YAML 1.2
    scalars as the Pulumi CLI reads them); None when it is missing or cannot be read: here it only says where
    annotations point, and the plan itself is what is checked."""
    from ..files.yamldoc import read_yaml  # imports PyYAML: only when a project is looked at

    try:
        return read_yaml(path, PULUMI)
    except UserFileError:
        return None


def _project_field(project_dir: Path, key: str) -> Any:
    project = _read_pulumi_yaml(project_dir / "Pulumi.yaml")
    return project.get(key) if isinstance(project, dict) else None


def read_stack_config(project_dir: Path, stack: str | None, project: str | None) -> tuple[Path | None, dict[str, str]]:
    """The stack's own config file in engine form (like the engine hands it to a policy pack): keys namespaced
    (``<project>:<key>`` for bare keys), lists and maps as JSON, secure values left out. ``(None, {})`` when there
    is no such file (``(path, {})`` when it cannot be read)."""
    path = stack_config_file(project_dir, stack)
    if path is None:
        return None, {}
    data = _read_pulumi_yaml(path)
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        return path, {}
    namespace = project or _project_field(project_dir, "name")
    result: dict[str, str] = {}
    for key, value in config.items():
        key = str(key)
        if ":" not in key and isinstance(namespace, str):
            key = f"{namespace}:{key}"
        if isinstance(value, dict) and "secure" in value:
            continue
        if isinstance(value, dict) and "value" in value and len(value) == 1:
            value = value["value"]
        if isinstance(value, str):
            result[key] = value
        elif isinstance(value, bool):
            result[key] = "true" if value else "false"
        else:
            result[key] = json.dumps(value)
    return path, result


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle`` in ``path`` (1 when absent or unreadable)."""
    try:
        lines = read_text(path, PULUMI).splitlines()
    except UserFileError:
        return 1
    return next((number for number, line in enumerate(lines, 1) if needle in line), 1)
