"""The ``chalk-policy`` command.

Exit codes: 0 success; 1 a gate found something (e.g. ``catalog diff --fail-on-removal``);
2 usage or input errors, with a one-line message naming what is wrong (never a traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from ..catalog import CatalogError, diff, load_catalog
from ..catalog.models import Catalog
from ..planning import PlanError, aws_budget, azure_budget, plan, resolve_regions
from ..planning.budgets import AWS_DEFAULT_RULES_PER_GROUP, AZURE_PRIORITY_MAX, AZURE_PRIORITY_MIN
from ..planning.intent import INTENT_TYPES
from . import render

EXIT_OK, EXIT_GATE, EXIT_INPUT = 0, 1, 2


class InputError(Exception):
    """Bad input from the command line or a file: reported in one line, exit 2."""


def fail(message: str) -> NoReturn:
    raise InputError(message)


class _Group(click.Group):
    """Turns the library's input errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            _error(exc.summary)
        except (PlanError, InputError) as exc:
            _error(str(exc))


def _error(message: str) -> NoReturn:
    click.echo(f"chalk-policy: error: {message}", err=True)
    sys.exit(EXIT_INPUT)


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


catalog_option = click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False),
                              help="Catalog file to use instead of the one shipped with chalk-policy.")
overlay_option = click.option("--overlay", "overlay_path", type=click.Path(dir_okay=False),
                              help="Overlay file that adds or overrides regions, ranges and hosts.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chalk-policy")
def cli() -> None:
    """Vuforia Chalk network requirements as code."""


# --- catalog ------------------------------------------------------------------------------------------


@cli.group(cls=_Group)
def catalog() -> None:
    """Show, validate and compare Chalk network catalogs."""


@catalog.command("show")
@click.option("--region", "region_id", help="Show one region only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@catalog_option
@overlay_option
def catalog_show(region_id: str | None, fmt: str, catalog_path: str | None, overlay_path: str | None) -> None:
    """Print the catalog, marking which facts are inferred."""
    data = load_catalog(catalog_path, overlay=overlay_path)
    regions = data.regions if region_id is None else tuple(
        data.region(rid) for rid in resolve_regions(data, [region_id]))
    if fmt == "json":
        _emit(render.catalog_dict(data, regions))
    else:
        click.echo(render.catalog_text(data, regions))


@catalog.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@overlay_option
def catalog_validate(file: str, overlay_path: str | None) -> None:
    """Check a catalog file (and an optional overlay); list every problem found."""
    try:
        data = load_catalog(file, overlay=overlay_path)
    except CatalogError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)
    cidrs = sum(len(region.cidrs) for region in data.regions)
    click.echo(f"{file}: valid catalog {data.version}: {len(data.regions)} regions, {cidrs} media ranges, "
               f"{len(data.hosts)} hosts, {len(data.port_options)} port options")


@catalog.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--fail-on-removal", is_flag=True, help="Exit 1 when a range or host was removed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def catalog_diff(old: str, new: str, fail_on_removal: bool, fmt: str) -> None:
    """Per region, the CIDRs and hosts added and removed between two catalogs."""
    result = diff(load_catalog(old), load_catalog(new))
    if fmt == "json":
        _emit(render.diff_dict(result))
    else:
        click.echo(render.diff_text(result))
    if fail_on_removal and result.has_removals:
        sys.exit(EXIT_GATE)


# --- plan ---------------------------------------------------------------------------------------------


def parse_window(value: str) -> tuple[int, int]:
    try:
        start, end = (int(part) for part in value.split("-"))
    except ValueError:
        fail(f"--azure-priorities: {value!r} is not a window; allowed: START-END within "
             f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}, e.g. 100-4096")
    return start, end


def _load(catalog_path: str | None, overlay_path: str | None) -> Catalog:
    return load_catalog(catalog_path, overlay=overlay_path)


@cli.command("plan")
@click.option("--regions", required=True, help="Comma-separated region ids, or 'all'.")
@click.option("--option", "option", default="1", show_default=True, help="Port option: 1, 2 or 3.")
@click.option("--encryption", default="standard", show_default=True, help="standard or e2ee.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--aws-rules-per-group", type=int, default=AWS_DEFAULT_RULES_PER_GROUP, show_default=True,
              help="Your AWS quota of outbound rules per security group.")
@click.option("--azure-priorities", default=f"{AZURE_PRIORITY_MIN}-{AZURE_PRIORITY_MAX}", show_default=True,
              help="NSG priority window for the Chalk rules.")
@catalog_option
@overlay_option
def plan_command(regions: str, option: str, encryption: str, fmt: str, aws_rules_per_group: int,
                 azure_priorities: str, catalog_path: str | None, overlay_path: str | None) -> None:
    """The egress Chalk needs for the given regions, port option and encryption."""
    data = _load(catalog_path, overlay_path)
    result = plan(data, regions, option, encryption)
    aws = aws_budget(data, result, aws_rules_per_group)
    azure = azure_budget(result, parse_window(azure_priorities))
    if fmt == "json":
        _emit(render.plan_dict(result, aws, azure))
    elif fmt == "csv":
        click.echo(render.plan_csv(result))
    else:
        click.echo(render.plan_text(result, aws, azure))


# --- preview ------------------------------------------------------------------------------------------


def parse_config_overrides(values: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--config: {item!r} is not KEY=VALUE; e.g. --config awsRulesPerGroup=100 "
                 "or --config 'chalk-policy:regions=[\"jp1\"]'")
        overrides[key.strip()] = value
    return overrides


@cli.command("preview")
@click.option("--stack", "stack", required=True, help="Stack name: reads <stackConfigDir>/Pulumi.<stack>.yaml.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--project-dir", "project_dir", type=click.Path(file_okay=False),
              help="Directory with Pulumi.yaml [default: the current directory or the nearest parent with one].")
@click.option("--config", "config_items", multiple=True, metavar="KEY=VALUE",
              help="Override a config value (repeatable), e.g. to replace a secure value; JSON for lists/maps.")
@click.option("--policy-config", "policy_config", type=click.Path(dir_okay=False),
              help="chalk-media policy pack config (the --policy-pack-config JSON of `pulumi preview`).")
@click.option("--no-policies", is_flag=True, help="Skip the chalk-media policies.")
def preview_command(stack: str, fmt: str, project_dir: str | None, config_items: tuple[str, ...],
                    policy_config: str | None, no_policies: bool) -> None:
    """Run the Pulumi program offline under the SDK's mock engine with a stack's config; show what it creates,
    then check it with the chalk-media policies (exit 1 on a mandatory violation). --format json writes what
    `pulumi preview --json` writes (config, steps, diagnostics, duration, changeSummary) plus chalkStackOutputs and
    chalkPolicyViolations."""
    from ..preview import ProgramError, StackConfigError, find_project_dir, load_stack_config, run_program
    from ..preview import render as preview_render

    overrides = parse_config_overrides(config_items)
    if project_dir is not None:
        root = Path(project_dir)
    else:
        found = find_project_dir(Path.cwd())
        if found is None:
            fail(f"no Pulumi.yaml in {Path.cwd()} or any parent directory; use --project-dir")
        root = found
    try:
        config = load_stack_config(root, stack, overrides)
        result = run_program(config, preview=True)
    except (StackConfigError, ProgramError) as exc:
        fail(str(exc))
    violations, requirement = ([], "") if no_policies else _preview_policies(result, config, policy_config)
    if fmt == "json":  # the `pulumi preview --json` digest, violations as an extension (see to_dict)
        _emit(preview_render.to_dict(result, None if no_policies else [v.as_dict() for v in violations]))
    else:
        click.echo(preview_render.to_text(result))
        if not no_policies:
            click.echo(render.violations_text(violations, requirement))
    if any(violation.level == "mandatory" for violation in violations):
        sys.exit(EXIT_GATE)


def read_policy_config(path: str | None) -> dict[str, Any]:
    """A ``--policy-pack-config`` JSON document, checked enough to give a one-line error."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"--policy-config: {path}: file not found")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"--policy-config: {path}: not a JSON document ({exc})")
    if not isinstance(data, dict):
        fail(f"--policy-config: {path}: expected a JSON object of policy names, got {type(data).__name__}")
    return data


def _preview_policies(result: Any, config: Any, policy_config: str | None) -> tuple[list[Any], str]:
    """The policies' violations, and what they checked against (with its source)."""
    from ..coverage import Resource
    from ..policies.runner import requirement, run_policies

    resources = [Resource(r.type, r.urn, r.name, r.outputs or r.inputs) for r in result.resources
                 if r.custom or r.type in INTENT_TYPES]  # the components say what the stack asked for
    settings = {"config": read_policy_config(policy_config), "stack_config": config.config,
                "project": config.project, "base_dir": Path.cwd()}
    return run_policies(resources, **settings), requirement(resources, **settings).text


from .check import check_command  # noqa: E402  (registered here; the command lives in its own module)

cli.add_command(check_command)

from .render_cmd import render_command  # noqa: E402  (same: `render squid|pac` lives in its own module)

cli.add_command(render_command)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="chalk-policy")


if __name__ == "__main__":
    main()
