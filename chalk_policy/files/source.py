"""A user's file as bytes (size checked before it is read) and as text (UTF-8, or UTF-16 with a byte order mark)."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import ErrorCode, UserFileError
from .limits import FileKind, size_text

_PIECE = 1024 * 1024
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))


def read_bytes(path: str | Path, kind: FileKind) -> bytes:
    """The file's bytes; a :class:`UserFileError` when it is missing, not a file, unreadable or over the size
    limit of its kind (checked with ``fstat`` before reading; a pipe or a device, which has no size, is read up to
    one byte more than the limit)."""
    name = str(path)
    limit = kind.byte_limit(name)
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            regular = stat.S_ISREG(info.st_mode)
            if regular and info.st_size > limit:
                raise _too_large(name, kind, limit, info.st_size)
            data = file.read(info.st_size + 1) if regular else b""
            if not regular or len(data) > info.st_size:  # a pipe or a device, or a file that grows as it is read
                data = _read_rest(file, data, limit)
    except FileNotFoundError:
        raise UserFileError(name, "file not found", code=ErrorCode.NOT_FOUND) from None
    except IsADirectoryError:
        raise UserFileError(name, "is a directory, not a file", code=ErrorCode.NOT_A_FILE) from None
    except OSError as exc:
        raise UserFileError(name, f"cannot read ({exc.strerror or exc})", code=ErrorCode.UNREADABLE) from None
    if len(data) > limit:
        raise _too_large(name, kind, limit, None)
    return data


def _read_rest(file: BinaryIO, data: bytes, limit: int) -> bytes:
    """``data`` and what follows it in ``file``, up to one byte over ``limit`` (read in pieces: a buffer of the
    limit's size would be allocated whole)."""
    pieces = [data]
    size = len(data)
    while size <= limit:
        piece = file.read(min(_PIECE, limit + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _too_large(name: str, kind: FileKind, limit: int, size: int | None) -> UserFileError:
    limit_shown = size_text(limit)
    if size is None:  # a pipe: it was read up to the limit
        what = "the file is over"
    else:
        shown = size_text(size)
        if shown == limit_shown:  # 8 MB and a byte more
            shown, limit_shown = f"{size:,} bytes", f"{limit:,} bytes"
        what = f"the file is {shown}, over"
    return UserFileError(name, f"{what} the {limit_shown} limit for {kind.label}{kind.limit_hint()}",
                         code=ErrorCode.TOO_LARGE)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, with or without a byte order mark, or UTF-16 with one (PowerShell's ``>`` writes UTF-16); the
    mark is not part of the text. Anything else is a :class:`UserFileError` naming the first bad byte."""
    encoding, label, skip = "utf-8", "UTF-8", 0
    for bom, codec, codec_label in _BOMS:
        if data.startswith(bom):
            encoding, label = codec, codec_label
            skip = len(bom) if codec == "utf-8-sig" else 0  # utf-8-sig reports offsets after the mark
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserFileError(name, f"not {label} text at byte {exc.start + skip}", code=ErrorCode.ENCODING,
                            offset=exc.start + skip) from None


def read_text(path: str | Path, kind: FileKind) -> str:
    """:func:`read_bytes`, then :func:`decode`."""
    return decode(read_bytes(path, kind), str(path))


def check_length(text: str, name: str, kind: FileKind) -> None:
    """The size limit for text that did not come from a file of ours (counted in characters: never more than its
    bytes in UTF-8)."""
    limit = kind.byte_limit(name)
    if len(text) > limit:
        raise _too_large(name, kind, limit, len(text))
