"""Offline preview: run the project's Pulumi program under the SDK's mock engine with a stack's config.

- ``stack_config.load_stack_config``: ``Pulumi.yaml`` + ``Pulumi.<stack>.yaml`` merged and validated like the CLI;
- ``engine.run_program``: the program under mocks, every registration recorded in engine form;
- ``render``: text (resource tree, quotas, outputs) and JSON views.

Imports pulumi (not pulumi_policy); the CLI imports this package lazily.
"""

from .engine import PreviewResult, ProgramError, ResourceRecord, run_program
from .stack_config import StackConfig, StackConfigError, find_project_dir, load_stack_config

__all__ = [
    "PreviewResult",
    "ProgramError",
    "ResourceRecord",
    "StackConfig",
    "StackConfigError",
    "find_project_dir",
    "load_stack_config",
    "run_program",
]
