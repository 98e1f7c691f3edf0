"""The call log: one JSON object per line, appended to the file named by ``CHALK_RECORDER_LOG``.

Several provider processes (one per package, sometimes more) may append to the same file at once. Each line is
written with a single ``write(2)`` on a descriptor opened with ``O_APPEND``, so lines never interleave; a lock
serialises the gRPC worker threads of one process. Secret values are redacted before they are written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from typing import Any

from recorder.props import redact


class Journal:
    """Appends call records to ``path``; records nothing when ``path`` is empty or ``None``."""

    def __init__(self, path: str | None) -> None:
        self._path = path or None
        self._lock = threading.Lock()
        self._fd: int | None = None

    @property
    def enabled(self) -> bool:
        return self._path is not None

    def record(self, entry: Mapping[str, Any]) -> None:
        if self._path is None:
            return
        line = json.dumps(redact(dict(entry)), sort_keys=True, separators=(",", ":"), default=str) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            written = os.write(self._fd, data)
            if written != len(data):  # a short write on a regular file means the disk is full: say so
                raise OSError(f"recorder: wrote {written} of {len(data)} bytes to {self._path}")

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
