"""The planner: pure functions from (catalog, regions, option, encryption) to the egress to allow.

Pure Python: this package must never import ``pulumi`` (enforced by import-linter).
"""

from .budgets import (
    AWS_DEFAULT_RULES_PER_GROUP,
    AWS_RESERVED_RULES,
    AwsBudget,
    AwsGroup,
    AwsRule,
    AzureAccess,
    AzureBudget,
    AzureRule,
    aws_budget,
    azure_budget,
)
from .plan import ALL, Destination, HostRule, MediaRule, Note, Plan, PlanError, PortRange, plan, resolve_regions

__all__ = [
    "ALL",
    "AWS_DEFAULT_RULES_PER_GROUP",
    "AWS_RESERVED_RULES",
    "AwsBudget",
    "AwsGroup",
    "AwsRule",
    "AzureAccess",
    "AzureBudget",
    "AzureRule",
    "Destination",
    "HostRule",
    "MediaRule",
    "Note",
    "Plan",
    "PlanError",
    "PortRange",
    "aws_budget",
    "azure_budget",
    "plan",
    "resolve_regions",
]
