"""``chalk-policy check``: the chalk-media policies on saved plans, offline, for pull-request checks.

Reads ``pulumi preview --json`` digests, ``pulumi stack export`` files (deployment version 3 or 4) and
``chalk-policy preview --format json`` output (:mod:`chalk_policy.plans`), runs the same policies as the CrossGuard
pack (:func:`chalk_policy.policies.runner.run_policies`) on each file on its own, and reports as text, JSON, SARIF,
GitHub workflow commands or JUnit XML.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from ..plans import (
    Checked,
    Document,
    DocumentError,
    Finding,
    Report,
    Rule,
    line_of,
    read_document,
    render_github,
    render_json,
    render_junit,
    render_sarif,
    render_text,
    source_position,
    stack_config_file,
)
from ..text import show

RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif, "github": render_github,
             "junit": render_junit}


@click.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--regions", help="Comma-separated region ids, or 'all' (overrides the plan's own config).")
@click.option("--option", "option", help="Port option: 1, 2 or 3 (overrides the plan's own config).")
@click.option("--encryption", help="standard or e2ee (overrides the plan's own config).")
@click.option("--policy-config", "policy_config", type=click.Path(dir_okay=False),
              help="chalk-media policy pack config (the --policy-pack-config JSON of `pulumi preview`); an "
                   "invalid one is exit 2 before anything runs.")
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False), help="Write the report here, not to stdout.")
@click.option("--project-dir", "project_dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The Pulumi project: where stack config files are found (annotations point at them).")
def check_command(files: tuple[str, ...], regions: str | None, option: str | None, encryption: str | None,
                  policy_config: str | None, fmt: str, output: str | None, project_dir: str) -> None:
    """Check saved plans (`pulumi preview --json`, `pulumi stack export`, `chalk-policy preview --format json`)
    with the chalk-media policies. Exit 0 when clean, 1 on a mandatory violation, 2 on unreadable input or an
    invalid --policy-config (checked before any plan is read).

    Without --regions/--option/--encryption the settings come from the first source that sets a requirement:
    --policy-config when it sets regions, else the plan's Chalk components (their chalkIntent), else its
    `<project>:regions`, else none (one advisory). Each of the three options
    replaces that one value; the others still come from where they would have come from.
    """
    from .main import EXIT_GATE, fail

    config = checked_policy_config(policy_config)
    overrides = _overrides(regions, option, encryption)
    if overrides:
        config = _with_overrides(config, overrides)
        problem = _settings_problem(config)
        if problem:
            fail(f"--regions/--option/--encryption: {problem}")
    documents: list[Document] = []
    for file in files:
        try:
            documents.append(read_document(file))
        except DocumentError as exc:
            fail(str(exc))
    report = check_documents(documents, files, config, Path(project_dir), overrides)
    text = RENDERERS[fmt](report)
    if output is None:
        click.echo(text)
    else:
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"--output: {output}: cannot write ({exc.strerror or exc})")
        click.echo(f"{render_text(report).splitlines()[-1]}; {fmt} report written to {output}")
    if not report.passed:
        sys.exit(EXIT_GATE)


def checked_policy_config(path: str | None) -> dict[str, Any]:
    """``--policy-config``: read, then checked whole before any plan is read or any policy runs (what the engine
    checks, and what would stop a policy at run time: :func:`chalk_policy.policies.config.validate_policy_config`).
    A bad file is a usage error: exit 2, one line naming the file, the key, the bad value and the allowed values."""
    from .main import fail, read_policy_config

    document = read_policy_config(path)
    if path is None:
        return document
    from ..policies.config import PolicyConfigError, validate_policy_config

    try:
        return validate_policy_config(document, Path.cwd())
    except PolicyConfigError as exc:
        fail(f"--policy-config: {path}: {exc}")


def check_documents(documents: Sequence[Document], files: Sequence[str], config: Mapping[str, Any],
                    project_dir: Path, overrides: Mapping[str, Any] | None = None) -> Report:
    """Check each document on its own. ``overrides`` (the command line's regions/option/encryption) replace those
    values wherever the settings come from: the plan's own config when it has ``<project>:regions``, else the
    policy config (where the caller already merged them)."""
    from ..policies.pack import CHALK_POLICIES
    from ..policies.runner import policy_levels, requirement, run_policies

    base_dir = Path.cwd()
    checked: list[Checked] = []
    findings: list[Finding] = []
    for document, file in zip(documents, files, strict=True):
        stack_config = dict(document.config)
        if overrides and document.project and f"{document.project}:regions" in stack_config:
            stack_config.update({f"{document.project}:{key}": json.dumps(value) if key != "encryption" else value
                                 for key, value in overrides.items()})
        violations = run_policies(document.resources, config=config, stack_config=stack_config,
                                  project=document.project, base_dir=base_dir)
        findings += [Finding(v.policy, v.level, v.region, v.message, v.urn, file,
                             _declared_at(project_dir, document, v.urn)) for v in violations]
        checked_against = requirement(document.resources, config=config, stack_config=stack_config,
                                      project=document.project, base_dir=base_dir)
        location, line = _location(project_dir, document, file)
        checked.append(Checked(file, document.kind, document.project, document.stack, location, line,
                               checked_against.regions, checked_against.source, len(document.resources)))
    rules = tuple(Rule(spec.name, spec.description, spec.url,
                       "mandatory" if spec.level.value in ("mandatory", "remediate") else "advisory",
                       spec.remediation, spec.per_region) for spec in CHALK_POLICIES)
    disabled = frozenset(name for name, level in policy_levels(config).items() if level == "disabled")
    return Report(rules, tuple(checked), tuple(findings), _version(), disabled)


def _overrides(regions: str | None, option: str | None, encryption: str | None) -> dict[str, Any]:
    from .main import fail

    settings: dict[str, Any] = {}
    if regions is not None:
        ids = [part.strip() for part in regions.split(",") if part.strip()]
        if not ids:
            fail("--regions: empty; allowed: comma-separated region ids (e.g. jp1,us2) or 'all'")
        settings["regions"] = ids
    if option is not None:
        if option.strip() not in ("1", "2", "3"):
            fail(f"--option: {show(option)} is not a port option; allowed: 1, 2, 3")
        settings["option"] = int(option)
    if encryption is not None:
        settings["encryption"] = encryption
    return settings


def _with_overrides(config: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The policy config with the command line's settings merged into every policy's entry."""
    from ..policies.pack import CHALK_POLICIES

    merged = dict(config)
    for spec in CHALK_POLICIES:
        entry = config.get(spec.name)
        base = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry) if isinstance(entry, Mapping) \
            else {}
        merged[spec.name] = {**base, **overrides}
    return merged


def _settings_problem(config: Mapping[str, Any]) -> str | None:
    from ..policies.runner import media_properties
    from ..policies.settings import PolicySettingsError, read_settings

    properties = media_properties(config)
    try:  # --option/--encryption alone replace the values of whatever source the plan gives: check them on all
        read_settings({"regions": "all", **properties}, {}, None, Path.cwd()).resolve()
    except PolicySettingsError as exc:
        return str(exc).removeprefix("policy config: ")
    return None


def _declared_at(project_dir: Path, document: Document, urn: str | None) -> tuple[str, int] | None:
    """The project file and line that declare the resource (its ``sourcePosition``, or its component's), when that
    file is in ``project_dir``; None otherwise (annotations then point at the stack's config file)."""
    found = source_position(document, urn) if urn else None
    if found is None or not (project_dir / found[0]).is_file():
        return None
    return _shown(project_dir / found[0]), found[1]


def _location(project_dir: Path, document: Document, file: str) -> tuple[str, int]:
    """Where annotations point: the stack's config file (at its ``regions`` key), else the program, else the file."""
    config_file = stack_config_file(project_dir, document.stack)
    if config_file is not None:
        return _shown(config_file), line_of(config_file, f"{document.project}:regions")
    program = project_dir / "__main__.py"
    if program.is_file():
        return _shown(program), 1
    return _shown(Path(file)), 1


def _shown(path: Path) -> str:
    """Relative to the current directory (the repository root in CI) when inside it, else a file URI."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_uri()


def _version() -> str:
    try:
        return metadata.version("chalk-policy")
    except metadata.PackageNotFoundError:
        return "0.0.0"
