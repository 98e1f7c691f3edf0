"""Helpers for the proxy tests: the external tools (squid, node), free ports, a Squid started on 127.0.0.1.

External tools are optional on a workstation (the tests that need them skip) but required in CI
(``CI=true``, as ``.ci/run`` runs), where a missing tool fails the test instead of hiding it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chalk_testkit import require_tool

__all__ = ["require_tool"]  # with the helpers below; the firewall and probe kits import it from here too

TIMEOUT = 10.0
"""Upper bound, in seconds, for any one subprocess or network wait in these tests."""


def require_local_address() -> str:
    """A non-loopback IPv4 address of this machine (the source address of its default route; no packet is sent), for
    a test server Squid may tunnel to (it never tunnels to loopback); skip without one, except in CI."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # TEST-NET-2: only picks the route
            address = str(probe.getsockname()[0])
        except OSError:
            address = "127.0.0.1"
    if address.startswith("127.") or address == "0.0.0.0":
        message = "this machine has no non-loopback IPv4 address for a test server"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def squid_parse(squid: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([squid, "-k", "parse", "-f", str(config)], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def _grant_traverse(path: Path) -> None:
    """Let Squid's unprivileged user reach ``path``: o+x (search, not listing) on our directories on the way
    (pytest makes its temporary directories 0700, and re-secures its base directory on the next run)."""
    for directory in [path, *path.parents]:
        mode = directory.stat()
        if not mode.st_mode & 0o001 and mode.st_uid == os.geteuid():
            directory.chmod(mode.st_mode | 0o001)


@dataclass
class RunningSquid:
    port: int
    process: subprocess.Popen[bytes]
    run_dir: Path

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


@contextlib.contextmanager
def running_squid(squid: str, config_text: str, tmp_path: Path, hosts: dict[str, str]) -> Iterator[RunningSquid]:
    """Squid in the foreground (``-N``) on 127.0.0.1 with the given squid.conf plus its own pid, log and
    hosts files under ``tmp_path``; DNS goes to 127.0.0.1 only, so no lookup ever leaves the machine."""
    run_dir = tmp_path / "squid"
    run_dir.mkdir()
    (run_dir / "hosts").write_text("".join(f"{address} {name}\n" for name, address in hosts.items()))
    runtime = [
        f"pid_filename {run_dir}/squid.pid",
        f"cache_log {run_dir}/cache.log",
        f"coredump_dir {run_dir}",
        f"hosts_file {run_dir}/hosts",
        "dns_nameservers 127.0.0.1",
        "netdb_filename none",
        "shutdown_lifetime 1 second",
    ]
    if os.geteuid() == 0:  # Squid refuses to run as root: it switches to an unprivileged user
        user = next((name for name in ("proxy", "squid", "nobody") if _user_exists(name)), "nobody")
        runtime.append(f"cache_effective_user {user}")
        os.chown(run_dir, pwd.getpwnam(user).pw_uid, -1)
        _grant_traverse(run_dir)
    config = run_dir / "squid.conf"
    config.write_text(config_text + "\n# test runtime\n" + "\n".join(runtime) + "\n")
    parsed = squid_parse(squid, config)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    service = f"chalktest{uuid.uuid4().hex[:8]}"  # own shared-memory names: no clash with any other Squid
    process = subprocess.Popen([squid, "-N", "-n", service, "-f", str(config)], stdout=subprocess.DEVNULL,
                               stderr=(run_dir / "stderr.log").open("wb"))
    port = int(next(line.split()[1].rsplit(":", 1)[-1] for line in config_text.splitlines()
                    if line.startswith("http_port ")))
    try:
        _wait_listening(port, process, run_dir)
        yield RunningSquid(port, process, run_dir)
    finally:
        _stop(process)
        for leftover in Path("/dev/shm").glob(f"{service}-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_listening(port: int, process: subprocess.Popen[bytes], run_dir: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = "".join(p.read_text(errors="replace") for p in (run_dir / "cache.log", run_dir / "stderr.log")
                           if p.exists())
            raise AssertionError(f"squid exited with {process.returncode}:\n{logs[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"squid did not listen on 127.0.0.1:{port} within {TIMEOUT} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # `squid -k interrupt`: shut down without a long drain
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


def connect(port: int, target: str) -> tuple[int, socket.socket]:
    """Send ``CONNECT target`` to the proxy; return the status code and the open socket."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    status_line = head.split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1]), sock
