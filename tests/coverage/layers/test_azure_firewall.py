"""Azure Firewall layer: the source side of network rules (policy and classic) and application rules (class 1).

Semantics, from Microsoft Learn:

* learn.microsoft.com/azure/firewall/rule-processing: rules are terminating and matched by their whole tuple
  (source addresses or IP groups included); network rules are processed before application rules; traffic no rule
  matches is denied.
* learn.microsoft.com/azure/firewall/ip-groups: an IP group is a set of addresses, CIDRs and ranges that a rule
  names as its source or destination.

Each test pairs a compliant (happy) stack with the mutation the bug class let through.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalk_policy.coverage import Options, check_media, check_signaling_hosts
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.coverage.hosts import _hosts_scope
from chalk_policy.coverage.layers.azure_app_rules import host_scopes
from chalk_policy.coverage.sources import Clients

from ..cases_checks import HOSTS, app_rule
from ..helpers import CATALOG, DE1, JP1, PLAN, UNKNOWN, res
from .cases_azure_firewall import _classic, _classic_collection, _classic_rule, _collection, _network, _rcg
from .expect import outcome

ALL = [*DE1, *JP1]
CLIENTS = ["10.0.0.0/16"]
OTHER = "10.9.0.0/16"
MEDIA = "udp 443,3478,10000-60000"
IP_GROUP = "azure-native:network:IpGroup"
POLICY = "Azure Firewall policy 'fw-policy'"


def group_id(name: str) -> str:
    return f"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/ipGroups/{name}"


def ip_group(name: str, addresses: Any) -> Any:
    return res(IP_GROUP, name, {"id": group_id(name), "ipAddresses": addresses})


def sourced(entry: dict[str, Any], addresses: Any = None, groups: Any = None) -> dict[str, Any]:
    """``entry`` with ``sourceAddresses`` / ``sourceIpGroups`` replaced (None: absent)."""
    entry = {key: value for key, value in entry.items() if key != "sourceAddresses"}
    if addresses is not None:
        entry["sourceAddresses"] = addresses
    if groups is not None:
        entry["sourceIpGroups"] = groups
    return entry


def media(addresses: Any = None, groups: Any = None) -> list[Any]:
    """A policy whose only Allow is the media network rule, from the given sources."""
    return [_rcg("rcg", [_collection("media", 200, "Allow", [sourced(_network("media"), addresses, groups)])])]


def deny_first(addresses: Any = None, groups: Any = None) -> list[Any]:
    """A Deny of everything (from the given sources) evaluated before the media Allow (from ``*``)."""
    deny = sourced(_network("all", ["Any"], ["*"], ["*"]), addresses, groups)
    return [_rcg("rcg", [_collection("block", 100, "Deny", [deny]), _collection("media", 200, "Allow",
                                                                               [_network("media")])])]


def missing(scope: str = POLICY) -> list[str]:
    return [f"gap de1 {scope}: missing {MEDIA} to {', '.join(DE1)}", f"gap jp1 {scope}: missing {MEDIA} to "
                                                                      f"{', '.join(JP1)}"]


def denied(by: str) -> list[str]:
    return [f"gap de1 {POLICY}: denied by {by}: {MEDIA} to {', '.join(DE1)}",
            f"gap jp1 {POLICY}: denied by {by}: {MEDIA} to {', '.join(JP1)}"]


def unverified(scope: str = POLICY) -> list[str]:
    return [f"unverified de1 {scope}: {MEDIA} to {', '.join(DE1)}", f"unverified jp1 {scope}: {MEDIA} to "
                                                                    f"{', '.join(JP1)}"]


BLOCK = "rule 'all' of rule collection 'block' (priority 100) in group 'rcg' (priority 500)"


# class 1: network rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("clients", [None, CLIENTS])
def test_network_rule_from_any_source_allows_every_client(clients: list[str] | None) -> None:
    """class 1, happy path: ``sourceAddresses: ["*"]`` holds every client."""
    assert outcome(media(["*"]), clients=clients) == []


@pytest.mark.parametrize("clients", [None, CLIENTS])
def test_network_rule_from_chalk_media_ranges_allows_nothing(clients: list[str] | None) -> None:
    """class 1: an Allow whose sources are Chalk's media ranges never sees a client packet: the default deny
    decides (a certain gap). Before the fix sources were ignored and this passed."""
    assert outcome(media(ALL), clients=clients) == missing()


@pytest.mark.parametrize("source", [[OTHER], ["10.9.0.0-10.9.255.255"], ["10.9.0.1"]])
def test_network_allow_limited_to_another_source(source: list[str]) -> None:
    """class 1: an Allow from another subnet (CIDR, ``a-b`` range, address) is unverified without clientCidrs, a
    gap when the clients lie outside it, a pass when they lie inside it."""
    assert outcome(media(source)) == unverified()
    assert outcome(media(source), clients=CLIENTS) == missing()
    assert outcome(media([*source, "10.0.0.0/8"]), clients=CLIENTS) == []


def test_network_deny_limited_to_an_unrelated_source() -> None:
    """class 1: a Deny from another subnet is unverified (not a certain gap) without clientCidrs, no gap when the
    clients lie outside it, a certain gap when they lie inside it (or it is from ``*``)."""
    assert outcome(deny_first([OTHER])) == unverified()
    assert outcome(deny_first([OTHER]), clients=CLIENTS) == []
    assert outcome(deny_first([OTHER]), clients=["10.9.1.0/24"]) == denied(BLOCK)
    assert outcome(deny_first(["*"]), clients=CLIENTS) == denied(BLOCK)


def test_source_ip_groups_resolve_like_destination_ip_groups() -> None:
    """class 1: ``sourceIpGroups`` resolve through the stack's IpGroup (by id, any case)."""
    clients_group = ip_group("clients", ["10.0.0.0/16"])
    assert outcome([clients_group, *media(groups=[group_id("clients").upper()])], clients=CLIENTS) == []
    others = ip_group("others", [OTHER])
    assert outcome([others, *media(groups=[group_id("others")])], clients=CLIENTS) == missing()
    assert outcome([others, *media(groups=[group_id("others")])]) == unverified()
    assert outcome([others, *deny_first(groups=[group_id("others")])], clients=CLIENTS) == []


@pytest.mark.parametrize(("resources", "doubt"), [
    (media(groups=[group_id("elsewhere")]), f"source IP group {group_id('elsewhere')} is not in this stack"),
    ([ip_group("clients", UNKNOWN), *media(groups=[group_id("clients")])],
     "azure_native.network.IpGroup 'clients': ipAddresses is unknown"),
    (media(UNKNOWN), "sourceAddresses is unknown"),
    (media([UNKNOWN]), "a source address is unknown"),
    (media(groups=UNKNOWN), "sourceIpGroups is unknown"),
    (media(["VirtualNetwork"]), "its source 'VirtualNetwork' is not modelled, so it may or may not hold the "
                                "clients"),
])
def test_sources_that_may_hold_the_clients_are_unverified(resources: list[Any], doubt: str) -> None:
    """class 1: an IP group outside the stack or with unknown addresses, unknown sources, and values a firewall
    does not take as a source reach only some clients: unverified, never a pass or a certain gap."""
    assert outcome(resources, clients=CLIENTS) == unverified()
    findings = check_media(resources, PLAN, CATALOG, Options(None, Addresses.of(*CLIENTS))).unverified
    assert doubt in findings[0].message


def test_network_rule_without_sources_is_malformed() -> None:
    """class 1: a rule needs sourceAddresses or sourceIpGroups. An Allow without is skipped with a note; a Deny
    without stays an uncertain deny."""
    result = check_media(media(), PLAN, CATALOG)
    assert [f.kind.value for f in result.findings] == ["violation", "violation", "note"]
    assert result.notes[0].message == ("Skipped azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' "
                                       "ruleCollections[0].rules[0]: sourceAddresses and sourceIpGroups are missing.")
    assert outcome(deny_first()) == unverified()
    assert outcome(deny_first(["not a source!"])) == unverified()


def test_classic_firewall_rules_are_judged_by_their_sources() -> None:
    """class 1: a classic AzureFirewall's network rules have the same ``sourceAddresses``/``sourceIpGroups``."""
    scope = "Azure Firewall 'afw'"

    def classic(rule: dict[str, Any]) -> list[Any]:
        return [_classic("afw", [_classic_collection("media", 100, "Allow", [rule])])]

    assert outcome(classic(_classic_rule("media")), clients=CLIENTS) == []
    assert outcome(classic(sourced(_classic_rule("media"), ALL))) == missing(scope)
    assert outcome(classic(sourced(_classic_rule("media"), [OTHER]))) == unverified(scope)
    assert outcome(classic(sourced(_classic_rule("media"), [OTHER])), clients=CLIENTS) == missing(scope)
    groups = [ip_group("clients", CLIENTS), *classic(sourced(_classic_rule("media"), groups=[group_id("clients")]))]
    assert outcome(groups, clients=CLIENTS) == []


# class 1: application rules (signaling hosts) ------------------------------------------------------------------

def hosts(resources: list[Any], clients: list[str] | None = None) -> list[tuple[str, int]]:
    """(kind, how many hosts) of each signaling-hosts finding, with the clients known or not."""
    known = Clients(Addresses.of(*clients) if clients is not None else None)
    found = []
    for scope in host_scopes(resources, [], known):
        assert scope.label == POLICY
        for finding in _hosts_scope(scope, PLAN.host_names):
            listed = re.search(r"signaling hosts? (?:\(HTTPS on TCP 443\): )?(.*?)(?:\. |, but)", finding.message)
            assert listed is not None, finding.message
            found.append((finding.kind.value, len(listed.group(1).split(", "))))
    return found


def signaling(addresses: Any = None, groups: Any = None, extra: tuple[Any, ...] = ()) -> list[Any]:
    return [*extra, _rcg("rcg", [_collection("sig", 200, "Allow", [sourced(app_rule("sig", HOSTS), addresses,
                                                                              groups)])])]


NOT_ALLOWED = ("violation", len(HOSTS))
MAY_ALLOW = ("unverified", len(HOSTS))


def test_application_rule_sources_decide_whether_it_allows_the_clients_hosts() -> None:
    """class 1: an application rule from ``*`` allows every host; one whose sources exclude the configured clients
    does not allow their hosts (a violation); without clientCidrs it only may (unverified)."""
    assert hosts(signaling(["*"]), CLIENTS) == []
    assert hosts(signaling([OTHER]), CLIENTS) == [NOT_ALLOWED]
    assert hosts(signaling([OTHER])) == [MAY_ALLOW]
    assert hosts(signaling([OTHER]), ["10.9.1.0/24"]) == []
    assert hosts(signaling(groups=[group_id("others")]), CLIENTS) == [MAY_ALLOW]  # not in the stack
    assert hosts(signaling(groups=[group_id("c")], extra=(ip_group("c", CLIENTS),)), CLIENTS) == []
    assert hosts(signaling(groups=[group_id("c")], extra=(ip_group("c", [OTHER]),)), CLIENTS) == [NOT_ALLOWED]


def test_application_deny_limited_to_an_unrelated_source() -> None:
    """class 1: a Deny application rule from another subnet shadows the clients' hosts only when they are in it."""
    deny = sourced(app_rule("deny", ["*.twilio.com"]), [OTHER])
    resources = [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule("sig", HOSTS)]),
                              _collection("no-twilio", 100, "Deny", [deny])])]
    assert hosts(resources, CLIENTS) == []
    twilio = len([host for host in HOSTS if host.endswith(".twilio.com")])
    assert hosts(resources, ["10.9.1.0/24"]) == [("violation", twilio)]
    assert hosts(resources) == [("unverified", twilio)]


def test_application_rules_with_unreadable_sources() -> None:
    """class 1: an Allow whose sources cannot be read is skipped with a note; a Deny may deny (unverified)."""
    notes: list[str] = []
    host_scopes(signaling(), notes)
    assert notes == ["Skipped azure_native.network.FirewallPolicyRuleCollectionGroup 'rcg' ruleCollections[0]"
                     ".rules[0]: sourceAddresses and sourceIpGroups are missing."]
    deny = sourced(app_rule("deny", ["*.twilio.com"]), [42])
    resources = [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule("sig", HOSTS)]),
                              _collection("no-twilio", 100, "Deny", [deny])])]
    assert hosts(resources, CLIENTS) == [("unverified", len([host for host in HOSTS if host.endswith(".twilio.com")]))]


def test_network_rules_first_count_only_for_the_clients() -> None:
    """class 1: network rules are processed before application rules (rule-processing); one that allows TCP 443 to
    every address but from another subnet does not allow the clients every host."""
    web = _collection("web", 300, "Allow", [sourced(_network("https", ["TCP"], ["*"], ["443"]), [OTHER])])
    resources = [_rcg("rcg", [_collection("sig", 200, "Allow", [app_rule("sig", HOSTS[:3])]), web])]
    assert hosts(resources, CLIENTS) == [("violation", len(HOSTS) - 3)]
    assert hosts(resources, ["10.9.1.0/24"]) == []
    assert hosts(resources) == [("unverified", len(HOSTS) - 3)]


def test_signaling_check_without_client_cidrs_reports_source_limited_rules_as_unverified() -> None:
    """class 1: the signaling-hosts check as the policy pack runs it (no clientCidrs reach it): a rule from another
    subnet is unverified, never a silent pass."""
    result = check_signaling_hosts(signaling([OTHER]), PLAN)
    assert (result.violations, len(result.unverified)) == ((), 1)
    assert "(rule 'sig'): it applies only to sources 10.9.0.0/16, which may not cover the clients" in (
        result.unverified[0].message)
    assert check_signaling_hosts(signaling(["*"]), PLAN).findings == ()
