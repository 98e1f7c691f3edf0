"""The probe test kit's own tests: the servers it starts are real and behave as the probe tests assume.

coturn answers STUN over UDP, TCP and TLS on each of its ports and grants a TURN allocation only with the right
long-term credentials; the TLS server completes a verified handshake for its names only; inside the UDP-dropping
network namespace a UDP STUN request times out while TCP still works.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from aioice import stun, turn
from probe_kit import (
    TIMEOUT,
    Coturn,
    Transport,
    make_ca,
    require_tool,
    run_in_netns,
    running_coturn,
    running_tls_server,
    stun_binding,
    turn_allocate,
)


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    with running_coturn(tmp_path_factory.mktemp("coturn")) as server:
        yield server


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_coturn_answers_stun_binding_on_every_port(coturn: Coturn, transport: Transport) -> None:
    for port in coturn.ports:
        mapped = stun_binding(coturn.address, port, transport=transport, timeout=TIMEOUT,
                              cafile=coturn.ca_pem, server_hostname=coturn.tls_hostnames[0])
        assert mapped is not None and mapped[0] == "127.0.0.1", (port, mapped)


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_turn_allocation_needs_the_right_credentials(coturn: Coturn, transport: Literal["udp", "tcp"]) -> None:
    (user, password), = coturn.users.items()
    relayed = turn_allocate(coturn.address, coturn.port, user, password, transport=transport)
    assert relayed[0] == "127.0.0.1"
    for name, secret in ((user, "wrong"), ("nobody", password)):
        with pytest.raises(stun.TransactionFailed) as refused:
            turn_allocate(coturn.address, coturn.alt_port, name, secret, transport=transport)
        assert refused.value.response.error_code == 401
        assert refused.value.response.attributes["REALM"] == coturn.realm


def test_turn_relays_to_a_peer_on_loopback(coturn: Coturn) -> None:
    """allow-loopback-peers: a packet sent through the allocation reaches a UDP peer on 127.0.0.1, and back."""
    (user, password), = coturn.users.items()

    async def relay() -> None:
        class Queued(asyncio.DatagramProtocol):
            def __init__(self) -> None:
                self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                self.queue.put_nowait((data, addr))

        loop = asyncio.get_running_loop()
        peer, at_peer = await loop.create_datagram_endpoint(Queued, local_addr=("127.0.0.1", 0))
        peer_address = peer.get_extra_info("sockname")
        endpoint, at_client = await turn.create_turn_endpoint(Queued, (coturn.address, coturn.tls_port), user, password)
        try:
            relayed = endpoint.get_extra_info("sockname")
            endpoint.sendto(b"ping", peer_address)
            assert await asyncio.wait_for(at_peer.queue.get(), TIMEOUT) == (b"ping", relayed)
            peer.sendto(b"pong", relayed)
            assert await asyncio.wait_for(at_client.queue.get(), TIMEOUT) == (b"pong", peer_address)
        finally:
            endpoint.close()
            peer.close()

    asyncio.run(relay())


def test_tls_server_completes_a_verified_handshake_with_sni(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    with running_tls_server(tmp_path, ca, ["signal.chalk.test", "*.vuforia.test"]) as server:
        context = ssl.create_default_context(cafile=str(ca.ca_pem))
        for name in ("signal.chalk.test", "a.vuforia.test"):
            with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw, \
                    context.wrap_socket(raw, server_hostname=name) as tls:
                assert tls.version() in {"TLSv1.2", "TLSv1.3"}
                tls.sendall(f"GET / HTTP/1.1\r\nHost: {name}\r\n\r\n".encode())
                assert tls.recv(4096).startswith(b"HTTP/1.1 204 ")
        # a name the certificate does not cover: the server refuses it (strict SNI), and so would the client
        with socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw, \
                pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
            context.wrap_socket(raw, server_hostname="other.chalk.test")
        assert server.sni == ["signal.chalk.test", "a.vuforia.test", "other.chalk.test"]


def test_tls_server_from_an_untrusted_ca_fails_verification(tmp_path: Path) -> None:
    trusted, rogue = make_ca(tmp_path, "trusted"), make_ca(tmp_path, "rogue")
    with running_tls_server(tmp_path, rogue, ["signal.chalk.test"]) as server, \
            socket.create_connection((server.address, server.port), timeout=TIMEOUT) as raw, \
            pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer certificate"):
        ssl.create_default_context(cafile=str(trusted.ca_pem)).wrap_socket(raw, server_hostname="signal.chalk.test")


NETNS_SCRIPT = """
import json, os, socket, ssl
from pathlib import Path
from probe_kit import NETNS_LOCAL_ADDRESS, make_ca, running_coturn, running_tls_server, stun_binding, turn_allocate

tmp = Path(os.environ["PROBE_TMP"])
ca = make_ca(tmp)
with running_coturn(tmp) as coturn, running_tls_server(tmp, ca, ["signal.chalk.test"],
                                                       address=NETNS_LOCAL_ADDRESS) as server:
    (user, password), = coturn.users.items()
    result = {"udp": stun_binding(coturn.address, coturn.port, transport="udp", timeout=0.5),
              "tcp": stun_binding(coturn.address, coturn.port, transport="tcp", timeout=5)}
    try:
        result["turn_tcp"] = turn_allocate(coturn.address, coturn.tls_port, user, password, transport="tcp")
    except Exception as error:
        result["turn_tcp"] = repr(error)
    context = ssl.create_default_context(cafile=str(ca.ca_pem))
    with socket.create_connection((server.address, server.port), timeout=5) as raw, \\
            context.wrap_socket(raw, server_hostname="signal.chalk.test") as tls:
        result["tls"] = tls.version()
print(json.dumps(result))
"""


@pytest.mark.parametrize("drop_udp", [True, False])
def test_netns_drops_udp_but_not_tcp(tmp_path: Path, drop_udp: bool) -> None:
    ran = run_in_netns(NETNS_SCRIPT, tmp_path, drop_udp=drop_udp)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout.splitlines()[-1])
    assert result["tcp"][0] == "127.0.0.1"
    assert result["turn_tcp"][0] == "127.0.0.1"
    assert result["tls"] in {"TLSv1.2", "TLSv1.3"}  # a signaling server on the non-loopback NETNS_LOCAL_ADDRESS
    if drop_udp:
        assert result["udp"] is None
    else:
        assert result["udp"][0] == "127.0.0.1"


SQUID_SCRIPT = """
import json, os, socket, ssl, sys
from pathlib import Path
from probe_kit import (NETNS_LOCAL_ADDRESS, SQUID_WITHOUT_UDP, connect, free_port, make_ca, running_squid,
                       running_tls_server)

tmp = Path(os.environ["PROBE_TMP"])
ca = make_ca(tmp)
port = free_port()
config = f"http_port 127.0.0.1:{port}\\nhttp_access allow all\\n{SQUID_WITHOUT_UDP}\\n"
with running_tls_server(tmp, ca, ["signal.chalk.test"], address=NETNS_LOCAL_ADDRESS) as server, \\
        running_squid(sys.argv[1], config, tmp, {"signal.chalk.test": NETNS_LOCAL_ADDRESS}) as squid:
    status, sock = connect(squid.port, f"signal.chalk.test:{server.port}")
    context = ssl.create_default_context(cafile=str(ca.ca_pem))
    with context.wrap_socket(sock, server_hostname="signal.chalk.test") as tls:
        print(json.dumps({"status": status, "tls": tls.version(), "sni": server.sni}))
"""


def test_squid_tunnels_to_the_netns_local_address_with_udp_dropped(tmp_path: Path) -> None:
    """The proxy path inside the UDP-dropping namespace: Squid (without its UDP pinger) CONNECTs to a signaling
    server on NETNS_LOCAL_ADDRESS, and the TLS handshake through the tunnel is verified."""
    squid = require_tool("squid")
    ran = run_in_netns(SQUID_SCRIPT, tmp_path, drop_udp=True, args=[squid])
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1]) == {"status": 200, "tls": "TLSv1.3", "sni": ["signal.chalk.test"]}
