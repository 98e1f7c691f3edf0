"""Shared pytest setup. Keep free of any pulumi import: the catalog, planner and CLI tests must run without it.

Helpers shared by the test folders live in ``chalk_testkit.py`` next to this file. Because ``tests/`` has no
``__init__.py``, pytest (import mode "prepend") puts this folder on ``sys.path`` when it loads this conftest,
so test modules can ``import chalk_testkit``.
"""
