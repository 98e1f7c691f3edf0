"""chalk_policy.plans.reader: preview digests, stack exports and chalk-policy preview output -> resources."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from plan_docs import ROOT, SG_RULE, SIG, SIG_KEY, UNKNOWN, change, preview_digest, recorded, stack_export, write

from chalk_policy.planning.intent import AWS_EGRESS_TYPE, INTENT_TYPES, PROXY_TYPE
from chalk_policy.plans import Document, DocumentError, read_document, read_stack_config, stack_config_file

SG_443 = "chalk-egress-udp-443-13.115.244.0-27"


def _kept_count(stack: str = "dev", preview: bool = True) -> int:
    """The custom resources and the Chalk components that record what they were asked for."""
    return sum(1 for r in recorded(stack, preview).resources if r.custom or r.type in INTENT_TYPES)


def _resource(doc: Document, name: str) -> dict[str, Any]:
    return dict(next(r for r in doc.resources if r.name == name).props)


def test_a_preview_digest_gives_the_custom_resources_chalk_components_project_stack_and_config(
        tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "plan.json", preview_digest("dev")))
    assert (doc.kind, doc.project, doc.stack) == ("preview", "chalk-network", "dev")
    assert doc.config["chalk-network:regions"] == '["jp1","us2"]'
    assert len(doc.resources) == _kept_count() == 24 + 1
    types = {r.type for r in doc.resources}
    assert "pulumi:pulumi:Stack" not in types and not any(t.startswith("pulumi:providers:") for t in types)
    # the ChalkAwsEgress component is kept: its chalkIntent (its inputs, in a preview) says what it was asked for
    [component] = [r for r in doc.resources if r.type == AWS_EGRESS_TYPE]
    assert component.name == "chalk"
    assert {k: v for k, v in component.props["chalkIntent"].items() if k != "catalogVersion"} == {
        "regions": ["jp1", "us2"], "option": 1, "encryption": "standard"}
    # other components (the proxy filters host names only) are not
    proxy = read_document(write(tmp_path, "proxy.json", preview_digest("proxy")))
    assert len(proxy.resources) == _kept_count("proxy") == 23 + 1
    assert AWS_EGRESS_TYPE in {r.type for r in proxy.resources} and PROXY_TYPE not in {r.type for r in proxy.resources}
    rule = next(r for r in doc.resources if r.name == SG_443)
    assert rule.type == SG_RULE
    assert rule.props["cidrIpv4"] == "13.115.244.0/27"
    assert rule.props["securityGroupId"] == UNKNOWN  # computed during a preview


def test_deleted_and_replaced_away_resources_are_not_in_the_plan(tmp_path: Path) -> None:
    digest = preview_digest("dev")
    kept = digest["steps"][-1]
    for op in ("delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"):
        gone = json.loads(json.dumps(kept))
        gone["op"] = op
        gone["newState"] = None
        gone["urn"] = kept["urn"] + f"-{op}"
        gone["oldState"] = dict(kept["newState"], urn=gone["urn"])
        digest["steps"].append(gone)
    same = dict(json.loads(json.dumps(kept)), op="same", urn=kept["urn"] + "-same")
    same["newState"]["urn"] += "-same"
    digest["steps"].append(same)
    doc = read_document(write(tmp_path, "plan.json", digest))
    assert len(doc.resources) == _kept_count() + 1
    assert [r.urn for r in doc.resources].count(kept["urn"] + "-same") == 1


def test_outputs_win_over_inputs_when_present(tmp_path: Path) -> None:
    export = read_document(write(tmp_path, "state.json", stack_export("dev")))
    rule = next(r for r in export.resources if r.name == SG_443)
    assert rule.props["securityGroupId"] != UNKNOWN  # after `up`, the output is the real id
    assert "arn" in rule.props or rule.props.get("securityGroupId")


@pytest.mark.parametrize("version", [3, 4])
def test_a_stack_export_gives_the_same_resources(tmp_path: Path, version: int) -> None:
    doc = read_document(write(tmp_path, "state.json", stack_export("dev", version=version)))
    assert (doc.kind, doc.project, doc.stack, doc.config) == ("export", "chalk-network", "dev", {})
    assert len(doc.resources) == _kept_count("dev", False)


def test_resources_pending_deletion_are_skipped(tmp_path: Path) -> None:
    export = stack_export("dev")
    states = export["deployment"]["resources"]
    states.append(dict(states[-1], urn=states[-1]["urn"] + "-old", delete=True))
    assert len(read_document(write(tmp_path, "state.json", export)).resources) == _kept_count("dev", False)


def test_a_document_without_resources_is_refused(tmp_path: Path) -> None:
    root = {"urn": "urn:pulumi:dev::chalk-network::pulumi:pulumi:Stack::chalk-network-dev", "custom": False,
            "type": "pulumi:pulumi:Stack"}
    for name, doc in (("a.json", {"version": 3, "deployment": {"manifest": {}, "resources": [root]}}),
                      ("b.json", {"version": 3, "deployment": {"manifest": {}}}),
                      ("c.json", {"duration": 1000, "config": {"aws:region": "us-west-2"}})):
        with pytest.raises(DocumentError, match="holds no resources, so it cannot show that anything is allowed"):
            read_document(write(tmp_path, name, doc))


def test_secrets_plaintext_is_opened_ciphertext_and_masked_become_unknown(tmp_path: Path) -> None:
    def secret(**kind: str) -> dict[str, str]:
        return {SIG_KEY: SIG, **kind}

    export = stack_export("dev", change(lambda s: s["urn"].endswith(SG_443),
                                        cidrIpv4=secret(plaintext='"13.115.244.0/27"'),
                                        description=secret(ciphertext="v1:Zm9v"),
                                        tags={"owner": "[secret]", "n": secret(plaintext="{bad json")}))
    rule = _resource(read_document(write(tmp_path, "state.json", export)), SG_443)
    assert rule["cidrIpv4"] == "13.115.244.0/27"
    assert rule["description"] == UNKNOWN
    assert rule["tags"] == {"owner": UNKNOWN, "n": UNKNOWN}


def test_masked_config_values_are_left_out(tmp_path: Path) -> None:
    digest = preview_digest("dev", config={"chalk-network:regions": '["jp1"]', "chalk-network:token": "[secret]",
                                           "chalk-network:option": 2})  # type: ignore[dict-item]
    assert read_document(write(tmp_path, "plan.json", digest)).config == {
        "chalk-network:regions": '["jp1"]', "chalk-network:option": "2"}


def test_utf16_and_bom_files_are_read(tmp_path: Path) -> None:
    text = json.dumps(preview_digest("dev"))
    for name, data in (("bom8.json", codecs.BOM_UTF8 + text.encode()),
                       ("utf16.json", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))):
        (tmp_path / name).write_bytes(data)
        assert len(read_document(tmp_path / name).resources) == 24 + 1  # custom resources and the component


def test_the_old_chalk_policy_preview_shape_is_refused_with_what_to_do(tmp_path: Path) -> None:
    data = {"stack": "dev", "project": "chalk-network", "resources": [], "outputs": {}, "violations": []}
    with pytest.raises(DocumentError, match=r"written by an older `chalk-policy preview --format json`; run it again"):
        read_document(write(tmp_path, "preview.json", data))


def test_the_stack_config_file_in_engine_form() -> None:
    assert stack_config_file(ROOT, "dev") == ROOT / "stacks" / "Pulumi.dev.yaml"
    assert stack_config_file(ROOT, "nope") is None
    path, config = read_stack_config(ROOT, "dev", "chalk-network")
    assert path == ROOT / "stacks" / "Pulumi.dev.yaml"
    assert (config["chalk-network:regions"], config["chalk-network:option"], config["aws:region"]) == (
        '["jp1", "us2"]', "1", "us-west-2")


def _digest_with(**step: Any) -> dict[str, Any]:
    digest = preview_digest("dev")
    digest["steps"][3] = step
    return digest


def _export_with(state: Any) -> dict[str, Any]:
    export = stack_export("dev")
    export["deployment"]["resources"][2] = state
    return export


VALID = json.dumps(preview_digest("dev"))
BAD: list[tuple[str, Any, str]] = [
    ("truncated", VALID[: len(VALID) // 2],
     "truncated JSON: the document ends at line 1 column"),
    ("garbage", "{not json}", "line 1, column 2: not valid JSON: Expecting property name enclosed in double quotes"),
    ("empty", "  \n", "empty file; expected a JSON document"),
    ("version 2", {"version": 2, "deployment": {"manifest": {}, "resources": []}},
     "stack export: deployment version 2 is not supported; allowed: 3 (or 4)"),
    ("version text", {"version": "3", "deployment": {}}, 'stack export: deployment version "3" is not supported'),
    ("no version", {"deployment": {"resources": []}}, "stack export: missing field 'version' (expected 3)"),
    ("no deployment", {"version": 3}, "stack export: missing field 'deployment'"),
    ("checkpoint", {"version": 3, "checkpoint": {"stack": "dev"}},
     "a Pulumi state checkpoint, not a stack export; run `pulumi stack export`"),
    ("random object", {"name": "chalk", "items": [1, 2]},
     "not a plan: expected the output of `pulumi preview --json --show-sames` (steps) or `pulumi stack export` "
     "(version, deployment); top-level keys: items, name"),
    ("package.json", {"name": "x", "version": "1.0.0"}, "not a plan: expected the output of"),
    ("list", [1, 2], "expected a JSON object (pulumi preview --json or pulumi stack export), got a list"),
    ("resources not a list", {"version": 3, "deployment": {"resources": {}}},
     "stack export: 'deployment.resources' is an object, not a list"),
    ("resource without urn", _export_with({"type": SG_RULE, "custom": True, "inputs": {}}),
     "stack export: deployment.resources[2]: missing field 'urn'"),
    ("resource without type", _export_with({"urn": "urn:pulumi:dev::p::t::n", "custom": True}),
     "stack export: deployment.resources[2]: missing field 'type'"),
    ("bad urn", _export_with({"urn": "sg-1", "type": SG_RULE}),
     "stack export: deployment.resources[2]: urn 'sg-1' is not a Pulumi URN"),
    ("inputs not an object", _export_with({"urn": "urn:pulumi:dev::p::t::n", "type": SG_RULE, "inputs": [1]}),
     "stack export: deployment.resources[2].inputs is a list, not an object"),
    ("step without op", _digest_with(urn="urn:pulumi:dev::p::t::n"), "preview: steps[3]: missing field 'op'"),
    ("step without newState", _digest_with(op="create", urn="urn:pulumi:dev::p::t::n"),
     "preview: steps[3] (op create): missing field 'newState'"),
    ("steps not a list", {"steps": "none", "duration": 1}, "preview: 'steps' is a string, not a list"),
    ("events", '{"sequence": 0, "timestamp": 1, "preludeEvent": {}}\n{"sequence": 1, "timestamp": 2}\n',
     "newline-delimited engine events (streaming `--json` output) are not supported"),
    ("unknown op", _digest_with(op="teleport", urn="urn:pulumi:dev::p::t::n"),
     "preview: steps[3]: unknown step op 'teleport'; allowed: create, create-replacement, delete"),
]


@pytest.mark.parametrize(("case", "content", "expected"), BAD, ids=[case for case, _, _ in BAD])
def test_malformed_documents_are_one_line_errors_naming_the_file(tmp_path: Path, case: str, content: Any,
                                                                 expected: str) -> None:
    path = write(tmp_path, "doc.json", content)
    with pytest.raises(DocumentError) as raised:
        read_document(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message


def test_a_missing_file_and_a_binary_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"nope\.json: file not found$"):
        read_document(tmp_path / "nope.json")
    (tmp_path / "bin.json").write_bytes(b"{\x80\x81}")
    with pytest.raises(DocumentError, match=r"bin\.json: not UTF-8 text at byte 1$"):
        read_document(tmp_path / "bin.json")
    with pytest.raises(DocumentError, match="is a directory"):
        read_document(tmp_path)


def test_the_reader_never_touches_props_it_does_not_understand(tmp_path: Path) -> None:
    export = stack_export("dev", change(lambda s: s["urn"].endswith(SG_443), fromPort=[1, {"x": None}]))
    assert _resource(read_document(write(tmp_path, "state.json", export)), SG_443)["fromPort"] == [1, {"x": None}]
