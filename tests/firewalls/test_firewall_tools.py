"""Every generated ruleset, checked by the real tools: ``nft -c -f`` and ``iptables-restore --test`` (each variant)
across port option x encryption x clients x stateless, then loaded for real into a network namespace of its own.

Nothing touches the host's firewall: the tools run in a new, empty network namespace (see ``firewall_kit``).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from pathlib import Path

import pytest
from firewall_kit import (
    IPTABLES_RESTORE,
    iptables_restore_usable,
    iptables_test,
    nft_check,
    nft_usable,
    require_tool,
    run_script,
)

from chalk_policy.catalog import load_catalog
from chalk_policy.firewalls import FirewallSettings, render_iptables, render_nftables
from chalk_policy.planning import plan
from chalk_policy.planning.ticket import Kind, Needed, Ticket, ticket

CLIENTS = ("10.20.0.0/16", "192.168.5.0/24")
MATRIX = [
    pytest.param(option, encryption, clients, stateless,
                 id=f"option{option}-{encryption}-{'clients' if clients else 'noclients'}-"
                    f"{'stateless' if stateless else 'stateful'}")
    for option, encryption, clients, stateless in itertools.product((1, 2, 3), ("standard", "e2ee"), ((), CLIENTS),
                                                                     (False, True))
]


@functools.cache
def chalk_ticket(regions: str, option: int, encryption: str, clients: tuple[str, ...]) -> Ticket:
    catalog = load_catalog()
    return ticket(plan(catalog, regions, option, encryption), catalog, clients)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("option", "encryption", "clients", "stateless"), MATRIX)
def test_nft_accepts_every_ruleset(tmp_path: Path, option: int, encryption: str, clients: tuple[str, ...],
                                   stateless: bool) -> None:
    nft = nft_usable()
    for regions in ("all", "germany,ireland"):
        text = render_nftables(chalk_ticket(regions, option, encryption, clients), FirewallSettings(stateless))
        result = nft_check(nft, write(tmp_path, "chalk.nft", text))
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variant", IPTABLES_RESTORE)
@pytest.mark.parametrize(("option", "encryption", "clients", "stateless"), MATRIX)
def test_iptables_restore_accepts_every_ruleset(tmp_path: Path, variant: str, option: int, encryption: str,
                                                clients: tuple[str, ...], stateless: bool) -> None:
    tool = iptables_restore_usable(variant)
    for regions in ("all", "germany,ireland"):
        text = render_iptables(chalk_ticket(regions, option, encryption, clients), FirewallSettings(stateless))
        result = iptables_test(tool, write(tmp_path, "chalk.rules", text))
        assert result.returncode == 0, result.stderr


def test_the_checks_do_catch_a_broken_ruleset(tmp_path: Path) -> None:
    """The tools are not rubber stamps: the same file with one token broken is refused."""
    nft = nft_usable()
    text = render_nftables(chalk_ticket("de1", 1, "standard", CLIENTS))
    assert nft_check(nft, write(tmp_path, "bad.nft", text.replace("udp dport 3478", "udp dport 3478x"))).returncode
    legacy = iptables_restore_usable("iptables-legacy-restore")
    rules = render_iptables(chalk_ticket("de1", 1, "standard", CLIENTS))
    assert iptables_test(legacy, write(tmp_path, "bad.rules", rules.replace("-d 18.156.18.128/25",
                                                                            "-d 18.156.18.128/33"))).returncode
    assert iptables_test(legacy, write(tmp_path, "bad2.rules", rules.replace("-A chalk ", "-A nochain ", 1))).returncode


# --- loaded for real, in a network namespace of its own -----------------------------------------------------------


def kept_rules(chalk: Ticket, stateless: bool) -> list[str]:
    return [rule.id for rule in chalk.rules
            if (stateless or rule.needed is not Needed.STATELESS) and (rule.kind is not Kind.PEER or chalk.clients)]


@pytest.mark.parametrize("stateless", [False, True], ids=["stateful", "stateless"])
def test_nft_loads_the_ruleset_keeps_the_jump_and_replaces_on_reload(tmp_path: Path, stateless: bool) -> None:
    nft = nft_usable()
    chalk = chalk_ticket("germany,ireland", 2, "e2ee", CLIENTS)
    path = write(tmp_path, "chalk.nft", render_nftables(chalk, FirewallSettings(stateless)))
    # The admin's own table: a forward chain that drops by default and jumps to the Chalk chain. The file is
    # loaded, the jump added, and the file loaded again: the Chalk rules are replaced, not doubled, the jump stays.
    result = run_script(
        '"$1" add table inet filter; '
        '"$1" "add chain inet filter forward { type filter hook forward priority filter; policy drop; }"; '
        '"$1" -f "$2"; "$1" add rule inet filter forward jump chalk; "$1" -f "$2"; '
        '"$1" list table inet filter; echo ===; "$1" list tables', nft, str(path))
    assert result.returncode == 0, result.stderr
    listing, tables = result.stdout.split("===\n")
    assert tables.split() == ["table", "inet", "filter"]  # no other table created
    chain = re.search(r"\tchain chalk \{\n(.*?)\n\t\}", listing, re.S)
    assert chain is not None, listing
    rules = [line.strip() for line in chain.group(1).splitlines() if line.strip()]
    assert all(rule.endswith('"') and " accept comment " in rule for rule in rules), rules
    assert len([rule for rule in rules if "ct state established,related accept" in rule]) == (0 if stateless else 1)
    # one rule per protocol and port (range) of the plan and of the replies, each commented with its ticket ids
    groups = {_group_of(rule_id) for rule_id in kept_rules(chalk, stateless)}
    assert len(rules) == len(groups) + (0 if stateless else 1), (rules, groups)
    for group in groups:
        assert any(f'comment "{group}' in rule for rule in rules), group
    assert "jump chalk" in listing.split("chain forward", 1)[1]  # the admin's jump survived the reload
    assert "policy drop" in listing.split("chain forward", 1)[1]  # the admin's own chain, untouched
    assert "elements = { 10.20.0.0/16, 192.168.5.0/24 }" in listing
    for cidr in ("18.156.18.128/25", "3.249.63.128/25"):
        assert cidr in listing


def _group_of(rule_id: str) -> str:
    """The nftables rule a ticket rule is in, by the start of its comment: ``media-udp-443-52.59.186.0/27`` ->
    ``media-udp-443-`` (one rule per port, over the set of ranges), every signaling rule -> one rule, others
    (peer rules, the signaling replies) -> their own rule."""
    if re.search(r"-\d+\.\d+\.\d+\.\d+/\d+$", rule_id):
        return rule_id.rsplit("-", 1)[0] + "-"
    if rule_id.startswith("signaling-"):
        return "signaling-tcp-443-"
    return rule_id


@pytest.mark.parametrize("variant", IPTABLES_RESTORE[1:])
def test_iptables_loads_the_chain_keeps_the_jump_and_replaces_on_reload(tmp_path: Path, variant: str) -> None:
    tool = iptables_restore_usable(variant)
    iptables = require_tool(variant.removesuffix("-restore"), package="iptables")
    chalk = chalk_ticket("germany,ireland", 2, "e2ee", CLIENTS)
    text = render_iptables(chalk, FirewallSettings(stateless=True))
    path = write(tmp_path, "chalk.rules", text)
    result = run_script('"$1" --noflush "$3"; "$2" -P FORWARD DROP; "$2" -A FORWARD -j chalk; "$1" --noflush "$3"; '
                        '"$2" -S', tool, iptables, str(path))
    assert result.returncode == 0, result.stderr
    listed = result.stdout.splitlines()
    assert "-P FORWARD DROP" in listed and "-A FORWARD -j chalk" in listed  # the admin's own settings, untouched
    chain = [line for line in listed if line.startswith("-A chalk ")]
    # one kernel rule per client network of each line with -s/-d lists (iptables expands them), none twice
    written = [line for line in text.splitlines() if line.startswith("-A chalk ")]
    expanded = sum(len(CLIENTS) ** (line.count(",".join(CLIENTS))) for line in written)
    assert len(chain) == expanded
    assert all(line.endswith("-j ACCEPT") for line in chain)
    for rule_id in kept_rules(chalk, stateless=True):
        if not rule_id.startswith("signaling-"):
            assert any(f"--comment \"{rule_id}: " in line for line in chain), rule_id


def test_the_tools_accept_a_hand_built_ticket_with_a_hostile_reason(tmp_path: Path) -> None:
    """Quotes, a newline, braces, a backslash and accents in a rule's reason, and a reason longer than any comment:
    each tool still reads the file, and the rule keeps its (cut) comment."""
    chalk = chalk_ticket("de1", 1, "e2ee", CLIENTS)
    why = 'Chalk "media"\naccept; } drop # São Paulo \\ ' + "x" * 400
    hostile = dataclasses.replace(chalk, rules=tuple(dataclasses.replace(rule, why=why) for rule in chalk.rules))
    nft = nft_usable()
    assert nft_check(nft, write(tmp_path, "chalk.nft", render_nftables(hostile))).returncode == 0
    for variant in IPTABLES_RESTORE:
        tool = iptables_restore_usable(variant)
        result = iptables_test(tool, write(tmp_path, "chalk.rules", render_iptables(hostile)))
        assert result.returncode == 0, (variant, result.stderr)
