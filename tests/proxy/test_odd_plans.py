"""A hand-built plan with odd text in its regions (the library's callers can build any Plan) cannot break out of the
comments the proxy configurations name them in."""

from __future__ import annotations

import dataclasses

import pytest

from chalk_policy.catalog import load_catalog
from chalk_policy.planning import plan
from chalk_policy.proxy import render_pac, render_squid

INJECTED = "jp1\nhttp_access allow all\n\x1b[31m"


@pytest.mark.parametrize("render", ["squid", "pac"])
def test_a_region_with_a_newline_stays_inside_its_comment(render: str) -> None:
    chalk_plan = plan(load_catalog(), "jp1", 1)
    odd = dataclasses.replace(chalk_plan, regions=(INJECTED,), hosts=tuple(
        dataclasses.replace(rule, regions=(INJECTED,)) for rule in chalk_plan.hosts))

    text = render_squid(odd) if render == "squid" else render_pac(odd, "proxy.corp.example:3128")

    lines = text.splitlines()
    assert "http_access allow all" not in lines
    assert "\x1b" not in text
    assert [line for line in lines if "http_access allow all" in line] == [
        line for line in lines if line.startswith(("#", "//")) and "jp1\\nhttp_access allow all\\n\\x1b[31m" in line]
