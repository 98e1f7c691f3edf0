"""Azure NSG layer: the source side of outbound rules (class 1) and tag selectors (class 7).

Semantics, from Microsoft Learn:

* learn.microsoft.com/azure/virtual-network/network-security-groups-overview ("Security rules"): a rule matches
  by source, source port, destination, destination port and protocol (the 5-tuple); first match by priority.
* learn.microsoft.com/azure/virtual-network/service-tags-overview ("VirtualNetwork"): the tag holds the virtual
  network's address space; the clients an NSG governs sit in subnets/NICs of that virtual network.
* learn.microsoft.com/azure/azure-resource-manager/management/tag-resources: tag names are case-insensitive,
  tag values case-sensitive.

Each test pairs a compliant (happy) stack with the mutation the bug class let through.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalk_policy.coverage import Options, TagSelector, check_media
from chalk_policy.coverage.addresses import Addresses
from chalk_policy.coverage.layers.azure_common import tag_selects

from ..helpers import CATALOG, DE1, JP1, PLAN, SECURITY_RULE, UNKNOWN, nsg, nsg_rule, res
from .expect import outcome

ALL = [*DE1, *JP1]
CLIENTS = ["10.0.0.0/16"]
"""The clients' subnet, when the policy's clientCidrs are configured."""
OTHER = "10.9.0.0/16"
"""A subnet that holds no client."""
MEDIA = "udp 443,3478,10000-60000"
DENY_INTERNET = nsg_rule("chalk-deny-internet", 4096, "Deny", "*", "Internet", "*")


def rule(name: str, priority: Any, access: str = "Allow", source: Any = "*", *, protocol: Any = "Udp",
         prefixes: Any = None, ports: Any = None, **extra: Any) -> dict[str, Any]:
    """An outbound rule from ``source`` (a string: sourceAddressPrefix; a list: sourceAddressPrefixes; None:
    neither), to the plan's media ranges and ports unless told otherwise."""
    entry = nsg_rule(name, priority, access, protocol, prefixes, ports)
    del entry["sourceAddressPrefix"]
    if isinstance(source, list):
        entry["sourceAddressPrefixes"] = source
    elif source is not None:
        entry["sourceAddressPrefix"] = source
    return {**entry, **extra}


def stack(*rules: dict[str, Any], **extra: Any) -> list[Any]:
    return [nsg("chalk-nsg", [*rules, DENY_INTERNET], **extra)]


def denied(by: str = "rule 'chalk-deny-internet' (priority 4096)", what: str = MEDIA) -> list[str]:
    return [f"gap de1 NSG 'chalk-nsg': denied by {by}: {what} to {', '.join(DE1)}",
            f"gap jp1 NSG 'chalk-nsg': denied by {by}: {what} to {', '.join(JP1)}"]


def unverified(what: str = MEDIA) -> list[str]:
    return [f"unverified de1 NSG 'chalk-nsg': {what} to {', '.join(DE1)}",
            f"unverified jp1 NSG 'chalk-nsg': {what} to {', '.join(JP1)}"]


def messages(resources: list[Any], clients: list[str] | None = None) -> list[tuple[str, str]]:

    options = Options(None, Addresses.of(*clients) if clients is not None else None)
    return [(f.kind.value, f.message) for f in check_media(resources, PLAN, CATALOG, options).findings]


# class 1: sources ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["*", "0.0.0.0/0", "Any", "VirtualNetwork", "virtualnetwork", ["*"],
                                    [OTHER, "VirtualNetwork"]])
@pytest.mark.parametrize("clients", [None, CLIENTS])
def test_any_source_and_virtual_network_reach_every_client(source: Any, clients: list[str] | None) -> None:
    """class 1, happy path: ``*``/``0.0.0.0/0``/``Any`` and ``VirtualNetwork`` (the clients behind an NSG are in
    its virtual network, service-tags-overview) hold every client, with or without clientCidrs."""
    assert outcome(stack(rule("media", 100, source=source)), clients=clients) == []


@pytest.mark.parametrize("clients", [None, CLIENTS])
def test_allow_from_chalk_media_ranges_does_not_allow_egress_to_them(clients: list[str] | None) -> None:
    """class 1: an Allow whose *source* is Chalk's media ranges (destination ``*``) never sees a client packet
    (clients do not send from Chalk's servers), so the later Deny decides: a certain gap. Before the fix the
    source was ignored and the rule passed the NSG."""
    happy = rule("echo", 100, source="*", protocol="*", prefixes="*", ports="*")
    assert outcome(stack(happy), clients=clients) == []
    mutated = rule("echo", 100, source=ALL, protocol="*", prefixes="*", ports="*")
    assert outcome(stack(mutated), clients=clients) == denied()


def test_deny_limited_to_an_unrelated_source_subnet() -> None:
    """class 1: a Deny from another subnet is unverified (not a certain gap) while the client CIDRs are unknown,
    no gap when the configured clients lie outside it, and a gap when they lie inside it."""
    deny = rule("deny-other", 90, "Deny", source=OTHER, protocol="*", prefixes="*", ports="*")
    resources = stack(deny, rule("media", 100))
    assert outcome(resources) == unverified()
    assert outcome(resources, clients=CLIENTS) == []
    assert outcome(resources, clients=["10.9.1.0/24"]) == denied("rule 'deny-other' (priority 90)")
    everyone = rule("deny-other", 90, "Deny", source="*", protocol="*", prefixes="*", ports="*")
    assert outcome(stack(everyone, rule("media", 100)), clients=CLIENTS) == denied("rule 'deny-other' (priority 90)")


def test_allow_limited_to_another_source_is_unverified_never_a_silent_pass() -> None:
    """class 1: an Allow from another subnet may or may not cover the clients: unverified without clientCidrs, a
    gap when the clients lie outside it, a pass when they lie inside it (or in one of its prefixes)."""
    resources = stack(rule("media", 100, source=OTHER))
    assert outcome(resources) == unverified()
    assert outcome(resources, clients=CLIENTS) == denied()
    assert outcome(resources, clients=["10.9.1.0/24"]) == []
    assert outcome(stack(rule("media", 100, source=[OTHER, "10.0.0.0/8"])), clients=CLIENTS) == []
    assert outcome(stack(rule("media", 100, source=["10.0.1.0/24"])), clients=CLIENTS) == unverified()


def test_unverified_message_names_the_rule_and_the_missing_client_cidrs() -> None:
    """class 1: what the unverified finding says about a source-limited rule."""
    found = messages(stack(rule("media", 100, source=OTHER)))
    assert found[0] == ("unverified", (
        "Region de1 (Germany): NSG 'chalk-nsg' may allow UDP 443, 3478, 10000-60000 to 18.156.18.128/25, "
        "18.195.48.224/27, 52.59.186.0/27, but this cannot be verified from this stack: "
        "azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0] (rule 'media'): it applies only to "
        "sources 10.9.0.0/16, which may not cover the clients (their addresses are not configured: set the "
        "policy's clientCidrs)."))


ASG_ID = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/chalk-clients"


@pytest.mark.parametrize(("source", "extra", "doubt"), [
    (None, {"sourceApplicationSecurityGroups": [{"id": ASG_ID}]},
     "its source is application security group 'chalk-clients', whose members the stack does not tell"),
    ("AzureCloud", {}, "its source 'AzureCloud' is not modelled, so it may or may not hold the clients"),
    ("AzureLoadBalancer", {}, "its source 'AzureLoadBalancer' is not modelled, so it may or may not hold the "
                              "clients"),
    (UNKNOWN, {}, "the source prefixes is unknown"),
    ([UNKNOWN], {}, "a source prefix is unknown"),
    ("*", {"sourcePortRange": "1024-65535"},
     "it applies only to source ports 1024-65535, while clients send from any ephemeral port"),
    ("*", {"sourcePortRange": UNKNOWN}, "the source ports is unknown"),
])
def test_sources_that_may_hold_only_some_clients_are_unverified(source: Any, extra: dict[str, Any],
                                                                 doubt: str) -> None:
    """class 1: application security groups, other service tags, unknown values and source-port restrictions
    reach only some client packets: what the Allow alone decides is unverified, even with clientCidrs."""
    resources = stack(rule("media", 100, source=source, **extra))
    assert outcome(resources) == unverified()
    assert outcome(resources, clients=CLIENTS) == unverified()
    found = messages(resources, CLIENTS)
    assert found[0][0] == "unverified"
    assert f"securityRules[0] (rule 'media'): {doubt}." in found[0][1]


@pytest.mark.parametrize("ports", [{"sourcePortRange": "*"}, {"sourcePortRange": "0-65535"},
                                   {"sourcePortRange": "", "sourcePortRanges": ["0-1023", "1024-65535"]}])
def test_every_source_port_reaches_every_client(ports: dict[str, Any]) -> None:
    """class 1, happy path for source ports: any way of writing "every port" is every client packet."""
    assert outcome(stack(rule("media", 100, **ports)), clients=CLIENTS) == []


def test_internet_source_holds_public_addresses_only() -> None:
    """class 1: an Allow from ``Internet`` does not hold private clients (a gap with clientCidrs), and may not hold
    unknown ones (unverified)."""
    resources = stack(rule("media", 100, source="Internet"))
    assert outcome(resources, clients=CLIENTS) == denied()
    assert outcome(resources) == unverified()


def test_standalone_security_rule_sources_count_too() -> None:
    """class 1: a standalone SecurityRule is read like an inline one: its media-range source allows nothing."""
    standalone = res(SECURITY_RULE, "echo", {
        **rule("echo", 100, source=ALL, protocol="*", prefixes="*", ports="*"),
        "networkSecurityGroupName": "chalk-nsg", "resourceGroupName": "rg"})
    assert outcome([*stack(), standalone]) == denied()
    star = res(SECURITY_RULE, "media", {**rule("media", 100), "networkSecurityGroupName": "chalk-nsg",
                                       "resourceGroupName": "rg"})
    assert outcome([*stack(), star]) == []


def test_a_rule_without_source_is_malformed() -> None:
    """class 1: Azure requires a source prefix (or application security group) and a source port. An Allow without
    one is skipped with a note (that only allows less); a Deny stays an uncertain deny (never fail open)."""
    allow = messages(stack(rule("media", 100, source=None)))
    assert [kind for kind, _ in allow] == ["violation", "violation", "note"]
    assert allow[-1][1] == ("Skipped azure_native.network.NetworkSecurityGroup 'chalk-nsg' securityRules[0]: "
                            "sourceAddressPrefix(es) and sourceApplicationSecurityGroups are missing.")
    no_port = {key: value for key, value in rule("deny", 90, "Deny", prefixes="*", ports="*").items()
               if key != "sourcePortRange"}
    assert outcome(stack(no_port, rule("media", 100))) == unverified()
    garbage = rule("deny", 90, "Deny", source="not a source!", prefixes="*", ports="3478")
    assert outcome(stack(garbage, rule("media", 100))) == unverified("udp 3478")


def test_unreadable_deny_from_outside_the_clients_is_dropped() -> None:
    """class 1: a Deny whose destination cannot be read but whose source holds no client never sees their
    packets; with the source unknown to hold them, it stays an uncertain deny."""
    garbage = rule("deny", 90, "Deny", source=OTHER, prefixes="no prefix!", ports="*")
    assert outcome(stack(garbage, rule("media", 100)), clients=CLIENTS) == []
    assert outcome(stack(garbage, rule("media", 100))) == unverified()


def test_deny_from_virtual_network_is_a_certain_gap() -> None:
    """class 1: a Deny from ``VirtualNetwork`` holds every client: a certain gap, never "unverified"."""
    deny = rule("deny-vnet", 90, "Deny", source="VirtualNetwork", protocol="*", prefixes="Internet", ports="*")
    assert outcome(stack(deny, rule("media", 100))) == denied("rule 'deny-vnet' (priority 90)")


# class 7: tag names are case-insensitive, values case-sensitive --------------------------------------------------

@pytest.mark.parametrize("key", ["chalk", "Chalk", "CHALK"])
def test_client_tag_name_matches_in_any_case(key: str) -> None:
    """class 7: ``Chalk`` and ``chalk`` are the same Azure tag (tag-resources): the NSG is selected and checked.
    Before the fix a ``Chalk`` tag was not found, so the NSG's gap went unreported ("untagged")."""
    happy = [nsg("chalk-nsg", [rule("media", 100), DENY_INTERNET], tags={key: "media"})]
    assert outcome(happy, selector=TagSelector("chalk", "media")) == []
    mutated = [nsg("chalk-nsg", [rule("media", 100, prefixes=list(DE1)), DENY_INTERNET], tags={key: "media"})]
    assert outcome(mutated, selector=TagSelector("chalk", "media")) == denied()[1:]
    assert outcome(mutated, selector=TagSelector("CHALK")) == denied()[1:]


def test_client_tag_value_is_case_sensitive() -> None:
    """class 7: tag values are case-sensitive (tag-resources): ``Media`` is not ``media``, so the NSG is not
    picked and the media check says no NSG carries the tag."""
    resources = [nsg("chalk-nsg", [rule("media", 100), DENY_INTERNET], tags={"Chalk": "Media"})]
    assert outcome(resources, selector=TagSelector("chalk", "media")) == [
        "untagged: No NSG of the stack carries the tag chalk=media"]
    assert outcome(resources, selector=TagSelector("chalk", "Media")) == []


@pytest.mark.parametrize(("tags", "selector", "expected"), [
    ({"Chalk": "media"}, TagSelector("chalk", "media"), True),
    ({"chalk": "media"}, TagSelector("CHALK"), True),
    ({"chalk": "Media"}, TagSelector("chalk", "media"), False),
    ({"chalk": None}, TagSelector("chalk"), False),
    ({"other": "media"}, TagSelector("chalk"), False),
    ({}, TagSelector("chalk"), False),
    ("not tags", TagSelector("chalk"), False),
    (UNKNOWN, TagSelector("chalk"), None),
    ({"CHALK": UNKNOWN}, TagSelector("chalk", "media"), None),
    ({"CHALK": UNKNOWN, "chalk": "media"}, TagSelector("chalk", "media"), True),
])
def test_tag_selects(tags: Any, selector: TagSelector, expected: bool | None) -> None:
    """class 7: the one function that matches Azure tags (names in any case, values exactly; None: unknown)."""
    from chalk_policy.coverage.resources import unwrap

    assert tag_selects(unwrap(tags), selector) is expected


def test_unknown_tag_value_under_another_case_is_unverified() -> None:
    """class 7: a tag whose name matches in another case but whose value is unknown may select the NSG."""
    resources = [nsg("chalk-nsg", [DENY_INTERNET], tags={"CHALK": UNKNOWN})]
    found = outcome(resources, selector=TagSelector("chalk", "media"))
    assert found == unverified()
