"""Helpers for the probe tests (issue 18): real servers on loopback for ``chalk-policy probe`` to check.

Nothing leaves the machine: every server listens on a free port of 127.0.0.1 (or of the network namespace's own
loopback), host names reach them through the probe's ``--resolve HOST=ADDR`` and ``--connect-to HOST:PORT=ADDR:PORT``.

The API:

- ``make_ca(tmp_path) -> TestCA``: a throwaway certificate authority (trustme). ``ca.ca_pem`` is the file to trust
  (``ssl.create_default_context(cafile=...)``, the probe's CA option); ``ca.issue(hostnames)`` writes a leaf
  certificate chain and its key and returns ``(cert_pem, key_pem)``. A second ``make_ca(tmp_path, "rogue")`` is the
  untrusted CA of a negative test. (Named ``make_ca``, not ``test_ca``: pytest would collect a ``test_*`` function
  imported into a test module.)
- ``running_tls_server(tmp_path, ca, hostnames, *, address="127.0.0.1", port=0, strict_sni=True) ->
  ContextManager[TlsServer]``: a TLS server (threads in this process) on ``address:<free port>`` serving one
  certificate from ``ca`` for all ``hostnames``. With ``strict_sni`` (the default) it refuses a handshake whose SNI
  is missing or not one of ``hostnames`` (alert ``unrecognized_name``), as a CDN front end does; ``server.sni``
  lists the names it was sent. After the handshake it answers one HTTP request with ``204 No Content`` (and closes).
- ``running_coturn(tmp_path, *, users={"chalk": "secret"}, realm="chalk.test") -> ContextManager[Coturn]``: a real
  coturn (``turnserver``, 4.6) on 127.0.0.1 with a config written here, yielded once every port answers a STUN
  binding request over TCP, and over UDP too unless inside ``run_in_netns(drop_udp=True)``. Its four ports
  (``port``, ``alt_port``, ``tls_port``, ``alt_tls_port``) are EQUIVALENT: each serves STUN and TURN over UDP and
  TCP, and TLS (TCP) / DTLS (UDP) too, coturn telling the kind of traffic by its first bytes. Map the probe's 3478,
  443 and 5349 onto any of them (e.g. 3478 -> ``port``, 443 -> ``alt_port``, 5349 -> ``tls_port``, the last with
  TLS). (coturn opens its alt ports only with two listening IPs of a family, so it also listens on 127.0.0.2; use
  127.0.0.1.) Long-term credentials (``lt-cred-mech``): an Allocate without or with wrong credentials gets ``401
  Unauthorized``. Peers on loopback are allowed (``allow-loopback-peers``), so a relayed packet can reach a test
  peer on 127.0.0.1.
- ``stun_binding(address, port, *, transport="udp"|"tcp"|"tls") -> (ip, port) | None``: one RFC 5389 binding
  request; the XOR-MAPPED-ADDRESS, or None when no answer came within ``timeout`` (a silent drop). Other errors
  (refused, EPERM) raise ``OSError``.
- ``turn_allocate(address, port, username, password, *, transport="udp"|"tcp") -> (ip, port)``: a TURN Allocate with
  aioice; the relayed address. Raises ``aioice.stun.TransactionFailed`` (``.response.error_code``, e.g. 401) when
  refused, ``aioice.stun.TransactionTimeout`` / ``TimeoutError`` when there is no answer.
- ``run_in_netns(script, tmp_path, *, drop_udp, args=()) -> CompletedProcess[str]``: a Python ``script`` run in a
  fresh network namespace: loopback up, ``NETNS_LOCAL_ADDRESS`` (a non-loopback address, for a Squid that refuses to
  tunnel to 127.0.0.1) on it as well, and with ``drop_udp`` an nftables rule dropping every UDP packet (input hook:
  the sender sees a timeout, as behind a real firewall, not EPERM). The servers the script starts (``from probe_kit
  import ...`` works there) and the probe it runs (``subprocess.run([sys.executable, "-m", "chalk_policy", "probe",
  ...])``) share that namespace; ``sys.argv[1:]`` is ``args``, the environment has ``PROBE_TMP`` (a fresh directory
  under ``tmp_path``). A new PID namespace too: whatever the script leaves running dies with it. Skips (fails in CI)
  when this machine cannot make one. A Squid started there (``running_squid``) needs ``SQUID_WITHOUT_UDP`` appended
  to its config when UDP is dropped, and must tunnel to ``NETNS_LOCAL_ADDRESS`` (never to loopback).
- Re-exported from ``tests/proxy/proxy_kit.py``: ``TIMEOUT``, ``require_tool``, ``require_local_address``,
  ``free_port``, ``running_squid``, ``RunningSquid``, ``connect``.

External tools (turnserver, unshare, ip, nft) are optional on a workstation (those tests skip) but required in CI
(``CI=true``, as ``.ci/run`` runs), where a missing tool or an unusable network namespace fails the test instead of
hiding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
import trustme
from aioice import stun, turn

_PROXY_TESTS = Path(__file__).resolve().parent.parent / "proxy"
if str(_PROXY_TESTS) not in sys.path:  # pytest puts only this test folder on sys.path
    sys.path.insert(0, str(_PROXY_TESTS))

from proxy_kit import (  # noqa: E402
    TIMEOUT,
    RunningSquid,
    connect,
    free_port,
    require_local_address,
    require_tool,
    running_squid,
)

__all__ = [
    "DEFAULT_USERS",
    "NETNS_LOCAL_ADDRESS",
    "SQUID_WITHOUT_UDP",
    "TIMEOUT",
    "Coturn",
    "RunningSquid",
    "TestCA",
    "TlsServer",
    "Transport",
    "connect",
    "free_port",
    "make_ca",
    "require_local_address",
    "require_netns",
    "require_tool",
    "run_in_netns",
    "running_coturn",
    "running_squid",
    "running_tls_server",
    "stun_binding",
    "turn_allocate",
]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_USERS: Mapping[str, str] = {"chalk": "secret"}
"""The long-term credentials ``running_coturn`` accepts unless told otherwise."""
NETNS_LOCAL_ADDRESS = "192.0.2.1"
"""A non-loopback address (TEST-NET-1) that ``run_in_netns`` puts on the namespace's loopback interface."""
SQUID_WITHOUT_UDP = "pinger_enable off"
"""Append to a squid.conf run in ``run_in_netns(drop_udp=True)``: Squid talks to its ICMP pinger helper over UDP on
loopback and, with that dropped, never finishes starting (``running_squid`` times out)."""
Transport = Literal["udp", "tcp", "tls"]
_DROPS_UDP = "PROBE_NETNS_DROPS_UDP"
"""Set to 1 by ``run_in_netns(drop_udp=True)`` in the script's environment."""


# --- certificates ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestCA:
    """A throwaway certificate authority; ``ca_pem`` is its certificate, the file a client trusts."""

    __test__ = False  # not a test class, whatever its name

    ca_pem: Path
    directory: Path
    _ca: trustme.CA = field(repr=False, compare=False)

    def issue(self, hostnames: Iterable[str], *, name: str | None = None) -> tuple[Path, Path]:
        """A leaf certificate for ``hostnames`` (DNS names, wildcards or IP addresses), written under ``directory``:
        ``(cert_pem, key_pem)``; the cert file holds the chain (leaf first), as servers want it."""
        names = list(hostnames)
        if not names:
            raise ValueError("a certificate needs at least one host name")
        stem = name or names[0].replace("*", "_wild").replace(":", "_")
        cert = self._ca.issue_cert(*names)
        cert_pem, key_pem = self.directory / f"{stem}.crt.pem", self.directory / f"{stem}.key.pem"
        cert_pem.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        key_pem.write_bytes(cert.private_key_pem.bytes())
        return cert_pem, key_pem


def make_ca(tmp_path: Path, name: str = "ca") -> TestCA:
    """A new CA whose files live in ``tmp_path / name``."""
    directory = tmp_path / name
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name=f"chalk-policy probe tests ({name})")
    ca_pem = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    return TestCA(ca_pem=ca_pem, directory=directory, _ca=ca)


# --- the TLS server (signaling) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsServer:
    """A running ``running_tls_server``. ``sni`` grows as clients connect: the server names they sent (None for
    a handshake without SNI), in order."""

    address: str
    port: int
    hostnames: tuple[str, ...]
    cert_pem: Path
    sni: list[str | None] = field(default_factory=list, compare=False)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    """RFC 6125 style: a ``*`` stands for exactly one leftmost label."""
    name = name.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            head, _, rest = name.partition(".")
            if head and rest == pattern[2:]:
                return True
        elif name == pattern:
            return True
    return False


@contextlib.contextmanager
def running_tls_server(tmp_path: Path, ca: TestCA, hostnames: Iterable[str], *, address: str = "127.0.0.1",
                       port: int = 0, strict_sni: bool = True) -> Iterator[TlsServer]:
    """A TLS server on ``address:port`` (0: a free port) with a certificate from ``ca`` for ``hostnames``; see the
    module docstring. Stopped, and its connections closed, on exit."""
    names = tuple(hostnames)
    cert_pem, key_pem = ca.issue(names, name=f"tls-{names[0].replace('*', '_wild')}-{os.urandom(3).hex()}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_pem, key_pem)
    listener = socket.create_server((address, port))
    server = TlsServer(address=address, port=int(listener.getsockname()[1]), hostnames=names, cert_pem=cert_pem)

    def on_sni(_sock: ssl.SSLObject, server_name: str | None, _context: ssl.SSLContext) -> int | None:
        server.sni.append(server_name)
        if strict_sni and (server_name is None or not _matches(server_name, names)):
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        return None

    context.sni_callback = on_sni
    stopping = threading.Event()
    open_sockets: set[socket.socket] = set()
    lock = threading.Lock()

    def serve(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(TIMEOUT)
            with context.wrap_socket(conn, server_side=True) as tls:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = tls.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                tls.sendall(b"HTTP/1.1 204 No Content\r\nServer: chalk-probe-test\r\nConnection: close\r\n\r\n")
        with lock:
            open_sockets.discard(conn)

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with lock:
                open_sockets.add(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, name=f"tls-server-{server.port}", daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        stopping.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        acceptor.join(TIMEOUT)
        with lock:
            for conn in open_sockets:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


# --- coturn (media) -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coturn:
    """A running ``running_coturn``. All four ports are equivalent (STUN + TURN over UDP, TCP, TLS and DTLS)."""

    address: str
    port: int
    """``listening-port``"""
    alt_port: int
    """``alt-listening-port`` (opened only because the kit gives coturn a second listening IP, 127.0.0.2)"""
    tls_port: int
    """``tls-listening-port``, certificate from ``ca_pem`` for ``tls_hostnames`` and ``address``"""
    alt_tls_port: int
    """``alt-tls-listening-port``"""
    users: Mapping[str, str]
    realm: str
    ca_pem: Path
    tls_hostnames: tuple[str, ...]
    config: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False, compare=False)

    @property
    def ports(self) -> tuple[int, int, int, int]:
        return self.port, self.alt_port, self.tls_port, self.alt_tls_port

    def log_tail(self, lines: int = 40) -> str:
        """The end of coturn's log file and of its stdout/stderr (without the ``socket: Protocol not supported``
        lines of its SCTP listeners, which this kernel lacks: harmless noise)."""
        parts = []
        for path in (self.log, self.log.with_name("stdout.log")):
            if path.exists():
                kept = [line for line in path.read_text(errors="replace").splitlines()
                        if line.strip() != "socket: Protocol not supported"]
                parts.append(f"--- {path.name}\n" + "\n".join(kept[-lines:]))
        return "\n".join(parts)


def _free_udp_tcp_port(taken: set[int]) -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (and 127.0.0.2) right now, not in ``taken``."""
    for _ in range(50):
        port = int(free_port())
        if port in taken:
            continue
        try:
            for host in ("127.0.0.1", "127.0.0.2"):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind((host, port))
        except OSError:
            continue
        taken.add(port)
        return port
    raise AssertionError("no free port for coturn")


@contextlib.contextmanager
def running_coturn(tmp_path: Path, *, users: Mapping[str, str] | None = None, realm: str = "chalk.test",
                   tls_hostnames: Iterable[str] = ("turn.chalk.test",), ca: TestCA | None = None,
                   extra_config: Sequence[str] = (), check_udp: bool | None = None) -> Iterator[Coturn]:
    """coturn on 127.0.0.1 (see the module docstring), its files under ``tmp_path / "coturn"``; the TLS certificate
    comes from ``ca`` (a new CA under that folder when None). ``extra_config`` lines are appended to the config
    (e.g. ``"no-udp"``). Yielded once each port answers STUN over TCP, and over UDP unless ``check_udp`` is False
    (by default it is, inside ``run_in_netns(drop_udp=True)``). Stopped on exit."""
    turnserver = require_tool("turnserver", package="coturn")
    users = dict(DEFAULT_USERS if users is None else users)
    run_dir = tmp_path / "coturn"
    run_dir.mkdir(parents=True, exist_ok=True)
    ca = ca or make_ca(run_dir)
    names = tuple(tls_hostnames)
    cert_pem, key_pem = ca.issue([*names, "127.0.0.1"], name="coturn")
    taken: set[int] = set()
    port, alt_port, tls_port, alt_tls_port = (_free_udp_tcp_port(taken) for _ in range(4))
    relay_low = random.randrange(20000, 32000 - 64)  # below Linux's ephemeral range, where free_port() picks
    log = run_dir / "turn.log"
    config = run_dir / "turnserver.conf"
    config.write_text("\n".join([
        "# written by tests/probe/probe_kit.py",
        "listening-ip=127.0.0.1",
        "listening-ip=127.0.0.2",  # a second IP of the family: only then does coturn open the alt ports (RFC 5780)
        "relay-ip=127.0.0.1",
        f"listening-port={port}",
        f"alt-listening-port={alt_port}",
        f"tls-listening-port={tls_port}",
        f"alt-tls-listening-port={alt_tls_port}",
        f"cert={cert_pem}",
        f"pkey={key_pem}",
        f"min-port={relay_low}",
        f"max-port={relay_low + 63}",
        "lt-cred-mech",
        f"realm={realm}",
        *(f"user={name}:{password}" for name, password in users.items()),
        f"userdb={run_dir / 'turndb'}",  # not /var/lib/turn/turndb
        "no-cli",
        "no-multicast-peers",
        "allow-loopback-peers",  # relay to test peers on 127.x (denied by default since coturn 4.5.2)
        f"log-file={log}",
        "simple-log",  # no date in the log file's name
        f"pidfile={run_dir / 'turnserver.pid'}",
        *extra_config,
        "",
    ]))
    stdout = (run_dir / "stdout.log").open("wb")
    process = subprocess.Popen([turnserver, "-c", str(config)], stdout=stdout, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    coturn = Coturn(address="127.0.0.1", port=port, alt_port=alt_port, tls_port=tls_port, alt_tls_port=alt_tls_port,
                    users=users, realm=realm, ca_pem=ca.ca_pem, tls_hostnames=names, config=config, log=log,
                    process=process)
    try:
        _wait_answering(coturn, udp=os.environ.get(_DROPS_UDP) != "1" if check_udp is None else check_udp)
        yield coturn
    finally:
        _stop(process)
        stdout.close()


def _wait_answering(coturn: Coturn, *, udp: bool) -> None:
    """Until every port answers a STUN binding request over TCP, and over UDP too when ``udp``."""
    deadline = time.monotonic() + TIMEOUT
    pending: list[tuple[int, Transport]] = [(port, "tcp") for port in coturn.ports]
    if udp:
        pending += [(port, "udp") for port in coturn.ports]
    while pending:
        if coturn.process.poll() is not None:
            raise AssertionError(f"turnserver exited with {coturn.process.returncode}:\n{coturn.log_tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"turnserver did not answer STUN on 127.0.0.1 (port, transport) {pending} within "
                                 f"{TIMEOUT} s:\n{coturn.log_tail()}")
        port, transport = pending[0]
        with contextlib.suppress(OSError):
            if stun_binding(coturn.address, port, transport=transport, timeout=0.2) is not None:
                pending.pop(0)
                continue
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


# --- STUN and TURN clients (aioice) ---------------------------------------------------------------------------------


def stun_binding(address: str, port: int, *, transport: Transport = "udp", timeout: float = 1.0,
                 cafile: Path | None = None, server_hostname: str | None = None) -> tuple[str, int] | None:
    """One STUN binding request (RFC 5389) to ``address:port``; the XOR-MAPPED-ADDRESS of the answer, or None when
    none came within ``timeout``. ``tls`` verifies the server against ``cafile`` and ``server_hostname`` (SNI)."""
    request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    request.add_fingerprint()
    try:
        if transport == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.settimeout(timeout)
                udp.connect((address, port))
                udp.send(bytes(request))
                data = udp.recv(2048)
        else:
            with socket.create_connection((address, port), timeout=timeout) as raw:
                stream: socket.socket = raw
                if transport == "tls":
                    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
                    stream = context.wrap_socket(raw, server_hostname=server_hostname or address)
                stream.sendall(bytes(request))
                data = _recv_stun_frame(stream)
    except TimeoutError:
        return None
    response = stun.parse_message(data)
    if response.transaction_id != request.transaction_id or response.message_class != stun.Class.RESPONSE:
        raise AssertionError(f"unexpected STUN answer: {response}")
    mapped: tuple[str, int] = response.attributes["XOR-MAPPED-ADDRESS"]
    return mapped


def _recv_stun_frame(sock: socket.socket) -> bytes:
    """One STUN message from a stream: a 20-byte header whose bytes 2-3 are the body length."""
    data = b""
    while len(data) < 20 or len(data) < 20 + int.from_bytes(data[2:4], "big"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} bytes of a STUN message")
        data += chunk
    return data


def turn_allocate(address: str, port: int, username: str, password: str, *,
                  transport: Literal["udp", "tcp"] = "udp", timeout: float = 5.0) -> tuple[str, int]:
    """A TURN allocation (aioice ``create_turn_endpoint``), released at once; the relayed address."""

    async def allocate() -> tuple[str, int]:
        endpoint, _ = await asyncio.wait_for(turn.create_turn_endpoint(
            asyncio.DatagramProtocol, (address, port), username, password, transport=transport), timeout)
        try:
            relayed: tuple[str, int] = endpoint.get_extra_info("sockname")
            return relayed
        finally:
            endpoint.close()
            await asyncio.sleep(0)  # let the close (a Refresh with lifetime 0) go out

    return asyncio.run(allocate())


# --- a network namespace that drops UDP -----------------------------------------------------------------------------


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def _netns_prefix() -> tuple[tuple[str, ...] | None, str]:
    """The ``unshare`` command for a new network + PID namespace here, or None and why not."""
    unshare = require_tool("unshare", package="util-linux")
    nft = require_tool("nft", package="nftables")
    ip = require_tool("ip", package="iproute2")
    check = f"{ip} link set lo up && {nft} -f - && {ip} addr add {NETNS_LOCAL_ADDRESS}/32 dev lo"
    reasons = []
    options = ("-n", "-p", "-f", "--kill-child")
    for prefix in ((unshare, *options), (unshare, "-r", *options)) if os.geteuid() == 0 else (
            (unshare, "-r", *options),):
        probe = subprocess.run([*prefix, "sh", "-ec", check], input=_nft_rules(drop_udp=True), capture_output=True,
                               text=True, timeout=TIMEOUT, check=False)
        if probe.returncode == 0:
            return prefix, ""
        reasons.append(f"`{' '.join(prefix[1:])}`: {(probe.stderr or probe.stdout).strip() or probe.returncode}")
    return None, "; ".join(reasons)


def require_netns() -> tuple[str, ...]:
    """The ``unshare`` prefix ``run_in_netns`` uses; skips (fails in CI) when this machine cannot make a network
    namespace with nftables rules in it."""
    prefix, reason = _netns_prefix()
    if prefix is None:
        _fail_or_skip(f"cannot make a network namespace with nftables rules here: {reason}")
    assert prefix is not None
    return prefix


def _nft_rules(*, drop_udp: bool) -> str:
    rule = "meta l4proto udp counter drop" if drop_udp else ""
    return textwrap.dedent(f"""\
        table inet chalk_probe_test {{
            chain input {{
                type filter hook input priority 0; policy accept;
                {rule}
            }}
        }}
        """)


def run_in_netns(script: str, tmp_path: Path, *, drop_udp: bool, args: Sequence[str] = (),
                 timeout: float = 60.0, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the Python ``script`` (this interpreter, cwd the repository) in a fresh network and PID namespace; see
    the module docstring. ``stdout``/``stderr`` are the script's, as text; when it fails they help: print the
    probe's output there."""
    prefix = require_netns()
    tools = {name: require_tool(name, package=package) for name, package in (("ip", "iproute2"), ("nft", "nftables"))}
    work = tmp_path / f"netns-{os.urandom(3).hex()}"
    work.mkdir(parents=True)
    (work / "rules.nft").write_text(_nft_rules(drop_udp=drop_udp))
    (work / "script.py").write_text(script)
    setup = (f'{tools["ip"]} link set lo up && {tools["ip"]} addr add {NETNS_LOCAL_ADDRESS}/32 dev lo && '
             f'{tools["nft"]} -f "$1" && shift && exec "$@"')
    python_path = os.pathsep.join([str(Path(__file__).resolve().parent), str(_PROXY_TESTS), str(_PROXY_TESTS.parent),
                                   str(REPO),
                                   *filter(None, [os.environ.get("PYTHONPATH")])])
    full_env = {**os.environ, "PYTHONPATH": python_path, "PROBE_TMP": str(work),
                _DROPS_UDP: "1" if drop_udp else "0", **(env or {})}
    return subprocess.run(
        [*prefix, "sh", "-ec", setup, "sh", str(work / "rules.nft"), sys.executable, str(work / "script.py"), *args],
        capture_output=True, text=True, errors="replace", timeout=timeout, check=False, cwd=REPO, env=full_env)
