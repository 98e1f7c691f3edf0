"""`chalk-policy preview` checks the stack's Chalk config (the chalk-network program's keys, as the program reads and
the components plan them) and the policy config before the program runs: a bad value is exit 2 with one line naming
the file it came from, the key, the value and the allowed values. And a run leaves no event loop open, so nothing
(asyncio's "Exception ignored ... Invalid file descriptor") follows the error line when the process ends."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from chalk_testkit import ALLOWED_REGIONS
from click.testing import CliRunner, Result
from preview_kit import write

from chalk_policy.cli.main import cli
from chalk_policy.preview import ProgramError, load_stack_config, run_program

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ALLOWED_REGIONS
PROGRAM_RAN = "the program ran"
STUB = f"raise RuntimeError({PROGRAM_RAN!r})\n"
"""A chalk-network program that only says it ran: the config must be refused before it."""
VPC = "  chalk-network:awsVpcId: vpc-0a1b2c3d4e5f60718\n"
RUN_CLI = """
import gc, sys, threading
from chalk_policy.cli.main import main
try:
    main(sys.argv[1:])
finally:
    # What a later garbage collection would find (main() freezes every object as it ends): an event loop left open
    # is finalised here, after the error line, and says so (a ResourceWarning; asyncio's "Invalid file descriptor"
    # when its sockets are finalised first).
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(30)
    gc.unfreeze()
    gc.collect()
"""


def chalk_network(root: Path, stack: str | None = None, program: str = STUB) -> Path:
    """The chalk-network project (the repo's Pulumi.yaml and stacks) in ``root``, with ``program`` as its
    __main__.py, and a stack ``bad`` with the config ``stack`` when given."""
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", root / "stacks")
    write(root / "__main__.py", program)
    if stack is not None:
        write(root / "stacks" / "Pulumi.bad.yaml", "config:\n" + stack)
    return root


def preview(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["preview", "--project-dir", str(root), *args])


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and PROGRAM_RAN not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chalk-policy: error: ")
    return lines[0].removeprefix("chalk-policy: error: ")


BAD_STACKS = {
    "option": ("  chalk-network:regions: [jp1]\n  chalk-network:option: 7\n" + VPC,
               "option: 7 is not a port option; allowed: 1, 2, 3"),
    "unknown region": ("  chalk-network:regions: [jp1, xx9]\n" + VPC, f"regions: unknown region xx9; {REGIONS}"),
    "all and a region": ("  chalk-network:regions: [all, jp1]\n" + VPC,
                         f"regions: 'all' cannot be combined with other regions; {REGIONS}"),
    "no region": ("  chalk-network:regions: []\n" + VPC, f"regions: no region given; {REGIONS}"),
    "encryption": ("  chalk-network:regions: [jp1]\n  chalk-network:encryption: e3ee\n" + VPC,
                   "encryption: 'e3ee' is not an encryption mode; allowed: e2ee, standard"),
    "cloud": ("  chalk-network:regions: [jp1]\n  chalk-network:clouds: [gcp]\n" + VPC,
              "clouds: 'gcp' not available in this program; allowed: aws, azure"),
    "tags": ("  chalk-network:regions: [jp1]\n  chalk-network:tags: {owner: 7}\n" + VPC,
             "tags: {'owner': 7} is not a tag map; allowed: an object of string keys and values"),
    "overlay": ("  chalk-network:regions: [jp1]\n  chalk-network:catalogOverlay: no-such-overlay.yaml\n" + VPC,
                "catalogOverlay: {root}/no-such-overlay.yaml: file not found; allowed: a valid catalog overlay file"),
}


@pytest.mark.parametrize(("stack", "expected"), list(BAD_STACKS.values()), ids=list(BAD_STACKS))
def test_a_bad_stack_value_is_refused_before_the_program_runs(tmp_path: Path, stack: str, expected: str) -> None:
    root = chalk_network(tmp_path, stack)
    error = one_line_error(preview(root, "--stack", "bad"))
    expected = expected.replace("{root}", str(root.resolve()))
    assert error.startswith(f"{root / 'stacks' / 'Pulumi.bad.yaml'}: {expected}"), error


def test_an_override_is_named_as_the_source(tmp_path: Path) -> None:
    root = chalk_network(tmp_path)
    assert one_line_error(preview(root, "--stack", "dev", "--config", "option=7")) == (
        "--config: option: 7 is not a port option; allowed: 1, 2, 3")
    assert one_line_error(preview(root, "--stack", "dev", "--config", 'regions=["xx9"]')) == (
        f"--config: regions: unknown region xx9; {REGIONS}")


def test_a_bad_project_default_names_the_project_file(tmp_path: Path) -> None:
    root = chalk_network(tmp_path, "  chalk-network:regions: [jp1]\n" + VPC)
    project = root / "Pulumi.yaml"
    project.write_text(project.read_text().replace("default: [aws]", "default: [gcp]"))
    assert one_line_error(preview(root, "--stack", "bad")) == (
        f"{project}: clouds: 'gcp' not available in this program; allowed: aws, azure")


def test_a_bad_policy_config_is_refused_before_the_program_runs(tmp_path: Path) -> None:
    root = chalk_network(tmp_path)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"chalk-media-egress-required": {"regions": ["xx9"]}}))
    assert one_line_error(preview(root, "--stack", "dev", "--policy-config", str(policy))) == (
        f"--policy-config: {policy}: chalk-media-egress-required.regions: unknown region xx9; {REGIONS}")


def test_a_valid_stack_reaches_the_program(tmp_path: Path) -> None:
    root = chalk_network(tmp_path)
    for stack in ("dev", "prod", "azure-tcp", "proxy"):
        result = preview(root, "--stack", stack)
        assert result.exit_code == 2 and PROGRAM_RAN in result.stderr, (stack, result.output)


def test_another_projects_keys_are_its_programs_to_check(project: Path) -> None:
    # `tiny` has no Chalk keys: nothing is checked for it before its program runs (which then uses its own).
    result = preview(project, "--stack", "dev", "--no-policies", "--config", "option=7", "--config", "regions=xx9")
    assert result.exit_code == 0, result.output


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "always::ResourceWarning", "-c", RUN_CLI, *args],
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_real_process_writes_the_error_line_and_nothing_after_it(tmp_path: Path) -> None:
    root = chalk_network(tmp_path, "  chalk-network:regions: [xx9]\n" + VPC)
    done = run_cli("preview", "--project-dir", str(root), "--stack", "bad")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"chalk-policy: error: {root / 'stacks' / 'Pulumi.bad.yaml'}: regions: unknown region "
                           f"xx9; {REGIONS}\n")


def test_a_program_that_fails_after_registering_leaves_nothing_after_the_error_line(project: Path) -> None:
    # The program registers resources on the executor's threads, then fails (a duplicate URN): each of those threads
    # had an event loop of its own, which used to be left open and be finalised after the error.
    done = run_cli("preview", "--project-dir", str(project), "--stack", "dev", "--config", "failWith=duplicate")
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(f"chalk-policy: error: {project / '__main__.py'}: ValueError: Duplicate resource URN")


def open_loops() -> dict[int, str]:
    return {id(obj): repr(obj) for obj in gc.get_objects()
            if isinstance(obj, asyncio.AbstractEventLoop) and not obj.is_closed()}


@pytest.mark.parametrize("fail_with", ["", "duplicate"], ids=["passes", "fails"])
def test_a_run_leaves_no_event_loop_open_and_no_thread_behind(project: Path, fail_with: str) -> None:
    config = load_stack_config(project, "dev", {"failWith": fail_with})
    threads_before, loops_before = set(threading.enumerate()), open_loops()
    if fail_with:
        with pytest.raises(ProgramError):
            run_program(config)
    else:
        assert run_program(config).resources
    assert [t.name for t in set(threading.enumerate()) - threads_before] == []
    assert [text for key, text in open_loops().items() if key not in loops_before] == []


def test_the_real_chalk_network_program_under_a_valid_config_still_previews(tmp_path: Path) -> None:
    root = chalk_network(tmp_path, "  chalk-network:regions: [jp1]\n" + VPC,
                         program=(ROOT / "__main__.py").read_text())
    result = preview(root, "--stack", "bad", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["chalkStackOutputs"]["regions"] == ["jp1"]
