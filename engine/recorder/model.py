"""What the real providers would answer, as pure functions of plain dicts (no gRPC here).

``check`` fills in auto-names, ``diff`` decides update versus replace from :mod:`recorder.replacements`,
``create``/``update`` return outputs with the ids and computed values of :mod:`recorder.ids`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from recorder import replacements as r
from recorder.ids import AZURE_API_VERSION, Cloud, mint, tags_all
from recorder.naming import AUTO_NAMES, CREATE_BEFORE_DELETE_KEY, DEFAULTS_KEY, AutoName, logical_name, unique_name
from recorder.props import UNKNOWN, Props, present, same

INTERNAL_KEYS = frozenset({DEFAULTS_KEY, CREATE_BEFORE_DELETE_KEY})
AZURE = "azure-native"
AZURE_API_VERSION_TYPES = frozenset({r.AZURE_NSG, r.AZURE_FIREWALL_POLICY, r.AZURE_RULE_COLLECTION_GROUP})


@dataclass(frozen=True)
class Autonaming:
    """The engine's ``CheckRequest.autonaming``: mode PROPOSE, ENFORCE or DISABLE, and the proposed name."""

    mode: str
    proposed_name: str


@dataclass(frozen=True)
class Checked:
    inputs: Props
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Diffed:
    detailed: dict[str, str]  # property -> PropertyDiff kind name (ADD, UPDATE_REPLACE, ...)
    delete_before_replace: bool = False

    @property
    def diffs(self) -> list[str]:
        return sorted(self.detailed)

    @property
    def replaces(self) -> list[str]:
        return sorted(key for key, kind in self.detailed.items() if kind.endswith("_REPLACE"))


# --- check -----------------------------------------------------------------------------------------------


def _old_name(spec: AutoName, olds: Props, package: str) -> tuple[object, bool] | None:
    if not present(olds, spec.prop):
        return None
    if package == AZURE:
        return olds[spec.prop], olds.get(CREATE_BEFORE_DELETE_KEY) is True
    old_defaults = olds.get(DEFAULTS_KEY)
    if old_defaults is None or (isinstance(old_defaults, list) and spec.prop in old_defaults):
        return olds[spec.prop], True
    return None


def _default_name(spec: AutoName, urn: str, olds: Props, autonaming: Autonaming | None,
                  package: str) -> tuple[object, bool] | None:
    """(name, randomly named) or ``None`` for no name; ``ValueError`` when the generated name is too long."""
    kept = _old_name(spec, olds, package)
    if kept is not None:
        return kept
    if autonaming is not None and autonaming.mode == "DISABLE":
        return None
    if autonaming is not None and autonaming.mode in ("PROPOSE", "ENFORCE") and autonaming.proposed_name:
        return autonaming.proposed_name, True
    return unique_name(logical_name(urn) + spec.separator, spec.random_len, spec.max_len), True


def check(type_token: str, urn: str, olds: Props, news: Props, package: str,
          autonaming: Autonaming | None = None) -> Checked:
    inputs = dict(news)
    failures: list[tuple[str, str]] = []
    filled: list[str] = []
    spec = AUTO_NAMES.get(type_token)
    if spec and not present(inputs, spec.prop) and not any(present(inputs, key) for key in spec.conflicts):
        try:
            named = _default_name(spec, urn, olds, autonaming, package)
        except ValueError as error:
            failures.append((spec.prop, str(error)))
            named = None
        if named is not None:
            inputs[spec.prop] = named[0]
            filled.append(spec.prop)
            if package == AZURE and named[1]:
                inputs[CREATE_BEFORE_DELETE_KEY] = True
    if package == AZURE:
        if type_token in AZURE_API_VERSION_TYPES and not present(inputs, "azureApiVersion"):
            inputs["azureApiVersion"] = AZURE_API_VERSION
    else:
        inputs[DEFAULTS_KEY] = sorted(filled)
    return Checked(inputs, failures)


# --- diff ------------------------------------------------------------------------------------------------


def _change(old: Props, new: Props, key: str) -> str | None:
    had, has = present(old, key), present(new, key)
    if not had and not has:
        return None
    if not had:
        return "ADD"
    if not has:
        return "DELETE"
    return None if same(old[key], new[key]) else "UPDATE"


def _delete_before_replace(type_token: str, old_inputs: Props, news: Props, package: str) -> bool:
    if package == AZURE:  # provider.go Diff: delete first unless the name was random (__createBeforeDelete)
        flag = old_inputs.get(CREATE_BEFORE_DELETE_KEY)
        return not flag if isinstance(flag, bool) else True
    # tfbridge nameRequiresDeleteBeforeReplace: a name the program set (not in __defaults) cannot coexist.
    spec = AUTO_NAMES.get(type_token)
    defaults = news.get(DEFAULTS_KEY)
    return bool(spec and present(news, spec.prop) and isinstance(defaults, list) and spec.prop not in defaults)


def diff(type_token: str, old_inputs: Props, olds: Props, news: Props, package: str,
         ignore: Collection[str] = ()) -> Diffed:
    """Compare ``news`` with the old inputs (with the old outputs when the engine sent no old inputs, in which
    case only properties present in ``news`` are compared: outputs cannot tell a removed input)."""
    base = old_inputs or olds
    keys = (set(news) | set(old_inputs)) - INTERNAL_KEYS - set(ignore)
    forcing = r.forcing_keys(type_token, base, news)
    detailed: dict[str, str] = {}
    for key in sorted(keys):
        kind = _change(base, news, key)
        if kind is not None:
            detailed[key] = f"{kind}_REPLACE" if key in forcing else kind
    replacing = any(kind.endswith("_REPLACE") for kind in detailed.values())
    return Diffed(detailed, replacing and _delete_before_replace(type_token, old_inputs, news, package))


# --- create / update -------------------------------------------------------------------------------------


def _without_internal(props: Props) -> Props:
    return {key: value for key, value in props.items() if key not in INTERNAL_KEYS}


def create(type_token: str, inputs: Props, cloud: Cloud, preview: bool) -> tuple[str, Props]:
    """(id, outputs): the inputs plus the computed outputs; during preview the id is "" and computed values are
    unknown."""
    ident, computed = mint(type_token, inputs, cloud)
    outputs = _without_internal(inputs)
    for key, value in computed.items():
        outputs.setdefault(key, UNKNOWN if preview else value)
    return ("" if preview else ident), outputs


# ec2_launch_template.go: Update creates a new version for a change to anything but these (CreateLaunchTemplateVersion
# over updateKeys); CustomizeDiff marks latest_version unknown in the plan for a change to anything but the second.
_NO_NEW_VERSION = frozenset({"name", "namePrefix", "defaultVersion", "updateDefaultVersion", "tags", "region"})
_KNOWN_VERSION = frozenset({"name", "namePrefix", "description", "defaultVersion", "updateDefaultVersion"})


def _changed(old_inputs: Props, news: Props) -> set[str]:
    keys = (set(old_inputs) | set(news)) - INTERNAL_KEYS
    return {key for key in keys if _change(old_inputs, news, key) is not None}


def _launch_template_versions(changed: set[str], news: Props, outputs: Props, preview: bool) -> None:
    moves_default = news.get("updateDefaultVersion") is True
    if preview:
        if changed - _KNOWN_VERSION:
            outputs["latestVersion"] = UNKNOWN
            if moves_default:
                outputs["defaultVersion"] = UNKNOWN
        return
    if changed - _NO_NEW_VERSION:
        latest = outputs.get("latestVersion")
        outputs["latestVersion"] = (int(latest) if isinstance(latest, (int, float)) else 0) + 1
        if moves_default:
            outputs["defaultVersion"] = outputs["latestVersion"]


def update(type_token: str, old_inputs: Props, olds: Props, news: Props, cloud: Cloud, preview: bool) -> Props:
    """The new outputs: the new inputs plus the computed outputs kept from ``olds`` (the id never changes)."""
    outputs = {key: value for key, value in olds.items() if key not in old_inputs or key in news}
    outputs.update(news)
    outputs = _without_internal(outputs)
    if "tagsAll" in olds:
        outputs["tagsAll"] = tags_all(news, cloud)
    if type_token in (r.RULE_GROUP, r.FIREWALL_POLICY) and not preview:
        outputs["updateToken"] = str(uuid.uuid4())
    if type_token == r.LAUNCH_TEMPLATE:
        _launch_template_versions(_changed(old_inputs, news), news, outputs, preview)
    return outputs
