"""Reading an up-to-date SQLite case file with the standard library alone, for quick commands.

SQLAlchemy and the ORM models cost a read-only command such as `holidays list` most of its
start-up (bench/bench_startup.py). When --db names a SQLite file already at this program's schema
revision, such a command reads it through sqlite3; anything else (a server, a missing, foreign,
damaged, older or newer file) returns None and the caller opens the database the full way, whose
checks, migrations and messages then apply unchanged.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from cases.storage import paths
from cases.storage.migrations import HEAD_REVISION

DB_ENV = "DISCLOSURE_DESK_DB"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 15.0  # as long as the full way waits for another desk's lock


def raw_target(target: str | os.PathLike[str] | None) -> str:
    """The --db value, else DISCLOSURE_DESK_DB, else "" (the default file)."""
    return os.fspath(target) if target is not None else os.environ.get(DB_ENV) or ""


def file_path(raw: str) -> Path | None:
    """The SQLite file a --db value names as a plain path (or the default file); None for a URL."""
    if not raw:
        return paths.default_database()
    if "://" in raw:
        return None  # a URL, even a sqlite:/// one, goes the full way
    return Path(raw).expanduser().resolve()


def open_current(target: str | os.PathLike[str] | None = None) -> sqlite3.Connection | None:
    """A read-only connection to the file when it is ours and at HEAD_REVISION, else None."""
    path = file_path(raw_target(target))
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        with path.open("rb") as f:
            if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        connection = _read_only(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" in tables:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            if rows == [(HEAD_REVISION,)]:
                return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None


def _read_only(path: Path) -> sqlite3.Connection:
    uri = path.as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.OperationalError:
        # A WAL file in a folder we cannot write: read it as it stands, as the full way does.
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_SECONDS)
