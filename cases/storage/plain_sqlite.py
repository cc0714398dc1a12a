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
QUICK_LOCK_SECONDS = 0.2  # as long as the full way's writer tries before it says it waits


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


def open_current(
    target: str | os.PathLike[str] | None = None, *, writable: bool = False
) -> sqlite3.Connection | None:
    """A read-only connection to the file when it is ours and at HEAD_REVISION, else None.

    writable: a connection that may write too, set up as the full way's engine sets up its
    connections (store._sqlite_engine), in autocommit mode for the caller's BEGIN; None for a
    file or folder this user cannot write, which the full way opens read-only.
    """
    path = file_path(raw_target(target))
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    if writable and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return None
    try:
        with path.open("rb") as f:
            if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        connection = _writable(path) if writable else _read_only(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" in tables:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            if rows == [(HEAD_REVISION,)]:
                if writable:
                    _set_up_writer(connection)
                return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None


def _writable(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{path.as_uri()}?mode=rw", uri=True, timeout=BUSY_SECONDS, isolation_level=None
    )


def _set_up_writer(connection: sqlite3.Connection) -> None:
    # Only once the file is found ours and current: switching to WAL rewrites the header of a
    # file kept with a rollback journal, which a file left to the full way must not see
    # (store._peek_sqlite refuses a foreign or newer one saying that nothing was changed).
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def begin_writer(connection: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE, as the full way's writer begins, if the lock is free within the moment
    the full way tries first; False when another desk holds it (the caller then takes the full
    way, which says that it waits, and how long)."""
    connection.execute(f"PRAGMA busy_timeout={int(QUICK_LOCK_SECONDS * 1000)}")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            return False
        raise
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    return True


def _read_only(path: Path) -> sqlite3.Connection:
    uri = path.as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.OperationalError:
        # A WAL file in a folder we cannot write: read it as it stands, as the full way does.
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_SECONDS)
