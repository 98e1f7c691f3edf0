"""The one loader of users' files (catalogs, overlays, Pulumi project and stack files, plans, policy configs).

Every YAML or JSON file a user hands us is read here, under the limits of its kind (:mod:`.limits`): a size limit
checked before reading, a nesting-depth limit, no aliases in our own YAML formats and an expansion budget in
Pulumi's, mapping keys that are scalars and set once, UTF-8 (or UTF-16 with a byte order mark). Every problem is a
:class:`UserFileError`, one line naming the file and, where known, the line and column or byte; callers turn it into
their own error types.

Imports nothing of chalk_policy, and only the standard library and PyYAML. The YAML half lives in
:mod:`chalk_policy.files.yamldoc` (``read_yaml``, ``parse_yaml``), so that reading JSON does not import PyYAML.
"""

from .errors import ErrorCode, UserFileError, shown
from .jsondoc import deeper_than, parse_json, read_json
from .limits import (
    ALIAS_EXPANSION_LIMIT,
    CATALOG,
    CATALOG_MAX_BYTES,
    CONFIG_MAX_DEPTH,
    MB,
    PLAINTEXT_MAX_DEPTH,
    PLAN,
    PLAN_MAX_DEPTH,
    PLAN_MAX_MB,
    PLAN_MAX_MB_ENV,
    POLICY_CONFIG,
    POLICY_CONFIG_MAX_BYTES,
    PULUMI,
    PULUMI_MAX_BYTES,
    FileKind,
)
from .source import decode, read_bytes, read_text

__all__ = [
    "ALIAS_EXPANSION_LIMIT", "CATALOG", "CATALOG_MAX_BYTES", "CONFIG_MAX_DEPTH", "MB", "PLAINTEXT_MAX_DEPTH", "PLAN",
    "PLAN_MAX_DEPTH", "PLAN_MAX_MB", "PLAN_MAX_MB_ENV", "POLICY_CONFIG", "POLICY_CONFIG_MAX_BYTES", "PULUMI",
    "PULUMI_MAX_BYTES", "ErrorCode", "FileKind", "UserFileError", "decode", "deeper_than", "parse_json", "read_bytes",
    "read_json", "read_text", "shown",
]
