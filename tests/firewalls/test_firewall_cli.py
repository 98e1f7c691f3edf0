"""`chalk-policy render nftables|iptables`: one command per entry of the registry, the ticket's ruleset on stdout or
in --output, a one-line warning for omitted peer rules, and one-line errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chalk_policy.catalog import load_catalog
from chalk_policy.cli.main import cli
from chalk_policy.firewalls import FIREWALLS, FirewallSettings, render_iptables, render_nftables
from chalk_policy.planning import plan
from chalk_policy.planning.ticket import ticket


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["render", *args])
    return result.exit_code, result.stdout, result.stderr


def expected(name: str, regions: str, option: int, encryption: str, clients: tuple[str, ...] = (),
             settings: FirewallSettings | None = None) -> str:
    catalog = load_catalog()
    chalk = ticket(plan(catalog, regions, option, encryption), catalog, clients)
    return {"nftables": render_nftables, "iptables": render_iptables}[name](chalk, settings or FirewallSettings())


def test_every_registered_firewall_is_a_render_command() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for name, firewall in FIREWALLS.items():
        assert f"  {name} " in out
        code, help_text, _ = invoke(name, "--help")
        assert code == 0 and " ".join(firewall.summary.split()) in " ".join(help_text.split())
        for option in ("--regions", "--option", "--encryption", "--catalog", "--overlay", "--output", "--clients",
                       "--stateless", "--chain"):
            assert option in help_text
        assert ("--table" in help_text) == (firewall.table_help is not None)


@pytest.mark.parametrize("name", list(FIREWALLS))
def test_render_prints_the_ruleset_of_the_ticket(name: str) -> None:
    code, out, err = invoke(name, "--regions", "germany,ireland", "--option", "2", "--encryption", "e2ee",
                            "--clients", "10.20.0.0/16")
    assert (code, err) == (0, "")
    assert out == expected(name, "de1,ie1", 2, "e2ee", ("10.20.0.0/16",))


@pytest.mark.parametrize("name", list(FIREWALLS))
def test_render_stateless_with_names_to_a_file(tmp_path: Path, name: str) -> None:
    target = tmp_path / "chalk.rules"
    extra = ("--table", "ip fw") if name == "nftables" else ()
    code, out, err = invoke(name, "--regions", "DE", "--option", "3", "--clients", "10.20.0.0/16, 192.168.5.0/24",
                            "--stateless", "--chain", "chalk_video", *extra, "--output", str(target))
    assert (code, out, err) == (0, "", "")
    settings = FirewallSettings(stateless=True, chain="chalk_video", table="ip fw" if extra else None)
    assert target.read_text() == expected(name, "de1", 3, "standard", ("10.20.0.0/16", "192.168.5.0/24"), settings)


@pytest.mark.parametrize("name", list(FIREWALLS))
def test_e2ee_without_clients_warns_in_one_line_and_still_renders(name: str) -> None:
    code, out, err = invoke(name, "--regions", "de1", "--encryption", "e2ee")
    assert code == 0
    assert err.count("\n") == 1 and err.startswith("chalk-policy: warning: peer rules omitted: give --clients; ")
    assert "# peer rules omitted: give --clients (peer-tcp-1024-65535, peer-udp-1024-65535)" in out
    assert not [line for line in out.splitlines() if "peer-" in line and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("name", list(FIREWALLS))
@pytest.mark.parametrize(("args", "message"), [
    (("--clients", "10.0.0.1/8"), "--clients: '10.0.0.1/8' has host bits set; allowed: the network address, "
                                  "10.0.0.0/8"),
    (("--clients", "corp-lan"), "--clients: 'corp-lan' is not a network; allowed: IPv4 networks without host bits, "
                                "e.g. 10.20.0.0/16"),
    (("--clients", "fd00::/8"), "--clients: 'fd00::/8' is an IPv6 network; allowed: IPv4 networks without host "
                                "bits, e.g. 10.20.0.0/16 (the rules are IPv4 only, as the catalog's media ranges are)"),
    (("--clients", ""), "--clients: no network given; allowed: IPv4 networks without host bits, e.g. 10.20.0.0/16"),
    (("--chain", "my chain"), "--chain: 'my chain' is not a chain name; allowed: a letter, then up to 27 letters, "
                              "digits or '_', e.g. chalk"),
    (("--option", "4"), "option: '4' is not a port option; allowed: 1, 2, 3"),
    (("--output", "/nonexistent-dir/chalk.rules"),
     "--output: /nonexistent-dir/chalk.rules: cannot be written (No such file or directory)"),
])
def test_bad_input_is_one_line_and_exit_2(name: str, args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(name, "--regions", "de1", *args)
    assert (code, out) == (2, "")
    assert err == f"chalk-policy: error: {message}\n"


def test_nftables_refuses_a_table_of_another_family() -> None:
    code, out, err = invoke("nftables", "--regions", "de1", "--table", "netdev filter")
    assert (code, out) == (2, "")
    assert err == ("chalk-policy: error: --table: 'netdev filter' is not an nftables table; allowed: [FAMILY] NAME "
                   "with family inet or ip (default inet) and a name of letters, digits and '_', e.g. "
                   "'inet filter'\n")


@pytest.mark.parametrize("name", list(FIREWALLS))
def test_regions_are_required(name: str) -> None:
    code, _, err = invoke(name)
    assert code == 2 and "Missing option '--regions'" in err


def test_iptables_has_no_table_option() -> None:
    code, _, err = invoke("iptables", "--regions", "de1", "--table", "filter")
    assert code == 2 and "No such option" in err and "--table" in err
