"""Every layer's table of cases (``cases_<layer>.py``): each case's gaps, denials, unverified parts with their
reasons, and notes are exactly the ones written next to it."""

from __future__ import annotations

import pytest

from . import (
    cases_aws_network_acl,
    cases_aws_network_firewall,
    cases_aws_security_groups,
    cases_azure_firewall,
    cases_azure_nsg,
)
from .expect import Case, outcome

TABLES = {module.__name__.rsplit(".cases_", 1)[1]: module.CASES for module in (
    cases_aws_security_groups, cases_aws_network_firewall, cases_aws_network_acl, cases_azure_nsg,
    cases_azure_firewall)}


@pytest.mark.parametrize("case", [pytest.param(case, id=f"{layer}/{case.name}")
                                  for layer, cases in TABLES.items() for case in cases])
def test_case_outcome(case: Case) -> None:
    assert outcome(case.resources, selector=case.selector, notes=True, reasons=True) == list(case.expected)


@pytest.mark.parametrize("layer", TABLES)
def test_case_names_are_unique(layer: str) -> None:
    names = [case.name for case in TABLES[layer]]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
