"""The probe's records: what to check (:class:`Check`), what happened (:class:`Result`, :class:`Step`), with which
settings (:class:`Settings`), and the enums that name them. Frozen values, no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

SIGNALING_PORT = 443
DEFAULT_TIMEOUT = 3.0
"""Seconds one check may take (DNS, connection, handshake and reply together)."""
DEFAULT_DEADLINE = 15.0
"""Seconds the whole probe may take: every check runs at once, and a check still running then is stopped."""
MAX_SECONDS = 600.0
REDACTED = "***"


class Transport(StrEnum):
    UDP = "udp"
    TCP = "tcp"


class CheckKind(StrEnum):
    SIGNALING = "signaling"
    """DNS, TCP connection and TLS handshake (SNI, chain verified) to a signaling host on TCP 443."""
    STUN = "stun"
    """A STUN binding request (RFC 8489) to a STUN/TURN server; the reply proves the path for that port."""
    TURN = "turn"
    """A TURN allocation (RFC 8656) with the given credentials: the server relays for us."""


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"
    REJECTED = "rejected"
    """The server answered, so the path is open, but it refused the TURN credentials."""
    NOT_PROBED = "not probed"


class Failure(StrEnum):
    """Why a check failed: what the network did."""

    DNS = "dns"
    """The host name did not resolve."""
    TIMEOUT = "timeout"
    """No answer within the check's timeout: something dropped the packets (or nothing listens)."""
    REFUSED = "refused"
    """A TCP reset or an ICMP port unreachable: a firewall that rejects, or nothing listens."""
    UNREACHABLE = "unreachable"
    """No route to the address (ICMP network/host unreachable, or no route on this machine)."""
    TLS = "tls"
    """The TLS handshake failed: a certificate that does not verify (TLS inspection?) or a broken handshake."""
    PROXY = "proxy"
    """The HTTP proxy refused the CONNECT or could not open the tunnel."""
    PROTOCOL = "protocol"
    """An answer that is not what the protocol expects (a STUN error response, a closed connection)."""
    DEADLINE = "deadline"
    """Still running when the probe's deadline came."""


class Verdict(StrEnum):
    WORKS = "works"
    PARTIAL = "partial"
    """Some checks pass and some fail: a path exists, but not every rule of the option is open."""
    BLOCKED = "blocked"
    NOT_PROBED = "not probed"


@dataclass(frozen=True, order=True)
class Check:
    """One thing to try: a signaling host over TLS, or a STUN binding or TURN allocation on one transport and port."""

    kind: CheckKind
    host: str
    transport: Transport
    port: int
    options: tuple[int, ...] = ()
    """The port options whose rules this check tests (signaling: every option)."""
    documented: bool = True
    """Twilio documents a server on this transport and port. An undocumented one that does not answer proves nothing
    about the firewall (maybe nobody listens there), so it never makes a verdict worse."""
    regions: tuple[str, ...] = ()
    """Signaling: the selected regions that need the host (empty: every one, a global host)."""

    @property
    def id(self) -> str:
        """``signaling-tcp-443-<host>`` (the id of the firewall ticket's rule for it), ``stun-udp-3478-<host>``,
        ``turn-tcp-443-<host>``."""
        return f"{self.kind.value}-{self.transport.value}-{self.port}-{self.host}"

    @property
    def target(self) -> str:
        return f"{self.host} {self.transport.value.upper()} {self.port}"


@dataclass(frozen=True)
class Unprobed:
    """A rule of a port option that no check can cover, and why."""

    option: int
    transport: Transport
    ports: str
    reason: str

    @property
    def id(self) -> str:
        return f"media-{self.transport.value}-{self.ports}"


@dataclass(frozen=True)
class Step:
    """One step of a check and what it saw: ``dns``, ``connect``, ``proxy``, ``tls``, ``stun``, ``turn``."""

    name: str
    ok: bool
    detail: str
    elapsed_ms: float


@dataclass(frozen=True)
class Result:
    check: Check
    status: Status
    elapsed_ms: float
    steps: tuple[Step, ...] = ()
    failure: Failure | None = None
    address: str | None = None
    """Where the packets went: the address the check connected or sent to (media: the STUN/TURN server)."""
    sent: str = ""
    """What was sent, e.g. ``STUN Binding request x3 to 52.59.186.5:3478/udp``."""
    received: str = ""
    """What came back, e.g. ``Binding success response from 52.59.186.5:3478 (XOR-MAPPED-ADDRESS ...)``."""

    @property
    def detail(self) -> str:
        """The last step's detail: what finally happened."""
        return self.steps[-1].detail if self.steps else self.received


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy for signaling (HTTP CONNECT, then TLS inside the tunnel)."""

    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The proxy for output: never its user name or password."""
        auth = f"{REDACTED}@" if self.username is not None else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{auth}{host}:{self.port}"


@dataclass(frozen=True)
class Credentials:
    """TURN long-term credentials. Never printed: not in ``repr``, not in any output or error."""

    username: str = field(repr=False)
    credential: str = field(repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.username, self.credential)


@dataclass(frozen=True)
class ConnectTo:
    """``--connect-to HOST:PORT=ADDR:PORT``: connections for ``host`` (``*``: any host) on ``port`` go to
    ``to_host``:``to_port`` instead (TLS still names and verifies ``host``)."""

    host: str
    port: int
    to_host: str
    to_port: int


@dataclass(frozen=True)
class Settings:
    timeout: float = DEFAULT_TIMEOUT
    deadline: float = DEFAULT_DEADLINE
    ca_file: str | None = None
    proxy: Proxy | None = None
    resolve: tuple[tuple[str, str], ...] = ()
    """``--resolve HOST=ADDR``: (host, address); host ``*`` stands for every host not named."""
    connect_to: tuple[ConnectTo, ...] = ()
    credentials: Credentials | None = field(default=None, repr=False)

    def address_for(self, host: str) -> str | None:
        """The ``--resolve`` address of ``host``, if any (an exact name first, then ``*``)."""
        named = {name.casefold(): address for name, address in self.resolve}
        return named.get(host.casefold(), named.get("*"))

    def destination(self, host: str, port: int) -> tuple[str, int]:
        """Where a connection for ``host``:``port`` goes (``--connect-to``; an exact name before ``*``)."""
        for wanted in (host.casefold(), "*"):
            for rule in self.connect_to:
                if rule.host.casefold() == wanted and rule.port == port:
                    return rule.to_host, rule.to_port
        return host, port

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every value that must never be printed."""
        found = [*(self.credentials.secrets if self.credentials else ())]
        if self.proxy is not None:
            found += [value for value in (self.proxy.username, self.proxy.password) if value]
        return tuple(value for value in found if value)


SCRUB_MIN_LENGTH = 8
"""Secrets at least this long are replaced wherever they appear in a result; a shorter one would match ordinary words
(a user name ``chalk`` in ``chalk-policy``), and no check writes a secret into its evidence anyway."""


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (of :data:`SCRUB_MIN_LENGTH` characters or more) replaced by ``***``: a last guard,
    since no check puts one into its evidence."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= SCRUB_MIN_LENGTH:
            text = text.replace(secret, REDACTED)
    return text


def scrub_result(result: Result, secrets: tuple[str, ...]) -> Result:
    if not secrets:
        return result
    steps = tuple(dataclasses.replace(step, detail=scrub(step.detail, secrets)) for step in result.steps)
    return dataclasses.replace(result, steps=steps, sent=scrub(result.sent, secrets),
                               received=scrub(result.received, secrets))
