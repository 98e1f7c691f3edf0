"""The Chalk network catalog: regions, hosts, media ranges, port options and encryption modes.

Pure Python: this package must never import ``pulumi`` (enforced by import-linter).

Catalog comparison (:mod:`.compare`) and the error types (:mod:`.errors`) are imported on first use, so that the
command line's ``plan`` does not pay for them at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .compare import CatalogDiff, Change, ChangeKind, diff
    from .errors import CatalogError, Problem

_LAZY = {"CatalogDiff": "compare", "Change": "compare", "ChangeKind": "compare", "diff": "compare",
         "CatalogError": "errors", "Problem": "errors"}

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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
