"""Saved plans: read ``pulumi preview --json`` digests, ``pulumi stack export`` files and ``chalk-policy preview
--format json`` output into the coverage engine's :class:`~chalk_policy.coverage.Resource` list, and render the
policy findings on them as text, JSON, SARIF, GitHub annotations or JUnit XML.

Pure: no Pulumi import (the policies themselves run in :mod:`chalk_policy.policies.runner`).
"""

from .reader import (
    KINDS,
    STEP_EFFECTS,
    Document,
    DocumentError,
    line_of,
    read_document,
    read_stack_config,
    source_position,
    stack_config_file,
)
from .report import (
    Checked,
    Finding,
    Report,
    Rule,
    escape_data,
    escape_property,
    fingerprint,
    message_core,
    render_github,
    render_json,
    render_junit,
    render_sarif,
    render_text,
    sarif_log,
)

__all__ = [
    "KINDS", "STEP_EFFECTS", "Checked", "Document", "DocumentError", "Finding", "Report", "Rule", "escape_data",
    "escape_property", "fingerprint", "line_of", "message_core", "read_document", "read_stack_config",
    "render_github", "render_json", "render_junit", "render_sarif", "render_text", "sarif_log", "source_position",
    "stack_config_file",
]
