"""The ticket: every rule the network team enters, derived from the plan (pure; no CLI)."""

from __future__ import annotations

import pytest
from chalk_testkit import RESEARCH_CIDRS, shipped_raw

from chalk_policy.catalog import Catalog, Protocol, load_catalog, validate_catalog
from chalk_policy.planning import plan
from chalk_policy.planning.ticket import (
    CLIENTS_PLACEHOLDER,
    Direction,
    EndpointKind,
    Kind,
    Needed,
    Ticket,
    ticket,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def of(result: Ticket, kind: Kind) -> list[tuple[str, str, str, str, str]]:
    return [(r.direction.value, str(r.source), str(r.destination), r.protocol.value, str(r.ports))
            for r in result.rules if r.kind is kind]


def test_germany_ireland_option_2_media_is_every_range_on_every_port(catalog: Catalog) -> None:
    result = ticket(plan(catalog, "germany,ireland", 2), catalog)

    cidrs = RESEARCH_CIDRS["de1"] + RESEARCH_CIDRS["ie1"]
    assert sorted(of(result, Kind.MEDIA)) == sorted(
        ("outbound", CLIENTS_PLACEHOLDER, cidr, "udp", port) for cidr in cidrs for port in ("443", "3478", "5349"))
    assert result.catalog_version == catalog.version and (result.option, result.encryption) == (2, "standard")


def test_signaling_is_one_outbound_tcp_443_rule_per_host(catalog: Catalog) -> None:
    chalk_plan = plan(catalog, "de1", 1)
    result = ticket(chalk_plan, catalog)

    signaling = [r for r in result.rules if r.kind is Kind.SIGNALING]
    assert [str(r.destination) for r in signaling] == [h.host for h in chalk_plan.hosts]
    assert {(r.direction, r.protocol, str(r.ports), r.destination.kind) for r in signaling} == {
        (Direction.OUTBOUND, Protocol.TCP, "443", EndpointKind.HOST)}
    smartproxy = next(r for r in signaling if str(r.destination) == "smartproxy.prod.look.vuforia.com")
    assert "; avoid stateful packet inspection" in smartproxy.why and smartproxy.regions == ()


def test_e2ee_adds_peer_rules_both_protocols_between_clients(catalog: Catalog) -> None:
    standard = ticket(plan(catalog, "jp1", 1), catalog, ["10.0.0.0/8"])
    e2ee = ticket(plan(catalog, "jp1", 1, "e2ee"), catalog, ["10.0.0.0/8"])

    assert of(standard, Kind.PEER) == []
    assert of(e2ee, Kind.PEER) == [("internal", "10.0.0.0/8", "10.0.0.0/8", "udp", "1024-65535"),
                                   ("internal", "10.0.0.0/8", "10.0.0.0/8", "tcp", "1024-65535")]
    assert [r for r in e2ee.rules if r.kind is not Kind.PEER] == list(standard.rules)


def test_replies_are_for_stateless_firewalls_and_mirror_the_outbound_rules(catalog: Catalog) -> None:
    result = ticket(plan(catalog, "de1", 3), catalog)

    replies = [r for r in result.rules if r.kind is Kind.REPLY]
    assert {r.needed for r in replies} == {Needed.STATELESS}
    assert {r.needed for r in result.rules if r.kind is not Kind.REPLY} == {Needed.ALWAYS}
    media = {(str(r.destination), r.protocol, r.ports) for r in result.rules if r.kind is Kind.MEDIA}
    assert {(str(r.source), r.protocol, r.source_ports) for r in replies if r.source.kind is EndpointKind.CIDR} == media
    assert all(r.direction is Direction.INBOUND and str(r.ports) == "1024-65535" for r in replies)
    assert any(r.source.kind is EndpointKind.ANY and str(r.source_ports) == "443" for r in replies)


def test_rule_ids_are_unique_and_say_what_the_rule_is(catalog: Catalog) -> None:
    result = ticket(plan(catalog, "all", 1, "e2ee"), catalog, ["10.0.0.0/8", "192.168.0.0/16"])

    ids = [r.id for r in result.rules]
    assert len(ids) == len(set(ids))
    assert "media-udp-10000-60000-52.59.186.0/27" in ids and "peer-tcp-1024-65535" in ids
    assert "signaling-tcp-443-de1.vss.twilio.com" in ids and "reply-udp-from-3478-52.59.186.0/27" in ids


def test_reordering_the_catalog_changes_no_rule(catalog: Catalog) -> None:
    raw = shipped_raw()
    for key in ("regions", "hosts", "port_options"):
        raw[key].reverse()
    reordered = validate_catalog(raw, "reordered.yaml")

    def rules(data: Catalog) -> set[tuple[str, str]]:
        return {(r.id, r.why) for r in ticket(plan(data, "de1,ie1,us1", 1), data).rules}

    assert rules(reordered) == rules(catalog)


def test_every_note_says_whether_it_needs_an_action(catalog: Catalog) -> None:
    without = ticket(plan(catalog, "de1", 2), catalog)
    given = ticket(plan(catalog, "de1", 2), catalog, ["10.0.0.0/8"])

    assert all(str(note).endswith(("No action needed.",)) or " ACTION: " in str(note) for note in without.notes)
    assert any("stateless firewall" in (note.action or "") for note in without.actions)
    assert any(CLIENTS_PLACEHOLDER in note.text for note in without.actions)
    assert not any(CLIENTS_PLACEHOLDER in note.text for note in given.notes)
