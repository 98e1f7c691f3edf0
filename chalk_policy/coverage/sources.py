"""The source side of a rule's 5-tuple: does it match the Chalk clients' packets?

A rule matches a packet by its whole 5-tuple: protocol, source address and port, destination address and port
(and, for AWS Network Firewall stateful rules, direction). :mod:`.boxes` models the destination side; this module
decides the source side once per rule, against what is known of the clients:

* :attr:`Reach.ALL`: every client packet matches (source ``*``/``any``/``0.0.0.0/0``, Azure's
  ``VirtualNetwork`` for an NSG's outbound rules, or the configured client CIDRs all lie in the source);
* :attr:`Reach.NONE`: no client packet matches (the source is Chalk's own media ranges, which clients never
  send from, or the configured client CIDRs lie wholly outside it);
* :attr:`Reach.SOME`: some may (the client addresses are not configured, the source or its ports are only part
  of them, or the source is unknown during preview).

A rule that reaches no client is dropped; one that reaches some keeps only its *maybe* part and carries a doubt,
so whatever it alone decides is *unverified*, never a silent pass (an allow) or a certain gap (a deny).
Clients send from ephemeral ports, so a source-port restriction other than "any" reaches only some.
Without the policy's ``clientCidrs`` nothing but "any source" reaches every client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .addresses import EMPTY_ADDRESSES, Addresses
from .boxes import ANYWHERE, cidr_texts
from .evaluate import Doubt, DoubtKind, Rule


class Reach(StrEnum):
    ALL = "all"
    SOME = "some"
    NONE = "none"


@dataclass(frozen=True)
class Clients:
    """What is known of the Chalk clients' source addresses."""

    addresses: Addresses | None = None
    """The configured client CIDRs; None: not known."""
    never: Addresses = EMPTY_ADDRESSES
    """Addresses no client sends from: the catalog's media ranges (Chalk's media servers)."""

    def reach(self, addresses: Addresses) -> Reach:
        """How much of the clients a set of source addresses covers."""
        if self.addresses:
            if self.addresses.issubset(addresses):
                return Reach.ALL
            return Reach.SOME if self.addresses & addresses else Reach.NONE
        if ANYWHERE.issubset(addresses):
            return Reach.ALL
        return Reach.NONE if addresses.issubset(self.never) else Reach.SOME

    def describe(self) -> str:
        if self.addresses:
            return f"the clients ({', '.join(cidr_texts(self.addresses)[:4])})"
        return "the clients (their addresses are not configured: set the policy's clientCidrs)"


@dataclass
class Source:
    """The source side of one rule as written."""

    addresses: Addresses = EMPTY_ADDRESSES
    texts: list[str] = field(default_factory=list)
    every_client: bool = False
    """An entry that always holds the clients (``*``, ``VirtualNetwork`` for an NSG's outbound rules)."""
    doubts: list[Doubt] = field(default_factory=list)
    """Entries that cannot be resolved (unknown during preview, an application security group, an IP group
    outside the stack): the source may hold the clients."""
    ports: str | None = None
    """A source-port restriction as written; None: any port."""

    @staticmethod
    def anywhere() -> Source:
        return Source(ANYWHERE, ["any"], every_client=True)

    def add(self, text: str, addresses: Addresses) -> None:
        self.addresses = self.addresses | addresses
        self.texts.append(text)


@dataclass(frozen=True)
class Verdict:
    reach: Reach
    doubts: tuple[Doubt, ...] = ()


def judge(clients: Clients, source: Source, where: str) -> Verdict:
    """How a rule's source side matches the clients' packets."""
    if source.every_client:
        reach = Reach.ALL
    else:
        reach = clients.reach(source.addresses)
        if reach is Reach.NONE and source.doubts:
            return Verdict(Reach.SOME, tuple(source.doubts))
        if reach is Reach.NONE:
            return Verdict(Reach.NONE)
        if reach is Reach.SOME:
            shown = ", ".join(source.texts[:4]) or "no address"
            return Verdict(Reach.SOME, (*source.doubts, Doubt(
                DoubtKind.EXTERNAL, f"{where}: it applies only to sources {shown}, which may not cover "
                                    f"{clients.describe()}")))
    if source.ports is not None:
        return Verdict(Reach.SOME, (Doubt(DoubtKind.EXTERNAL, f"{where}: it applies only to source ports "
                                          f"{source.ports}, while clients send from any ephemeral port"),))
    return Verdict(reach)


def for_clients(rule: Rule | None, verdict: Verdict) -> Rule | None:
    """``rule`` as it applies to the clients' packets: dropped (no client), uncertain (some), or as is."""
    if rule is None or verdict.reach is Reach.NONE:
        return None
    if verdict.reach is Reach.ALL:
        return rule
    return rule.uncertain(verdict.doubts)
