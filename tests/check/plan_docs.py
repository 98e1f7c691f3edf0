"""Build `pulumi preview --json` digests and `pulumi stack export` documents from the project's own program.

The program runs under the SDK mocks (``chalk_policy.preview.run_program``, what ``recorded(stack)`` in
tests/policy/policy_kit.py does); its registrations are laid out in the documented shapes (pulumi/pulumi
``pkg/display/json.go`` ``PreviewDigest``/``PreviewStep`` and ``apitype`` ``DeploymentV3``/``ResourceV3``).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from chalk_policy.preview import load_stack_config, run_program
from chalk_policy.preview.engine import PreviewResult, ResourceRecord

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY, SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
SG_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
Edit = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@functools.cache
def recorded(stack: str, preview: bool = True, regions: str | None = None) -> PreviewResult:
    overrides = {"chalk-network:regions": regions} if regions else None
    return run_program(load_stack_config(ROOT, stack, overrides), preview=preview)


def _provider_urn(result: PreviewResult, package: str) -> str:
    return f"urn:pulumi:{result.stack}::{result.project}::pulumi:providers:{package}::default"


def _state(result: PreviewResult, record: ResourceRecord, outputs: bool) -> dict[str, Any]:
    package = record.type.split(":", 1)[0]
    state: dict[str, Any] = {"urn": record.urn, "custom": record.custom, "type": record.type,
                             "inputs": copy.deepcopy(record.inputs),
                             "parent": record.parent_urn or result.stack_urn}
    if outputs:
        state["outputs"] = copy.deepcopy(record.outputs)
    if record.custom:
        state["provider"] = f"{_provider_urn(result, package)}::{UNKNOWN}"
    return state


def _states(result: PreviewResult, outputs: bool) -> list[dict[str, Any]]:
    root = {"urn": result.stack_urn, "custom": False, "type": "pulumi:pulumi:Stack",
            "outputs": copy.deepcopy(result.exports) if outputs else {}}
    packages = sorted({r.type.split(":", 1)[0] for r in result.resources if r.custom})
    providers = [{"urn": _provider_urn(result, p), "custom": True, "type": f"pulumi:providers:{p}", "id": UNKNOWN,
                  "inputs": {"version": "7.0.0"}, "outputs": {"version": "7.0.0"}} for p in packages]
    return [root, *providers, *(_state(result, r, outputs) for r in result.resources)]


def preview_digest(stack: str = "dev", edit: Edit | None = None, config: dict[str, str] | None = None,
                   regions: str | None = None) -> dict[str, Any]:
    """What `pulumi preview --json` prints for a first deployment of ``stack``: a create step per resource,
    ``newState`` with the inputs (outputs empty, as for a create)."""
    result = recorded(stack, True, regions)
    states = _states(result, outputs=False)
    states = edit(states) if edit else states
    steps = [{"op": "create", "urn": s["urn"], "provider": s.get("provider", ""), "newState": s, "detailedDiff": None}
             for s in states]
    engine_config = dict(result.config.config) if result.config else {}
    return {"config": engine_config if config is None else config, "steps": steps,
            "duration": 1_234_000_000, "changeSummary": {"create": len(steps)}}


def stack_export(stack: str = "dev", edit: Edit | None = None, version: int = 3) -> dict[str, Any]:
    """What `pulumi stack export` prints after `pulumi up` of ``stack``: inputs and provider outputs."""
    result = recorded(stack, False)
    states = _states(result, outputs=True)
    states = edit(states) if edit else states
    return {"version": version, **({"features": []} if version == 4 else {}), "deployment": {
        "manifest": {"time": "2026-11-25T10:00:00Z", "magic": "0" * 64, "version": "v3.231.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:abc"}},
        "resources": states}}


def write(tmp: Path, name: str, doc: Any) -> Path:
    path = tmp / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=1), encoding="utf-8")
    return path


def props(state: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = state.get("outputs") or state["inputs"]
    return value


def without(predicate: Callable[[dict[str, Any]], bool]) -> Edit:
    return lambda states: [s for s in states if not predicate(s)]


def sg_rules_to(cidr: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["type"] == SG_RULE and props(s).get("cidrIpv4") == cidr


def change(predicate: Callable[[dict[str, Any]], bool], **values: Any) -> Edit:
    def edit(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for state in states:
            if predicate(state):
                for key in ("inputs", "outputs"):
                    if state.get(key):
                        state[key].update(values)
        return states

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for one in edits:
            states = one(states)
        return states

    return edit


def names(states: Iterable[dict[str, Any]]) -> list[str]:
    return [s["urn"].split("::")[-1] for s in states]
