"""Bad stack config under the real engine: the CLI's typed config check or the program's own error, as one clear
line that names the key and the allowed values, and never a Python traceback."""

from __future__ import annotations

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
