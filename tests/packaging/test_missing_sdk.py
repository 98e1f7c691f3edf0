"""An install without a cloud's extra (``pip install 'chalk-policy[aws]'`` has no pulumi-azure-native): the other
cloud's components import without it, and using a cloud whose provider SDK is missing is one line naming the extra
to install, never a traceback. The missing SDK is simulated: ``sys.modules[name] = None`` makes ``import name`` raise
ModuleNotFoundError, as an absent package does, and ``importlib.util.find_spec(name)`` return None."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pytest
from click.testing import CliRunner

import chalk_policy.components as components
from chalk_policy.cli.main import cli
from chalk_policy.components import MissingSdkError
from chalk_policy.components.program import EngineStrings, ProgramConfigError, read_settings

ROOT = Path(__file__).resolve().parents[2]
SDK_MODULES = {"aws": "pulumi_aws", "azure": "pulumi_azure_native"}
COMPONENT_MODULES = {"aws": ("chalk_policy.components.aws", "chalk_policy.components.proxy"),
                     "azure": ("chalk_policy.components.azure",)}


def without_sdk(monkeypatch: pytest.MonkeyPatch, cloud: str) -> None:
    """From here to the end of the test, the cloud's provider SDK is not installed (and the components that import it
    were never imported)."""
    sdk = SDK_MODULES[cloud]
    for name in [name for name in sys.modules if name == sdk or name.startswith(f"{sdk}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, sdk, None)
    for module in COMPONENT_MODULES[cloud]:
        monkeypatch.delitem(sys.modules, module, raising=False)
    for name, module in components._MODULE_OF.items():
        if f"chalk_policy.components.{module}" in COMPONENT_MODULES[cloud]:
            monkeypatch.delitem(vars(components), name, raising=False)  # the package caches the names it imported


@pytest.mark.parametrize(("name", "cloud", "distribution"), [
    ("ChalkAzureEgress", "azure", "pulumi-azure-native"),
    ("ChalkAzureEgressArgs", "azure", "pulumi-azure-native"),
    ("ChalkAwsEgress", "aws", "pulumi-aws"),
    ("ChalkSquidProxy", "aws", "pulumi-aws"),
])
def test_a_component_without_its_sdk_is_one_line_naming_the_extra(monkeypatch: pytest.MonkeyPatch, name: str,
                                                                  cloud: str, distribution: str) -> None:
    without_sdk(monkeypatch, cloud)

    with pytest.raises(MissingSdkError) as caught:
        exec(f"from chalk_policy.components import {name}", {})

    assert str(caught.value) == (f"{name} needs {distribution}, which is not installed; install chalk-policy with the "
                                 f"{cloud} extra: pip install 'chalk-policy[{cloud}]' (or 'chalk-policy[all]')")
    # an import error for code that catches those, and a RunError: the engine shows the message alone, no traceback
    assert isinstance(caught.value, ModuleNotFoundError)
    assert isinstance(caught.value, pulumi.RunError)
    assert caught.value.name == SDK_MODULES[cloud]
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_other_import_errors_are_not_reported_as_a_missing_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    without_sdk(monkeypatch, "azure")
    monkeypatch.setitem(sys.modules, "pulumi_azure_native", sys.modules["pulumi"])  # present again...
    monkeypatch.setitem(sys.modules, "chalk_policy.planning.intent", None)  # ...but one of ours is broken

    with pytest.raises(ModuleNotFoundError) as caught:
        exec("from chalk_policy.components import ChalkAzureEgress", {})

    assert not isinstance(caught.value, MissingSdkError)


def test_the_aws_components_import_without_azure_native() -> None:
    """In a fresh interpreter, so that nothing imported earlier hides an import of pulumi_azure_native."""
    script = textwrap.dedent("""
        import sys
        sys.modules["pulumi_azure_native"] = None
        from chalk_policy.components import ChalkAwsEgress, ChalkAwsEgressArgs, ChalkSquidProxy, SignalingMode
        from chalk_policy.components.program import read_settings
        print(" ".join(sorted(name for name, module in sys.modules.items() if module is not None)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert {"chalk_policy.components.aws", "chalk_policy.components.proxy", "pulumi_aws"} <= modules
    assert [name for name in modules if "azure" in name] == []


@pytest.mark.parametrize(("clouds", "cloud", "distribution"), [
    ('["aws", "azure"]', "azure", "pulumi-azure-native"),
    ('["azure"]', "azure", "pulumi-azure-native"),
    ('["aws"]', "aws", "pulumi-aws"),
])
def test_a_stack_whose_clouds_need_a_missing_sdk_is_one_config_error(monkeypatch: pytest.MonkeyPatch, clouds: str,
                                                                     cloud: str, distribution: str) -> None:
    without_sdk(monkeypatch, cloud)
    config = EngineStrings({"chalk-network:regions": '["jp1"]', "chalk-network:clouds": clouds,
                            "chalk-network:awsVpcId": "vpc-0a1b2c3d4e5f60718",
                            "chalk-network:azureResourceGroup": "rg-chalk",
                            "chalk-network:azureLocation": "westeurope"})

    with pytest.raises(ProgramConfigError) as caught:
        read_settings(config, ROOT)

    assert caught.value.key == "clouds"
    assert str(caught.value) == (f"clouds: {cloud} needs {distribution}, which is not installed; install chalk-policy "
                                 f"with the {cloud} extra: pip install 'chalk-policy[{cloud}]' (or "
                                 f"'chalk-policy[all]'), or leave {cloud} out of clouds")


def test_a_stack_of_installed_clouds_reads_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    without_sdk(monkeypatch, "azure")
    config = EngineStrings({"chalk-network:regions": '["jp1"]', "chalk-network:awsVpcId": "vpc-0a1b2c3d4e5f60718"})

    assert read_settings(config, ROOT).clouds == ("aws",)


def test_preview_of_a_stack_that_needs_a_missing_sdk_is_exit_2_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    without_sdk(monkeypatch, "azure")

    result = CliRunner().invoke(cli, ["preview", "--stack", "prod", "--project-dir", str(ROOT)])

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (f"chalk-policy: error: {ROOT / 'stacks' / 'Pulumi.prod.yaml'}: clouds: azure needs "
                             "pulumi-azure-native, which is not installed; install chalk-policy with the azure extra: "
                             "pip install 'chalk-policy[azure]' (or 'chalk-policy[all]'), or leave azure out of "
                             "clouds\n")
