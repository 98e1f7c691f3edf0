"""Helpers for the firewall tests: the real tools (nft, iptables-restore), run in a network namespace of their own.

The tools are optional on a workstation (the tests that need them skip) but required in CI (``CI=true``, as
``.ci/run`` runs), where a missing tool fails the test instead of hiding it. A tool that is installed but cannot
talk to the kernel here (no CAP_NET_ADMIN, no nf_tables or ip_tables support) skips with the tool's own message,
in CI too: that is the machine, not the code.

Every command runs in a new, empty network namespace (``unshare -n``; ``unshare -rn`` as a user without
CAP_NET_ADMIN) when the machine allows it: even ``--test`` and ``-c`` never look at the host's own rules, and the
tests that load a ruleset for real load it there, never on the host.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from chalk_testkit import find_tool, require_tool

__all__ = ["find_tool", "require_tool"]

TIMEOUT = 20.0
"""Upper bound, in seconds, for one run of a tool."""
IPTABLES_RESTORE = ("iptables-restore", "iptables-nft-restore", "iptables-legacy-restore")
"""The iptables-restore variants; each checks a file against its own backend (nf_tables or the legacy x_tables)."""


@functools.cache
def namespace_prefix() -> tuple[str, ...] | None:
    """How to run a command in a new network namespace here (``unshare -n`` as root, ``unshare -rn`` otherwise);
    None when neither works (a container without user namespaces or CAP_SYS_ADMIN)."""
    unshare = find_tool("unshare")
    if unshare is None:
        return None
    for prefix in ((unshare, "-n"), (unshare, "-rn")) if os.geteuid() == 0 else ((unshare, "-rn"),):
        probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if probe.returncode == 0:
            return prefix
    return None


def run(argv: Sequence[str], *, isolated: bool = True) -> subprocess.CompletedProcess[str]:
    """``argv`` in a network namespace of its own when the machine allows it (``isolated``), else as it is."""
    prefix = namespace_prefix() if isolated else None
    return subprocess.run([*(prefix or ()), *argv], capture_output=True, text=True, timeout=TIMEOUT, check=False)


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``sh`` script in one new network namespace (so several commands see the same rules); skip when this
    machine cannot make one."""
    prefix = namespace_prefix()
    if prefix is None:
        pytest.skip("cannot create a network namespace here (`unshare -n` and `unshare -rn` both fail), so no ruleset "
                    "is loaded for real")
    return subprocess.run([*prefix, "sh", "-euc", script, "sh", *args], capture_output=True, text=True,
                          errors="replace", timeout=TIMEOUT, check=False)


@functools.cache
def _probe(tool: str, check: tuple[str, ...], text: str) -> str | None:
    """Why ``tool`` cannot check a known-good ruleset here (its own message), or None when it can."""
    result = subprocess.run([*(namespace_prefix() or ()), tool, *check], input=text, capture_output=True, text=True,
                            timeout=TIMEOUT, check=False)
    return None if result.returncode == 0 else (result.stderr or result.stdout).strip() or f"exit {result.returncode}"


_GOOD_NFT = "table inet chalk_probe {\n\tchain c {\n\t\tip saddr 10.0.0.0/8 udp dport 3478 accept\n\t}\n}\n"
_GOOD_IPTABLES = ("*filter\n:chalk-probe - [0:0]\n"
                  "-A chalk-probe -s 10.0.0.0/8 -p udp -m udp --dport 3478 -j ACCEPT\nCOMMIT\n")


def nft_usable() -> str:
    """``nft``'s path when it can check a ruleset here (``nft -c`` asks the kernel, so it needs CAP_NET_ADMIN in
    some network namespace); skips with the reason otherwise."""
    nft = require_tool("nft", package="nftables")
    reason = _probe(nft, ("-c", "-f", "-"), _GOOD_NFT)
    if reason is not None:
        pytest.skip(f"nft -c cannot check a ruleset on this machine: {reason}")
    return nft


def iptables_restore_usable(variant: str) -> str:
    """The path of this iptables-restore variant when ``--test`` works here; skips with the reason otherwise."""
    tool = require_tool(variant, package="iptables")
    reason = _probe(tool, ("--test",), _GOOD_IPTABLES)
    if reason is not None:
        pytest.skip(f"{variant} --test cannot check a ruleset on this machine: {reason}")
    return tool


def nft_check(nft: str, path: Path) -> subprocess.CompletedProcess[str]:
    return run([nft, "-c", "-f", str(path)])


def iptables_test(tool: str, path: Path) -> subprocess.CompletedProcess[str]:
    return run([tool, "--test", str(path)])
