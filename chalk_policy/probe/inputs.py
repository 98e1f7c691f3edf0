"""The probe's command-line values, parsed and checked: ``--resolve``, ``--connect-to``, ``--proxy``,
``--media-host``, ``--timeout``/``--deadline`` and the TURN credentials. Pure: a bad value raises
:class:`ProbeInputError` with one line naming the option, the value and what is allowed. A message never contains a
credential: the TURN credentials and a proxy's password are never quoted back.

TURN credentials file (``--turn-credentials-file``), either of:

- a JSON object with ``username`` and ``credential`` (the names of WebRTC's ``RTCIceServer``) or ``password``
  (so the JSON that Twilio's Network Traversal Service returns for a token can be saved and given as it is);
- two lines: the user name, then the credential (blank lines and the lines' surrounding blanks ignored).
"""

from __future__ import annotations

import ipaddress
import json
import re
from urllib.parse import unquote, urlsplit

from ..text import show
from .model import MAX_SECONDS, ConnectTo, Credentials, Proxy

PROXY_DEFAULT_PORT = 3128
"""Squid's port, and the port `chalk-policy render squid` writes."""
CREDENTIALS_FILE_LIMIT = 64 * 1024
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
ANY_HOST = "*"


class ProbeInputError(ValueError):
    """A bad command-line value: one line, exit 2."""


def parse_host(value: str, option: str, *, wildcard: bool = False) -> str:
    """A host name or an IP address (``[::1]`` or ``::1``), lower-cased; ``*`` when ``wildcard``."""
    text = value.strip()
    if wildcard and text == ANY_HOST:
        return text
    address = _address(text)
    if address is not None:
        return address
    labels = text.rstrip(".").split(".")
    if not text or len(text) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        allowed = "a host name, an IP address" + (" or * (any host)" if wildcard else "")
        raise ProbeInputError(f"{option}: {show(value)} is not a host; allowed: {allowed}")
    return text.rstrip(".").lower()


def parse_address(value: str, option: str) -> str:
    address = _address(value.strip())
    if address is None:
        raise ProbeInputError(f"{option}: {show(value)} is not an IP address; allowed: an IPv4 or IPv6 address, "
                              "e.g. 192.0.2.10 or [2001:db8::10]")
    return address


def _address(text: str) -> str | None:
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        return None


def parse_port(value: str, option: str, whole: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ProbeInputError(f"{option}: {show(whole)} has no valid port ({show(value)}); allowed: 1-65535")
    return int(value)


def parse_resolve(value: str) -> tuple[str, str]:
    """``HOST=ADDR`` (like curl's ``--resolve``, any port): ``de1.vss.twilio.com=192.0.2.10``; ``*=ADDR`` for every
    host not named otherwise."""
    host, sep, address = value.partition("=")
    if not sep:
        raise ProbeInputError(f"--resolve: {show(value)} is not HOST=ADDR; e.g. global.turn.twilio.com=192.0.2.10")
    return parse_host(host, "--resolve", wildcard=True), parse_address(address, "--resolve")


def _split_host_port(text: str, option: str, whole: str) -> tuple[str, int]:
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ProbeInputError(f"{option}: {show(whole)} is not HOST:PORT=ADDR:PORT")
        return parse_address(host, option), parse_port(rest[1:], option, whole)
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ProbeInputError(f"{option}: {show(whole)} is not HOST:PORT=ADDR:PORT; e.g. "
                              "global.turn.twilio.com:3478=127.0.0.1:40000 (IPv6 in brackets)")
    return host, parse_port(port, option, whole)


def parse_connect_to(value: str) -> ConnectTo:
    """``HOST:PORT=ADDR:PORT`` (like curl's ``--connect-to``, written with ``=``): connections for HOST on PORT (TCP
    or UDP) go to ADDR:PORT; TLS still names and verifies HOST. HOST ``*`` matches any host."""
    left, sep, right = value.partition("=")
    if not sep:
        raise ProbeInputError(f"--connect-to: {show(value)} is not HOST:PORT=ADDR:PORT; e.g. "
                              "global.turn.twilio.com:3478=127.0.0.1:40000")
    host, port = _split_host_port(left.strip(), "--connect-to", value)
    to_host, to_port = _split_host_port(right.strip(), "--connect-to", value)
    return ConnectTo(parse_host(host, "--connect-to", wildcard=True), port, parse_host(to_host, "--connect-to"),
                     to_port)


def parse_proxy(value: str) -> Proxy:
    """``http://[USER:PASSWORD@]HOST[:PORT]`` (port 3128 when left out). The password is never shown back."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ProbeInputError(f"--proxy: {_safe_url(value)} is not a proxy URL; allowed: http://HOST:PORT") from None
    if parts.scheme.lower() != "http":
        raise ProbeInputError(f"--proxy: {_safe_url(value)}: only http:// proxies (HTTP CONNECT) are supported; "
                              "allowed: http://HOST:PORT")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProbeInputError(f"--proxy: {_safe_url(value)} is not a proxy URL; allowed: http://HOST:PORT")
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return Proxy(parse_host(parts.hostname, "--proxy"), port or PROXY_DEFAULT_PORT, username,
                 password if username is not None else None)


def _safe_url(value: str) -> str:
    """A proxy URL for a message: whatever precedes ``@`` (user and password) replaced."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    if "@" in rest.split("/", 1)[0]:
        rest = "***@" + rest.split("@", 1)[1]
    return show(f"{scheme}{sep}{rest}")


def parse_seconds(value: float, option: str) -> float:
    if not 0 < value <= MAX_SECONDS:
        raise ProbeInputError(f"{option}: {value:g} is not a number of seconds; allowed: more than 0, at most "
                              f"{MAX_SECONDS:g}")
    return float(value)


def credentials(username: str | None, credential: str | None) -> Credentials | None:
    """Both given, or neither."""
    if username is None and credential is None:
        return None
    if username is None or credential is None:
        given, missing = ("--turn-username", "--turn-credential") if credential is None else (
            "--turn-credential", "--turn-username")
        raise ProbeInputError(f"{given} needs {missing} too (or give both in --turn-credentials-file)")
    if not username or not credential:
        raise ProbeInputError("--turn-username and --turn-credential: both must be non-empty")
    return Credentials(username, credential)


def parse_credentials(data: bytes, filename: str) -> Credentials:
    """The TURN credentials file's content (module docstring). No message quotes the content."""
    where = f"--turn-credentials-file: {filename}"
    if len(data) > CREDENTIALS_FILE_LIMIT:
        raise ProbeInputError(f"{where}: more than {CREDENTIALS_FILE_LIMIT:,} bytes; allowed: a JSON object with "
                              "username and credential, or two lines")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProbeInputError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith(("{", "[")):
        return _json_credentials(text, where)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 2:
        raise ProbeInputError(f"{where}: expected two lines (the user name, then the credential), got {len(lines)} "
                              f"non-blank line{'' if len(lines) == 1 else 's'}; or a JSON object with username and "
                              "credential")
    return Credentials(lines[0], lines[1])


def _json_credentials(text: str, where: str) -> Credentials:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else "?"
        raise ProbeInputError(f"{where}: not a JSON document (line {line}); allowed: a JSON object with username "
                              "and credential, or two lines") from None
    if not isinstance(data, dict):
        raise ProbeInputError(f"{where}: expected a JSON object with username and credential, got "
                              f"{type(data).__name__}")
    username = data.get("username")
    credential = data.get("credential", data.get("password"))
    if not isinstance(username, str) or not username or not isinstance(credential, str) or not credential:
        missing = [name for name, item in (("username", username), ("credential (or password)", credential))
                   if not isinstance(item, str) or not item]
        raise ProbeInputError(f"{where}: needs non-empty text for {' and '.join(missing)}")
    return Credentials(username, credential)
