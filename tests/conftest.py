"""Shared pytest setup. Keep free of any pulumi import: the catalog, planner and CLI tests must run without it.

Helpers shared by the test folders live in ``chalk_testkit.py`` next to this file. Because ``tests/`` has no
``__init__.py``, pytest (import mode "prepend") puts this folder on ``sys.path`` when it loads this conftest,
so test modules can ``import chalk_testkit``.
"""

from __future__ import annotations

import os
import sys

import pytest

# The suite starts hundreds of Python processes (the Pulumi programs, the recording providers, the policy pack, the
# CLI), each importing pulumi, grpc and pydantic. `make` installs with --no-compile, so their bytecode is written on
# first import; an inherited PYTHONDONTWRITEBYTECODE would make every one of those processes compile them again from
# source (about 1.5 s each). Bytecode is a cache: the tests write it whatever the caller's environment says.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """For pytest-xdist's `--dist loadgroup` (pyproject.toml): the tests of a module that share a module- or
    class-scoped fixture (a deployed stack, a policy pack process, a preview run) go to one worker, so that fixture is
    set up once and not once per worker; every other test is handed out on its own. The tests under the real engine
    (tests/e2e, a few seconds to a minute and a half each) are handed out first, so none of them is left running
    alone at the end."""
    if not hasattr(config, "workerinput"):  # not an xdist worker: `-n 0`, or pytest-xdist not installed
        return
    for item in items:
        fixtureinfo = getattr(item, "_fixtureinfo", None)
        if fixtureinfo is None:
            continue
        scopes = {definitions[-1].scope for definitions in fixtureinfo.name2fixturedefs.values() if definitions}
        if scopes & {"module", "class"} and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=lambda item: not item.nodeid.startswith("tests/e2e/"))
