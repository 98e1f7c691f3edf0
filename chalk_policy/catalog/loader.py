"""Load catalog files.

``load_catalog()`` returns the catalog shipped with the package; ``load_catalog(path)`` a user's own
file; ``overlay=`` adds or overrides regions, ranges and hosts on top (see :mod:`.overlay`).
Every problem in a file is collected and raised together as one :class:`CatalogError`.

A user's file is validated in full: pydantic and the checks across the file (:mod:`.validation`). The packaged
catalog (``data/chalk-catalog.yaml``, the one source of truth) is validated when it is frozen into Python
(:mod:`.freeze` writes :mod:`.packaged`), and the command line loads that frozen form: no YAML parser, pydantic or
netaddr at start-up. The frozen form is used only while it matches the YAML file byte for byte (its CRC-32); after an
edit to the YAML and before ``python -m chalk_policy.catalog.freeze``, the YAML is validated and used instead. The
tests (tests/catalog/test_packaged.py) fail while the frozen form is stale, and prove that it equals the validated
catalog field by field.
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .models import Catalog

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_CATALOG = "chalk-catalog.yaml"


def default_catalog_text() -> str:
    """The packaged catalog file: package data next to this module (read directly: importing importlib.resources
    would cost the command line's start-up about 10 ms)."""
    with open(os.path.join(os.path.dirname(__file__), "data", DEFAULT_CATALOG), encoding="utf-8") as file:
        return file.read()


def text_crc(text: str) -> int:
    """What the frozen form records of the YAML it was made from (CRC-32 of its UTF-8 bytes: to notice an edit)."""
    return zlib.crc32(text.encode("utf-8"))


def load_catalog(path: str | Path | None = None, *, overlay: str | Path | None = None) -> Catalog:
    """Load a catalog file (the packaged one when ``path`` is None), optionally with an overlay on top."""
    if path is None and overlay is None:
        return _packaged_catalog()
    from .yamlfile import read_yaml_file, read_yaml_text

    if path is None:
        filename, raw = DEFAULT_CATALOG, read_yaml_text(default_catalog_text(), DEFAULT_CATALOG)
    else:
        filename, raw = str(path), read_yaml_file(path)
    if overlay is None:
        return validate_catalog(raw, filename)
    from .overlay import apply_overlay  # local import: overlay builds on this module

    validate_catalog(raw, filename)  # the base must be sound on its own before anything is layered on it
    merged = apply_overlay(raw, read_yaml_file(overlay), str(overlay))
    return validate_catalog(merged, f"{overlay} (merged onto {filename})")


def validate_catalog(raw: Mapping[str, Any], filename: str) -> Catalog:
    """Validate parsed YAML; raise one CatalogError listing every problem."""
    from .validation import validate  # pydantic and netaddr: only for files that need validating

    return validate(raw, filename)


@functools.cache
def _packaged_catalog() -> Catalog:
    """The packaged catalog: its frozen form while that matches the YAML (see the module's docstring), read once per
    process (it never changes while a process runs, and the Catalog is frozen; the components and each policy of the
    pack ask for it)."""
    text = default_catalog_text()
    from . import packaged

    if text_crc(text) == packaged.SOURCE_CRC32:
        return packaged.CATALOG
    from .yamlfile import read_yaml_text

    return validate_catalog(read_yaml_text(text, DEFAULT_CATALOG), DEFAULT_CATALOG)
