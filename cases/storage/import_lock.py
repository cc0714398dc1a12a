"""An import under way on a SQLite file, visible to other processes: a lock on a file beside it.

A staged import (cases.interchange.staging) holds the database's write lock only for its last
short transaction, so the write lock no longer tells restore that an import is running. Each
import holds a shared lock on `<database>.importing` from its first read to its commit; restore
takes the lock exclusively for as long as it runs, and refuses when it cannot. An import that
starts during a restore waits for it and then reads the restored file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".importing")


def _open(database: Path) -> int:
    return os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int, exclusive: bool, wait: bool) -> bool:
        # Windows locks are exclusive only: a second import at once goes on without one.
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK if wait and exclusive else msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, exclusive: bool, wait: bool) -> bool:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _tidy(database: Path, fd: int) -> None:
    """Unlock and close; the lock file goes when nobody else holds it."""
    last = _lock(fd, exclusive=True, wait=False)
    if last:
        _unlock(fd)
    os.close(fd)
    if last:
        lock_path(database).unlink(missing_ok=True)


@contextmanager
def importing(database: Path | None) -> Iterator[None]:
    """Held by an import from its first read to its commit (nothing for a server database)."""
    if database is None:
        yield
        return
    fd = _open(database)
    try:
        locked = _lock(fd, exclusive=sys.platform == "win32", wait=sys.platform != "win32")
        try:
            yield
        finally:
            if locked:
                _unlock(fd)
    finally:
        _tidy(database, fd)


@contextmanager
def no_import(database: Path) -> Iterator[bool]:
    """Held by restore: yields False while an import is under way, True once it holds the lock."""
    fd = _open(database)
    try:
        free = _lock(fd, exclusive=True, wait=False)
        try:
            yield free
        finally:
            if free:
                _unlock(fd)
    finally:
        _tidy(database, fd)
