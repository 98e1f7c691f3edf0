"""Issue 15, found by the fuzz harness (tests/fuzz): a bad value of any length gets a short message. Each value in
a message is cut to a readable length with the length it had (``'aaaa...' (5,000 characters)``), the allowed values
still follow it, and the whole message stays within a screen (chalk_policy.text.message is the last guard).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from chalk_policy.catalog.errors import LISTED_PROBLEMS, TRANSLATED_PROBLEMS
from chalk_policy.catalog.loader import default_catalog_text
from chalk_policy.cli.main import cli
from chalk_policy.files import CONFIG_MAX_DEPTH
from chalk_policy.text import MESSAGE_LIMIT, VALUE_LIMIT

ROOT = Path(__file__).resolve().parents[2]
LONG = "a" * 5000
CUT = "'" + "a" * (VALUE_LIMIT - 4) + "... (5,000 characters)"
"""How ``LONG`` is shown in a message (chalk_policy.text.show)."""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def short_error(result: Result, *fragments: str) -> str:
    """stderr of a usage error: exit 2, no traceback, bounded, with every fragment in it."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert len(result.stderr) <= MESSAGE_LIMIT + 200, len(result.stderr)  # 200: click's usage lines
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


def copy_project(tmp_path: Path) -> Path:
    """The repository's own project (program, Pulumi.yaml and the dev stack) in ``tmp_path``."""
    for name in ("Pulumi.yaml", "__main__.py", "stacks/Pulumi.dev.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


def test_clicks_own_usage_error_cuts_the_value() -> None:
    stderr = short_error(run("plan", "--regions", "jp1", "--aws-rules-per-group", LONG),
                         f"Invalid value for '--aws-rules-per-group': {CUT} is not a valid integer.")
    assert LONG not in stderr
    short_error(run("plan", "--regions", "jp1", "--format", LONG),
                f"{CUT} is not one of 'table', 'csv', 'markdown', 'xlsx', 'json'.")


def test_a_long_option_to_plan_and_check_is_cut_and_the_allowed_values_follow() -> None:
    assert short_error(run("plan", "--regions", "jp1", "--option", LONG)) == (
        f"chalk-policy: error: option: {CUT} is not a port option; allowed: 1, 2, 3\n")
    plan = ROOT / "tests" / "fixtures"
    documents = sorted(plan.rglob("*.json"))
    assert documents, "a plan fixture"
    short_error(run("check", documents[0], "--option", LONG), f"--option: {CUT} is not a port option; allowed: 1, 2, 3")


def test_a_long_stack_name_is_cut() -> None:
    short_error(run("preview", "--stack", "-" * 5000),
                "stack name '" + "-" * (VALUE_LIMIT - 4) + "... (5,000 characters) is not valid; allowed: 1-100")


def test_a_long_list_in_a_stack_files_tags_is_cut(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    stack_file = root / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text(encoding="utf-8") + "    environments: [" + ", ".join(
        ["lol"] * 3000) + "]\n", encoding="utf-8")
    stderr = short_error(run("preview", "--stack", "dev", "--project-dir", root, "--no-policies"),
                         "tags: ", "characters) is not a tag map; allowed: an object of string keys and values")
    assert stderr.count("\n") == 1


def test_a_config_value_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    stderr = short_error(run("preview", "--stack", "dev", "--project-dir", root, "--no-policies",
                             "--config", "chalk-network:regions=" + "[" * 5000),
                         "--config chalk-network:regions: line 1, column 65: "
                         f"nested deeper than {CONFIG_MAX_DEPTH} levels")
    assert stderr.count("\n") == 1


def test_a_catalog_with_thousands_of_problems_lists_the_first_few(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(default_catalog_text() + "".join(f"extra_{i}: {i}\n" for i in range(5000)), encoding="utf-8")
    result = run("catalog", "validate", catalog)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{catalog}: 5,000 problems in the catalog"
    assert len(lines) == 1 + LISTED_PROBLEMS + 1, result.stderr
    assert lines[1].startswith(f"  {catalog}: extra_0: unknown field 'extra_0'; allowed fields: annotation_proxies, ")
    assert lines[-1] == f"  ... and {5000 - LISTED_PROBLEMS:,} more problems: fix these and validate again"
    # every other command gives the first problem and the count, on one line
    one = run("plan", "--regions", "jp1", "--catalog", catalog)
    assert one.exit_code == 2
    assert one.stderr.count("\n") == 1
    assert one.stderr.endswith("(and 4999 more problems)\n")


def test_an_overlay_with_more_problems_than_are_described_counts_them_all(tmp_path: Path) -> None:
    """Found by make fuzz: 100,000 unknown keys in an overlay took over 10 s, describing every one; now the first
    TRANSLATED_PROBLEMS are described and the rest counted."""
    overlay = tmp_path / "overlay.yaml"
    count = TRANSLATED_PROBLEMS + 500
    overlay.write_text("overlay: 1\nversion: '2026120101'\n" + "".join(f"k{i}: {i}\n" for i in range(count)),
                       encoding="utf-8")
    shipped = tmp_path / "shipped.yaml"
    shipped.write_text(default_catalog_text(), encoding="utf-8")
    result = run("catalog", "validate", shipped, "--overlay", overlay)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{overlay}: {count:,} problems in the catalog"
    assert lines[1].startswith(f"  {overlay}: k0: unknown field 'k0'; allowed fields: hosts, overlay, regions")
    assert lines[-1] == f"  ... and {count - LISTED_PROBLEMS:,} more problems: fix these and validate again"
    one = run("plan", "--regions", "jp1", "--overlay", overlay)
    assert one.stderr.endswith(f"(and {count - 1} more problems)\n")
