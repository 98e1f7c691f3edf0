"""The Squid configuration: its text, Squid's own parser, and a real Squid on 127.0.0.1 enforcing it.

No traffic leaves the machine: the allowlisted test host comes from a catalog overlay and resolves to
127.0.0.1 through Squid's ``hosts_file``, DNS servers are 127.0.0.1 only, and the "Chalk server" is a
listener on 127.0.0.1:443 started by the test.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from proxy_kit import (
    TIMEOUT,
    connect,
    free_port,
    require_local_address,
    require_tool,
    running_squid,
    squid_parse,
)

from chalk_policy.catalog import CatalogError, load_catalog
from chalk_policy.planning import plan
from chalk_policy.proxy import (
    DEFAULT_IDLE_TIMEOUT,
    LINK_LOCAL_DESTINATIONS,
    METADATA_DESTINATIONS,
    MIN_IDLE_TIMEOUT,
    ProxyConfigError,
    render_squid,
)

TEST_HOST = "signal.chalk.test"
FORBIDDEN_HOSTS = {  # allowlisted by the overlay below, and mapped by Squid's hosts_file to a forbidden address
    "loop.chalk.test": "127.0.0.1", "loop6.chalk.test": "::1", "zero.chalk.test": "0.0.0.0",
    "link.chalk.test": "169.254.10.1", "link6.chalk.test": "fe80::1", "meta.chalk.test": "169.254.169.254",
    "meta6.chalk.test": "fd00:ec2::254", "ali.chalk.test": "100.100.100.200",
}
FORBIDDEN_LITERALS = ("127.0.0.1", "169.254.169.254")
"""The catalog takes these as host names (dotted labels of digits), so an overlay can put them on the allowlist."""


def overlay_file(tmp_path: Path, *extra_hosts: str) -> Path:
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump({"overlay": 1, "version": "2026120101", "hosts": [
        {"host": host, "role": "chalk-cloud", "source": "ptc-all", "evidence": "inferred"}
        for host in (TEST_HOST, *extra_hosts)]}))
    return path


def acl_hosts(text: str) -> list[str]:
    return [line.split()[-1] for line in text.splitlines() if line.startswith("acl chalk_hosts dstdomain -n ")]


# --- the text ---------------------------------------------------------------------------------------


def test_the_allowlist_is_exactly_the_plans_host_names_one_per_line() -> None:
    chalk_plan = plan(load_catalog(), "jp1", 1)
    text = render_squid(chalk_plan)
    assert acl_hosts(text) == list(chalk_plan.host_names)
    assert all(not host.startswith(".") for host in acl_hosts(text))  # exact names: no subdomain wildcard
    assert "jp1.vss.twilio.com" in acl_hosts(text) and "us2.vss.twilio.com" not in acl_hosts(text)
    header = text.splitlines()[:2]
    assert header[1] == "# Plan: catalog 2026120101, regions jp1, option 1, encryption standard."


def test_only_connect_to_443_from_the_clients_and_deny_all_last() -> None:
    text = render_squid(plan(load_catalog(), "all", 3, "e2ee"), clients="10.40.0.0/16,192.168.10.0/24")
    access = [line for line in text.splitlines() if line.startswith("http_access ")]
    assert access == ["http_access deny !chalk_clients", "http_access deny !chalk_connect",
                      "http_access deny !chalk_tls_port", "http_access deny !chalk_hosts",
                      "http_access deny to_localhost", "http_access deny chalk_forbidden_link_local",
                      "http_access deny chalk_forbidden_metadata", "http_access allow chalk_hosts",
                      "http_access deny all"]
    assert "acl chalk_connect method CONNECT\n" in text and "acl chalk_tls_port port 443\n" in text
    assert [line for line in text.splitlines() if line.startswith("acl chalk_clients")] == [
        "acl chalk_clients src 10.40.0.0/16", "acl chalk_clients src 192.168.10.0/24"]
    assert "http_port 3128\n" in text
    assert "access_log stdio:/var/log/squid/access.log squid\n" in text
    assert "regions au1,br1,de1,ie1,in1,jp1,sg1,us1,us2, option 3, encryption e2ee" in text


def test_idle_tunnels_stay_open_at_least_300_seconds() -> None:
    text = render_squid(plan(load_catalog(), "jp1", 1))
    (read_timeout,) = re.findall(r"^read_timeout (\d+) seconds$", text, re.M)
    (lifetime,) = re.findall(r"^client_lifetime (\d+) seconds$", text, re.M)
    assert int(read_timeout) == DEFAULT_IDLE_TIMEOUT >= MIN_IDLE_TIMEOUT == 300
    assert int(lifetime) >= int(read_timeout)
    assert "read_timeout 600 seconds\n" in render_squid(plan(load_catalog(), "jp1", 1), idle_timeout=600)


def test_loopback_link_local_and_metadata_are_denied_before_the_only_allow() -> None:
    lines = render_squid(plan(load_catalog(), "jp1", 1)).splitlines()
    assert "acl chalk_forbidden_link_local dst 169.254.0.0/16 fe80::/10" in lines
    assert "acl chalk_forbidden_metadata dst 169.254.169.254 fd00:ec2::254 100.100.100.200" in lines
    assert LINK_LOCAL_DESTINATIONS == ("169.254.0.0/16", "fe80::/10")
    assert METADATA_DESTINATIONS == ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
    access = [line for line in lines if line.startswith("http_access ")]
    allows = [index for index, line in enumerate(access) if line.startswith("http_access allow ")]
    assert allows == [len(access) - 2]  # one allow, then deny all
    for deny in ("to_localhost", "chalk_forbidden_link_local", "chalk_forbidden_metadata"):
        assert access.index(f"http_access deny {deny}") < allows[0]


def test_public_clients_need_the_opt_in_and_are_named_in_a_warning() -> None:
    chalk_plan = plan(load_catalog(), "jp1", 1)
    with pytest.raises(ProxyConfigError, match=r"^clients: '0\.0\.0\.0/0' is world-wide .*; public clients only "
                                               r"with allow_public_clients=True$"):
        render_squid(chalk_plan, clients="0.0.0.0/0")
    text = render_squid(chalk_plan, clients="10.0.0.0/8,203.0.113.0/24", allow_public_clients=True)
    assert ("# WARNING: public client networks, allowed on purpose: 203.0.113.0/24. Every host in them may\n"
            "# use this proxy: keep its port unreachable from anywhere else, or it is an open proxy.\n") in text
    assert "WARNING" not in render_squid(chalk_plan, clients="10.0.0.0/8", allow_public_clients=True)


@pytest.mark.parametrize(("option", "encryption", "media"), [
    (1, "standard", "(option 1: UDP 443, 3478, 10000-60000 to the regions' media ranges)"),
    (3, "e2ee", "(option 3: TCP 443, 3478, 5349 to the regions' media ranges)"),
])
def test_the_header_says_media_does_not_pass_through_the_proxy(option: int, encryption: str, media: str) -> None:
    text = render_squid(plan(load_catalog(), "jp1", option, encryption))
    header = " ".join(line[2:] for line in text.split("\n\n", 1)[0].splitlines())
    assert (f"Signaling only: this proxy carries TCP 443 to the host names below. Media {media} does not pass "
            "through an HTTP proxy: allow it on the firewall (`chalk-policy plan` / `chalk-policy render "
            "nftables`).") in header
    assert ("E2EE media also flows directly between Chalk clients" in header) == (encryption == "e2ee")
    assert all(len(line) <= 110 for line in text.splitlines() if line.startswith("#"))


def test_default_clients_are_the_private_ranges() -> None:
    text = render_squid(plan(load_catalog(), "jp1", 1))
    assert re.findall(r"^acl chalk_clients src (\S+)$", text, re.M) == ["10.0.0.0/8", "172.16.0.0/12",
                                                                         "192.168.0.0/16"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"port": 0}, "port: 0 is not a port; allowed: an integer 1-65535"),
    ({"clients": "10.0.0.1/8"}, "clients: '10.0.0.1/8' has host bits set; allowed: the network address, 10.0.0.0/8"),
    ({"clients": ""}, "clients: no network given; allowed: IPv4 or IPv6 networks without host bits, "
                      "e.g. 10.20.0.0/16"),
    ({"clients": "corp-lan"}, "clients: 'corp-lan' is not a network; allowed: IPv4 or IPv6 networks without host "
                              "bits, e.g. 10.20.0.0/16"),
    ({"idle_timeout": 299}, "idle_timeout: 299 is out of range; allowed: an integer 300-86400 (seconds; Twilio asks "
                            "for at least 300)"),
    ({"access_log": "/var/log/x.log\nhttp_access allow all"},
     "access_log: '/var/log/x.log\\nhttp_access allow all' is not a Squid log destination; allowed: none, or stdio:, "
     "daemon:, syslog:, udp: or tcp: and a path or address without spaces, e.g. stdio:/var/log/squid/access.log"),
    ({"listen_address": "localhost"}, "listen_address: 'localhost' is not an address; allowed: an IPv4 address or "
                                      "[IPv6 address], e.g. 127.0.0.1"),
])
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ProxyConfigError) as raised:
        render_squid(plan(load_catalog(), "jp1", 1), **kwargs)  # type: ignore[arg-type]
    assert str(raised.value) == message


# --- Squid's own parser --------------------------------------------------------------------------------


@pytest.mark.parametrize(("regions", "option", "encryption", "settings"), [
    ("jp1", 1, "standard", {"clients": "10.40.0.0/16"}),
    ("all", 3, "e2ee", {"clients": "10.40.0.0/16"}),
    ("br1,us2", 2, "standard", {"clients": "10.40.0.0/16"}),
    ("jp1", 1, "standard", {}),  # the defaults: the CLI's, and the component's with only a client security group
    ("jp1", 1, "standard", {"clients": ["10.40.0.0/16"], "port": 3128}),  # the component's test configuration
    ("jp1", 1, "e2ee", {"clients": "10.0.0.0/8,0.0.0.0/0,::/0,fd00::/8", "allow_public_clients": True,
                        "endpoint": "chalk-proxy.corp.example:8080", "listen_address": "[::1]"}),
])
def test_squid_accepts_the_configuration(tmp_path: Path, regions: str, option: int, encryption: str,
                                         settings: dict[str, object]) -> None:
    squid = require_tool("squid")
    config = tmp_path / "squid.conf"
    config.write_text(render_squid(plan(load_catalog(), regions, option, encryption), **settings))  # type: ignore[arg-type]
    result = squid_parse(squid, config)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines() if re.search(r"\b(ERROR|FATAL|WARNING)\b", line)]
    assert problems == []  # also: no address dropped from an ACL that already holds its network
    assert "Processing: acl chalk_hosts dstdomain -n vuforiachalk.com" in output
    assert "Processing: acl chalk_forbidden_metadata dst 169.254.169.254 fd00:ec2::254 100.100.100.200" in output
    assert "Processing: http_access deny to_localhost" in output


def test_squid_accepts_what_the_cli_prints(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from chalk_policy.cli.main import cli

    squid = require_tool("squid")
    for extra in ([], ["--clients", "0.0.0.0/0", "--allow-public-clients"]):
        config = tmp_path / "squid.conf"
        result = CliRunner().invoke(cli, ["render", "squid", "--regions", "all", "--option", "2", "--output",
                                          str(config), *extra])
        assert result.exit_code == 0, result.output
        parsed = squid_parse(squid, config)
        assert parsed.returncode == 0, parsed.stdout + parsed.stderr
        assert not re.search(r"\b(ERROR|FATAL|WARNING)\b", parsed.stdout + parsed.stderr)


# --- a real Squid ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def chalk_server(address: str) -> Iterator[bool]:
    """An echo server on ``address``:443 (the allowlisted host's address) when this process may bind it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind((address, 443))
    except OSError as exc:
        server.close()
        if exc.errno not in (errno.EACCES, errno.EADDRINUSE, errno.EPERM):
            raise
        yield False
        return
    server.listen()
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):
                conn.settimeout(TIMEOUT)
                conn.sendall(b"chalk:" + conn.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield True
    finally:
        stop.set()
        thread.join(timeout=TIMEOUT)
        server.close()


def test_a_real_squid_tunnels_only_to_allowlisted_hosts_on_443(tmp_path: Path) -> None:
    squid = require_tool("squid")
    # The "Chalk server" is this machine's own non-loopback address: Squid never tunnels to loopback.
    server = require_local_address()
    chalk_plan = plan(load_catalog(overlay=overlay_file(tmp_path)), "jp1", 1)
    assert TEST_HOST in chalk_plan.host_names
    port = free_port()
    config = render_squid(chalk_plan, port=port, listen_address="127.0.0.1", clients=["127.0.0.1/32"],
                          access_log=f"stdio:{tmp_path}/squid/access.log")
    lookalikes = {f"evil{TEST_HOST.replace('.', '', 1)}": server, f"x.{TEST_HOST}": server,
                  "evilvuforiachalk.com": server}
    with chalk_server(server) as listening, running_squid(squid, config, tmp_path,
                                                          {TEST_HOST: server, **lookalikes}) as proxy:
        # Denied by the ACL (every name resolves to the server, so a 403 is the policy, not DNS).
        for target in [*[f"{host}:443" for host in lookalikes], f"{TEST_HOST}:8443", f"{TEST_HOST}:80",
                       "127.0.0.1:443"]:
            status, sock = connect(proxy.port, target)
            sock.close()
            assert status == 403, target
        # Allowed by the ACL: the tunnel to the allowlisted host on 443 is opened.
        status, sock = connect(proxy.port, f"{TEST_HOST}:443")
        with sock:
            if listening:  # as root: a real end-to-end tunnel to the local "Chalk server"
                assert status == 200
                sock.sendall(b"hello")
                assert sock.recv(1024) == b"chalk:hello"
            else:  # nothing may listen on port 443 here: Squid tried, the connection was refused
                assert status in (200, 503)
        plain_get = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
        with plain_get:
            plain_get.sendall(f"GET http://{TEST_HOST}/ HTTP/1.1\r\nHost: {TEST_HOST}\r\n\r\n".encode())
            assert plain_get.recv(64).split(b"\r\n", 1)[0].split()[1] == b"403"  # no plain-HTTP forwarding
    log = proxy.log_lines()
    assert any("TCP_DENIED/403" in line and f"CONNECT {TEST_HOST}:8443" in line for line in log), log
    tunnel = [line for line in log if f"CONNECT {TEST_HOST}:443" in line]
    assert tunnel and "TCP_DENIED" not in tunnel[0], log
    if listening:
        assert "TCP_TUNNEL/200" in tunnel[0] and f"HIER_DIRECT/{server}" in tunnel[0]
    assert proxy.process.returncode == 0  # stopped cleanly at the end of the with block


def test_a_real_squid_never_tunnels_to_loopback_link_local_or_metadata(tmp_path: Path) -> None:
    """Allowlisted names that resolve to a forbidden address, and forbidden addresses asked for as they are, are
    refused before Squid connects anywhere; without the deny rules the same configuration
    would tunnel to 127.0.0.1 (the control at the end)."""
    squid = require_tool("squid")
    with pytest.raises(CatalogError, match="is an IP address, not a host name"):  # the catalog refuses addresses
        load_catalog(overlay=overlay_file(tmp_path, *FORBIDDEN_LITERALS))
    chalk_plan = plan(load_catalog(overlay=overlay_file(tmp_path, *FORBIDDEN_HOSTS)), "jp1", 1)
    assert set(FORBIDDEN_HOSTS) <= set(chalk_plan.host_names)
    config = render_squid(chalk_plan, port=free_port(), listen_address="127.0.0.1", clients=["127.0.0.1/32"],
                          access_log=f"stdio:{tmp_path}/squid/access.log")
    targets = [*FORBIDDEN_HOSTS, *FORBIDDEN_LITERALS, "localhost", "[::1]", "[fd00:ec2::254]", "100.100.100.200"]
    with running_squid(squid, config, tmp_path, FORBIDDEN_HOSTS) as proxy:
        for target in targets:
            status, sock = connect(proxy.port, f"{target}:443")
            sock.close()
            assert status == 403, target
    log = proxy.log_lines()
    for target in targets:
        (line,) = [line for line in log if f" CONNECT {target}:443 " in line]
        assert "TCP_DENIED/403" in line and "HIER_NONE/-" in line, line  # refused before any connection attempt

    # The control: the same configuration without the deny rules lets the tunnel to 127.0.0.1 be tried.
    control_dir = tmp_path / "control"
    control_dir.mkdir()
    unguarded = "\n".join(line for line in config.splitlines() if line not in (
        "http_access deny to_localhost", "http_access deny chalk_forbidden_link_local",
        "http_access deny chalk_forbidden_metadata"))
    with running_squid(squid, unguarded, control_dir, {"loop.chalk.test": "127.0.0.1"}) as proxy:
        for target in ("loop.chalk.test:443",):  # an address itself is not on the allowlist (!chalk_hosts)
            status, sock = connect(proxy.port, target)
            sock.close()
            assert status != 403, target  # 503 (nothing listens on 127.0.0.1:443) or 200


def test_clients_outside_the_source_networks_are_refused(tmp_path: Path) -> None:
    squid = require_tool("squid")
    chalk_plan = plan(load_catalog(overlay=overlay_file(tmp_path)), "jp1", 1)
    port = free_port()
    config = render_squid(chalk_plan, port=port, listen_address="127.0.0.1", clients=["10.40.0.0/16"],
                          access_log=f"stdio:{tmp_path}/squid/access.log")
    with running_squid(squid, config, tmp_path, {TEST_HOST: "127.0.0.1"}) as proxy:
        status, sock = connect(proxy.port, f"{TEST_HOST}:443")
        sock.close()
    assert status == 403
    assert os.path.getsize(proxy.access_log) > 0
