"""``chalk-policy pack``: where the chalk-media policy pack is, for ``pulumi preview --policy-pack``."""

from __future__ import annotations

from pathlib import Path

import click

from .main import fail

PACK = "chalk-media"


def pack_dir(package: Path | None = None) -> Path | None:
    """The chalk-media pack's directory: the copy inside the installed package (``chalk_policy/policy_packs/``, put
    there by the wheel's build, see setup.py), else the checkout's own ``policy_packs/`` next to the package (an
    editable install or a source tree); None when neither holds a ``PulumiPolicy.yaml``. ``package``: the
    ``chalk_policy`` directory, this one by default."""
    package = package or Path(__file__).resolve().parent.parent
    for candidate in (package / "policy_packs" / PACK, package.parent / "policy_packs" / PACK):
        if (candidate / "PulumiPolicy.yaml").is_file():
            return candidate
    return None


@click.group("pack")
def pack_command() -> None:
    """The chalk-media CrossGuard policy pack that comes with chalk-policy.

    pulumi preview --policy-pack "$(chalk-policy pack path)"
    """


@pack_command.command("path")
def path_command() -> None:
    """Print the directory of the chalk-media policy pack.

    Installed from a wheel, the pack runs on the Python that Pulumi finds: `python3` on PATH (activate the
    environment chalk-policy is installed in) or `$PULUMI_PYTHON_CMD`. In a checkout it is policy_packs/chalk-media,
    which runs in the checkout's .venv.
    """
    found = pack_dir()
    if found is None:
        fail(f"the {PACK} policy pack is not in this installation (looked in chalk_policy/policy_packs/{PACK} and "
             f"policy_packs/{PACK} next to the package); allowed: chalk-policy installed from its wheel, or a checkout")
    click.echo(str(found))
