"""``chalk-policy preview``: the Pulumi program offline under the SDK's mock engine, then the chalk-media policies."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..text import show
from . import render
from .main import EXIT_GATE, emit, fail

if TYPE_CHECKING:
    from ..preview import StackConfig


def parse_config_overrides(values: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--config: {show(item)} is not KEY=VALUE; e.g. --config awsRulesPerGroup=100 "
                 "or --config 'chalk-policy:regions=[\"jp1\"]'")
        overrides[key.strip()] = value
    return overrides


@click.command("preview")
@click.option("--stack", "stack", required=True, help="Stack name: reads <stackConfigDir>/Pulumi.<stack>.yaml.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--project-dir", "project_dir", type=click.Path(file_okay=False),
              help="Directory with Pulumi.yaml [default: the current directory or the nearest parent with one].")
@click.option("--config", "config_items", multiple=True, metavar="KEY=VALUE",
              help="Override a config value (repeatable), e.g. to replace a secure value; JSON for lists/maps.")
@click.option("--policy-config", "policy_config", type=click.Path(dir_okay=False),
              help="chalk-media policy pack config (the --policy-pack-config JSON of `pulumi preview`); an "
                   "invalid one is exit 2 before anything runs.")
@click.option("--no-policies", is_flag=True, help="Skip the chalk-media policies.")
def preview_command(stack: str, fmt: str, project_dir: str | None, config_items: tuple[str, ...],
                    policy_config: str | None, no_policies: bool) -> None:
    """Run the Pulumi program offline under the SDK's mock engine with a stack's config; show what it creates,
    then check it with the chalk-media policies (exit 1 on a mandatory violation). --format json writes what
    `pulumi preview --json` writes (config, steps, diagnostics, duration, changeSummary) plus chalkStackOutputs and
    chalkPolicyViolations."""
    from ..preview import ProgramError, StackConfigError, find_project_dir, load_stack_config, run_program
    from ..preview import render as preview_render
    from .check import checked_policy_config

    overrides = parse_config_overrides(config_items)
    if project_dir is not None:
        root = Path(project_dir)
    else:
        found = find_project_dir(Path.cwd())
        if found is None:
            fail(f"no Pulumi.yaml in {Path.cwd()} or any parent directory; use --project-dir")
        root = found
    # Everything the run depends on is checked before the program runs: the stack's config (the chalk-network
    # program's keys, as it reads and plans them) and the policy config.
    try:
        config = load_stack_config(root, stack, overrides)
    except StackConfigError as exc:
        fail(str(exc))
    check_program_config(config)
    policies = None if no_policies else checked_policy_config(policy_config)
    try:
        result = run_program(config, preview=True)
    except ProgramError as exc:
        fail(str(exc))
    violations, requirement = ([], "") if policies is None else _preview_policies(result, config, policies)
    if fmt == "json":  # the `pulumi preview --json` digest, violations as an extension (see to_dict)
        emit(preview_render.to_dict(result, None if no_policies else [v.as_dict() for v in violations]))
    else:
        click.echo(preview_render.to_text(result))
        if not no_policies:
            click.echo(render.violations_text(violations, requirement))
    if any(violation.level == "mandatory" for violation in violations):
        sys.exit(EXIT_GATE)


def check_program_config(config: StackConfig) -> None:
    """The chalk-network program's keys of a stack of that project, before the program runs: read and planned as
    the program and its components read and plan them (:func:`chalk_policy.components.program.check_stack_config`).
    A bad value is a usage error: exit 2, one line naming the file it came from, the key, the value and the allowed
    values. Other projects' programs read their own keys: they check them when they run."""
    from ..components.program import PROJECT, ProgramConfigError, check_stack_config
    from ..preview.engine import program_path
    from ..preview.stack_config import value_origin

    if config.project != PROJECT:
        return
    try:  # the program resolves its overlay against its own directory (__main__.py's Path(__file__).parent)
        check_stack_config(config.config, program_path(config).resolve().parent, config.project)
    except ProgramConfigError as exc:
        fail(f"{value_origin(config, exc.key)}: {exc}")


def _preview_policies(result: Any, config: StackConfig, policy_config: dict[str, Any]) -> tuple[list[Any], str]:
    """The policies' violations, and what they checked against (with its source)."""
    from ..coverage import Resource
    from ..planning.intent import INTENT_TYPES
    from ..policies.runner import requirement, run_policies

    resources = [Resource(r.type, r.urn, r.name, r.outputs or r.inputs) for r in result.resources
                 if r.custom or r.type in INTENT_TYPES]  # the components say what the stack asked for
    settings: dict[str, Any] = {"config": policy_config, "stack_config": config.config,
                                "project": config.project, "base_dir": Path.cwd()}
    return run_policies(resources, **settings), requirement(resources, **settings).text
