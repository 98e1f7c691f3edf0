"""The Chalk network catalog: regions, hosts, media ranges, port options and encryption modes.

Pure Python: this package must never import ``pulumi`` (enforced by import-linter).
"""

from .diff import CatalogDiff, Change, ChangeKind, diff
from .errors import CatalogError, Problem
from .loader import load_catalog, validate_catalog
from .models import (
    AnnotationProxy,
    Catalog,
    Encryption,
    EncryptionMode,
    Evidence,
    Host,
    HostRole,
    MediaCidr,
    PortOption,
    PortRule,
    Protocol,
    Region,
    TwilioHost,
)

__all__ = [
    "AnnotationProxy",
    "Catalog",
    "CatalogDiff",
    "CatalogError",
    "Change",
    "ChangeKind",
    "Encryption",
    "EncryptionMode",
    "Evidence",
    "Host",
    "HostRole",
    "MediaCidr",
    "PortOption",
    "PortRule",
    "Problem",
    "Protocol",
    "Region",
    "TwilioHost",
    "diff",
    "load_catalog",
    "validate_catalog",
]
