"""Options, the intermediate scopes the cloud readers produce, and the report dataclasses the checks return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..catalog.models import Protocol
from ..planning.plan import PortRange
from ..policy_names import POLICY_HOSTS, POLICY_LEAST_PRIVILEGE, POLICY_MEDIA, POLICY_OPTION, POLICY_UNVERIFIED
from .addresses import Addresses
from .evaluate import Access, Doubt, Rule
from .resources import Resource
from .sources import Clients

__all__ = ["POLICY_HOSTS", "POLICY_LEAST_PRIVILEGE", "POLICY_MEDIA", "POLICY_OPTION", "POLICY_UNVERIFIED"]
"""The policies' names (defined once, in chalk_policy.policy_names): the engine tags its findings with them."""


@dataclass(frozen=True)
class TagSelector:
    """Only security groups / NSGs whose ``tags`` hold ``key`` (with ``value``, unless None) are considered."""

    key: str
    value: str | None = None

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"


@dataclass(frozen=True)
class Options:
    selector: TagSelector | None = None
    """None: every egress rule in the stack counts (every security group, every NSG)."""
    clients: Addresses | None = None
    """The Chalk clients' addresses (the policy's ``clientCidrs``); None: not known, so a rule limited to some
    sources is reported as unverified (see :mod:`.sources`)."""


@dataclass(frozen=True)
class ScopeContext:
    """What a layer reads its scopes from."""

    resources: Sequence[Resource]
    selector: TagSelector | None
    clients: Clients
    notes: list[str]
    """Where readers append ``Skipped ...`` notes."""


@dataclass(frozen=True)
class HostScope:
    """One place that filters host names (an AWS domain allowlist set, an Azure Firewall policy's application
    rules): its rules in evaluation order, how a pattern matches a host, and its violation message."""

    label: str
    urn: str | None
    rules: tuple[HostAllow, ...]
    matches: Callable[[str, str], bool]
    """``matches(pattern, host)`` with the cloud's wildcard semantics."""
    message: Callable[[str, Sequence[str], Sequence[tuple[str, str]]], str]
    """``message(label, missing hosts, (host, denying rule) pairs)``."""


def _named(_scope: str, rule: Rule) -> str:
    return f"{_scope} {rule.label}"


@dataclass(frozen=True, eq=False)
class Layer:
    """One firewall layer, declared once in its module under :mod:`chalk_policy.coverage.layers` and listed in
    that package's registry; the engine, the messages and the advisory checks only iterate the registry."""

    id: str
    """``aws-security-groups``, ``azure-nsg`` ..."""
    cloud: str
    """``aws`` or ``azure``: a cloud with none of the layers' resource types is not checked."""
    resource_types: frozenset[str]
    """The types that put the layer in a stack (not those it only resolves, like prefix lists); the checks
    apply when the stack holds any type of any layer."""
    scopes: Callable[[ScopeContext], list[Scope]]
    """The layer's scopes in the stack (each must allow the whole requirement)."""
    gap_message: Callable[[ScopeReport, RegionGap], str]
    """The violation text for one region of one of its scopes: what is missing and how to fix it."""
    component: str
    """The chalk-policy component that builds a compliant layer (named in fixes)."""
    advisory: bool = True
    """Whether the advisory checks (least privilege, option consistency) look at it."""
    who: Callable[[str, Rule], str] = _named
    """How least privilege names one of its rules: ``who(scope label, rule)``."""
    default_allow: Rule | None = None
    """A built-in allow whose reach least privilege reports (Azure's AllowInternetOutBound)."""
    client_types: frozenset[str] = frozenset()
    """Types a ``clientTag`` selects; when the stack declares some and the selector picks none of them, the
    media check says the clients' ``clients_noun`` is not checked at all."""
    clients_noun: str = ""
    host_scopes: Callable[[ScopeContext], list[HostScope]] | None = None
    """Host-name filters for the signaling check; None: the layer filters by address only."""

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class Scope:
    """One place that must allow the requirement: all AWS security groups together, one NSG, one policy. The
    layer that reads it is known to the engine (the registry), not to the scope."""

    label: str
    """``AWS security groups``, ``NSG 'chalk-nsg'``, ``AWS Network Firewall policy 'fw'`` ..."""
    urn: str | None
    rules: tuple[Rule, ...]
    doubts: tuple[Doubt, ...] = ()
    """Set when it is unknown whether the scope applies at all (its tags are unknown under a selector)."""
    empty: bool = False
    """An Azure Firewall policy with no rule collection group in the stack (it denies everything), or AWS security
    groups under a tag selector that no group of the stack carries."""
    replies: bool = False
    """The rules are a stateless filter's inbound rules: the scope must allow the requirement's replies (each
    protocol on the ephemeral ports 1024-65535 from the requirement's addresses), not the requirement itself."""


class FindingKind(StrEnum):
    VIOLATION = "violation"
    """The stack certainly does not do what the policy requires."""
    UNVERIFIED = "unverified"
    """It may; only ``pulumi up`` (or resources outside the stack) can tell."""
    NOTE = "note"
    """A resource or rule was skipped because its shape is not understood."""


@dataclass(frozen=True)
class Finding:
    policy: str
    kind: FindingKind
    message: str
    urn: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class CheckResult:
    policy: str
    applicable: bool
    reason: str
    """Why the check does not apply (empty when it does)."""
    findings: tuple[Finding, ...] = ()

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.VIOLATION)

    @property
    def unverified(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.UNVERIFIED)

    @property
    def notes(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.NOTE)

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(f.message for f in self.findings)


@dataclass(frozen=True, order=True)
class PortGap:
    """``protocol`` on ``ports`` to ``cidrs`` (every combination)."""

    protocol: Protocol
    ports: tuple[PortRange, ...]
    cidrs: tuple[str, ...]


@dataclass(frozen=True)
class Denial:
    """Parts of the requirement that a rule denies (first match) before any allow."""

    rule: str
    """The rule's label, e.g. ``rule 'deny-all' (priority 200)``."""
    priority: int | None
    gaps: tuple[PortGap, ...]


@dataclass(frozen=True)
class RegionGap:
    region: str
    region_name: str
    missing: tuple[PortGap, ...]
    """Allowed by no rule."""
    denied: tuple[Denial, ...]
    """Denied by a rule (Azure NSG / firewall deny, Network Firewall DROP/REJECT, Azure's default rules)."""


@dataclass(frozen=True)
class RegionUnverified:
    region: str
    region_name: str
    gaps: tuple[PortGap, ...]
    doubts: tuple[Doubt, ...]


@dataclass(frozen=True)
class ScopeReport:
    layer: Layer
    scope: str
    urn: str | None
    gaps: tuple[RegionGap, ...]
    unverified: tuple[RegionUnverified, ...]
    empty: bool = False
    """See :attr:`Scope.empty`."""
    replies: bool = False
    """See :attr:`Scope.replies`: the gaps are replies (``from`` their CIDRs)."""


@dataclass(frozen=True)
class MediaReport:
    applicable: bool
    reason: str
    """Why the check does not apply (empty when it does)."""
    scopes: tuple[ScopeReport, ...]
    notes: tuple[str, ...]
    untagged: tuple[str, ...] = ()
    """Violations: the tag selector picks none of the stack's NSGs (``untagged_message`` texts)."""

    @property
    def ok(self) -> bool:
        return not any(scope.gaps for scope in self.scopes) and not self.untagged


@dataclass(frozen=True)
class HostAllow:
    """Host-name patterns one construct allows for HTTPS (a domain allowlist, an application rule)."""

    resource: Resource
    sure: tuple[str, ...]
    """Patterns allowed for certain."""
    maybe: tuple[str, ...] | None
    """Patterns it may allow; None: any host (unknown targets)."""
    doubts: tuple[Doubt, ...] = ()
    access: Access = Access.ALLOW
    order: tuple[int, ...] | None = None
    label: str = ""
