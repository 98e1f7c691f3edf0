"""Signaling checks: DNS, a TCP connection and a TLS handshake (SNI = the host, certificate chain and host name
verified) to a signaling host on TCP 443; through an HTTP proxy when one is given (HTTP CONNECT, then TLS inside the
tunnel; the proxy resolves the name)."""

from __future__ import annotations

import asyncio
import base64
import ssl

from .model import Check, Failure, Proxy, Settings
from .net import CheckFailed, Resolver, Trace, peer_certificate

HEAD_LIMIT = 16 * 1024
"""The most of a proxy's answer to CONNECT that is read (status line and headers)."""


async def check_signaling(check: Check, settings: Settings, resolver: Resolver, context: ssl.SSLContext,
                          trace: Trace) -> None:
    """Runs one signaling check, recording its steps in ``trace``; raises on failure."""
    to_host, to_port = settings.destination(check.host, check.port)
    if settings.proxy is not None:
        writer = await _tunnel(settings.proxy, to_host, to_port, resolver, trace)
        trace.sent = f"CONNECT {to_host}:{to_port} to the proxy {settings.proxy.shown}, then a TLS ClientHello " \
                     f"(SNI {check.host})"
    else:
        trace.begin("dns", f"resolving {to_host}")
        address, how = await resolver.resolve(to_host)
        trace.end(f"{to_host} -> {address} ({how})")
        trace.address = address
        trace.sent = f"TCP connection to {address}:{to_port}, then a TLS ClientHello (SNI {check.host})"
        trace.begin("connect", f"the TCP connection to {address}:{to_port}")
        _, writer = await asyncio.open_connection(address, to_port)
        trace.end(f"connected to {address}:{to_port}")
    try:
        trace.begin("tls", f"the TLS handshake with {check.host}")
        await writer.start_tls(context, server_hostname=check.host)
        trace.received = f"{peer_certificate(writer)} for {check.host}"
        trace.end(trace.received)
    finally:
        writer.close()


async def _tunnel(proxy: Proxy, to_host: str, to_port: int, resolver: Resolver,
                  trace: Trace) -> asyncio.StreamWriter:
    trace.begin("dns", f"resolving the proxy {proxy.host}")
    address, how = await resolver.resolve(proxy.host)
    trace.end(f"proxy {proxy.host} -> {address} ({how})")
    trace.begin("connect", f"the TCP connection to the proxy {address}:{proxy.port}")
    reader, writer = await asyncio.open_connection(address, proxy.port, limit=HEAD_LIMIT)
    trace.end(f"connected to the proxy {address}:{proxy.port}")
    try:
        target = f"[{to_host}]:{to_port}" if ":" in to_host else f"{to_host}:{to_port}"
        trace.begin("proxy", f"CONNECT {target} through the proxy")
        head = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
        if proxy.username is not None:
            token = base64.b64encode(f"{proxy.username}:{proxy.password or ''}".encode()).decode("ascii")
            head.append(f"Proxy-Authorization: Basic {token}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8"))
        try:
            answer = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise CheckFailed(Failure.PROXY, f"the proxy's answer to CONNECT is longer than {HEAD_LIMIT} bytes") \
                from None
        status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise CheckFailed(Failure.PROXY, f"the proxy did not answer HTTP ({status_line[:80]!r})")
        if not parts[1].startswith("2"):
            raise CheckFailed(Failure.PROXY, f"the proxy answered {' '.join(parts[1:])} to CONNECT {target}")
        trace.end(f"the proxy answered {' '.join(parts[1:])}")
    except BaseException:
        writer.close()
        raise
    return writer
