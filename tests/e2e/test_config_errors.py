"""Bad stack config under the real engine: the CLI's typed config check or the program's own error, as one clear
line that names the key and the allowed values, and never a Python traceback."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from engine_kit import TRACEBACK, Workspace

ENGINE_EXIT = "an unhandled error occurred: program exited with non-zero exit code: 1"


def errors(output: str) -> list[str]:
    return sorted({line.strip() for line in output.splitlines() if line.strip().startswith("error:")})


@pytest.mark.parametrize(("command", "expected"), [
    # The program's (the component's) check: pulumi.RunError, shown as the message alone.
    (("config", "set", "option", "4"), "error: option: 4 is not a port option; allowed: 1, 2, 3"),
    (("config", "set", "encryption", "e3ee"), "error: encryption: 'e3ee'"),
    (("config", "set", "--path", "regions[0]", "xx9"), "error: regions: unknown region xx9; allowed: all, or region "
     "ids au1, "),
    # The program loads the overlay itself: the components' CatalogError would be a traceback.
    (("config", "set", "catalogOverlay", "no-such-overlay.yaml"), "error: catalogOverlay: "),
    # The CLI's typed config check, from the types Pulumi.yaml declares.
    (("config", "set", "regions", "5"),
     "error: validating stack config: Stack 'dev' with configuration key 'regions' must be of type 'array<string>'"),
    (("config", "rm", "regions"), "error: validating stack config: Stack 'dev' is missing configuration value "
                                  "'regions'"),
    (("config", "set", "--path", "tags.owner", "--type", "int", "7"), "error: tags: "),
])
def test_bad_config_is_one_clear_error(chalk_network: Callable[[str], Workspace], command: tuple[str, ...],
                                       expected: str) -> None:
    workspace = chalk_network("dev")
    workspace.pulumi(*command, check=True)
    run = workspace.pulumi("preview")
    assert run.returncode != 0, run.output
    assert TRACEBACK not in run.output, run.output
    found = errors(run.output)
    assert any(line.startswith(expected) for line in found), run.output
    # Beside the message, at most the engine's own note that the program exited with an error.
    assert len([line for line in found if ENGINE_EXIT not in line]) == 1, found


def test_a_public_proxy_client_network_is_refused_unless_the_stack_opts_in(
        chalk_network: Callable[[str], Workspace]) -> None:
    workspace = chalk_network("proxy")
    workspace.pulumi("config", "set", "--path", "awsProxyClientCidrs[0]", "8.8.8.0/24", check=True)

    refused = workspace.pulumi("preview")
    workspace.pulumi("config", "set", "awsProxyAllowPublicClients", "true", check=True)
    allowed = workspace.pulumi("preview")

    assert refused.returncode != 0 and TRACEBACK not in refused.output, refused.output
    assert any(line.startswith("error: client_cidrs: '8.8.8.0/24' holds public addresses") and
               "public clients only with allow_public_clients: true" in line
               for line in errors(refused.output)), refused.output
    assert allowed.returncode == 0, allowed.output
    assert "allow_public_clients: public client networks 8.8.8.0/24 may use this proxy" in allowed.output


def test_stack_regions_by_name_and_country(chalk_network: Callable[[str], Workspace]) -> None:
    workspace = chalk_network("dev")
    workspace.pulumi("config", "set", "--path", "regions[0]", "Germany", check=True)
    workspace.pulumi("config", "set", "--path", "regions[1]", "IE", check=True)

    run = workspace.pulumi("preview", "--json")

    assert run.returncode == 0, run.output
    steps = json.loads(run.stdout)["steps"]
    (component,) = [s for s in steps if s["urn"].endswith("chalk:index:ChalkAwsEgress::chalk")]
    assert component["newState"]["inputs"]["chalkIntent"]["regions"] == ["de1", "ie1"]  # resolved to region ids
