"""The ``chalk-policy`` command.

Exit codes: 0 success; 1 a gate found something (e.g. ``catalog diff --fail-on-removal``);
2 usage or input errors, with a one-line message naming what is wrong (never a traceback).

Start-up: a command imports only what it uses. This module needs only click; each command lives in its own module,
imported when the command runs (:data:`COMMANDS`), which imports the catalog, planner, renderers, policies or
Pulumi SDK that it needs.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import click

from ..gc_tuning import tune_gc

EXIT_OK, EXIT_GATE, EXIT_INPUT = 0, 1, 2

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:attribute, the first paragraph of its help, which is what `chalk-policy --help` lists)
    "catalog": ("chalk_policy.cli.catalog_cmd:catalog", "Show, validate and compare Chalk network catalogs."),
    "check": ("chalk_policy.cli.check:check_command",
              "Check saved plans (`pulumi preview --json`, `pulumi stack export`, `chalk-policy preview --format "
              "json`) with the chalk-media policies. Exit 0 when clean, 1 on a mandatory violation, 2 on unreadable "
              "input or an invalid --policy-config (checked before any plan is read)."),
    "pack": ("chalk_policy.cli.shipped_cmd:pack_command",
             "The chalk-media CrossGuard policy pack that comes with chalk-policy."),
    "regions": ("chalk_policy.cli.regions_cmd:regions_command",
                "The Chalk regions: the ids, names and country codes --regions takes, and the hosts and media ranges "
                "each region adds."),
    "plan": ("chalk_policy.cli.plan_cmd:plan_command",
             "The egress Chalk needs for the given regions, port option and encryption, as a firewall ticket: one row "
             "per rule to enter, and notes that say what to do."),
    "preview": ("chalk_policy.cli.preview_cmd:preview_command",
                "Run the Pulumi program offline under the SDK's mock engine with a stack's config; show what it "
                "creates, then check it with the chalk-media policies (exit 1 on a mandatory violation). --format "
                "json writes what `pulumi preview --json` writes (config, steps, diagnostics, duration, "
                "changeSummary) plus chalkStackOutputs and chalkPolicyViolations."),
    "probe": ("chalk_policy.cli.probe_cmd:probe_command",
              "Test from this network whether Chalk gets through: TLS to each signaling host, STUN (and, with "
              "credentials, TURN) to Twilio's servers on each port option's ports. Exit 0 when the option works (with "
              "several: when one does), 1 when not, 2 on bad input or refused TURN credentials."),
    "provider": ("chalk_policy.cli.shipped_cmd:provider_command",
                 "The chalk Pulumi component provider that comes with chalk-policy, for programs in any language."),
    "render": ("chalk_policy.cli.render_cmd:render_command",
               "Proxy configurations for Chalk signaling (Squid allowlist, PAC file) and firewall allowlists "
               "(nftables, iptables), rendered from the plan."),
}
"""The commands of ``chalk-policy``, each imported only when it runs. The summaries let ``--help`` list them without
importing them (tests/cli checks that they are the commands' own)."""


class InputError(Exception):
    """Bad input from the command line or a file: reported in one line, exit 2."""


def fail(message: str) -> NoReturn:
    """Stop with one line on stderr and exit 2. A file name or value in ``message`` with a control character, a
    newline or a lone surrogate (undecodable bytes in an argument) is shown escaped (``\\x1b``, ``\\udc80``)."""
    from ..text import printable

    raise InputError(printable(message, newlines=False))


class Group(click.Group):
    """Turns the library's input errors into one clear line and exit code 2. ``lazy`` names commands (as in
    :data:`COMMANDS`) whose modules are imported only when the command is used; ``--help`` lists them by their
    summaries."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self._listing = False

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:  # click's own usage errors quote the value given, of any length
            exc.message = _clip_quoted(exc.message)  # type: ignore[misc]  # Final in click's stubs, a plain attribute
            raise
        except InputError as exc:
            _error(str(exc))
        except ValueError as exc:  # both library errors are ValueErrors; when one is raised, its module is loaded
            from ..catalog.errors import CatalogError
            from ..planning.plan import PlanError

            if isinstance(exc, CatalogError):
                _error(exc.summary)
            if isinstance(exc, PlanError):
                _error(str(exc))
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            where, summary = self.lazy[cmd_name]
            if self._listing:  # a line of --help: the summary is all it shows
                return click.Command(cmd_name, help=summary)
            module, attribute = where.split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def _clip_quoted(text: str) -> str:
    """click's message with each long quoted value in it cut (``'aaaa...' (5,000 characters) is not a valid
    integer``), then bounded as a whole (:func:`chalk_policy.text.message`)."""
    import re

    from ..text import VALUE_LIMIT, message, show

    return message(re.sub(f"'([^'\\n]{{{VALUE_LIMIT},}})'", lambda match: show(match.group(1)), text))


def _error(text: str) -> NoReturn:
    """The one way an input error leaves: printable and bounded (:func:`chalk_policy.text.message`), exit 2."""
    from ..text import message

    click.echo(f"chalk-policy: error: {message(text)}", err=True)
    sys.exit(EXIT_INPUT)


def write_output(content: str | bytes, output: str | None) -> None:
    """Write a command's result to the file ``output`` (bytes as they are, text as UTF-8), or to stdout; text ends with
    one line break either way."""
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            click.echo(content, nl=not content.endswith("\n"))
        return
    from pathlib import Path

    try:
        if isinstance(content, bytes):
            Path(output).write_bytes(content)
        else:
            Path(output).write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"--output: {output}: cannot be written ({exc.strerror or exc})")


def emit(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2))


catalog_option = click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False),
                              help="Catalog file to use instead of the one shipped with chalk-policy.")
overlay_option = click.option("--overlay", "overlay_path", type=click.Path(dir_okay=False),
                              help="Overlay file that adds or overrides regions, ranges and hosts.")
REGIONS_HELP = ("Comma-separated region ids, names or country codes (de1, germany, DE), or 'all'; "
                "`chalk-policy regions` lists them. Enable every region where your users or the remote experts "
                "they call join calls.")
regions_option = click.option("--regions", required=True, help=REGIONS_HELP)
"""The plan's settings, the same for every command that makes a plan (``plan``, ``render ...``)."""
port_option = click.option(
    "--option", "option", default="1", show_default=True,
    help="Port option: 1 = UDP 443, 3478 and 10000-60000 (best quality); 2 = UDP 443, 3478, 5349; "
         "3 = TCP 443, 3478, 5349 (lower quality). Pick what your firewall policy allows.")
encryption_option = click.option(
    "--encryption", default="standard", show_default=True,
    help="standard (media through Chalk's media servers) or e2ee (end-to-end: also media directly between Chalk "
         "clients on your network).")


@click.group(cls=Group, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chalk-policy")
def cli() -> None:
    """Vuforia Chalk network requirements as code."""


def read_policy_config(path: str | None) -> dict[str, Any]:
    """A ``--policy-pack-config`` JSON document, checked enough to give a one-line error (read by the shared loader
    of users' files, :mod:`chalk_policy.files`: size and nesting bounded, a key set twice refused)."""
    from ..files import POLICY_CONFIG, UserFileError, read_json

    if path is None:
        return {}
    try:
        data = read_json(path, POLICY_CONFIG)
    except UserFileError as exc:
        if exc.is_syntax or exc.code.value in ("encoding", "empty"):
            fail(f"--policy-config: {path}: not a JSON document ({exc.detail})")
        fail(f"--policy-config: {exc}")
    if not isinstance(data, dict):
        fail(f"--policy-config: {path}: expected a JSON object of policy names, got {type(data).__name__}")
    return data


def main(argv: Sequence[str] | None = None) -> None:
    tune_gc()  # `check` holds whole plans in memory while it allocates: see chalk_policy.gc_tuning
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="chalk-policy")
    finally:
        # The process ends here. Its last, full garbage collection would walk every object of every module loaded
        # (about 7% of `plan`'s run time) to find cycles that exiting frees anyway: exempt them. (Nothing of ours
        # waits for a finalizer: files are closed where they are written, and click closes its contexts.)
        gc.freeze()


if __name__ == "__main__":
    main()
