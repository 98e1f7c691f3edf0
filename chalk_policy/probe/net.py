"""Network helpers shared by the checks: name resolution (``--resolve`` first, then the system resolver), the TLS
context, and :class:`Trace`, which records each step of a check (what was tried, what came back, how long it took)
and turns an exception into a :class:`.model.Result`.

Name resolution runs ``getaddrinfo`` in a daemon thread of its own, never in the event loop's executor: a resolver
that hangs cannot hold up the end of the probe (``asyncio.run`` waits for its executor's threads; nobody waits for a
daemon thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from .model import Check, Failure, Result, Settings, Status, Step

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ENETDOWN, errno.EHOSTDOWN}


class CheckFailed(Exception):
    """A check's own verdict on what it saw (a proxy's 403, a STUN error, an unexpected answer)."""

    def __init__(self, failure: Failure, detail: str, status: Status = Status.FAILED) -> None:
        super().__init__(detail)
        self.failure = failure
        self.detail = detail
        self.status = status


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The system's trust store, plus ``ca_file`` (PEM) when given: certificate chain and host name verified."""
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


def literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class Resolver:
    """Addresses of host names: ``--resolve`` first, then ``getaddrinfo`` (once per name, shared by the checks);
    IPv4 addresses before IPv6 ones (Twilio's media servers are IPv4 only)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pending: dict[str, asyncio.Future[tuple[str, ...]]] = {}

    async def resolve(self, host: str) -> tuple[str, str]:
        """(address, how): how is ``address`` (a literal), ``--resolve`` or ``DNS: a, b`` (what DNS gave)."""
        address = literal(host)
        if address is not None:
            return address, "an address"
        forced = self._settings.address_for(host)
        if forced is not None:
            return forced, "--resolve"
        key = host.casefold()
        if key not in self._pending:
            self._pending[key] = self._lookup(host)
        addresses = await asyncio.shield(self._pending[key])
        more = f" and {len(addresses) - 1} more" if len(addresses) > 1 else ""
        return addresses[0], f"DNS{more}"

    @staticmethod
    def _lookup(host: str) -> asyncio.Future[tuple[str, ...]]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[str, ...]] = loop.create_future()

        def deliver(value: tuple[str, ...] | BaseException) -> None:
            if future.done():
                return
            if isinstance(value, BaseException):
                future.set_exception(value)
            else:
                future.set_result(value)

        def work() -> None:
            value: tuple[str, ...] | BaseException
            try:
                infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
                found = dict.fromkeys(str(info[4][0]) for info in infos)
                value = tuple(sorted(found, key=lambda address: ":" in address))
                if not value:
                    value = socket.gaierror(socket.EAI_NONAME, "no address")
            except (OSError, UnicodeError) as exc:
                value = exc if isinstance(exc, OSError) else socket.gaierror(socket.EAI_NONAME, str(exc))
            with contextlib.suppress(RuntimeError):  # the loop is closed: the probe ended without this answer
                loop.call_soon_threadsafe(deliver, value)

        threading.Thread(target=work, name=f"resolve {host}", daemon=True).start()
        future.add_done_callback(lambda done: done.cancelled() or done.exception())  # never "never retrieved"
        return future


@dataclass
class Trace:
    """The steps of one check as it runs; :meth:`result` and :meth:`failed` make its :class:`Result`."""

    check: Check
    started: float = field(default_factory=time.monotonic)
    steps: list[Step] = field(default_factory=list)
    address: str | None = None
    sent: str = ""
    received: str = ""
    _name: str = ""
    _doing: str = ""
    _since: float = 0.0

    def begin(self, name: str, doing: str) -> None:
        self._name, self._doing, self._since = name, doing, time.monotonic()

    def end(self, detail: str) -> None:
        self.steps.append(Step(self._name, True, detail, self._ms(self._since)))
        self._name, self._doing = "", ""

    def adopt(self, other: Trace) -> None:
        """Take over ``other``'s steps, evidence and the step it is in (a check tried two ways, :mod:`.media`)."""
        self.steps.extend(other.steps)
        self.sent, self.received = other.sent, other.received
        self._name, self._doing, self._since = other._name, other._doing, other._since

    def note(self, name: str, detail: str) -> None:
        self.steps.append(Step(name, True, detail, 0.0))

    @property
    def step(self) -> str:
        return self._name

    def _ms(self, since: float) -> float:
        return (time.monotonic() - since) * 1000

    def result(self, status: Status = Status.OK, failure: Failure | None = None) -> Result:
        return Result(self.check, status, self._ms(self.started), tuple(self.steps), failure, self.address,
                      self.sent, self.received)

    def failed(self, failure: Failure, detail: str, status: Status = Status.FAILED) -> Result:
        self.steps.append(Step(self._name or "check", False, detail, self._ms(self._since or self.started)))
        if not self.received:
            self.received = detail
        return self.result(status, failure)

    def timed_out(self, limit_s: float, deadline: bool) -> Result:
        doing = self._doing or "the check"
        if deadline:
            return self.failed(Failure.DEADLINE, f"{doing}: not finished when the probe's deadline came")
        return self.failed(Failure.TIMEOUT, f"no answer to {doing} within {limit_s * 1000:.0f} ms")

    def error(self, exc: BaseException) -> Result:
        failure, detail = classify(exc, self._name)
        return self.failed(failure, f"{self._doing}: {detail}" if self._doing else detail)


def classify(exc: BaseException, step: str) -> tuple[Failure, str]:
    """What an exception says about the network."""
    if isinstance(exc, CheckFailed):
        return exc.failure, exc.detail
    if isinstance(exc, socket.gaierror):
        return Failure.DNS, f"does not resolve ({exc.strerror or exc})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure.TLS, f"certificate not verified: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return Failure.TLS, f"TLS error: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return Failure.REFUSED, "refused (TCP reset or ICMP port unreachable: a firewall rejecting, or nothing listens)"
    closed = isinstance(exc, ConnectionResetError | BrokenPipeError | asyncio.IncompleteReadError | EOFError)
    if closed:
        if step == "tls":
            return Failure.TLS, "the connection was closed during the TLS handshake (an inspecting firewall or proxy?)"
        return Failure.PROTOCOL, "the other end closed the connection without an answer"
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return Failure.UNREACHABLE, f"unreachable ({exc.strerror})"
    if isinstance(exc, OSError):
        return Failure.UNREACHABLE, f"{type(exc).__name__}: {exc.strerror or exc}"
    return Failure.PROTOCOL, f"{type(exc).__name__}: {exc}"


def peer_certificate(writer: asyncio.StreamWriter) -> str:
    """``TLSv1.3, certificate CN=... issued by ...`` for a verified TLS stream."""
    ssl_object = writer.get_extra_info("ssl_object")
    if ssl_object is None:
        return "TLS"
    cert = ssl_object.getpeercert() or {}

    def name(field_name: str) -> str:
        parts = {key: value for rdn in cert.get(field_name, ()) for key, value in rdn}
        return str(parts.get("commonName") or parts.get("organizationName") or "?")

    return f"{ssl_object.version()}, certificate {name('subject')} issued by {name('issuer')}, verified"
