"""The backups of one SQLite database as the window lists them: when, how many cases, how big."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from cases.storage import restore
from cases.storage import store as stores
from cases.storage.store import Store

_STAMP = re.compile(r"-(\d{8}-\d{6})(?:-\d+)?\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made: dt.datetime
    cases: int | None  # None when the file cannot be read as a case database
    size: int


def case_count(path: Path) -> int | None:
    """Cases in a database file, voided ones included (they stay in the file), as restore and
    the command line's `backups` count them; read without writing anything beside the file."""
    return restore.case_count(path)


def _made(path: Path) -> dt.datetime:
    match = _STAMP.search(path.name)
    if match:
        return dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def backups_of(store: Store, folder: Path | None = None) -> list[BackupInfo]:
    """This database's backups, newest first; empty for a server database (not backed up here)."""
    if store.path is None:
        return []
    return [
        BackupInfo(p, _made(p), case_count(p), p.stat().st_size)
        for p in stores.list_backups(folder, store.path.stem)
    ]
