"""The `chalk` component provider (provider/) and the programs of examples/ under the real engine (issue 16): the
schema `pulumi package get-schema` prints is sdk/schema.json; the YAML and TypeScript examples, which use
chalk:index:ChalkAwsEgress and chalk:index:ChalkAzureEgress, preview and pass the chalk-media pack, and fail it when
the organisation requires a region they lack; a wrong input is one line naming it as the program wrote it; the Go and
TypeScript SDKs generated from the schema compile.

Every test copies what it runs, byte for byte, into its temp dir in the repository's layout (provider/,
examples/<name>/ and a .venv link to the repository's virtualenv, which the provider runs in and our Python host never
modifies), so the examples' relative paths (`../../provider`) are the ones a user has.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from engine_kit import PACK, REPO, TRACEBACK, Run, Workspace, new_workspace
from test_language_hosts import NPM_ENV, go_module_for, require, run, scratch

EXAMPLES = REPO / "examples"
COMPONENTS = ("chalk:index:ChalkAwsEgress awsEgress", "chalk:index:ChalkAzureEgress azureEgress")
# Resources the components create for de1 and ie1, option 2: one per kind, named after what it is.
CHILDREN = ("aws:vpc:SecurityGroupEgressRule awsEgress-egress-udp-3478-18.156.18.128-25",
            "aws:networkfirewall:FirewallPolicy awsEgress-firewall-policy",
            "azure-native:network:NetworkSecurityGroup azureEgress-nsg",
            "azure-native:network:FirewallPolicyRuleCollectionGroup azureEgress-rule-collection-group")
REQUIRES_JP1 = {"chalk-media-egress-required": {"regions": ["de1", "ie1", "jp1"], "option": 2}}


@dataclass
class Layout:
    """A copy of the repository's provider/ beside a .venv link, where examples are copied next."""

    root: Path
    engine: Path

    @property
    def provider(self) -> Path:
        return self.root / "provider"

    def example(self, name: str, tmp_path: Path) -> Workspace:
        """examples/<name> at root/examples/<name>, with its own backend and PULUMI_HOME (in tmp_path), stack dev."""
        project = self.root / "examples" / f"{name}-{tmp_path.name}"
        workspace = new_workspace(tmp_path, self.engine, EXAMPLES / name)
        shutil.move(workspace.project, project)
        workspace.project = project
        workspace.extra_env.update(NPM_ENV)
        return workspace


@pytest.fixture(scope="session")
def layout(engine: Path, tmp_path_factory: pytest.TempPathFactory) -> Layout:
    root = tmp_path_factory.mktemp("chalk-repo")
    shutil.copytree(REPO / "provider", root / "provider", ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "examples").mkdir()
    return Layout(root, engine)


def test_get_schema_of_the_provider_is_sdk_schema_json(layout: Layout, tmp_path: Path) -> None:
    get_schema = scratch(tmp_path, layout.engine).pulumi("package", "get-schema", str(layout.provider), check=True)
    assert get_schema.json() == json.loads((REPO / "sdk" / "schema.json").read_text(encoding="utf-8")), \
        "the engine's schema differs from sdk/schema.json: run `make schema`"


def assert_passes_the_pack(preview: Run) -> None:
    assert preview.returncode == 0, preview.output
    for resource in (*COMPONENTS, *CHILDREN):
        assert re.search(rf"\+\s+{re.escape(resource)} create", preview.output), (resource, preview.output)
    assert "chalk-media@v0.1.0" in preview.output and "mandatory" not in preview.output, preview.output
    assert TRACEBACK not in preview.output


def assert_fails_for_jp1(workspace: Workspace, tmp_path: Path) -> None:
    """The broken variant: the organisation requires jp1 too (policy config), the components lack it."""
    config = tmp_path / "chalk-media.json"
    config.write_text(json.dumps(REQUIRES_JP1))
    preview = workspace.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config))
    assert preview.returncode != 0, preview.output
    output = " ".join(preview.output.split())
    for component in ("ChalkAwsEgress 'awsEgress'", "ChalkAzureEgress 'azureEgress'"):
        assert f"The policy config requires regions de1, ie1, jp1 (option 2, standard), but {component} (regions " \
               "de1, ie1; option 2; standard) was asked for less: it lacks region jp1" in output, preview.output
    assert "18.180.220.128/25" in output, preview.output  # a jp1 media range the rules lack
    assert TRACEBACK not in preview.output


def test_yaml_example_passes_the_pack(layout: Layout, tmp_path: Path) -> None:
    workspace = layout.example("yaml", tmp_path)
    workspace.pulumi("stack", "init", "dev", check=True)
    assert_passes_the_pack(workspace.pulumi("preview", "--policy-pack", str(PACK)))
    assert_fails_for_jp1(workspace, tmp_path)


def test_yaml_example_with_a_wrong_vpc_id_is_one_line_naming_vpcId(layout: Layout, tmp_path: Path) -> None:
    workspace = layout.example("yaml", tmp_path)
    project_file = workspace.project / "Pulumi.yaml"
    text = project_file.read_text()
    project_file.write_text(text.replace("vpcId: vpc-0a1b2c3d4e5f60718", "vpcId: vpc-12"))
    workspace.pulumi("stack", "init", "dev", check=True)
    preview = workspace.pulumi("preview")
    assert preview.returncode != 0, preview.output
    assert "chalk:index:ChalkAwsEgress resource 'awsEgress' has a problem: vpcId: 'vpc-12' is not a VPC id; " \
           "allowed: vpc- and 8 or 17 lower-case hex digits" in preview.output, preview.output
    assert "vpc_id" not in preview.output and TRACEBACK not in preview.output and "Unexpected" not in preview.output


def test_typescript_example_passes_the_pack_and_type_checks(layout: Layout, tmp_path: Path) -> None:
    require("node", "npm")
    workspace = layout.example("typescript", tmp_path)
    (workspace.project / ".venv").unlink()  # linked by new_workspace; a Node.js program has no use for it
    committed = {name: (workspace.project / name).read_text() for name in ("package.json", "Pulumi.yaml")}
    # Generates sdks/chalk from the provider's schema, links it as @pulumi/chalk and runs npm install.
    workspace.pulumi("package", "add", str(Path("..", "..", "provider")), check=True)
    for name, load in (("package.json", json.loads), ("Pulumi.yaml", yaml.safe_load)):
        assert load((workspace.project / name).read_text()) == load(committed[name]), \
            f"pulumi package add changed examples/typescript/{name}: commit what it writes"
    # npm install ran the SDK's own build (its postinstall: tsc over the generated sources), which stops on an error.
    assert (workspace.project / "sdks" / "chalk" / "bin" / "chalkAwsEgress.d.ts").is_file()
    tsc = run([str(workspace.project / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", "."], workspace.project)
    assert tsc.returncode == 0, tsc.output
    workspace.pulumi("stack", "init", "dev", check=True)
    assert_passes_the_pack(workspace.pulumi("preview", "--policy-pack", str(PACK)))
    assert_fails_for_jp1(workspace, tmp_path)


def test_gen_sdk_go_of_the_schema_builds(engine: Path, tmp_path: Path) -> None:
    require("go")
    workspace = scratch(tmp_path, engine)
    out = tmp_path / "sdk"
    workspace.pulumi("package", "gen-sdk", str(REPO / "sdk" / "schema.json"), "--language", "go", "--out", str(out),
                     check=True)
    sdk = out / "go"
    assert "VpcId pulumi.StringInput" in (sdk / "chalk" / "chalkAwsEgress.go").read_text()
    assert "Regions []string" in (sdk / "chalk" / "chalkAwsEgress.go").read_text()  # plain: not an Input
    go_module_for(sdk, "example.com/pulumi-chalk/sdk/go")
    build = run(["go", "build", "-trimpath", "./..."], sdk, env={"GOFLAGS": "-mod=mod", "GOWORK": "off"})
    assert build.returncode == 0, build.output
