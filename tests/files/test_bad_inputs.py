"""Issue 15's corpus of bad inputs, through the real command line: each one ends in one line on stderr naming the
file (and where in it), exit code 2, never a traceback, and quickly (a "billion laughs" is refused, not expanded).

The limits themselves are :mod:`chalk_policy.files.limits`; the loader's own behaviour is tests/files/test_loader.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chalk_policy.catalog.loader import default_catalog_text
from chalk_policy.cli.main import cli
from chalk_policy.files import (
    ALIAS_EXPANSION_LIMIT,
    CONFIG_MAX_DEPTH,
    MB,
    PLAINTEXT_MAX_DEPTH,
    PLAN_MAX_DEPTH,
    PLAN_MAX_MB_ENV,
)

SG_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SIG_KEY, SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
QUICKLY = 20.0
"""Seconds: a guard against the hang these inputs used to cause (each takes milliseconds), not a benchmark."""



def laughs(key: str = "lol", indent: str = "") -> str:
    """A billion laughs: 9 levels of 9 aliases, 9^9 = 387 million strings once expanded."""
    lines = [f'{indent}{key}0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    lines += [f"{indent}{key}{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]\n" for level in range(1, 10)]
    return "".join(lines)


LAUGHS = laughs()


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[Result, float]:
    start = time.perf_counter()
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=env)
    return result, time.perf_counter() - start


def one_line_error(result: Result, elapsed: float, file: Path, *fragments: str) -> str:
    """The one error line (without ``chalk-policy: error: ``); asserts exit 2, nothing else printed, no traceback,
    the file named first."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chalk-policy: error: "), lines[0]
    message = lines[0].removeprefix("chalk-policy: error: ")
    assert str(file) in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert elapsed < QUICKLY
    return message


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def project(root: Path, stack_yaml: str | bytes, pulumi_yaml: str = "name: proj\nruntime: python\n"
            "stackConfigDir: stacks\nconfig:\n  option: {type: integer, default: 1}\n") -> Path:
    """A Pulumi project whose stack file is ``stacks/Pulumi.dev.yaml`` (no program: loading the config fails
    first)."""
    write(root / "Pulumi.yaml", pulumi_yaml)
    write(root / "stacks" / "Pulumi.dev.yaml", stack_yaml)
    return root


def nested(levels: int, leaf: str = '"x"') -> str:
    """JSON text: ``levels`` objects inside each other around ``leaf`` (JSON text too), written out as text (the
    json module itself cannot write 990 levels)."""
    return '{"a": ' * levels + leaf + "}" * levels


def plan(tmp_path: Path, inputs: dict[str, str], name: str = "plan.json") -> Path:
    """A `pulumi preview --json` digest of one security group rule, ``inputs`` added to its inputs as JSON texts:
    the document nests 5 levels down to the inputs (document, steps, step, newState, inputs)."""
    urn = f"urn:pulumi:dev::proj::{SG_RULE}::rule"
    state = {"urn": urn, "type": SG_RULE, "custom": True,
             "inputs": {"securityGroupId": "sg-1", "ipProtocol": "udp", "fromPort": 443, "toPort": 443,
                        "cidrIpv4": "10.0.0.0/8", **{key: f"@{key}@" for key in inputs}}}
    text = json.dumps({"steps": [{"op": "create", "urn": urn, "newState": state}], "changeSummary": {"create": 1},
                       "duration": 1})
    for key, value in inputs.items():
        text = text.replace(f'"@{key}@"', value)
    return write(tmp_path / name, text)


def secret(plaintext: str) -> str:
    """A secret as `pulumi stack export --show-secrets` writes it, its plaintext JSON in a string."""
    return json.dumps({SIG_KEY: SIG, "plaintext": plaintext})


def check(tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None) -> tuple[Result, float]:
    return run("check", *args, "--project-dir", tmp_path, env=env)


# --- YAML aliases ---------------------------------------------------------------------------------------------------


def test_a_billion_laughs_in_a_catalog_is_refused_at_its_first_alias(tmp_path: Path) -> None:
    catalog = write(tmp_path / "catalog.yaml", default_catalog_text() + LAUGHS)
    message = one_line_error(*run("plan", "--regions", "jp1", "--catalog", catalog), catalog)
    line = default_catalog_text().count("\n") + 2
    assert message == f"{catalog}: line {line}, column 14: alias *lol0 is not allowed in catalog files; write the " \
                      "value out"


def test_a_billion_laughs_in_an_overlay_is_refused(tmp_path: Path) -> None:
    overlay = write(tmp_path / "overlay.yaml", "overlay: 1\nversion: '2026120101'\n" + LAUGHS)
    one_line_error(*run("plan", "--regions", "jp1", "--overlay", overlay), overlay,
                   "line 4, column 14: alias *lol0 is not allowed in catalog files")


def test_a_billion_laughs_in_a_stack_file_is_refused_without_expanding_it(tmp_path: Path) -> None:
    root = project(tmp_path, "config:\n" + laughs("proj:lol", "  "))
    stack_file = root / "stacks" / "Pulumi.dev.yaml"
    one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), stack_file,
                   f"aliases expand beyond {ALIAS_EXPANSION_LIMIT} nodes")


def test_a_billion_laughs_in_the_project_file_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, "config: {}\n", pulumi_yaml="name: proj\nruntime: python\n" + LAUGHS)
    one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), root / "Pulumi.yaml",
                   f"aliases expand beyond {ALIAS_EXPANSION_LIMIT} nodes")


def test_a_billion_laughs_next_to_a_plan_does_not_hold_up_check(tmp_path: Path) -> None:
    """`check` reads the project's files only to point annotations at them: one it cannot read is passed over
    (quickly), the plan is still checked."""
    project(tmp_path, "config:\n  proj:regions: '[\"jp1\"]'\n" + LAUGHS,
            pulumi_yaml="name: proj\nruntime: python\nstackConfigDir: stacks\n" + LAUGHS)
    result, elapsed = check(tmp_path, plan(tmp_path, {}))
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert elapsed < QUICKLY


def test_any_alias_in_a_catalog_is_refused_naming_line_and_column(tmp_path: Path) -> None:
    text = default_catalog_text().replace("    source: ptc-av\n    evidence: seed\n",
                                          "    source: &av ptc-av\n    evidence: seed\n", 1)
    text = text.replace("    source: ptc-av\n", "    source: *av\n", 1)
    catalog = write(tmp_path / "catalog.yaml", text)
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "*av" in content)
    assert one_line_error(*run("catalog", "show", "--catalog", catalog), catalog) == (
        f"{catalog}: line {line}, column 13: alias *av is not allowed in catalog files; write the value out")


def test_a_few_aliases_in_a_stack_file_are_read_like_the_pulumi_cli(tmp_path: Path) -> None:
    from chalk_policy.preview import load_stack_config

    root = project(tmp_path, "config:\n  proj:base: &base {region: jp1, ports: [443, 3478]}\n"
                             "  proj:copy: *base\n  proj:merged: {<<: *base, region: us2}\n")
    config = load_stack_config(root, "dev")
    assert config.values["proj:copy"] == {"region": "jp1", "ports": [443, 3478]}
    assert config.values["proj:merged"] == {"region": "us2", "ports": [443, 3478]}


# --- YAML keys and nesting ------------------------------------------------------------------------------------------


def test_a_non_scalar_key_in_a_catalog_is_one_line(tmp_path: Path) -> None:
    catalog = write(tmp_path / "catalog.yaml", "schema: 1\n? [a, b]\n: 1\n")
    assert one_line_error(*run("catalog", "show", "--catalog", catalog), catalog) == (
        f"{catalog}: line 2, column 3: a key must be a plain value (a string or a number), not a list")


def test_a_non_scalar_key_in_a_stack_file_is_one_line(tmp_path: Path) -> None:
    root = project(tmp_path, "config:\n  ? {proj:a: 1}\n  : 2\n")
    one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), root / "stacks" / "Pulumi.dev.yaml",
                   "line 2, column 5: a key must be a plain value (a string or a number), not a mapping")


def test_deep_yaml_nesting_in_a_catalog_is_one_line(tmp_path: Path) -> None:
    catalog = write(tmp_path / "catalog.yaml", "schema: 1\ngaps: " + "[" * 990 + "]" * 990 + "\n")
    one_line_error(*run("catalog", "show", "--catalog", catalog), catalog,
                   f"line 2, column {6 + CONFIG_MAX_DEPTH}: nested deeper than {CONFIG_MAX_DEPTH} levels")


def test_deep_yaml_nesting_in_a_stack_file_is_one_line(tmp_path: Path) -> None:
    block = "".join(f"{'  ' * level}- \n" for level in range(1, 200)).replace("- \n", "-\n")
    root = project(tmp_path, "config:\n  proj:deep:\n" + block)
    one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), root / "stacks" / "Pulumi.dev.yaml",
                   f"nested deeper than {CONFIG_MAX_DEPTH} levels")


def test_a_key_set_twice_in_a_stack_file_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, "config:\n  proj:regions: '[\"jp1\"]'\n  proj:option: 2\n  aws:region: eu-west-1\n"
                             "  proj:encryption: standard\n  proj:awsRulesPerGroup: 60\n  proj:option: 3\n")
    stack_file = root / "stacks" / "Pulumi.dev.yaml"
    assert one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), stack_file) == (
        f"{stack_file}: line 7, column 3: key 'proj:option' is set twice (first at line 3)")


# --- encodings ------------------------------------------------------------------------------------------------------


def test_a_stack_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    root = project(tmp_path, b"config:\n  proj:name: caf\xe9\n")
    stack_file = root / "stacks" / "Pulumi.dev.yaml"
    assert one_line_error(*run("preview", "--stack", "dev", "--project-dir", root), stack_file) == (
        f"{stack_file}: not UTF-8 text at byte 24")


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    from chalk_policy.preview import load_stack_config

    root = project(tmp_path, b"\xef\xbb\xbfconfig:\n  proj:option: 2\n")
    assert load_stack_config(root, "dev").values["proj:option"] == 2


def test_a_catalog_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    catalog = write(tmp_path / "catalog.yaml", b"schema: 1\n# \x80\n")
    assert one_line_error(*run("catalog", "show", "--catalog", catalog), catalog) == (
        f"{catalog}: not UTF-8 text at byte 12")


# --- JSON: plans and policy configs -------------------------------------------------------------------------------


def test_990_levels_inside_a_resources_inputs_are_one_line(tmp_path: Path) -> None:
    document = plan(tmp_path, {"tags": nested(990)})
    message = one_line_error(*check(tmp_path, document), document)
    column = document.read_text().index('"tags": ') + len('"tags": ') + len('{"a": ') * (PLAN_MAX_DEPTH - 5) + 1
    assert message == (f"{document}: line 1, column {column}: nested deeper than {PLAN_MAX_DEPTH} levels (lists and "
                       "objects inside each other); that is not a document of ours")


def test_a_plan_nested_to_the_limit_is_checked_without_recursion_errors(tmp_path: Path) -> None:
    """The deepest plan the limit admits (200 levels, a secret's plaintext 32 more at the bottom) goes through every
    recursive walk of `check` (reading, opening secrets, the policies' property walks)."""
    deepest = plan(tmp_path, {"tags": nested(PLAN_MAX_DEPTH - 6, secret(nested(PLAINTEXT_MAX_DEPTH)))})
    for fmt in ("text", "json", "sarif"):
        result, _ = check(tmp_path, deepest, "--format", fmt)
        assert result.exit_code in (0, 1), (result.output, result.exception)
        assert "Traceback" not in result.output

    too_deep = plan(tmp_path, {"tags": nested(PLAN_MAX_DEPTH - 4)}, "too-deep.json")
    one_line_error(*check(tmp_path, too_deep), too_deep, f"nested deeper than {PLAN_MAX_DEPTH} levels")
    deep_secret = plan(tmp_path, {"password": secret(nested(PLAINTEXT_MAX_DEPTH + 1))}, "deep-secret.json")
    one_line_error(*check(tmp_path, deep_secret), deep_secret,
                   f"a secret's plaintext is nested deeper than {PLAINTEXT_MAX_DEPTH} levels")


def test_json_nested_in_a_plans_config_string_is_bounded_too(tmp_path: Path) -> None:
    """Config values are JSON in strings (the engine's form): the policies parse `<project>:regions`."""
    document = json.loads(plan(tmp_path, {}).read_text())
    document["config"] = {"proj:regions": "[" * 990 + "]" * 990}
    deep = write(tmp_path / "deep-config.json", json.dumps(document))
    assert one_line_error(*check(tmp_path, deep), deep) == (
        f"{deep}: preview: config 'proj:regions': its value nests deeper than {CONFIG_MAX_DEPTH} levels (lists and "
        "objects inside each other)")


def test_a_plan_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAN_MAX_MB_ENV, raising=False)
    huge = tmp_path / "plan.json"
    with huge.open("wb") as file:  # sparse: 700 MB that take no disk and are never read
        file.truncate(700 * MB)
    assert one_line_error(*check(tmp_path, huge), huge) == (
        f"{huge}: the file is 700 MB, over the 512 MB limit for plan documents; set {PLAN_MAX_MB_ENV} (megabytes) to "
        "raise it")


def test_the_plan_size_limit_is_set_by_the_environment(tmp_path: Path) -> None:
    document = plan(tmp_path, {"description": json.dumps("x" * 2000)})
    size = document.stat().st_size
    message = one_line_error(*check(tmp_path, document, env={PLAN_MAX_MB_ENV: "0.001"}), document)
    assert message == (f"{document}: the file is {size:,} bytes, over the 1,048 bytes limit for plan documents; set "
                       f"{PLAN_MAX_MB_ENV} (megabytes) to raise it")
    result, _ = check(tmp_path, document, env={PLAN_MAX_MB_ENV: "1"})
    assert result.exit_code in (0, 1), result.output
    one_line_error(*check(tmp_path, document, env={PLAN_MAX_MB_ENV: "lots"}), document,
                   f"{PLAN_MAX_MB_ENV}='lots' is not a positive number of megabytes")


def test_a_policy_config_with_a_key_set_twice_or_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    document = plan(tmp_path, {})
    twice = write(tmp_path / "policy.json", '{"chalk-media-egress-required": "advisory", '
                                            '"chalk-media-egress-required": "disabled"}')
    assert one_line_error(*check(tmp_path, document, "--policy-config", twice), twice) == (
        f"--policy-config: {twice}: key 'chalk-media-egress-required' is set twice in one object")
    deep = write(tmp_path / "deep.json", '{"chalk-media-egress-required": ' + nested(990) + "}")
    one_line_error(*check(tmp_path, document, "--policy-config", deep), deep,
                   f"nested deeper than {CONFIG_MAX_DEPTH} levels")
    latin1 = write(tmp_path / "latin1.json", b'{"caf\xe9": 1}')
    assert one_line_error(*check(tmp_path, document, "--policy-config", latin1), latin1) == (
        f"--policy-config: {latin1}: not a JSON document (not UTF-8 text at byte 5)")


def test_the_real_process_refuses_a_billion_laughs_in_a_catalog(tmp_path: Path) -> None:
    """The installed command, in its own process (a hang fails the test instead of stalling the suite)."""
    catalog = write(tmp_path / "catalog.yaml", default_catalog_text() + LAUGHS)
    command = Path(sys.executable).with_name("chalk-policy")
    result = subprocess.run([str(command), "plan", "--regions", "jp1", "--catalog", str(catalog)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"chalk-policy: error: {catalog}: line ")
