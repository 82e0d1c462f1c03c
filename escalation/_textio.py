"""Reading text files for scoring: decoding that keeps character offsets honest.

Files are decoded from bytes without newline translation, so the spans the
library reports index the text exactly as it is in the file (CRLF included).
UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are
recognised; anything else must be valid UTF-8, or decoded with ``errors="replace"``.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from escalation.errors import InputValueError

__all__ = ["decode_bytes", "json_objects", "read_text_file"]


def decode_bytes(data: bytes, *, source: str = "input", errors: str = "strict") -> str:
    """Decode file contents to str.

    Raises
    ------
    InputValueError
        If the bytes are not valid UTF-8 (or UTF-16 with a byte-order mark) and
        ``errors="strict"``; the message gives the byte offset.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding, errors=errors)
    except UnicodeDecodeError as error:
        raise InputValueError(
            f"{source}: not valid {encoding.upper().replace('-SIG', '')} at byte {error.start}; "
            "re-encode the file as UTF-8 or decode with errors='replace' (--decode-errors replace)"
        ) from None


def read_text_file(path: str | os.PathLike[str], *, errors: str = "strict") -> str:
    """Read a whole text file (see :func:`decode_bytes`)."""
    file = Path(path)
    if file.is_dir():
        raise IsADirectoryError(f"{file} is a directory, not a text file")
    return decode_bytes(file.read_bytes(), source=str(file), errors=errors)


def json_objects(
    lines: Iterable[tuple[int, str]], source: object, error: type[Exception] = InputValueError
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Parse numbered JSON Lines into objects, skipping blank lines.

    Raises ``error`` naming ``source:line`` for a line that is not JSON or not an object.
    """
    for number, line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as problem:
            raise error(f"{source}:{number}: invalid JSON ({problem.msg})") from None
        if not isinstance(item, dict):
            raise error(f"{source}:{number}: expected a JSON object, got {type(item).__name__}")
        yield number, item
