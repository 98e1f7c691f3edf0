"""`chalk-policy render squid|pac`: output, --output, and one-line errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_render_squid_defaults_to_every_region_and_takes_port_and_clients() -> None:
    code, out, _ = invoke("squid", "--proxy", "chalk-proxy.corp.example:8080", "--clients", "10.40.0.0/16")
    assert code == 0
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
    (("squid", "--regions", "mars1"), "regions: unknown region mars1; allowed: all or any of au1, br1, de1, ie1, in1, "
                                      "jp1, sg1, us1, us2"),
    (("squid", "--option", "4"), "option: '4' is not a port option; allowed: 1, 2, 3"),
    (("squid", "--clients", "10.0.0.1/8"), "--clients: '10.0.0.1/8' has host bits set; allowed: the network address, "
                                           "10.0.0.0/8"),
    (("squid", "--proxy", "nope"), "--proxy: 'nope' is not a proxy endpoint; allowed: HOST:PORT with a host name or "
                                   "IPv4 address and a port 1-65535, e.g. proxy.corp.example:3128"),
    (("pac", "--proxy", "p:3128", "--fallback", "REJECT"),
     "--fallback: 'REJECT' is not a PAC result; allowed: DIRECT, PROXY HOST:PORT, HTTPS HOST:PORT or SOCKS/SOCKS5 "
     "HOST:PORT, several joined by '; ', e.g. 'PROXY corp-proxy:8080; DIRECT'"),
    (("pac", "--proxy", "p:3128", "--output", "/nonexistent-dir/chalk.pac"),
     "--output: /nonexistent-dir/chalk.pac: cannot be written (No such file or directory)"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*args)
    assert (code, out) == (2, "")
    assert err == f"chalk-policy: error: {message}\n"


def test_pac_needs_the_proxy() -> None:
    code, _, err = invoke("pac")
    assert code == 2 and "Missing option '--proxy'" in err


def test_preview_of_the_proxy_stack_passes_the_policies() -> None:
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(cli, ["preview", "--stack", "proxy", "--project-dir", str(root)])
    assert result.exit_code == 0, result.output
    assert "chalk:index:ChalkSquidProxy  chalk-proxy  (component)" in result.stdout
    assert "referencedSecurityGroupId=(chalk-proxy-lb-sg)" in result.stdout
    assert ("Policies (chalk-media; regions jp1, option 1, standard, from components (ChalkAwsEgress "
            "'chalk')): no violations.") in result.stdout
