"""`chalk-policy render squid|pac`: output, --output, and one-line errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from chalk_testkit import ALLOWED_REGIONS
from click.testing import CliRunner

from chalk_policy.catalog import load_catalog
from chalk_policy.cli.main import cli
from chalk_policy.planning import plan
from chalk_policy.proxy import render_pac, render_squid


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["render", *args])
    return result.exit_code, result.stdout, result.stderr


def test_render_squid_prints_the_configuration_of_the_plan() -> None:
    code, out, _ = invoke("squid", "--regions", "jp1", "--option", "1")
    assert code == 0
    assert out == render_squid(plan(load_catalog(), "jp1", 1))


def test_render_squid_takes_port_and_clients() -> None:
    code, out, err = invoke("squid", "--regions", "all", "--proxy", "chalk-proxy.corp.example:8080",
                            "--clients", "10.40.0.0/16")
    assert (code, err) == (0, "")  # private clients: no warning
    assert "http_port 8080\n" in out and "acl chalk_clients src 10.40.0.0/16\n" in out
    assert "# Clients reach this proxy as chalk-proxy.corp.example:8080." in out
    assert "regions au1,br1,de1,ie1,in1,jp1,sg1,us1,us2" in out


def test_render_pac_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "chalk.pac"
    code, out, _ = invoke("pac", "--regions", "de1", "--encryption", "e2ee", "--proxy", "10.40.0.5:3128",
                          "--fallback", "PROXY corp-proxy:8080", "--output", str(target))
    assert (code, out) == (0, "")
    assert target.read_text() == render_pac(plan(load_catalog(), "de1", 1, "e2ee"), "10.40.0.5:3128",
                                            fallback="PROXY corp-proxy:8080")


def test_render_with_an_overlay(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text('overlay: 1\nversion: "2026120101"\nhosts:\n  - {host: new.prod.look.vuforia.com, '
                       "role: chalk-cloud, source: ptc-all, evidence: retrieved}\n")
    code, out, _ = invoke("squid", "--regions", "jp1", "--overlay", str(overlay))
    assert code == 0
    assert "acl chalk_hosts dstdomain -n new.prod.look.vuforia.com\n" in out and "catalog 2026120101" in out


@pytest.mark.parametrize(("args", "message"), [
    (("squid", "--regions", "mars1"), "regions: unknown region mars1; " + ALLOWED_REGIONS),
    (("squid", "--regions", "jp1", "--option", "4"), "option: '4' is not a port option; allowed: 1, 2, 3"),
    (("squid", "--regions", "jp1", "--clients", "10.0.0.1/8"),
     "--clients: '10.0.0.1/8' has host bits set; allowed: the network address, 10.0.0.0/8"),
    (("squid", "--regions", "jp1", "--proxy", "nope"),
     "--proxy: 'nope' is not a proxy endpoint; allowed: HOST:PORT with a host name or IPv4 address and a port "
     "1-65535, e.g. proxy.corp.example:3128"),
    (("pac", "--regions", "jp1", "--proxy", "p:3128", "--fallback", "REJECT"),
     "--fallback: 'REJECT' is not a PAC result; allowed: DIRECT, PROXY HOST:PORT, HTTPS HOST:PORT or SOCKS/SOCKS5 "
     "HOST:PORT, several joined by '; ', e.g. 'PROXY corp-proxy:8080; DIRECT'"),
    (("pac", "--regions", "jp1", "--proxy", "p:3128", "--output", "/nonexistent-dir/chalk.pac"),
     "--output: /nonexistent-dir/chalk.pac: cannot be written (No such file or directory)"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*args)
    assert (code, out) == (2, "")
    assert err == f"chalk-policy: error: {message}\n"


def test_pac_needs_the_proxy() -> None:
    code, _, err = invoke("pac", "--regions", "jp1")
    assert code == 2 and "Missing option '--proxy'" in err


# --- who may use the proxy ---------------------------------------------------------------------------------

ALLOWED_CLIENTS = ("allowed: networks inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7, "
                   "127.0.0.0/8 or ::1/128; public clients only with --allow-public-clients")
WORLD_WIDE = "is world-wide (anyone on the internet could use the proxy wherever its port is reachable)"
PUBLIC = "holds public addresses (its hosts could use the proxy wherever its port is reachable)"


@pytest.mark.parametrize(("clients", "refused", "why"), [
    ("0.0.0.0/0", "0.0.0.0/0", WORLD_WIDE),
    ("::/0", "::/0", WORLD_WIDE),
    ("10.0.0.0/8,8.0.0.0/7", "8.0.0.0/7", WORLD_WIDE),  # shorter than /8
    ("8.8.8.0/24", "8.8.8.0/24", PUBLIC),
    ("10.0.0.0/8,203.0.114.7", "203.0.114.7/32", PUBLIC),  # one public address among private networks
    ("2600:1f18::/32", "2600:1f18::/32", PUBLIC),
    ("172.16.0.0/11", "172.0.0.0/11", None),  # host bits: refused for that first, on its own
])
def test_public_or_world_wide_clients_are_refused_in_one_line_naming_clients(clients: str, refused: str,
                                                                           why: str | None) -> None:
    code, out, err = invoke("squid", "--regions", "jp1", "--clients", clients)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("chalk-policy: error: --clients: ")
    if why is not None:
        assert err == f"chalk-policy: error: --clients: {refused!r} {why}; {ALLOWED_CLIENTS}\n"


@pytest.mark.parametrize("clients", ["10.0.0.0/8", "172.16.0.0/12,192.168.10.0/24", "100.64.0.0/10", "fd00:1::/64",
                                     "127.0.0.1"])
def test_private_clients_pass_silently(clients: str) -> None:
    code, out, err = invoke("squid", "--regions", "jp1", "--clients", clients)
    assert (code, err) == (0, "")
    assert "WARNING" not in out and "acl chalk_clients src " in out


@pytest.mark.parametrize(("clients", "acl"), [
    ("0.0.0.0/0", ["0.0.0.0/1", "128.0.0.0/1"]),  # Squid would read 0.0.0.0/0 as `all`, IPv6 included
    ("10.0.0.0/8,8.8.8.0/24", ["10.0.0.0/8", "8.8.8.0/24"]),
    ("::/0", ["::/0"]),
])
def test_public_clients_pass_with_the_opt_in_and_a_loud_warning(clients: str, acl: list[str], tmp_path: Path) -> None:
    public = [network for network in clients.split(",") if not network.startswith("10.")]
    code, out, err = invoke("squid", "--regions", "jp1", "--clients", clients, "--allow-public-clients")
    assert code == 0
    assert err == (f"chalk-policy: WARNING: --allow-public-clients: public client networks {', '.join(public)} may "
                   "use this proxy; keep its port unreachable from anywhere else, or it is an open proxy\n")
    assert f"# WARNING: public client networks, allowed on purpose: {', '.join(public)}. " in out
    assert [line for line in out.splitlines() if line.startswith("acl chalk_clients ")] == [
        f"acl chalk_clients src {network}" for network in acl]
    target = tmp_path / "squid.conf"  # the warning also goes to stderr when the file goes elsewhere
    code, out, err = invoke("squid", "--regions", "jp1", "--clients", clients, "--allow-public-clients",
                            "--output", str(target))
    assert (code, out) == (0, "") and err.startswith("chalk-policy: WARNING: ")
    assert "# WARNING: public client networks" in target.read_text()


def test_the_help_says_that_media_does_not_pass_through_the_proxy() -> None:
    result = CliRunner().invoke(cli, ["render", "squid", "--help"], terminal_width=200)
    assert result.exit_code == 0
    help_text = " ".join(result.stdout.split())
    assert "The proxy carries signaling only (HTTPS/WSS, TCP 443 by host name)." in help_text
    assert "Media never passes through an HTTP proxy" in help_text
    assert "--option and --encryption change no rule of this file, only its header comment." in help_text
    assert "--allow-public-clients" in help_text
    code, out, _ = invoke("squid", "--regions", "jp1", "--option", "2")
    assert code == 0
    header = " ".join(line.lstrip("# ") for line in out.splitlines() if line.startswith("#"))
    assert ("Media (option 2: UDP 443, 3478, 5349 to the regions' media ranges) does not pass through an HTTP "
            "proxy: allow it on the firewall") in header


def test_preview_of_the_proxy_stack_passes_the_policies() -> None:
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(cli, ["preview", "--stack", "proxy", "--project-dir", str(root)])
    assert result.exit_code == 0, result.output
    assert "chalk:index:ChalkSquidProxy  chalk-proxy  (component)" in result.stdout
    assert "referencedSecurityGroupId=(chalk-proxy-lb-sg)" in result.stdout
    assert ("Policies (chalk-media; regions jp1, option 1, standard, from components (ChalkAwsEgress "
            "'chalk')): no violations.") in result.stdout
