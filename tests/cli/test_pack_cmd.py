"""``chalk-policy pack path``: the directory of the chalk-media policy pack, for ``pulumi preview --policy-pack``.
The installed wheel's copy is tested in tests/packaging/test_wheel.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import chalk_policy.cli.pack_cmd as pack_cmd
from chalk_policy.cli.main import cli
from chalk_policy.cli.pack_cmd import pack_dir

REPO = Path(__file__).resolve().parents[2]


def make_pack(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\n", encoding="utf-8")
    return directory


def test_in_a_checkout_it_is_the_checkouts_pack() -> None:
    result = CliRunner().invoke(cli, ["pack", "path"])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{REPO / 'policy_packs' / 'chalk-media'}\n"
    assert result.stderr == ""


def test_the_copy_inside_the_package_comes_first(tmp_path: Path) -> None:
    installed = make_pack(tmp_path / "chalk_policy" / "policy_packs" / "chalk-media")
    make_pack(tmp_path / "policy_packs" / "chalk-media")

    assert pack_dir(tmp_path / "chalk_policy") == installed


def test_next_to_the_package_when_the_package_has_none(tmp_path: Path) -> None:
    (tmp_path / "chalk_policy").mkdir()
    checkout = make_pack(tmp_path / "policy_packs" / "chalk-media")

    assert pack_dir(tmp_path / "chalk_policy") == checkout


def test_no_pack_is_exit_2_and_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chalk_policy" / "cli").mkdir(parents=True)
    (tmp_path / "policy_packs" / "chalk-media").mkdir(parents=True)  # a directory without PulumiPolicy.yaml is none
    monkeypatch.setattr(pack_cmd, "__file__", str(tmp_path / "chalk_policy" / "cli" / "pack_cmd.py"))

    result = CliRunner().invoke(cli, ["pack", "path"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("chalk-policy: error: the chalk-media policy pack is not in this installation (looked in "
                             "chalk_policy/policy_packs/chalk-media and policy_packs/chalk-media next to the package); "
                             "allowed: chalk-policy installed from its wheel, or a checkout\n")
