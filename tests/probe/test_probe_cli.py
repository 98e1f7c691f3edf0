"""``chalk-policy probe``'s command line: registered as a lazy command, its formats in --help, and every bad input a
one-line exit 2 before anything is sent (and never with a credential in it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chalk_policy.cli.main import COMMANDS, cli
from chalk_policy.probe.formats import PROBE_FORMATS

SECRET_USER, SECRET = "cli-user-0d9e7b13", "cli-credential-5c2a9f47e1"


def probe(*args: str) -> Result:
    return CliRunner().invoke(cli, ["probe", *args])


def test_probe_is_a_lazy_command_and_its_help_lists_every_format() -> None:
    assert COMMANDS["probe"][0] == "chalk_policy.cli.probe_cmd:probe_command"
    result = probe("--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for name, declared in PROBE_FORMATS.items():
        assert f"{name}: {' '.join(declared.summary.split())}" in text
    for option in ("--resolve HOST=ADDR", "--connect-to HOST:PORT=ADDR:PORT", "--proxy URL", "--ca-file PEM",
                   "--media-host HOST", "--turn-credentials-file FILE", "--timeout FLOAT", "--deadline FLOAT"):
        assert option in text


@pytest.mark.parametrize(("args", "message"), [
    (["--regions", "xx1"], "regions: unknown region "),
    (["--regions", "de1", "--option", "4"], "option: '4' is not a port option; allowed: 1, 2, 3"),
    (["--regions", "de1", "--resolve", "nothing"], "--resolve: 'nothing' is not HOST=ADDR"),
    (["--regions", "de1", "--connect-to", "a.example:443=b"], "--connect-to: 'a.example:443=b' is not HOST:PORT"),
    (["--regions", "de1", "--media-host", "bad host"], "--media-host: 'bad host' is not a host"),
    (["--regions", "de1", "--timeout", "0"], "--timeout: 0 is not a number of seconds"),
    (["--regions", "de1", "--deadline", "1000"], "--deadline: 1000 is not a number of seconds"),
    (["--regions", "de1", "--proxy", f"https://{SECRET_USER}:{SECRET}@proxy.example:3128"],
     "--proxy: 'https://***@proxy.example:3128': only http:// proxies (HTTP CONNECT) are supported"),
    (["--regions", "de1", "--turn-username", SECRET_USER], "--turn-username needs --turn-credential too"),
    (["--regions", "de1", "--turn-credential", SECRET], "--turn-credential needs --turn-username too"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = probe(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"chalk-policy: error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert SECRET not in result.output and SECRET_USER not in result.output


def test_credential_options_and_a_file_do_not_mix(tmp_path: Path) -> None:
    path = tmp_path / "turn.txt"
    path.write_text(f"{SECRET_USER}\n{SECRET}\n")
    result = probe("--regions", "de1", "--turn-credentials-file", str(path), "--turn-username", SECRET_USER)
    assert result.exit_code == 2
    assert "--turn-credentials-file cannot be combined with --turn-username/--turn-credential" in result.stderr
    env = CliRunner(env={"CHALK_TURN_CREDENTIAL": SECRET}).invoke(
        cli, ["probe", "--regions", "de1", "--turn-credentials-file", str(path)])
    assert env.exit_code == 2 and "cannot be combined" in env.stderr
    assert SECRET not in result.output + env.output


@pytest.mark.parametrize("content", [
    f"{SECRET}\n",
    json.dumps({"username": SECRET_USER, "pass": SECRET}),
    '{"username": "' + SECRET_USER + '", "credential": "' + SECRET + '",',
])
def test_a_bad_credentials_file_is_refused_without_showing_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "turn.json"
    path.write_text(content)
    result = probe("--regions", "de1", "--turn-credentials-file", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"chalk-policy: error: --turn-credentials-file: {path}: ")
    assert SECRET not in result.output and SECRET_USER not in result.output


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    missing = probe("--regions", "de1", "--turn-credentials-file", str(tmp_path / "none.json"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"chalk-policy: error: --turn-credentials-file: {tmp_path / 'none.json'}: "
                                     "cannot be read (No such file or directory)")
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    bad_ca = probe("--regions", "de1", "--ca-file", str(not_pem))
    assert bad_ca.exit_code == 2
    assert bad_ca.stderr.startswith(f"chalk-policy: error: --ca-file: {not_pem}: no CA certificate in PEM form")
