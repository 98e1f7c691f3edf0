"""The stack config loader against the Pulumi CLI's rules (pkg/workspace/config.go mergeConfig,
sdk/go/common/workspace/project.go Validate/ValidateConfigValue, sdk/go/common/resource/config)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from preview_kit import make_project, write

from chalk_policy.preview import StackConfigError, load_stack_config
from chalk_policy.text import show

BASE = """\
name: proj
runtime: python
stackConfigDir: stacks
config:
{decls}
"""


def project_with(tmp_path: Path, decls: str, stack: str, name: str = "dev") -> Path:
    body = "\n".join("  " + line for line in decls.strip("\n").splitlines())
    return make_project(tmp_path, BASE.format(decls=body), {name: stack}, program=None)


def load_error(root: Path, stack: str = "dev", overrides: dict[str, str] | None = None) -> str:
    with pytest.raises(StackConfigError) as info:
        load_stack_config(root, stack, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- merging ---------------------------------------------------------------------------------------------


def test_defaults_shorthand_and_stack_values_merge_like_the_cli(project: Path) -> None:
    config = load_stack_config(project, "dev")
    assert (config.project, config.stack) == ("tiny", "dev")
    assert config.stack_file == project / "stacks" / "Pulumi.dev.yaml"
    assert dict(config.values) == {
        "aws:region": "eu-west-1",                        # namespaced shorthand -> a value
        "tiny:awsRulesPerGroup": 60,                      # project shorthand -> a default
        "tiny:cidrs": ["10.0.0.0/8", "172.16.0.0/12"],    # the stack wins over the default
        "tiny:failWith": "",
        "tiny:port": 443,                                 # typed default
        "tiny:vpcId": "vpc-123",
    }
    # As the engine hands them to the program: strings, structured values as compact JSON.
    assert config.config["tiny:cidrs"] == '["10.0.0.0/8","172.16.0.0/12"]'
    assert config.config["tiny:port"] == "443"
    assert config.config["tiny:awsRulesPerGroup"] == "60"
    assert config.secret_keys == ()
    assert config.get("port") == 443 and config.get("aws:region") == "eu-west-1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.stack = "prod"  # type: ignore[misc]


def test_stack_values_override_namespaced_values_and_scalars_become_engine_strings(tmp_path: Path) -> None:
    root = project_with(tmp_path, "aws:region: eu-west-1\nflag: {type: boolean, default: false}\nratio: 2",
                        "config:\n  aws:region: us-west-2\n  proj:flag: true\n  proj:other: 1.0\n"
                        "  proj:map: {b: 1, a: [x, 2.5]}\n  proj:config:legacy: old-form")
    config = load_stack_config(root, "dev")
    assert config.values["aws:region"] == "us-west-2"
    assert config.config["proj:flag"] == "true"          # booleans as JSON text, not Python's "True"
    assert config.config["proj:ratio"] == "2"
    assert config.config["proj:other"] == "1"            # Go's JSON prints a whole float without ".0"
    assert config.config["proj:map"] == '{"a":["x",2.5],"b":1}'
    assert config.values["proj:legacy"] == "old-form"    # <ns>:config:<name> is the old spelling of <ns>:<name>


def test_yaml_is_read_like_go_yaml_v3_not_yaml_1_1(tmp_path: Path) -> None:
    root = project_with(tmp_path, "name: {type: string}",
                        "config:\n  proj:name: yes\n  proj:when: 2024-01-02\n  proj:time: 1:30\n  proj:zip: 0123")
    config = load_stack_config(root, "dev")
    assert config.values["proj:name"] == "yes"           # PyYAML's YAML 1.1 would make this True
    assert config.config["proj:when"] == "2024-01-02"
    assert config.config["proj:time"] == "1:30"          # YAML 1.1 sexagesimal would make this 90
    assert config.config["proj:zip"] == "123"


# --- types (ValidateConfigValue) -------------------------------------------------------------------------


@pytest.mark.parametrize(("decl", "value"), [
    ("{type: integer}", "8443"),
    ("{type: integer}", "'8443'"),           # a digit string is an integer
    ("{type: integer}", "8443.0"),           # a whole float is an integer
    ("{type: integer}", "-5"),
    ("{type: string}", "443"),               # scalars reach validation as their string form
    ("{type: boolean}", "true"),
    ("{type: boolean}", "'false'"),
    ("{type: array, items: {type: integer}}", "[443, '3478', 5349.0]"),
    ("{type: array, items: {type: array, items: {type: string}}}", "[[a, b], []]"),
    ("{type: object}", "{a: 1}"),
])
def test_values_that_fit_their_type(tmp_path: Path, decl: str, value: str) -> None:
    root = project_with(tmp_path, f"key: {decl}", f"config:\n  proj:key: {value}")
    assert "proj:key" in load_stack_config(root, "dev").values


@pytest.mark.parametrize(("decl", "value", "type_name"), [
    ("{type: integer}", "1.5", "integer"),
    ("{type: integer}", "'12a'", "integer"),
    ("{type: integer}", "' 12'", "integer"),
    ("{type: boolean}", "yes", "boolean"),
    ("{type: boolean}", "'True'", "boolean"),
    ("{type: string}", "[a]", "string"),
    ("{type: array, items: {type: integer}}", "[443, x]", "array<integer>"),
    ("{type: array, items: {type: string}}", "a,b", "array<string>"),
    ("{type: array, items: {type: string}}", "[1]", "array<string>"),
    ("{type: object}", "[1]", "object"),
])
def test_wrong_type_is_one_line_naming_file_key_and_type(tmp_path: Path, decl: str, value: str,
                                                         type_name: str) -> None:
    root = project_with(tmp_path, f"key: {decl}", f"config:\n  proj:key: {value}")
    message = load_error(root)
    assert message.startswith(f"{root / 'stacks' / 'Pulumi.dev.yaml'}: Stack 'dev' with configuration key 'key' "
                              f"must be of type '{type_name}'")


def test_missing_required_keys_use_the_cli_message(tmp_path: Path) -> None:
    decls = "b: {type: string}\na: {type: array, items: {type: string}}\nc: {description: \"untyped, no default\"}\n" \
            "d: {type: string, default: x}\nother:ns: {value: 1}"
    root = project_with(tmp_path, decls, "config: {}")
    assert load_error(root) == (f"{root / 'stacks' / 'Pulumi.dev.yaml'}: Stack 'dev' is missing configuration values "
                                "'a', 'b' and 'c'")
    root = project_with(tmp_path / "one", "a: {type: string}", "config: {}")
    assert load_error(root).endswith("Stack 'dev' is missing configuration value 'a'")


def test_project_declarations_are_validated(tmp_path: Path) -> None:
    cases = {
        "a: {type: array}": "declares an array but does not specify the underlying type via the 'items' attribute",
        "a: {type: integer, default: x}": "The default value specified for configuration key 'a' is not of the "
                                          "expected type 'integer'",
        "aws:region: {default: us-east-1}": "Configuration key 'aws:region' is not namespaced by the project and "
                                            "should not define a default value",
        "aws:region: {type: string, value: x}": "is not namespaced by the project and should not define a type",
        "aws:region: {description: x}": "Configuration key 'aws:region' is namespaced and must provide an "
                                        "attribute 'value'",
        "a: {default: 1, value: 2}": "cannot have both a 'default' and 'value' attribute",
        "a: {type: float}": "type: 'float' is not a config type",
        "a: {type: string, required: true}": "'required' not allowed",
    }
    for index, (decl, expected) in enumerate(cases.items()):
        root = project_with(tmp_path / str(index), decl, "config: {}")
        message = load_error(root)
        assert message.startswith(str(root / "Pulumi.yaml")), message
        assert expected in message, message


# --- secrets ---------------------------------------------------------------------------------------------


def test_secure_value_cannot_be_decrypted_offline_and_can_be_overridden(tmp_path: Path) -> None:
    root = project_with(tmp_path, "token: {type: string}\nport: {type: integer}",
                        "encryptionsalt: v1:abc\nconfig:\n  proj:token:\n    secure: v1:AAAA\n  proj:port: 443")
    message = load_error(root)
    assert str(root / "stacks" / "Pulumi.dev.yaml") in message
    assert "proj:token" in message and "can't be decrypted offline" in message
    assert "--config proj:token=VALUE" in message

    config = load_stack_config(root, "dev", {"token": "s3cr3t"})
    assert config.config["proj:token"] == "s3cr3t"
    assert config.secret_keys == ("proj:token",)
    assert config.overridden == ("proj:token",)


def test_nested_secure_value_is_reported_too(tmp_path: Path) -> None:
    root = project_with(tmp_path, "db: {type: object}", "config:\n  proj:db:\n    user: u\n    password: {secure: x}")
    assert "proj:db" in load_error(root)


def test_secret_declaration_requires_an_encrypted_stack_value(tmp_path: Path) -> None:
    root = project_with(tmp_path, "token: {type: string, secret: true}", "config:\n  proj:token: plain")
    assert load_error(root).endswith("Stack 'dev' with configuration key 'token' must be encrypted as it's secret")
    assert load_stack_config(root, "dev", {"proj:token": "x"}).secret_keys == ("proj:token",)


def test_overrides_parse_json_structures_and_are_type_checked(tmp_path: Path) -> None:
    root = project_with(tmp_path, "cidrs: {type: array, items: {type: string}}\nport: {type: integer}",
                        "config:\n  proj:cidrs: [10.0.0.0/8]\n  proj:port: 1")
    config = load_stack_config(root, "dev", {"cidrs": '["192.168.0.0/16"]', "proj:port": "8443"})
    assert config.values["proj:cidrs"] == ["192.168.0.0/16"]
    assert config.config["proj:port"] == "8443"
    message = load_error(root, overrides={"port": "x"})
    assert message.startswith("--config: Stack 'dev' with configuration key 'port' must be of type 'integer'")
    assert "could not parse a:b:c" in load_error(root, overrides={"a:b:c": "1"})


# --- files and names -------------------------------------------------------------------------------------


def test_unknown_stack_lists_the_available_stacks(project: Path) -> None:
    write(project / "stacks" / "Pulumi.prod.yaml", "config: {tiny:vpcId: vpc-9}")
    message = load_error(project, "staging")
    assert message == (f"{project / 'stacks' / 'Pulumi.staging.yaml'}: no such stack file for stack 'staging'; "
                       f"stacks in {project / 'stacks'}: dev, prod")


@pytest.mark.parametrize("name", ["", "a/b", "dev prod", "../dev", "x" * 101, "dév"])
def test_bad_stack_names(project: Path, name: str) -> None:
    assert f"stack name {show(name)} is not valid" in load_error(project, name)


def test_malformed_yaml_names_the_file_and_line(project: Path, tmp_path: Path) -> None:
    write(project / "stacks" / "Pulumi.bad.yaml", "config:\n  tiny:vpcId: [unclosed\n")
    message = load_error(project, "bad")
    assert message.startswith(f"{project / 'stacks' / 'Pulumi.bad.yaml'}: malformed YAML (line ")

    broken = make_project(tmp_path / "broken", "name: x\nruntime: python\nconfig: {a: [}\n", program=None)
    assert load_error(broken).startswith(f"{broken / 'Pulumi.yaml'}: malformed YAML (line 3")


def test_un_namespaced_key_in_a_stack_file_is_invalid_like_in_the_cli(project: Path) -> None:
    write(project / "stacks" / "Pulumi.flat.yaml", "config:\n  tiny:vpcId: vpc-1\n  vpcId: vpc-2\n")
    assert load_error(project, "flat") == (
        f"{project / 'stacks' / 'Pulumi.flat.yaml'}: config: could not parse vpcId as a configuration key "
        "(configuration keys should be of the form `<namespace>:<name>`)")


def test_missing_project_file_and_bad_project(tmp_path: Path) -> None:
    assert load_error(tmp_path).startswith(f"{tmp_path / 'Pulumi.yaml'}: no Pulumi project file")
    root = make_project(tmp_path / "noname", "runtime: python\n", program=None)
    assert "project is missing a non-empty string 'name' attribute" in load_error(root)
    root = make_project(tmp_path / "noruntime", "name: x\n", program=None)
    assert "project is missing a 'runtime' attribute" in load_error(root)


def test_stack_files_next_to_pulumi_yaml_without_stack_config_dir(tmp_path: Path) -> None:
    write(tmp_path / "Pulumi.yaml", "name: flat\nruntime: python\nconfig: {greeting: hello}\n")
    write(tmp_path / "Pulumi.dev.yaml", "config:\n  flat:greeting: hi\n")
    assert load_stack_config(tmp_path, "dev").values == {"flat:greeting": "hi"}
    write(tmp_path / "Pulumi.empty.yaml", "")
    assert load_stack_config(tmp_path, "empty").values == {"flat:greeting": "hello"}
