"""Media checks with aioice: a STUN binding request (RFC 8489) over UDP or TCP, and a TURN allocation (RFC 8656)
with long-term credentials, to a STUN/TURN server on one port.

Over UDP, the binding request is retransmitted as RFC 8489 says (first after 500 ms, then doubling) until an answer
or the check's timeout; an ICMP port unreachable ends it at once. Over TCP on 443 and 5349, where a TURN server may
speak TLS (TURN-TLS), the request is sent both in the clear and inside TLS, at once; the first answer counts.

The TURN credentials go only into aioice's messages (USERNAME, and the key of MESSAGE-INTEGRITY): never into the
trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from aioice import stun, turn

from .model import Check, CheckKind, Credentials, Failure, Settings, Status, Transport
from .net import CheckFailed, Resolver, Trace, classify, peer_certificate

TLS_PORTS = frozenset({443, 5349})
"""TCP ports where a TURN server may speak TLS: the request is tried in the clear and in TLS."""
FIRST_RTO = 0.5
"""RFC 8489's initial retransmission timeout, in seconds (doubled after each retransmission)."""
TURN_LIFETIME = 60
"""Seconds asked for the test allocation, which is deleted right after."""
DELETE_WAIT = 1.0
"""Seconds given to deleting a test allocation (the server drops it after its lifetime anyway)."""
_CREDENTIAL_ERRORS = {401: "Unauthorized", 441: "Wrong Credentials"}


async def check_media(check: Check, settings: Settings, resolver: Resolver, context: ssl.SSLContext,
                      trace: Trace) -> None:
    """Runs one STUN or TURN check, recording its steps in ``trace``; raises on failure."""
    to_host, to_port = settings.destination(check.host, check.port)
    trace.begin("dns", f"resolving {to_host}")
    address, how = await resolver.resolve(to_host)
    trace.end(f"{to_host} -> {address} ({how})")
    trace.address = address
    if check.transport is Transport.UDP:
        await _attempt(check, settings.credentials, address, to_port, None, trace)
        return
    tls = context if check.port in TLS_PORTS else None
    if tls is None:
        await _attempt(check, settings.credentials, address, to_port, None, trace)
        return
    await _race(check, settings.credentials, address, to_port, tls, trace)


async def _attempt(check: Check, credentials: Credentials | None, address: str, port: int,
                   tls: ssl.SSLContext | None, trace: Trace) -> None:
    if check.kind is CheckKind.TURN:
        assert credentials is not None  # TURN checks exist only with credentials (targets.probe_plan)
        await _allocate(check, credentials, address, port, tls, trace)
    elif check.transport is Transport.UDP:
        await _binding_udp(address, port, trace)
    else:
        await _binding_tcp(check, address, port, tls, trace)


async def _race(check: Check, credentials: Credentials | None, address: str, port: int, tls: ssl.SSLContext,
                trace: Trace) -> None:
    """The request in the clear and inside TLS at once: the first to succeed is the check's result; when both fail
    (or the time is up), the one that got further (more steps done) is, with the other's outcome noted."""
    traces = {framing: Trace(trace.check) for framing in ("plain", "tls")}

    async def run(framing: str) -> str:
        await _attempt(check, credentials, address, port, tls if framing == "tls" else None, traces[framing])
        return framing

    tasks = {asyncio.create_task(run(framing)): framing for framing in traces}
    errors: dict[str, BaseException] = {}
    try:
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                exc = task.exception()
                if exc is None:
                    trace.note("framing", f"the request {_framing(task.result())} answered first")
                    trace.adopt(traces[task.result()])
                    return
                errors[tasks[task]] = exc
    except asyncio.CancelledError:
        trace.adopt(_furthest(traces))
        raise
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    best = max(errors, key=lambda framing: _progress(traces[framing]))
    other = "tls" if best == "plain" else "plain"
    _, detail = classify(errors[other], traces[other].step)
    trace.note("framing", f"the request {_framing(other)}: {detail}")
    trace.adopt(traces[best])
    raise errors[best]


def _framing(name: str) -> str:
    return "inside TLS" if name == "tls" else "in the clear"


def _progress(trace: Trace) -> int:
    return sum(step.ok for step in trace.steps)


def _furthest(traces: dict[str, Trace]) -> Trace:
    return max(traces.values(), key=_progress)


# --- STUN binding ---------------------------------------------------------------------------------------------------


class _BindingProtocol(asyncio.DatagramProtocol):
    """Waits for the answer to one binding request; an ICMP error (port unreachable) fails it at once."""

    def __init__(self, transaction_id: bytes) -> None:
        self.transaction_id = transaction_id
        self.answer: asyncio.Future[tuple[stun.Message, Any]] = asyncio.get_running_loop().create_future()
        self.ignored = 0

    def datagram_received(self, data: bytes, addr: Any) -> None:
        try:
            message = stun.parse_message(data)
        except ValueError:
            self.ignored += 1
            return
        if message.transaction_id == self.transaction_id and not self.answer.done():
            self.answer.set_result((message, addr))
        else:
            self.ignored += 1

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)


def _binding_request() -> stun.Message:
    request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    request.add_fingerprint()
    return request


async def _binding_udp(address: str, port: int, trace: Trace) -> None:
    loop = asyncio.get_running_loop()
    request = _binding_request()
    trace.begin("stun", f"the STUN binding request to {address}:{port}/udp")
    transport, protocol = await loop.create_datagram_endpoint(lambda: _BindingProtocol(request.transaction_id),
                                                              remote_addr=(address, port))
    try:
        data, rto, sent = bytes(request), FIRST_RTO, 0
        while True:
            transport.sendto(data)
            sent += 1
            trace.sent = f"STUN Binding request x{sent} to {address}:{port}/udp"
            done, _ = await asyncio.wait({protocol.answer}, timeout=rto)
            if done:
                break
            rto *= 2
        message, source = protocol.answer.result()
    finally:
        transport.close()
    _binding_answer(message, source, "udp", trace)


async def _binding_tcp(check: Check, address: str, port: int, tls: ssl.SSLContext | None, trace: Trace) -> None:
    framing = "tls" if tls is not None else "tcp"
    trace.begin("connect", f"the TCP connection to {address}:{port}")
    reader, writer = await asyncio.open_connection(address, port)
    try:
        trace.end(f"connected to {address}:{port}")
        if tls is not None:
            trace.begin("tls", f"the TLS handshake with {check.host} on {address}:{port}")
            await writer.start_tls(tls, server_hostname=check.host)
            trace.end(f"{peer_certificate(writer)} for {check.host}")
        request = _binding_request()
        trace.begin("stun", f"the STUN binding request to {address}:{port}/{framing}")
        writer.write(bytes(request))
        trace.sent = f"STUN Binding request to {address}:{port}/{framing}"
        header = await reader.readexactly(stun.HEADER_LENGTH)
        (length,) = struct.unpack("!H", header[2:4])
        body = await reader.readexactly(length)
        try:
            message = stun.parse_message(header + body)
        except ValueError as exc:
            raise CheckFailed(Failure.PROTOCOL, f"an answer that is not STUN ({exc})") from None
        if message.transaction_id != request.transaction_id:
            raise CheckFailed(Failure.PROTOCOL, "a STUN answer to another transaction")
        _binding_answer(message, writer.get_extra_info("peername"), framing, trace)
    finally:
        writer.close()


def _binding_answer(message: stun.Message, source: Any, framing: str, trace: Trace) -> None:
    where = f"{source[0]}:{source[1]}" if isinstance(source, tuple) else str(source)
    if message.message_method != stun.Method.BINDING:
        raise CheckFailed(Failure.PROTOCOL, f"a STUN {message.message_method.name} answer to a binding request")
    software = f", SOFTWARE {message.attributes['SOFTWARE']!r}" if "SOFTWARE" in message.attributes else ""
    if message.message_class == stun.Class.ERROR:  # an answer all the same: the path is open both ways
        code, reason = message.attributes.get("ERROR-CODE", (0, "?"))
        trace.received = f"Binding error response {code} {reason} from {where}/{framing}{software}"
    else:
        mapped = message.attributes.get("XOR-MAPPED-ADDRESS") or message.attributes.get("MAPPED-ADDRESS")
        seen = f", XOR-MAPPED-ADDRESS {mapped[0]}:{mapped[1]}" if mapped else ""
        trace.received = f"Binding success response from {where}/{framing}{seen}{software}"
    trace.end(trace.received)


# --- TURN allocation ------------------------------------------------------------------------------------------------


async def _allocate(check: Check, credentials: Credentials, address: str, port: int, tls: ssl.SSLContext | None,
                    trace: Trace) -> None:
    loop = asyncio.get_running_loop()
    framing = "tls" if tls is not None else check.transport.value
    server = (address, port)
    settings: dict[str, Any] = {"username": credentials.username, "password": credentials.credential,
                                "lifetime": TURN_LIFETIME, "channel_refresh_time": turn.DEFAULT_CHANNEL_REFRESH_TIME}
    protocol: turn.TurnClientTcpProtocol | turn.TurnClientUdpProtocol
    transport: asyncio.BaseTransport
    if check.transport is Transport.UDP:
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: turn.TurnClientUdpProtocol(server, **settings), remote_addr=server)
    else:
        trace.begin("connect", f"the TCP connection to {address}:{port}" + (" (TLS)" if tls else ""))
        transport, protocol = await loop.create_connection(
            lambda: turn.TurnClientTcpProtocol(server, **settings), address, port, ssl=tls,
            server_hostname=check.host if tls is not None else None)
        trace.end(f"connected to {address}:{port}" + (f" ({check.host}, TLS verified)" if tls else ""))
    try:
        trace.begin("turn", f"the TURN Allocate request to {address}:{port}/{framing}")
        trace.sent = f"TURN Allocate request (long-term credentials) to {address}:{port}/{framing}"
        try:
            relayed = await protocol.connect()
        except stun.TransactionFailed as exc:
            raise _allocate_error(exc, protocol) from None
        except stun.TransactionTimeout:
            raise TimeoutError from None
        except ConnectionError as exc:
            if isinstance(exc, ConnectionRefusedError | ConnectionResetError):
                raise
            raise CheckFailed(Failure.PROTOCOL, str(exc)) from None
        realm = f" (realm {protocol.realm!r})" if protocol.realm else ""
        trace.received = (f"Allocate success{realm}: relayed address {relayed[0]}:{relayed[1]}, mapped address "
                          f"{_pair(protocol.mapped_address)}")
        trace.end(trace.received)
        await _bounded(protocol.delete, DELETE_WAIT)
    finally:
        if protocol.refresh_task is not None:
            protocol.refresh_task.cancel()
        transport.close()


def _allocate_error(exc: stun.TransactionFailed, protocol: turn.TurnClientMixin) -> CheckFailed:
    code, reason = exc.response.attributes.get("ERROR-CODE", (0, "?"))
    realm = f" (realm {protocol.realm!r})" if protocol.realm else ""
    if code in _CREDENTIAL_ERRORS:
        return CheckFailed(Failure.PROTOCOL, f"the server refused the credentials: Allocate error response {code} "
                                             f"{reason}{realm}", Status.REJECTED)
    return CheckFailed(Failure.PROTOCOL, f"Allocate error response {code} {reason}{realm}")


def _pair(value: tuple[str, int] | None) -> str:
    return f"{value[0]}:{value[1]}" if value else "?"


async def _bounded(action: Callable[[], Awaitable[None]], seconds: float) -> None:
    with contextlib.suppress(Exception, TimeoutError):
        async with asyncio.timeout(seconds):
            await action()
