"""What to probe for a plan: pure, from the catalog and the planner.

- **Signaling**: every host of the plan (global and regional) on TCP 443: DNS, TCP, TLS with SNI and the
  certificate chain verified. The check's id is the id of the ticket's rule for it (``signaling-tcp-443-<host>``).
- **Media**: a STUN binding request to each STUN/TURN server on each single port of the port option(s): the
  catalog's ``twilio_hosts`` (``global.stun.twilio.com``, ``global.turn.twilio.com``), each on the transports the
  catalog lists for it, or the ``--media-host`` hosts instead (on UDP and TCP). With TURN credentials, also a TURN
  allocation on every port of a TURN server (Twilio names them ``*.turn.twilio.com``; every ``--media-host`` is
  taken for one).
- **Not probed**: a port range (option 1's UDP 10000-60000) is where the media itself flows; a media server answers
  there only inside a media session, which needs Chalk's signaling and an account. It is listed with the reason.

A port that PTC lists and Twilio does not document (UDP 443, 5349: the catalog's ``twilio_documented: false``) is
probed too, marked undocumented: no answer there may mean nobody listens, not that the firewall drops it.

Twilio documents no regional STUN/TURN host name: the global hosts resolve (by Twilio's DNS) to one region's media
servers, and a region is only probed when they land in it (:mod:`.verdict` maps each address to its region by the
catalog's media ranges). No regional host name is made up here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..catalog.models import Catalog
from ..planning.plan import ALL, Plan, PlanError, plan, resolve_option
from ..planning.ticket import Ticket, ticket
from ..text import show
from .model import SIGNALING_PORT, Check, CheckKind, Transport, Unprobed

SESSION_ONLY = ("the media port range: media servers answer there only inside a media session (Chalk's signaling "
                "and an account set one up), which a probe cannot start; a STUN reply on the other ports does not "
                "prove it")
NO_MEDIA_HOST = "no STUN/TURN host to probe: the catalog lists none (twilio_hosts) and no --media-host was given"


@dataclass(frozen=True)
class ProbeOption:
    """A port option being probed, with its firewall ticket (the rules a fix points at)."""

    id: int
    name: str
    recommended: bool
    quality: str
    rules: tuple[str, ...]
    """``UDP 443``, ``UDP 10000-60000``: the option's rules as PTC lists them."""
    ticket: Ticket


@dataclass(frozen=True)
class ProbePlan:
    catalog_version: str
    regions: tuple[str, ...]
    region_names: tuple[tuple[str, str], ...]
    """(id, name) of every catalog region, selected or not."""
    ranges: tuple[tuple[str, str], ...]
    """(CIDR, region id) of every catalog region's media ranges: to say which region an address is in."""
    options: tuple[ProbeOption, ...]
    checks: tuple[Check, ...]
    unprobed: tuple[Unprobed, ...]
    media_hosts: tuple[str, ...]
    media_hosts_given: bool
    """The media hosts came from ``--media-host``, not the catalog."""
    turn: bool
    """TURN allocations are part of it (credentials were given)."""

    def option(self, option_id: int) -> ProbeOption:
        return next(option for option in self.options if option.id == option_id)

    def region_name(self, region_id: str) -> str:
        return dict(self.region_names).get(region_id, region_id)

    def region_of(self, address: str | None) -> str | None:
        """The catalog region whose media ranges hold ``address``, if any."""
        if address is None:
            return None
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        return next((region for cidr, region in self.ranges if ip in ipaddress.ip_network(cidr)), None)


def parse_options(catalog: Catalog, value: str) -> tuple[int, ...]:
    """``--option``: one port option id, a comma-separated list, or ``all``."""
    words = [word.strip() for word in value.split(",") if word.strip()]
    if any(word.casefold() == ALL for word in words):
        if len(words) > 1:
            raise PlanError(f"option: {show(ALL)} cannot be combined with option ids; allowed: {ALL} or "
                            f"{', '.join(map(str, catalog.option_ids))}")
        return catalog.option_ids
    if not words:
        raise PlanError(f"option: no port option given; allowed: {ALL} or {', '.join(map(str, catalog.option_ids))}")
    return tuple(sorted({resolve_option(catalog, word) for word in words}))


def is_turn_host(host: str) -> bool:
    """Twilio names its TURN servers ``*.turn.twilio.com`` (and its STUN servers ``*.stun.twilio.com``)."""
    return "turn" in host.split(".")[:-2]


def probe_plan(catalog: Catalog, regions: str | Iterable[str], options: Sequence[int],
               media_hosts: Sequence[str] = (), turn: bool = False) -> ProbePlan:
    """The checks for the selected regions and port options: ``media_hosts`` replace the catalog's STUN/TURN hosts
    when given; ``turn`` adds a TURN allocation per port of each TURN server."""
    plans: list[Plan] = [plan(catalog, regions, option) for option in options]
    first = plans[0]
    checks: dict[tuple[CheckKind, str, Transport, int], Check] = {}
    for rule in first.hosts:
        check = Check(CheckKind.SIGNALING, rule.host, Transport.TCP, rule.port, tuple(options), True,
                      () if rule.scope == "global" else rule.regions)
        checks[(check.kind, check.host, check.transport, check.port)] = check
    listed: dict[str, set[Transport]] = {}
    documented_ports = {(h.host, Transport(h.protocol.value), h.port) for h in catalog.twilio_hosts}
    if media_hosts:
        for host in media_hosts:
            listed.setdefault(host, set()).update(Transport)
    else:
        for entry in catalog.twilio_hosts:
            listed.setdefault(entry.host, set()).add(Transport(entry.protocol.value))
    unprobed: list[Unprobed] = []
    for option_plan in plans:
        option = catalog.port_option(option_plan.option)
        for port_rule in option.rules:
            transport = Transport(port_rule.protocol.value)
            port, last = port_rule.from_port, port_rule.to_port
            ports = f"{port}" if port == last else f"{port}-{last}"
            hosts = sorted(name for name, transports in listed.items() if transport in transports)
            if port != last:
                unprobed.append(Unprobed(option.id, transport, ports, SESSION_ONLY))
                continue
            if not hosts:
                unprobed.append(Unprobed(option.id, transport, ports, NO_MEDIA_HOST))
                continue
            for name in hosts:
                documented = port_rule.twilio_documented or (name, transport, port) in documented_ports
                relay = turn and (bool(media_hosts) or is_turn_host(name))
                for kind in (CheckKind.STUN, *([CheckKind.TURN] if relay else [])):
                    key = (kind, name, transport, port)
                    known = checks.get(key)
                    used_by = (*known.options, option.id) if known else (option.id,)
                    checks[key] = Check(kind, name, transport, port, used_by, documented)
    return ProbePlan(
        catalog_version=catalog.version,
        regions=first.regions,
        region_names=tuple((region.id, region.name) for region in catalog.regions),
        ranges=tuple((entry.cidr, region.id) for region in catalog.regions for entry in region.cidrs),
        options=tuple(_option(catalog, option_plan) for option_plan in plans),
        checks=tuple(sorted(checks.values(), key=_order)),
        unprobed=tuple(unprobed),
        media_hosts=tuple(sorted(listed)),
        media_hosts_given=bool(media_hosts),
        turn=turn,
    )


def _order(check: Check) -> tuple[int, str, int, int, str]:
    kinds = list(CheckKind)
    return kinds.index(check.kind), check.host, list(Transport).index(check.transport), check.port, check.id


def _option(catalog: Catalog, option_plan: Plan) -> ProbeOption:
    option = catalog.port_option(option_plan.option)
    rules = tuple(f"{rule.protocol.value.upper()} {rule.from_port}" + (
        f"-{rule.to_port}" if rule.to_port != rule.from_port else "") for rule in option.rules)
    return ProbeOption(option.id, option.name, option.recommended, option.quality, rules,
                       ticket(option_plan, catalog))


__all__ = ["NO_MEDIA_HOST", "SESSION_ONLY", "SIGNALING_PORT", "ProbeOption", "ProbePlan", "is_turn_host",
           "parse_options", "probe_plan"]
