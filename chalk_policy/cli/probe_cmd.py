"""``chalk-policy probe``: test from this network whether Chalk's signaling and media get through (the library is
:mod:`chalk_policy.probe`; this module only reads the options and prints the report)."""

from __future__ import annotations

from pathlib import Path

import click

from ..probe.formats import PROBE_FORMATS
from ..probe.inputs import (
    CREDENTIALS_FILE_LIMIT,
    ProbeInputError,
    credentials,
    parse_connect_to,
    parse_credentials,
    parse_host,
    parse_proxy,
    parse_resolve,
    parse_seconds,
)
from ..probe.model import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, Credentials, Settings
from .main import catalog_option, fail, overlay_option, regions_option, write_output


@click.command("probe")
@regions_option
@click.option("--option", "option", default="all", show_default=True, metavar="N|all",
              help="The port option(s) to probe: 1, 2, 3, a comma-separated list, or all. Option 1 = UDP 443, 3478 "
                   "(10000-60000 cannot be probed without a media session); 2 = UDP 443, 3478, 5349; 3 = TCP 443, "
                   "3478, 5349. With several, exit 0 when at least one works; the result names the best.")
@click.option("--format", "fmt", type=click.Choice(list(PROBE_FORMATS)), default="text", show_default=True,
              help="; ".join(f"{f.name}: {f.summary}" for f in PROBE_FORMATS.values()) + ".")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds one check may take (DNS, connection, handshake and answer together).")
@click.option("--deadline", type=float, default=DEFAULT_DEADLINE, show_default=True,
              help="Seconds the whole probe may take: the checks run at once, and any still running then is stopped "
                   "and reported.")
@click.option("--ca-file", type=click.Path(dir_okay=False), metavar="PEM",
              help="CA certificates (PEM) to trust besides the system's: a TLS-inspecting firewall's or proxy's CA.")
@click.option("--proxy", metavar="URL",
              help="HTTP proxy for signaling, e.g. http://proxy.example.com:3128: CONNECT host:443, then TLS inside "
                   "(the proxy resolves the names). Media never goes through it.")
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=ADDR",
              help="Use ADDR for HOST instead of DNS (repeatable; HOST * = every other host), like curl's --resolve.")
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST:PORT=ADDR:PORT",
              help="Connect to ADDR:PORT (TCP or UDP) instead of HOST:PORT; TLS still names and verifies HOST "
                   "(repeatable; HOST * = any host), like curl's --connect-to.")
@click.option("--media-host", "media_hosts", multiple=True, metavar="HOST",
              help="STUN/TURN server to probe on the options' ports instead of the catalog's (global.stun.twilio.com, "
                   "global.turn.twilio.com); repeatable.")
@click.option("--turn-username", envvar="CHALK_TURN_USERNAME", show_envvar=True,
              help="TURN user name: also try a TURN allocation on each port (with --turn-credential).")
@click.option("--turn-credential", envvar="CHALK_TURN_CREDENTIAL", show_envvar=True,
              help="TURN credential (password). Never printed; prefer the environment variable or a file.")
@click.option("--turn-credentials-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="TURN credentials: a JSON object with username and credential (or password: Twilio's Network "
                   "Traversal token JSON as it is), or two lines: the user name, then the credential.")
@catalog_option
@overlay_option
def probe_command(regions: str, option: str, fmt: str, output: str | None, timeout: float, deadline: float,
                  ca_file: str | None, proxy: str | None, resolve: tuple[str, ...], connect_to: tuple[str, ...],
                  media_hosts: tuple[str, ...], turn_username: str | None, turn_credential: str | None,
                  turn_credentials_file: str | None, catalog_path: str | None, overlay_path: str | None) -> None:
    """Test from this network whether Chalk gets through: TLS to each signaling host, STUN (and, with credentials,
    TURN) to Twilio's servers on each port option's ports. Exit 0 when the option works (with several: when one
    does), 1 when not, 2 on bad input or refused TURN credentials.

    A verdict per port option and per region (works, partial, blocked, not probed) with the evidence of each check
    (what was sent, what came back, how long it took) and, for a failure, the rule of the firewall ticket that is
    missing (`chalk-policy plan --format csv`). A STUN answer proves the path for that port, not a media session;
    UDP 10000-60000 cannot be probed; a region is only probed when Twilio's global STUN/TURN hosts resolve into it.
    """
    from ..catalog import load_catalog
    from ..probe.targets import parse_options, probe_plan

    try:
        settings = _settings(timeout, deadline, ca_file, proxy, resolve, connect_to, turn_username, turn_credential,
                             turn_credentials_file)
        hosts = tuple(dict.fromkeys(parse_host(host, "--media-host") for host in media_hosts))
    except ProbeInputError as exc:
        fail(str(exc))
    data = load_catalog(catalog_path, overlay=overlay_path)
    plan = probe_plan(data, regions, parse_options(data, option), hosts, turn=settings.credentials is not None)

    from ..probe.runner import probe

    report = probe(plan, settings)
    write_output(PROBE_FORMATS[fmt].render(report), output)
    if report.rejected:
        click.echo("chalk-policy: error: the TURN server refused the credentials (the network path answered); "
                   "check --turn-username/--turn-credential or --turn-credentials-file", err=True)
    raise SystemExit(report.exit_code)


def _settings(timeout: float, deadline: float, ca_file: str | None, proxy: str | None, resolve: tuple[str, ...],
              connect_to: tuple[str, ...], turn_username: str | None, turn_credential: str | None,
              turn_credentials_file: str | None) -> Settings:
    if turn_credentials_file is not None and (turn_username is not None or turn_credential is not None):
        fail("--turn-credentials-file cannot be combined with --turn-username/--turn-credential (or their "
             "environment variables); give the credentials one way")
    secret = (_read_credentials(turn_credentials_file) if turn_credentials_file is not None
              else credentials(turn_username, turn_credential))
    if ca_file is not None:
        _check_ca_file(ca_file)
    return Settings(
        timeout=parse_seconds(timeout, "--timeout"),
        deadline=parse_seconds(deadline, "--deadline"),
        ca_file=ca_file,
        proxy=parse_proxy(proxy) if proxy is not None else None,
        resolve=tuple(parse_resolve(value) for value in resolve),
        connect_to=tuple(parse_connect_to(value) for value in connect_to),
        credentials=secret,
    )


def _read_credentials(path: str) -> Credentials:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(CREDENTIALS_FILE_LIMIT + 1)
    except OSError as exc:
        fail(f"--turn-credentials-file: {path}: cannot be read ({exc.strerror or type(exc).__name__})")
    return parse_credentials(data, path)


def _check_ca_file(path: str) -> None:
    import ssl

    try:
        ssl.create_default_context().load_verify_locations(cafile=path)
    except ssl.SSLError as exc:  # an OSError too: first
        fail(f"--ca-file: {path}: no CA certificate in PEM form ({exc.reason or 'unreadable'})")
    except OSError as exc:
        fail(f"--ca-file: {path}: cannot be read ({exc.strerror or type(exc).__name__})")
