"""The source side of the 5-tuple (chalk_policy.coverage.sources), and the checks receiving the clients."""

from __future__ import annotations

import pytest

from chalk_policy.coverage import FindingKind, Options, check_signaling_hosts
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.coverage.boxes import EMPTY, EVERYTHING
from chalk_policy.coverage.evaluate import Access, Rule
from chalk_policy.coverage.sources import Clients, Reach, Source, for_clients, judge

from .helpers import CATALOG, JP1, PLAN, RCG, res

MEDIA = Addresses.of(*JP1)
UNKNOWN_CLIENTS = Clients(None, MEDIA)
KNOWN_CLIENTS = Clients(Addresses.of("10.20.0.0/16"), MEDIA)


@pytest.mark.parametrize(("clients", "sources", "reach"), [
    (UNKNOWN_CLIENTS, ["0.0.0.0/0"], Reach.ALL),
    (UNKNOWN_CLIENTS, [JP1[0]], Reach.NONE),  # clients never send from Chalk's media servers
    (UNKNOWN_CLIENTS, ["10.1.0.0/24"], Reach.SOME),  # may or may not be the clients: unverified
    (UNKNOWN_CLIENTS, [], Reach.NONE),
    (KNOWN_CLIENTS, ["10.0.0.0/8"], Reach.ALL),
    (KNOWN_CLIENTS, ["10.20.1.0/24"], Reach.SOME),  # part of the clients
    (KNOWN_CLIENTS, ["10.1.0.0/24"], Reach.NONE),
    (KNOWN_CLIENTS, ["0.0.0.0/0"], Reach.ALL),
])
def test_reach_of_source_addresses(clients: Clients, sources: list[str], reach: Reach) -> None:
    assert clients.reach(Addresses.of(*sources)) is reach


def test_every_client_tags_and_source_ports() -> None:
    vnet = Source(every_client=True, texts=["VirtualNetwork"])
    assert judge(UNKNOWN_CLIENTS, vnet, "r").reach is Reach.ALL
    ports = Source.anywhere()
    ports.ports = "1024-2048"
    verdict = judge(UNKNOWN_CLIENTS, ports, "r")
    assert verdict.reach is Reach.SOME
    assert "source ports 1024-2048" in verdict.doubts[0].text


def test_an_unresolved_source_keeps_the_rule_uncertain() -> None:
    source = Source()
    source.add(JP1[0], Addresses.of(JP1[0]))
    assert judge(UNKNOWN_CLIENTS, source, "r").reach is Reach.NONE
    from chalk_policy.coverage.common import unknown

    source.doubts.append(unknown("r", "sourceAddressPrefixes"))
    assert judge(UNKNOWN_CLIENTS, source, "r").reach is Reach.SOME


def test_for_clients_drops_or_weakens_a_rule() -> None:
    rule = Rule("r", Access.DENY, EVERYTHING, EVERYTHING, (1,))
    assert for_clients(rule, judge(UNKNOWN_CLIENTS, Source.anywhere(), "r")) is rule
    none = Source()
    none.add(JP1[0], Addresses.of(JP1[0]))
    assert for_clients(rule, judge(UNKNOWN_CLIENTS, none, "r")) is None
    some = Source()
    some.add("10.1.0.0/24", Addresses.of("10.1.0.0/24"))
    weakened = for_clients(rule, judge(UNKNOWN_CLIENTS, some, "r"))
    assert weakened is not None and weakened.sure == EMPTY and weakened.maybe == EVERYTHING
    assert "set the policy's clientCidrs" in weakened.doubts[-1].text


def _application_rules(sources: list[str]) -> list:
    rule = {"ruleType": "ApplicationRule", "name": "signaling", "sourceAddresses": sources,
            "protocols": [{"protocolType": "Https", "port": 443}], "targetFqdns": ["*"]}
    return [res(RCG, "rcg", {"priority": 500, "firewallPolicyName": "fw-policy", "ruleCollections": [
        {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "sig", "priority": 100,
         "action": {"type": "Allow"}, "rules": [rule]}]})]


def test_the_signaling_check_knows_the_clients_never_send_from_chalk_ranges() -> None:
    """An application rule whose only source is a Chalk media range allows the clients no host: a violation,
    because the check gets the catalog (not merely unverified)."""
    kinds = {finding.kind for finding in check_signaling_hosts(_application_rules([JP1[0]]), PLAN, CATALOG).findings}
    assert kinds == {FindingKind.VIOLATION}
    assert check_signaling_hosts(_application_rules(["*"]), PLAN, CATALOG).findings == ()
    limited = check_signaling_hosts(_application_rules(["10.20.0.0/16"]), PLAN, CATALOG)
    assert {finding.kind for finding in limited.findings} == {FindingKind.UNVERIFIED}
    known = check_signaling_hosts(_application_rules(["10.20.0.0/16"]), PLAN, CATALOG,
                                  Options(clients=Addresses.of("10.20.5.0/24")))
    assert known.findings == ()


def test_an_uncertain_rule_keeps_every_other_field() -> None:
    """Rule.uncertain is dataclasses.replace(sure=EMPTY, doubts=...) written out for speed: a field added to Rule
    later must be carried over too."""
    from dataclasses import fields, replace

    from chalk_policy.coverage.evaluate import Dest, Doubt, DoubtKind

    first, second = Doubt(DoubtKind.EXTERNAL, "a"), Doubt(DoubtKind.UNKNOWN, "b")
    rule = Rule("rule 'x'", Access.DENY, EVERYTHING, EVERYTHING, (7,), (first,), 7, res(RCG, "x", {}), EVERYTHING,
                (Dest("0.0.0.0/0", Addresses.of("0.0.0.0/0")),), True)
    assert all(getattr(rule, f.name) != getattr(Rule("r", None, EMPTY, EMPTY, None), f.name) for f in fields(Rule))
    expected = replace(rule, sure=EMPTY, doubts=(first, second))
    made = rule.uncertain((first, second))
    assert [getattr(made, f.name) for f in fields(Rule)] == [getattr(expected, f.name) for f in fields(Rule)]
