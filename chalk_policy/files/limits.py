"""The limits on users' files, defined once: every YAML or JSON file a user gives us is read under these.

A limit turns a hostile or broken file (a "billion laughs" of YAML aliases, thousands of nested brackets, a
multi-gigabyte file) into one clear error line before it costs minutes, gigabytes or a RecursionError.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from .errors import ErrorCode, UserFileError

MB = 1024 * 1024

CATALOG_MAX_BYTES = 32 * MB
"""Catalog and overlay files. The packaged catalog is 11 KB; a catalog of ~118k ranges (every range of a big cloud
provider, issue 15) is about 10 MB and must still load: 32 MB leaves three times that."""

PULUMI_MAX_BYTES = 8 * MB
"""``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``: project settings and config values, usually a few KB; 8 MB still
holds a long list of ranges or a few certificates as values."""

POLICY_CONFIG_MAX_BYTES = 8 * MB
"""The ``--policy-config`` JSON (a policy pack config): enforcement levels and a few settings, usually under 1 KB."""

PLAN_MAX_MB = 512
"""Plan documents (``pulumi preview --json``, ``pulumi stack export``), in MB unless :data:`PLAN_MAX_MB_ENV` says
otherwise. A preview of 10k resources is ~18 MB (~30 MB indented): 512 MB is some 150k resources, several GB of
memory once parsed. Real stacks can outgrow any fixed number, hence the variable."""

PLAN_MAX_MB_ENV = "CHALK_POLICY_MAX_PLAN_MB"
"""Environment variable that replaces :data:`PLAN_MAX_MB` (a positive number of megabytes)."""

CONFIG_MAX_DEPTH = 64
"""Nesting (lists and mappings inside each other) in catalogs, overlays, Pulumi files and policy configs. A catalog
nests 5 deep, config values a few more; 64 keeps every recursive walk of ours (validation, JSON of config values)
far below Python's recursion limit of 1,000."""

PLAN_MAX_DEPTH = 200
"""Nesting in plan documents. Real ones nest about 12 deep (the engine's documents in tests/fixtures/engine: 8 to 12);
the checks walk resource properties recursively, two Python frames per level (3.11: the function and its
comprehension): 200 levels, plus a secret's plaintext (:data:`PLAINTEXT_MAX_DEPTH`) and the call stack of
``chalk-policy check``, stay well under Python's limit of 1,000 frames."""

PLAINTEXT_MAX_DEPTH = 32
"""Nesting in a secret's plaintext in a plan (``stack export --show-secrets``: JSON inside a string, which the
document's own depth check cannot see into), plaintexts inside it included, on top of where the secret sits.
Secrets hold passwords, keys and small objects; 200 + 32 levels still leave the recursive walks (two frames a level
in Python 3.11: the function and its comprehension) far from the limit of 1,000."""

ALIAS_EXPANSION_LIMIT = 100_000
"""Nodes that YAML aliases may add to a Pulumi project or stack file (Pulumi's format allows anchors). Real files
reuse a few values; a "billion laughs" of 9 levels of 9 aliases adds 387 million and is refused after 100k,
without expanding anything."""


@dataclass(frozen=True)
class FileKind:
    """A kind of user file and its limits."""

    label: str
    """Plural, for messages: ``catalog files``."""
    syntax: Literal["YAML", "JSON"]
    max_bytes: int
    max_depth: int
    aliases: int | None = None
    """YAML: how many nodes aliases may add; None: aliases are refused (our own formats need none)."""
    core_schema: bool = False
    """YAML: resolve plain scalars like YAML 1.2's core schema (go-yaml v3, the Pulumi CLI): ``yes`` and ``on``
    are strings, ``1:30`` is not 90, dates are strings. Otherwise PyYAML's YAML 1.1."""
    duplicate_keys: bool = False
    """JSON: a key set twice in one object is allowed (the last wins, as in Go's encoding/json) rather than an
    error. YAML files always refuse them."""
    size_env: str | None = None
    """Environment variable (megabytes) that replaces ``max_bytes``."""

    def byte_limit(self, path: str) -> int:
        """``max_bytes``, or the environment variable's value when set (an error naming ``path`` when invalid)."""
        if self.size_env is None:
            return self.max_bytes
        text = os.environ.get(self.size_env, "").strip()
        if not text:
            return self.max_bytes
        try:
            megabytes = float(text)
        except ValueError:
            megabytes = 0.0
        if not megabytes > 0 or megabytes == float("inf"):
            raise UserFileError(path, f"{self.size_env}={text!r} is not a positive number of megabytes, so the "
                                      "file's size cannot be checked", code=ErrorCode.TOO_LARGE)
        return int(megabytes * MB)

    def limit_hint(self) -> str:
        return f"; set {self.size_env} (megabytes) to raise it" if self.size_env else ""


CATALOG = FileKind("catalog files", "YAML", CATALOG_MAX_BYTES, CONFIG_MAX_DEPTH)
"""Catalogs and overlays: our own format, so no aliases at all; YAML 1.1 scalars as they always were."""
PULUMI = FileKind("Pulumi project and stack files", "YAML", PULUMI_MAX_BYTES, CONFIG_MAX_DEPTH,
                  aliases=ALIAS_EXPANSION_LIMIT, core_schema=True)
"""``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``, read the way the Pulumi CLI reads them."""
PLAN = FileKind("plan documents", "JSON", PLAN_MAX_MB * MB, PLAN_MAX_DEPTH, duplicate_keys=True,
                size_env=PLAN_MAX_MB_ENV)
"""Plans: written by the Pulumi engine, which never repeats a key; checking for repeats would cost every read."""
POLICY_CONFIG = FileKind("policy config files", "JSON", POLICY_CONFIG_MAX_BYTES, CONFIG_MAX_DEPTH)
"""``--policy-config``: written by hand, so a key set twice is refused."""


def size_text(size: float) -> str:
    """``700 MB``, ``1.5 MB``, ``2,048 bytes``."""
    if size < MB:
        return f"{int(size):,} bytes"
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"
