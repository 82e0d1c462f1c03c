"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from escalation.errors import OutputExistsError

__all__ = ["atomic_open", "atomic_write_bytes", "check_writable"]


def check_writable(path: Path, *, overwrite: bool) -> None:
    """Raise OutputExistsError if ``path`` exists and ``overwrite`` is false."""
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass overwrite=True (--force on the command line) to replace it")
    if path.is_dir():
        raise OutputExistsError(f"{path} is a directory, not a file")


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, overwrite: bool = False, **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success, move it into place.

    If the block raises, or the process dies, ``path`` is untouched and the
    temporary file is removed (or, after a hard kill, left as ``.NAME.*.tmp``).
    Without ``overwrite`` an existing ``path`` is never replaced, even if it appears
    while the block runs.
    """
    target = Path(path)
    check_writable(target, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    os.chmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the permissions open() would
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _move_into_place(tmp, target, overwrite=overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", overwrite=overwrite) as handle:
        handle.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _move_into_place(tmp: Path, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if target exists: no check-then-write race
    except FileExistsError:
        raise OutputExistsError(f"{target} appeared while writing; not replaced") from None
    except OSError:  # file systems without hard links
        check_writable(target, overwrite=False)
        os.replace(tmp, target)
    else:
        tmp.unlink()
