"""One declaration per policy: the pack, `check` (its rules, SARIF included) and the README's table all come
from chalk_policy.policies.pack's declarations."""

from __future__ import annotations

import re
import subprocess
import sys

from policy_kit import ROOT

from chalk_policy.cli.check import check_documents
from chalk_policy.policies import POLICY_NAMES, build_policies
from chalk_policy.policies.pack import CHALK_POLICIES


def test_the_readme_table_lists_each_declared_policy_with_its_level() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(chalk-[a-z-]+)` \| (mandatory|advisory)", text, flags=re.MULTILINE)
    assert rows == [(spec.name, spec.level.value) for spec in CHALK_POLICIES]


def test_the_pack_and_check_derive_their_policies_from_the_declarations() -> None:
    assert [policy.name for policy in build_policies()] == list(POLICY_NAMES) == [spec.name for spec in CHALK_POLICIES]
    report = check_documents([], [], {}, ROOT)
    assert [(rule.id, rule.regional, rule.level) for rule in report.rules] == [
        (s.name, s.per_region, s.level.value) for s in CHALK_POLICIES]


def test_every_config_key_documents_its_type_and_what_happens_when_it_is_not_set() -> None:
    from chalk_policy.policies import CONFIG_SCHEMA

    for key, spec in CONFIG_SCHEMA.items():
        assert spec.get("type") and spec.get("description", "").endswith("."), key
        assert "default" in spec or "Default" in spec["description"] or "Not set" in spec["description"], key


def test_the_policy_names_the_pack_starts_with_are_the_ones_the_coverage_engine_tags_its_findings_with() -> None:
    from chalk_policy import coverage, policy_names
    from chalk_policy.coverage import FindingKind
    from chalk_policy.policies.analysis import CHECKS

    names = [name for name in dir(policy_names) if name.startswith("POLICY_")]
    assert len(names) == len(CHALK_POLICIES) and all(getattr(coverage, n) == getattr(policy_names, n) for n in names)
    for spec in CHALK_POLICIES:
        assert spec.checks and set(spec.checks) <= set(CHECKS) and spec.kinds <= {kind.value for kind in FindingKind}


def test_the_pack_starts_without_the_engine_the_catalog_or_the_planner() -> None:
    """Start-up (GetAnalyzerInfo) needs the declarations only; the first analysis loads the rest."""
    code = ("import sys, chalk_policy.policies; print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pydantic', 'netaddr') or m.startswith(('chalk_policy.coverage', 'chalk_policy.catalog', "
            "'chalk_policy.planning', 'chalk_policy.policies.analysis', 'chalk_policy.policies.settings')))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
