"""The chalk-network program (root __main__.py) under mocks, with each stack's config as the CLI would pass it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalk_mocks import EGRESS, INGRESS, PROJECT_DIR, SG, Engine, load_stack_config, run_program

from chalk_policy.components import ComponentInputError
from chalk_policy.components.program import DEFAULTS, ProgramConfigError, parse_settings

STACKS = sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml")
                for path in (PROJECT_DIR / "stacks").glob("Pulumi.*.yaml"))
ALL = ["au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"]
ARN = "arn:aws:network-firewall:us-west-2:123456789012"
NETWORK_FIREWALL_EXPORTS = {
    "firewallPolicyArn": f"{ARN}:firewall-policy/chalk-firewall-policy",
    "ruleGroupArns": [f"{ARN}:stateful-rulegroup/chalk-signaling-hosts", f"{ARN}:stateful-rulegroup/chalk-media"],
    "catalogVersion": "2026112501",
    "securityGroupIds": ["chalk-sg-1-id", "chalk-sg-2-id"],
}
EXPECTED = {
    "dev": {**NETWORK_FIREWALL_EXPORTS, "ruleCounts": {"chalk-sg-1": 10, "chalk-sg-2": 9}, "regions": ["jp1", "us2"]},
    "prod": {**NETWORK_FIREWALL_EXPORTS, "ruleCounts": {"chalk-sg-1": 59, "chalk-sg-2": 30}, "regions": ALL},
}


def stack_file(stack: str) -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]


def test_the_expected_stacks_exist() -> None:
    assert STACKS == ["dev", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_program_runs_each_stack(engine: Engine, stack: str) -> None:
    run = run_program(engine, stack)
    assert run.exports == EXPECTED[stack]
    config = stack_file(stack)
    for group in run.of(SG):
        assert group.inputs["vpcId"] == config["chalk-network:awsVpcId"]
        assert config["chalk-network:tags"].items() <= group.inputs["tags"].items()


def test_dev_is_standard_encryption_with_network_firewall(engine: Engine) -> None:
    run = run_program(engine, "dev")
    assert not run.of(INGRESS)
    assert len(run.of(EGRESS)) == 19
    assert stack_file("dev")["aws:region"] == "us-west-2"


def test_prod_is_every_region_with_e2ee(engine: Engine) -> None:
    run = run_program(engine, "prod")
    assert [call.name for call in run.of(INGRESS)] == ["chalk-peer-ingress-udp-1024-65535"]
    assert len(run.of(EGRESS)) == 87 + 1 + 1
    assert stack_file("prod")["aws:region"] == "us-east-1"


def test_config_overrides_reach_the_component(engine: Engine) -> None:
    run = run_program(engine, "dev", {
        "chalk-network:option": "3",
        "chalk-network:awsSignaling": "proxy",
        "chalk-network:awsProxySecurityGroupId": "sg-0123456789abcdef0",
        "chalk-network:awsRulesPerGroup": "100",
    })
    names = {call.name for call in run.of(EGRESS)}
    assert "chalk-egress-tcp-3128-proxy" in names and "chalk-egress-tcp-5349-13.115.244.0-27" in names
    assert run.exports["firewallPolicyArn"] is None and run.exports["ruleGroupArns"] == []
    assert run.exports["ruleCounts"] == {"chalk-sg-1": 19}


def test_catalog_overlay_path_is_read(engine: Engine, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"overlay": 1, "version": "2026120101", "regions": [
        {"id": "jp1", "add_cidrs": [{"cidr": "13.115.245.0/27", "source": "ptc-av", "evidence": "retrieved"}]}]}))
    run = run_program(engine, "dev", {"chalk-network:catalogOverlay": str(overlay)})
    assert run.exports["catalogVersion"] == "2026120101"
    assert "chalk-egress-udp-443-13.115.245.0-27" in {call.name for call in run.of(EGRESS)}


PROGRAM_ERRORS = {
    "azure not yet": ({"chalk-network:clouds": '["aws", "azure"]'}, ProgramConfigError,
                      "clouds: 'azure' not available in this program yet; allowed: aws"),
    "no clouds": ({"chalk-network:clouds": "[]"}, ProgramConfigError,
                  "clouds: [] is not a list of clouds; allowed: aws"),
    "no vpc": ({"chalk-network:awsVpcId": ""}, ProgramConfigError,
               "awsVpcId: required when clouds includes aws; allowed: the VPC id of the Chalk clients, "
               "e.g. vpc-0a1b2c3d4e5f60718"),
    "bad vpc": ({"chalk-network:awsVpcId": "vpc-xyz"}, ComponentInputError,
                "vpc_id: 'vpc-xyz' is not a VPC id; allowed: vpc- and 8 or 17 lower-case hex digits, "
                "e.g. vpc-0a1b2c3d4e5f60718"),
    "bad signaling": ({"chalk-network:awsSignaling": "squid"}, ComponentInputError,
                      "signaling: 'squid' is not a signaling mode; allowed: network-firewall, open-443, proxy"),
    "unknown region": ({"chalk-network:regions": '["jp1", "mars1"]'}, ComponentInputError,
                       "regions: unknown region mars1; allowed: all or any of " + ", ".join(ALL)),
    "bad tags": ({"chalk-network:tags": '{"owner": 1}'}, ProgramConfigError,
                 "tags: {'owner': 1} is not a tag map; allowed: an object of string keys and values"),
}


@pytest.mark.parametrize("case", list(PROGRAM_ERRORS))
def test_bad_stack_config_fails_with_a_clear_message(engine: Engine, case: str) -> None:
    overrides, error, message = PROGRAM_ERRORS[case]
    with pytest.raises(error) as raised:
        run_program(engine, "dev", overrides)
    assert str(raised.value) == message


# --- Pulumi.yaml and the program agree ----------------------------------------------------------------


def test_pulumi_yaml_declares_exactly_the_keys_the_program_reads() -> None:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    assert project["name"] == "chalk-network"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert project["stackConfigDir"] == "stacks"
    declared = project["config"]
    assert set(declared) == {"regions", *DEFAULTS}
    assert "default" not in declared["regions"]  # required
    assert {key: decl["default"] for key, decl in declared.items() if "default" in decl} == dict(DEFAULTS)
    for key, decl in declared.items():
        assert decl["type"] in ("string", "integer", "array", "object") and decl["description"], key
        assert decl["type"] != "array" or decl["items"] == {"type": "string"}, key


def test_stack_files_set_only_declared_keys() -> None:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    for stack in STACKS:
        keys = set(stack_file(stack))
        own = {key.removeprefix("chalk-network:") for key in keys if key.startswith("chalk-network:")}
        assert own <= set(project["config"]), stack
        assert keys - {f"chalk-network:{key}" for key in own} == {"aws:region"}, stack


def test_loader_applies_defaults_and_rejects_a_missing_required_key(tmp_path: Path) -> None:
    _, config = load_stack_config("dev")
    assert config["chalk-network:awsSignaling"] == "network-firewall"
    assert json.loads(config["chalk-network:regions"]) == ["jp1", "us2"]
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "stacks" / "Pulumi.empty.yaml").write_text("config: {}\n")
    with pytest.raises(ValueError, match=r"^Stack 'empty' is missing configuration values: regions$"):
        load_stack_config("empty", tmp_path)


def test_parse_settings_resolves_the_overlay_against_the_project_dir() -> None:
    settings = parse_settings({"regions": ["jp1"], "awsVpcId": "vpc-0a1b2c3d", "catalogOverlay": "overlays/x.yaml"},
                              "/srv/chalk-network")
    assert settings.catalog_overlay == "/srv/chalk-network/overlays/x.yaml"
    assert settings.aws_proxy_security_group_id is None
    args = settings.aws_args()
    assert (args.regions, args.option, args.encryption, args.signaling, args.rules_per_group) == (
        ("jp1",), 1, "standard", "network-firewall", 60)
    with pytest.raises(ProgramConfigError) as raised:
        parse_settings({}, "/srv")
    assert str(raised.value) == "regions: required; allowed: a list of Chalk region ids, or [all]"
