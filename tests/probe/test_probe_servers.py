"""``chalk-policy probe`` against real servers on loopback (tests/probe/probe_kit.py): a TLS server with a test CA
for the signaling hosts and a real coturn for STUN and TURN, reached through ``--resolve`` and ``--connect-to``.

Scenarios: everything open (every option works, TURN allocations granted); wrong TURN credentials (exit 2, the
network verdict unchanged); signaling hosts blocked (a closed port, a certificate from an untrusted CA: the fix names
the ticket rule); everything silent (the probe still ends by its deadline). Credentials never reach any output.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from probe_kit import TIMEOUT, Coturn, TestCA, TlsServer, make_ca, running_coturn, running_tls_server

from chalk_policy.catalog import load_catalog
from chalk_policy.cli.main import cli
from chalk_policy.planning import plan

REGIONS = "de1"
HOSTS = plan(load_catalog(), REGIONS, 1).host_names
MEDIA_HOSTS = ("global.stun.twilio.com", "global.turn.twilio.com")
USER, CREDENTIAL = "probe-user-2c41f0d9", "probe-credential-7e93aa51c0"
"""Distinctive, so that any leak into an output is found (coturn accepts them)."""
WRONG = "probe-wrong-credential-51dd0e"
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Servers:
    ca: TestCA
    tls: TlsServer
    coturn: Coturn

    def args(self) -> list[str]:
        """Every signaling host to the TLS server, every media host's 3478, 443 and 5349 to coturn."""
        args = ["--resolve", "*=127.0.0.1", "--connect-to", f"*:443=127.0.0.1:{self.tls.port}",
                "--ca-file", str(self.ca.ca_pem)]
        for host in MEDIA_HOSTS:
            for port, served in ((3478, self.coturn.port), (443, self.coturn.alt_port),
                                 (5349, self.coturn.tls_port)):
                args += ["--connect-to", f"{host}:{port}=127.0.0.1:{served}"]
        return args


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("probe-servers")
    ca = make_ca(tmp)
    with running_tls_server(tmp, ca, HOSTS) as tls, \
            running_coturn(tmp, ca=ca, users={USER: CREDENTIAL}, tls_hostnames=MEDIA_HOSTS) as coturn:
        yield Servers(ca, tls, coturn)


def probe(*args: str) -> Result:
    return CliRunner().invoke(cli, ["probe", "--regions", REGIONS, *args])


def probe_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = probe(*args, "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def checks(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in data["checks"]}


def verdicts(data: dict[str, Any]) -> dict[int, str]:
    return {option["option"]: option["verdict"] for option in data["options"]}


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (USER, CREDENTIAL, WRONG):
            assert secret not in text


def credentials_file(tmp_path: Path, credential: str) -> str:
    path = tmp_path / "turn.json"
    path.write_text(json.dumps({"username": USER, "password": credential, "ttl": "86400"}))
    return str(path)


def test_everything_open_every_option_works(servers: Servers, tmp_path: Path) -> None:
    code, data = probe_json(*servers.args(), "--turn-credentials-file", credentials_file(tmp_path, CREDENTIAL))

    assert code == 0, data["result"]
    assert verdicts(data) == {1: "works", 2: "works", 3: "works"}
    assert data["best_option"] == 1 and data["result"].startswith("option 1 works (PTC's recommended option")
    found = checks(data)
    assert {c["status"] for c in found.values()} == {"ok"}
    signaling = [c for c in found.values() if c["kind"] == "signaling"]
    assert sorted(c["host"] for c in signaling) == sorted(HOSTS)
    assert all(c["detail"].startswith("TLSv1.") and c["detail"].endswith(f"verified for {c['host']}")
               for c in signaling)
    assert set(HOSTS) <= set(servers.tls.sni)  # every handshake named its host (the server refuses any other)
    udp = found["stun-udp-3478-global.turn.twilio.com"]
    assert udp["sent"].startswith("STUN Binding request x1 to 127.0.0.1:") and "XOR-MAPPED-ADDRESS 127.0.0.1:" in \
        udp["received"] and "Coturn" in udp["received"]
    turns = [c for c in found.values() if c["kind"] == "turn"]
    assert len(turns) == 6 and all("Allocate success (realm 'chalk.test'): relayed address 127.0.0.1:" in c["detail"]
                                   for c in turns)
    assert all(c["elapsed_ms"] > 0 for c in found.values())
    assert [u["id"] for u in data["not_probed"]] == ["media-udp-10000-60000"]
    for fmt in ("text", "junit"):
        result = probe(*servers.args(), "--turn-credentials-file", credentials_file(tmp_path, CREDENTIAL),
                       "--format", fmt)
        assert result.exit_code == 0
        assert_no_secret(result.stdout, result.stderr)
    assert_no_secret(json.dumps(data))


def test_wrong_turn_credentials_are_exit_2_and_never_printed(servers: Servers) -> None:
    outputs = []
    for fmt in ("json", "text", "junit"):
        result = probe(*servers.args(), "--option", "3", "--turn-username", USER, "--turn-credential", WRONG,
                       "--format", fmt)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            "chalk-policy: error: the TURN server refused the credentials (the network path answered); check "
            "--turn-username/--turn-credential or --turn-credentials-file")
        outputs += [result.stdout, result.stderr]
    assert_no_secret(*outputs)
    data = json.loads(outputs[0])
    assert verdicts(data) == {3: "works"}  # the network passes option 3: the credentials are what is wrong
    turns = [c for c in data["checks"] if c["kind"] == "turn"]
    assert {c["status"] for c in turns} == {"rejected"} and len(turns) == 3
    assert all("Allocate error response 401 Unauthorized (realm 'chalk.test')" in c["detail"] for c in turns)
    assert all(c["status"] == "ok" for c in data["checks"] if c["kind"] == "stun")
    junit = ET.fromstring(outputs[4])
    rejected = [case for case in junit.iter("testcase") if case.get("name", "").startswith("turn-")]
    assert len(rejected) == 3 and all(case.find("failure") is not None for case in rejected)


def test_credentials_from_the_environment_are_not_printed_either(servers: Servers) -> None:
    result = CliRunner(env={"CHALK_TURN_USERNAME": USER, "CHALK_TURN_CREDENTIAL": CREDENTIAL}).invoke(
        cli, ["probe", "--regions", REGIONS, "--option", "2", *servers.args(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [c["status"] for c in json.loads(result.stdout)["checks"] if c["kind"] == "turn"] == ["ok"] * 3
    assert_no_secret(result.stdout, result.stderr)


def test_blocked_signaling_hosts_point_at_their_ticket_rules(servers: Servers, tmp_path: Path) -> None:
    """One host on a closed port (refused), one behind a certificate from a CA the probe does not trust (what a
    TLS-inspecting firewall looks like): both fail with their ticket rule as the fix; the others pass."""
    closed, inspected = "switchboard.prod.look.vuforia.com", "smartproxy.prod.look.vuforia.com"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        closed_port = holder.getsockname()[1]  # bound, never listening: connections to it are refused
        rogue = make_ca(tmp_path, "rogue")
        with running_tls_server(tmp_path, rogue, [inspected]) as inspecting:
            code, data = probe_json(*servers.args(), "--option", "1",
                                    "--connect-to", f"{closed}:443=127.0.0.1:{closed_port}",
                                    "--connect-to", f"{inspected}:443=127.0.0.1:{inspecting.port}")
    assert code == 1
    (option,) = data["options"]
    assert (option["verdict"], option["signaling"], option["media"]) == ("partial", "partial", "works")
    found = checks(data)
    refused, untrusted = found[f"signaling-tcp-443-{closed}"], found[f"signaling-tcp-443-{inspected}"]
    assert (refused["status"], refused["failure"]) == ("failed", "refused")
    assert refused["detail"].startswith(f"the TCP connection to 127.0.0.1:{closed_port}: refused")
    assert refused["fix"]["rule"] == f"signaling-tcp-443-{closed}"
    assert (untrusted["status"], untrusted["failure"]) == ("failed", "tls")
    assert "certificate not verified: unable to get local issuer certificate" in untrusted["detail"]
    assert untrusted["fix"]["rule"] == f"signaling-tcp-443-{inspected}"
    assert "exempt the host from TLS inspection" in untrusted["fix"]["text"]
    assert [fix["rule"] for fix in option["fixes"]] == [f"signaling-tcp-443-{inspected}",
                                                        f"signaling-tcp-443-{closed}"]
    assert sum(c["status"] == "ok" for c in found.values() if c["kind"] == "signaling") == len(HOSTS) - 2


def test_without_the_ca_file_every_signaling_host_fails_verification(servers: Servers) -> None:
    args = servers.args()
    at = args.index("--ca-file")
    code, data = probe_json(*args[:at], *args[at + 2:], "--option", "3")
    assert code == 1 and verdicts(data) == {3: "blocked"}
    signaling = [c for c in data["checks"] if c["kind"] == "signaling"]
    assert {c["failure"] for c in signaling} == {"tls"}


# --- TURN over TLS ---------------------------------------------------------------------------------------------------


def _read_frame(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """One STUN message (20-byte header, body length in bytes 2-3) from a stream; None when it ends."""
    while len(buffer) < 20 or len(buffer) < 20 + int.from_bytes(buffer[2:4], "big"):
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    size = 20 + int.from_bytes(buffer[2:4], "big")
    frame = bytes(buffer[:size])
    del buffer[:size]
    return frame


@contextlib.contextmanager
def tls_only_front(ca: TestCA, hostname: str, upstream_port: int) -> Iterator[int]:
    """A port that speaks STUN/TURN inside TLS only (what Twilio documents for TURN on 443), relaying each request
    to coturn's plain TCP port and its answer back; a request in the clear fails the TLS handshake."""
    cert, key = ca.issue([hostname], name=f"front-{os.urandom(3).hex()}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(TIMEOUT)
            with context.wrap_socket(conn, server_side=True) as tls, \
                    socket.create_connection(("127.0.0.1", upstream_port), timeout=TIMEOUT) as upstream:
                inbound, outbound = bytearray(), bytearray()
                while (request := _read_frame(tls, inbound)) is not None:
                    upstream.sendall(request)
                    answer = _read_frame(upstream, outbound)
                    if answer is None:
                        return
                    tls.sendall(answer)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()


def test_stun_and_turn_inside_tls_when_the_port_speaks_only_tls(servers: Servers) -> None:
    """On TCP 443 and 5349 the request goes both in the clear and inside TLS; a TLS-only server answers the second
    (certificate verified for the media host), for the binding and for the allocation."""
    host = "turn.chalk.test"
    with tls_only_front(servers.ca, host, servers.coturn.port) as front:
        code, data = probe_json("--option", "3", "--media-host", host, "--resolve", "*=127.0.0.1",
                                "--connect-to", f"*:443=127.0.0.1:{servers.tls.port}", "--ca-file",
                                str(servers.ca.ca_pem), "--connect-to", f"{host}:443=127.0.0.1:{front}",
                                "--connect-to", f"{host}:5349=127.0.0.1:{front}",
                                "--connect-to", f"{host}:3478=127.0.0.1:{servers.coturn.port}",
                                "--turn-username", USER, "--turn-credential", CREDENTIAL)
    assert code == 0, data["result"]
    found = checks(data)
    for kind in ("stun", "turn"):
        for port in (443, 5349):
            check = found[f"{kind}-tcp-{port}-{host}"]
            assert check["status"] == "ok", check
            assert {"name": "framing", "ok": True, "detail": "the request inside TLS answered first",
                    "elapsed_ms": 0.0} in check["steps"]
    assert "/tls, XOR-MAPPED-ADDRESS" in found[f"stun-tcp-443-{host}"]["detail"]
    assert found[f"turn-tcp-443-{host}"]["sent"].endswith(f"127.0.0.1:{front}/tls")
    assert found[f"stun-tcp-3478-{host}"]["detail"].startswith("Binding success response from 127.0.0.1:")


# --- the time bound -------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def silent_servers() -> Iterator[int]:
    """A TCP port that completes connections and never says a word, and a UDP socket on the same port that never
    answers: every check waits for an answer that never comes."""
    for _ in range(20):
        with contextlib.ExitStack() as stack:
            tcp = stack.enter_context(socket.socket())
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            udp = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            tcp.listen(256)  # never accepted: the kernel completes the handshakes, nobody answers
            yield port
            return
    raise AssertionError("no port free for both TCP and UDP")


def silent_args(port: int) -> list[str]:
    return ["--resolve", "*=127.0.0.1", *(arg for target in ("*:443", "*:3478", "*:5349")
                                          for arg in ("--connect-to", f"{target}=127.0.0.1:{port}"))]


@pytest.mark.parametrize(("timeout", "deadline"), [(30.0, 2.0), (1.0, 20.0)])
def test_everything_silent_the_probe_ends_within_its_deadline(timeout: float, deadline: float) -> None:
    """Bounded, not fast: the whole probe (a process of its own, start-up included) ends within the smaller of
    --timeout and --deadline plus a fixed slack, and says what each check was waiting for."""
    bound = min(timeout, deadline)
    with silent_servers() as port:
        started = time.monotonic()
        ran = subprocess.run([sys.executable, "-m", "chalk_policy", "probe", "--regions", REGIONS, "--format", "json",
                              "--timeout", str(timeout), "--deadline", str(deadline), *silent_args(port)],
                             capture_output=True, text=True, timeout=TIMEOUT + bound, cwd=REPO, check=False)
        wall = time.monotonic() - started
    assert ran.returncode == 1, ran.stderr
    data = json.loads(ran.stdout)
    assert data["elapsed_ms"] <= (bound + 0.5 + 0.5) * 1000  # the runner's own GRACE is 0.5 s
    assert wall <= bound + 0.5 + 4.0  # interpreter start-up and imports on a loaded machine
    expected = "deadline" if deadline < timeout else "timeout"
    assert {c["failure"] for c in data["checks"]} == {expected}
    assert {c["status"] for c in data["checks"]} == {"failed"}
    found = checks(data)
    tls = found["signaling-tcp-443-vuforiachalk.com"]["detail"]
    udp = found["stun-udp-3478-global.turn.twilio.com"]
    if expected == "deadline":
        assert tls == "the TLS handshake with vuforiachalk.com: not finished when the probe's deadline came"
        assert udp["detail"].startswith("the STUN binding request to 127.0.0.1:")
    else:
        assert tls == "no answer to the TLS handshake with vuforiachalk.com within 1000 ms"
        assert udp["detail"].startswith("no answer to the STUN binding request to 127.0.0.1:")
    assert udp["sent"].startswith("STUN Binding request x")  # retransmitted, RFC 8489 style


def test_a_resolver_that_hangs_does_not_hold_up_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name resolution runs in daemon threads: a getaddrinfo that never returns is cut at the deadline, and the probe
    returns without waiting for it."""
    from chalk_policy.probe.model import Failure, Settings
    from chalk_policy.probe.runner import GRACE
    from chalk_policy.probe.runner import probe as run_probe
    from chalk_policy.probe.targets import probe_plan

    release = threading.Event()

    def hang(*args: object, **kwargs: object) -> list[Any]:
        release.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "released")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    try:
        started = time.monotonic()
        report = run_probe(probe_plan(load_catalog(), REGIONS, (3,)), Settings(timeout=30, deadline=1))
        elapsed = time.monotonic() - started
    finally:
        release.set()
    assert elapsed <= 1 + GRACE + 1.0
    assert {item.result.failure for item in report.checks} == {Failure.DEADLINE}
    assert report.checks[0].result.detail == (f"resolving {report.checks[0].check.host}: not finished when the "
                                              "probe's deadline came")
    assert report.exit_code == 1
