"""What the nftables and iptables allowlists say: every media range and port of the plan and nothing of other regions,
replies only for stateless firewalls, peer rules only with E2EE and clients, every rule traceable to its ticket id,
only accept, the same text whatever the catalog's order, and values from a hand-built ticket never becoming syntax."""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import itertools
import re
from collections.abc import Callable

import pytest
from chalk_testkit import shipped_raw

from chalk_policy.catalog import Catalog, load_catalog, validate_catalog
from chalk_policy.firewalls import (
    FIREWALLS,
    FirewallConfigError,
    FirewallSettings,
    omissions,
    parse_clients,
    render_iptables,
    render_nftables,
)
from chalk_policy.planning import plan
from chalk_policy.planning.plan import PortRange
from chalk_policy.planning.ticket import Endpoint, EndpointKind, Kind, Needed, Ticket, TicketRule, ticket

CLIENTS = ("10.20.0.0/16", "192.168.5.0/24")
RENDERERS: dict[str, Callable[..., str]] = {"nftables": render_nftables, "iptables": render_iptables}
COMBINATIONS = list(itertools.product((1, 2, 3), ("standard", "e2ee"), ((), CLIENTS), (False, True)))


@functools.cache
def shipped() -> Catalog:
    return load_catalog()


def make(regions: str, option: int = 1, encryption: str = "standard", clients: tuple[str, ...] = (),
         catalog: Catalog | None = None) -> Ticket:
    catalog = catalog or shipped()
    return ticket(plan(catalog, regions, option, encryption), catalog, clients)


def rule_lines(text: str) -> list[str]:
    """The lines that are not comments or blank."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def comments(text: str) -> list[str]:
    """The kernel comments of the rules and set elements (what `nft list` and `iptables -S` show)."""
    return re.findall(r'comment "([^"]*)"', text)


def test_the_registry_names_each_format_once_and_renders_a_ticket() -> None:
    assert list(FIREWALLS) == ["nftables", "iptables"]
    chalk = make("de1")
    for name, firewall in FIREWALLS.items():
        assert firewall.name == name and firewall.summary
        assert firewall.render(chalk, FirewallSettings()) == RENDERERS[name](chalk)
    assert FIREWALLS["nftables"].table_help and FIREWALLS["iptables"].table_help is None


@pytest.mark.parametrize("name", RENDERERS)
@pytest.mark.parametrize(("option", "encryption"), [(1, "standard"), (2, "e2ee"), (3, "standard")])
def test_every_media_range_and_port_of_the_plan_and_none_of_another_region(name: str, option: int,
                                                                           encryption: str) -> None:
    chalk_plan = plan(shipped(), "germany,ireland", option, encryption)
    text = RENDERERS[name](make("germany,ireland", option, encryption, CLIENTS))
    rules = "\n".join(rule_lines(text))
    selected = [ipaddress.IPv4Network(cidr) for cidr in chalk_plan.cidrs]
    for cidr in chalk_plan.cidrs:
        assert re.search(rf"(^|[\s,-]){re.escape(cidr)}(,|\s|$)", rules, re.M), cidr
    for media_rule in chalk_plan.media_rules:
        ports = str(media_rule.ports) if name == "nftables" else str(media_rule.ports).replace("-", ":")
        assert f"{media_rule.protocol.value} dport {ports} " in rules or f"-p {media_rule.protocol.value} -m " \
            f"{media_rule.protocol.value} --dport {ports} " in rules, (media_rule, name)
    others = {entry.cidr for region in shipped().regions if region.id not in chalk_plan.regions
              for entry in region.cidrs}
    assert others
    for cidr in others:
        assert not any(ipaddress.IPv4Network(cidr).overlaps(network) for network in selected)
        assert cidr not in text, cidr
    addresses = {match for match in re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", rules)}
    assert addresses == {*chalk_plan.cidrs, *CLIENTS}


@pytest.mark.parametrize("name", RENDERERS)
@pytest.mark.parametrize(("option", "encryption", "clients", "stateless"), COMBINATIONS)
def test_replies_only_stateless_peer_only_with_e2ee_and_clients_ids_in_comments_and_only_accept(
        name: str, option: int, encryption: str, clients: tuple[str, ...], stateless: bool) -> None:
    chalk = make("all", option, encryption, clients)
    text = RENDERERS[name](chalk, FirewallSettings(stateless=stateless))
    rules = rule_lines(text)
    kernel = comments(text)
    # replies: the ticket's reply rules with --stateless, else one conntrack rule
    replies = [line for line in kernel if line.startswith("reply-")]
    assert bool(replies) == stateless
    tracking = [line for line in rules if "established,related" in line.lower()]
    assert len(tracking) == (0 if stateless else 1)
    # peer rules: E2EE and client networks, never between any addresses
    peer = [line for line in rules if "peer-" in line]
    assert len(peer) == (2 if encryption == "e2ee" and clients else 0)
    assert ("# peer rules omitted: give --clients" in text) == (encryption == "e2ee" and not clients)
    for line in peer:
        assert ("ip saddr @chalk_clients ip daddr @chalk_clients" in line if name == "nftables"
                else f"-s {','.join(clients)} -d {','.join(clients)}" in line)
    # traceable: every ticket rule the ruleset covers is named, by its id, in a comment line, in a rule's kernel
    # comment (iptables: its own line), or by the id pattern of the rule that covers it (nftables)
    for rule in chalk.rules:
        if (rule.needed is Needed.STATELESS and not stateless) or (rule.kind is Kind.PEER and not clients):
            assert f"{rule.id}:" not in text.replace(f"({rule.id}", "")
            continue
        assert f"# {rule.id}: " in text or f'"{rule.id}: ' in text, rule.id
        if name == "iptables" and rule.kind is not Kind.SIGNALING:
            assert any(line.startswith(f"{rule.id}: ") for line in kernel), rule.id
    # only accept: no drop, no reject, no policy, no built-in chain
    for line in rules:
        syntax = re.sub(r'"[^"]*"', '""', line)  # the comments aside
        assert not re.search(r"\b(drop|reject|policy|hook|return|queue)\b", syntax, re.I), line
    assert not re.search(r"policy drop|-j (DROP|REJECT)|^-P |^:(INPUT|FORWARD|OUTPUT) ", text, re.M | re.I)
    if name == "nftables":
        assert all(line.endswith('"') and " accept comment \"" in line for line in rules if line.startswith("ip ")
                   or line.startswith("tcp ") or line.startswith("udp ") or line.startswith("ct "))
        assert all(len(comment) <= 128 for comment in kernel)
    else:
        assert all(line.endswith("-j ACCEPT") for line in rules if line.startswith("-A "))
        assert {line.split()[1] for line in rules if line.startswith("-A ")} == {"chalk"}
        assert all(len(comment) <= 255 for comment in kernel)


@pytest.mark.parametrize("name", RENDERERS)
def test_without_clients_no_source_match_and_the_header_says_so(name: str) -> None:
    text = RENDERERS[name](make("de1", 1, "standard"))
    assert "Chalk clients: not given (--clients), so the rules match no source address" in text
    assert "chalk_clients" not in text and " -s 10." not in text


def test_nftables_sets_the_media_ranges_once_and_one_rule_per_protocol_and_port() -> None:
    chalk_plan = plan(shipped(), "all", 1)
    text = render_nftables(make("all", 1, "standard", CLIENTS))
    (elements,) = re.findall(r"set chalk_media_v4 \{.*?elements = \{\n(.*?)\n\t\t\}", text, re.S)
    listed = [line.strip().rstrip(",").split()[0] for line in elements.splitlines()]
    assert listed == sorted(chalk_plan.cidrs, key=lambda c: ipaddress.IPv4Network(c))
    assert 'comment "de1"' in elements and 'comment "us1"' in elements
    media = [line for line in rule_lines(text) if "@chalk_media_v4" in line]
    assert media == [f"ip saddr @chalk_clients ip daddr @chalk_media_v4 udp dport {ports} accept comment "
                     f"\"media-udp-{ports}-*: Chalk media to the {len(listed)} ranges of @chalk_media_v4\""
                     for ports in ("443", "3478", "10000-60000")]


@pytest.mark.parametrize("name", RENDERERS)
def test_signaling_is_tcp_443_to_any_address_named_in_comments_and_pointing_to_squid(name: str) -> None:
    chalk = make("jp1", 2, "standard", CLIENTS)
    text = RENDERERS[name](chalk)
    signaling = [line for line in rule_lines(text) if "signaling-" in line]
    assert len(signaling) == 1
    assert ("ip saddr @chalk_clients tcp dport 443 accept" in signaling[0] if name == "nftables"
            else signaling[0].startswith(f"-A chalk -s {','.join(CLIENTS)} -p tcp -m tcp --dport 443 "))
    assert "chalk-policy render squid" in signaling[0]
    for rule in chalk.rules:
        if rule.kind is Kind.SIGNALING:
            assert f"# {rule.id}: Chalk signaling (HTTPS/WSS) to" in text
    assert "cannot match host names: this rule allows TCP 443 to any address" in text


@pytest.mark.parametrize("name", RENDERERS)
def test_the_header_names_the_plan_and_the_tickets_actions(name: str) -> None:
    chalk = make("germany,ireland", 2, "e2ee", CLIENTS)
    text = RENDERERS[name](chalk)
    head = "\n".join(line for line in text.split("\n\n", 1)[0].splitlines())
    assert "# Plan: catalog 2026120101, regions de1,ie1, option 2, encryption e2ee; stateful" in head
    assert ("# Regenerate when the catalog changes: chalk-policy render " + name + " --regions de1,ie1 --option 2 "
            "--encryption") in head
    assert "IPv4 only" in head
    actions = re.findall(r"^# ACTION: (.*)$", head, re.M)
    assert len(actions) == len(chalk.actions) >= 3
    for note, line in zip(chalk.actions, actions):
        assert note.action is not None and note.action.startswith(line)
    assert ("jump chalk" if name == "nftables" else "-j chalk") in head
    if name == "iptables":
        assert "iptables-restore --noflush" in head


@pytest.mark.parametrize("name", RENDERERS)
def test_the_catalogs_order_does_not_change_a_byte(name: str) -> None:
    raw = shipped_raw()
    raw["regions"].reverse()
    for region in raw["regions"]:
        region["cidrs"].reverse()
    # Reversed, except that a host listed twice keeps the order of its two entries: the ticket describes it by
    # one of them (chalk_policy.planning.ticket takes the last), which is the catalog's business, not the ruleset's.
    hosts: dict[str, list[dict[str, object]]] = {}
    for host in raw["hosts"]:
        hosts.setdefault(host["host"], []).append(host)
    raw["hosts"] = [host for entries in reversed(hosts.values()) for host in entries]
    for option in raw["port_options"]:
        option["rules"].reverse()
    raw["port_options"].reverse()
    reordered = validate_catalog(raw, "reordered.yaml")
    for args in (("germany,ireland", 2, "e2ee", CLIENTS), ("all", 1, "standard", ()), ("us", 3, "e2ee", CLIENTS)):
        for stateless in (False, True):
            settings = FirewallSettings(stateless=stateless)
            assert (RENDERERS[name](make(*args, catalog=reordered), settings)
                    == RENDERERS[name](make(*args), settings))


@pytest.mark.parametrize("name", RENDERERS)
def test_the_tickets_rule_order_does_not_change_a_byte(name: str) -> None:
    chalk = make("all", 3, "e2ee", CLIENTS)
    shuffled = dataclasses.replace(chalk, rules=tuple(reversed(chalk.rules)))
    for stateless in (False, True):
        settings = FirewallSettings(stateless=stateless)
        assert RENDERERS[name](shuffled, settings) == RENDERERS[name](chalk, settings)


def test_option_3_keeps_the_media_replies_and_the_signaling_replies_apart() -> None:
    """Both are TCP from 443: the media replies come from the media ranges, the signaling replies from anywhere."""
    text = render_nftables(make("de1", 3, "standard", CLIENTS), FirewallSettings(stateless=True))
    replies = [line for line in rule_lines(text) if "tcp sport 443 " in line]
    assert len(replies) == 2
    assert replies[0].startswith("ip saddr @chalk_media_v4 ip daddr @chalk_clients tcp sport 443 tcp dport "
                                 "1024-65535 tcp flags & (fin | syn | rst | ack) != syn accept")
    assert replies[1].startswith("ip daddr @chalk_clients tcp sport 443 tcp dport 1024-65535 ")
    iptables = rule_lines(render_iptables(make("de1", 3, "standard", CLIENTS), FirewallSettings(stateless=True)))
    assert all(" ! --syn " in line for line in iptables if "--sport 443" in line and "-p tcp" in line)


# --- settings and hand-built tickets ------------------------------------------------------------------------------


def test_chain_and_table_names() -> None:
    chalk = make("de1", 1, "e2ee", CLIENTS)
    text = render_nftables(chalk, FirewallSettings(chain="chalk_video", table="ip fw"))
    assert "add chain ip fw chalk_video\n" in text and "set chalk_video_media_v4 {" in text
    assert "@chalk_video_clients" in text and "--chain chalk_video --table 'ip fw'" in text
    assert render_nftables(chalk, FirewallSettings(table="filter")) == render_nftables(chalk)
    assert ":chalk_video - [0:0]" in render_iptables(chalk, FirewallSettings(chain="chalk_video"))


@pytest.mark.parametrize(("settings", "message"), [
    (FirewallSettings(chain="chalk chain"), "--chain: 'chalk chain' is not a chain name"),
    (FirewallSettings(chain="x" * 29), "is not a chain name"),
    (FirewallSettings(table="bridge filter"), "--table: 'bridge filter' is not an nftables table"),
    (FirewallSettings(table="inet filter extra"), "is not an nftables table"),
    (FirewallSettings(table="inet fil;ter"), "is not an nftables table"),
])
def test_bad_names_are_refused(settings: FirewallSettings, message: str) -> None:
    with pytest.raises(FirewallConfigError, match=re.escape(message)):
        render_nftables(make("de1"), settings)


def test_iptables_refuses_a_built_in_chain() -> None:
    with pytest.raises(FirewallConfigError, match="--chain: 'OUTPUT' is a built-in chain"):
        render_iptables(make("de1"), FirewallSettings(chain="OUTPUT"))


@pytest.mark.parametrize(("value", "message"), [
    ("10.0.0.1/8", "--clients: '10.0.0.1/8' has host bits set; allowed: the network address, 10.0.0.0/8"),
    ("fd00::/8", "--clients: 'fd00::/8' is an IPv6 network; allowed: IPv4 networks without host bits, e.g. "
                 "10.20.0.0/16 (the rules are IPv4 only, as the catalog's media ranges are)"),
    ("10.0.0.0/8;drop", "--clients: '10.0.0.0/8;drop' is not a network"),
    (" , ", "--clients: no network given"),
])
def test_parse_clients_refuses(value: str, message: str) -> None:
    with pytest.raises(FirewallConfigError, match=re.escape(message)):
        parse_clients(value)


def test_parse_clients_accepts_addresses_and_drops_repeats() -> None:
    assert parse_clients(" 10.20.0.0/16, 192.168.1.7 ,10.20.0.0/16") == ("10.20.0.0/16", "192.168.1.7/32")


def test_overlapping_clients_are_merged_for_the_set() -> None:
    text = render_nftables(make("de1", clients=("10.0.0.0/8", "10.20.0.0/16", "192.168.1.0/24")))
    assert "\t\t\t10.0.0.0/8,\n\t\t\t192.168.1.0/24\n" in text


def hand_built(**changes: object) -> Ticket:
    chalk = make("de1", 1, "standard", CLIENTS)
    media = next(rule for rule in chalk.rules if rule.kind is Kind.MEDIA)
    return dataclasses.replace(chalk, rules=(dataclasses.replace(media, **changes), *chalk.rules[1:]))


@pytest.mark.parametrize("name", RENDERERS)
def test_a_reason_with_quotes_newlines_and_accents_stays_a_comment(name: str) -> None:
    why = 'Chalk "media"\naccept; } drop # São Paulo \\ ' + "x" * 400
    text = RENDERERS[name](hand_built(why=why))
    kernel = [comment for comment in comments(text) if comment.startswith("media-udp-443-18.156.18.128/25")
              or "Chalk 'media'" in comment]
    assert all(len(comment) <= (128 if name == "nftables" else 255) for comment in comments(text))
    # the reason's newline is shown escaped, so everything after it stays on the comment line
    if name == "nftables":
        (traced,) = [line for line in text.splitlines() if "media-udp-443-18.156.18.128/25: " in line
                     and line.lstrip().startswith("#")]
        assert 'Chalk "media"\\naccept; } drop # S' in traced
    assert not any(line.lstrip().startswith(("accept;", "x" * 10)) for line in text.splitlines())
    if name == "iptables":
        (line,) = kernel
        assert "Chalk 'media' accept; } drop # Sao Paulo / xxx" in line and line.endswith("...")
    for line in rule_lines(text):
        assert "drop" not in re.sub(r'"[^"]*"', '""', line).lower()


@pytest.mark.parametrize(("changes", "message"), [
    ({"destination": Endpoint(EndpointKind.CIDR, "10.0.0.0/8 accept")}, "is not an IPv4 network"),
    ({"destination": Endpoint(EndpointKind.CIDR, "10.0.0.1/8")}, "is not an IPv4 network"),
    ({"destination": Endpoint(EndpointKind.CIDR, "2001:db8::/32")}, "is not an IPv4 network in canonical form"),
    ({"destination": Endpoint(EndpointKind.HOST, "example.com")}, "is not a media rule the firewall renderers know"),
    ({"ports": PortRange(0, 70000)}, "is not a port range"),
    ({"ports": PortRange(60000, 10000)}, "is not a port range"),
])
@pytest.mark.parametrize("name", RENDERERS)
def test_a_hand_built_ticket_cannot_smuggle_syntax(name: str, changes: dict[str, object], message: str) -> None:
    with pytest.raises(FirewallConfigError, match=re.escape(message)):
        RENDERERS[name](hand_built(**changes))


def test_hand_built_clients_are_checked_too() -> None:
    chalk = dataclasses.replace(make("de1"), clients=("10.0.0.0/8 } accept",))
    with pytest.raises(FirewallConfigError, match=re.escape("clients: '10.0.0.0/8 } accept' is not a network")):
        render_nftables(chalk)


def test_omissions_warn_about_the_peer_rules_only_without_clients() -> None:
    assert omissions(make("de1", 1, "e2ee"), FirewallSettings()) == (
        "peer rules omitted: give --clients; E2EE media between Chalk clients (peer-tcp-1024-65535, "
        "peer-udp-1024-65535) needs the client networks, and without them a peer rule would allow any address to "
        "any address on ports 1024-65535",)
    assert omissions(make("de1", 1, "e2ee", CLIENTS), FirewallSettings()) == ()
    assert omissions(make("de1", 1, "standard"), FirewallSettings()) == ()


def test_a_ticket_rule_of_an_unknown_shape_is_refused() -> None:
    chalk = make("de1", 1, "standard", CLIENTS)
    odd = TicketRule(Kind.REPLY, chalk.rules[0].direction, Endpoint(EndpointKind.HOST, "example.com"),
                     chalk.rules[0].source, chalk.rules[0].protocol, PortRange(1024, 65535), "odd",
                     source_ports=PortRange(443, 443), needed=Needed.STATELESS)
    with pytest.raises(FirewallConfigError, match="is not a reply rule the firewall renderers know"):
        render_iptables(dataclasses.replace(chalk, rules=(*chalk.rules, odd)), FirewallSettings(stateless=True))
