"""Opening a case database: SQLite file by default or any SQLAlchemy URL, migrations, sessions."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cases.errors import Refused
from cases.storage import lock_waits, paths, server
from cases.storage.migrations import HEAD_REVISION
from cases.storage.plain_sqlite import DB_ENV as DB_ENV  # where the window's code looks it up
from cases.storage.plain_sqlite import SQLITE_HEADER, file_path, raw_target

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# How long a writer waits for another desk's transaction on the same SQLite file.
SQLITE_BUSY_MS = 15_000


class StoreError(Refused):
    """The database cannot be opened or used; the message is for the user."""

    def __init__(self, message: str, field: str = "db") -> None:
        super().__init__(field, message)


class DatabaseTooNew(StoreError):
    pass


class BadDatabaseTarget(StoreError):
    """What the user named is not a usable database: missing, not ours, or not a valid address."""


class ServerUnreachable(StoreError):
    """The database server did not answer; trying again later may help (the window offers it)."""


@dataclass(frozen=True)
class Target:
    url: str
    path: Path | None  # the SQLite file, when the target is one


def resolve_target(target: str | os.PathLike[str] | None = None) -> Target:
    """--db value, else DISCLOSURE_DESK_DB, else the default file in the user's data folder."""
    raw = raw_target(target)
    path = file_path(raw)
    if path is not None:
        return Target(f"sqlite:///{path}", path)
    url = make_url(raw)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Target(raw, Path(url.database or ""))
    return Target(raw, None)


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise BadDatabaseTarget(f"{path} 是一个文件夹，不是数据库文件")
    if not path.exists():
        paths.private_dir(path.parent)
        # Created here, readable by the user only, before SQLite creates it with the umask's
        # mode; SQLite gives its -wal and -shm files the database file's mode.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, paths.PRIVATE_FILE))
        return
    if path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BadDatabaseTarget(f"{path} 不是本程序的数据库文件（不是 SQLite 格式），未作任何改动")


def _peek_sqlite(path: Path) -> None:
    """Refuse a foreign or newer file through a read-only connection, before any connection
    that would change it (the engine's first connect switches the file to WAL)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = _read_only_connection(path)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BadDatabaseTarget(f"{path} 无法作为数据库读取（{exc}），未作任何改动") from exc
    if "alembic_version" not in tables and tables - {"sqlite_sequence"}:
        raise BadDatabaseTarget("该数据库已有其他程序的数据表，不是本程序的案件库，未作任何改动")
    if revision is not None and revision != HEAD_REVISION:
        try:
            script_directory().get_revision(revision)
        except Exception as exc:
            raise DatabaseTooNew(
                f"数据库版本（{revision}）比本程序新，请先升级程序再打开；数据库未作任何改动"
            ) from exc


def _read_only_connection(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        # A WAL file in a folder we cannot write: read it as it stands.
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _sqlite_engine(path: Path) -> Engine:
    """An engine on the file; read-only (and without WAL) when the file or folder is."""
    read_only = path.exists() and not _writable(path)
    if read_only:
        query = "mode=ro" if os.access(path.parent, os.W_OK) else "mode=ro&immutable=1"
        url = f"sqlite:///file:{path.resolve().as_posix()}?{query}&uri=true"
    else:
        url = f"sqlite:///{path}"
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, so that writers can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the lock up front: a deferred transaction that read first and writes
        # later fails at once with SQLITE_BUSY when another desk committed in between.
        if not conn.get_execution_options().get("writer"):
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        _begin_writer(conn)

    return engine


class DatabaseBusy(StoreError):
    """Another writer held the lock for longer than a desk should wait; nothing was written."""


def print_wait(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Called once, with one line, when a writer has to wait for another's lock; the window sets it
# to show the line in its status bar (from the thread the operation runs on).
wait_notice: Callable[[str], None] = print_wait
QUICK_LOCK_MS = 200  # a desk's own action is done by then; longer means someone else is writing
# On the server the watchdog times each statement, which a busy network or server may slow.
SERVER_QUICK_MS = 1000
WAITING = "数据库正被另一处写入（例如导入正在进行），正在等待……"


def _begin_writer(conn: Connection) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={QUICK_LOCK_MS}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    except OperationalError as exc:
        if not _is_busy(exc):
            raise
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    wait_notice(WAITING)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if not _is_busy(exc):
            raise
        raise busy() from exc


def busy() -> DatabaseBusy:
    return DatabaseBusy(
        f"数据库被另一处写入占用超过 {SQLITE_BUSY_MS // 1000} 秒，本次操作未写入；请稍后重试"
    )


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(resources.files("cases.storage.migrations")))


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("cases.storage.migrations")))
    config.attributes["connection"] = connection
    return config


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# How a caller has a schema upgrade run: given the file's revision and the upgrade itself, it
# tells the user (a line on stderr, a dialog in the window) and calls the upgrade, in a thread of
# its choosing; the upgrade's own errors come back out of it. An upgrade rebuilding the search
# tokens of a large file takes minutes (revision 0016: about a minute at 300,000 cases), and a
# user who sees nothing happen kills the program and starts it again, into the same upgrade.
Upgrading = Callable[[str, Callable[[], None]], None]


def migrate(engine: Engine, upgrading: Upgrading | None = None) -> None:
    """Bring the schema to the newest revision; refuse a database written by a newer program.

    `upgrading` runs the upgrade of an existing database (see Upgrading); a new one is made at once.
    """
    with engine.connect() as connection:
        # The everyday case, checked without loading Alembic (a few hundred ms of start-up).
        current = _current_revision(connection)
        if current == HEAD_REVISION:
            return
        if current is None:
            foreign = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            if foreign:
                raise BadDatabaseTarget(
                    "该数据库已有其他程序的数据表，不是本程序的案件库，未作任何改动"
                )
        else:
            try:
                script_directory().get_revision(current)
            except Exception as exc:
                raise DatabaseTooNew(
                    f"数据库版本（{current}）比本程序新，请先升级程序再打开；数据库未作任何改动"
                ) from exc

    def upgrade() -> None:
        from alembic import command

        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")

    if current is None or upgrading is None:
        upgrade()
    else:
        upgrading(current, upgrade)


class Store:
    """An open database: engine plus the two ways to get a session."""

    def __init__(self, engine: Engine, target: Target) -> None:
        self.engine = engine
        self.target = target
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(writer=True), expire_on_commit=False
        )
        from cases.storage import (
            concurrency,  # loads the ORM models, which every session needs anyway
        )

        for factory in (self._reader, self._writer):
            concurrency.watch(factory)  # every change raises its case's version

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        return self.target.path

    @property
    def read_only(self) -> bool:
        """A SQLite file (or its folder) this user cannot write: opened read-only."""
        path = self.target.path
        return path is not None and path.exists() and not _writable(path)

    def session(self) -> Session:
        """A session for reading; the caller closes it."""
        return self._reader()

    def session_on(
        self, connection: Connection, *, writer: bool = False, bulk: bool = False
    ) -> Session:
        """A session on a connection the caller holds (its temporary tables live there).

        A writer's transaction takes the write lock when it begins, as `transaction()` does;
        a bulk writer (an import's swap) waits for the server's locks without a limit or a
        word (cases.storage.lock_waits). The caller commits or rolls back and closes it.
        """
        connection.execution_options(writer=writer, bulk=bulk)
        return (self._writer if writer else self._reader)(bind=connection)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: everything inside is committed together or not at all."""
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                if lock_waits.timed_out(exc):  # the server's lock_timeout ended a long wait
                    raise busy() from exc
                raise

    def analyze(self) -> bool:
        """Refresh the query planner's statistics after a bulk write (import, demo data).

        Without them SQLite may pick the status index for a filter that matches most rows and
        turn a 1 ms first screen into 200 ms.
        """
        try:
            with self.engine.begin() as conn:
                if self.is_sqlite:  # worth a short wait, not a desk's full one
                    conn.exec_driver_sql("PRAGMA busy_timeout=2000")
                conn.execute(text("ANALYZE"))
                if self.is_sqlite:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        except OperationalError:
            # Another desk holds the lock: what was committed stays committed, and the
            # statistics are refreshed on the next import or when the file is closed.
            return False
        return True

    def close(self) -> None:
        if self.is_sqlite:
            try:
                # SQLite's advice for closing. It may ANALYZE a table (0.3 s for the cases of a
                # large file): committed, so that it is done once, not again at every close (in
                # the rollback of a plain connect() it was, for every process after revision 0012
                # added indexes). A desk does not wait long for another's lock to do it.
                with self.engine.begin() as conn:
                    conn.exec_driver_sql("PRAGMA busy_timeout=200")
                    conn.exec_driver_sql("PRAGMA optimize")
            except DBAPIError:
                pass  # a busy or read-only file: the statistics simply wait for next time
        self.engine.dispose()


def open_store(
    target: str | os.PathLike[str] | None = None,
    *,
    migrate_schema: bool = True,
    must_exist: bool = False,
    upgrading: Upgrading | None = None,
) -> Store:
    """Open (and migrate) a database; must_exist refuses to create a new SQLite file.

    Read-only commands pass must_exist, so that a mistyped path is an error rather than an empty
    database and an annual report of zeros.
    """
    try:
        resolved = resolve_target(target)
        if resolved.path is not None:
            if must_exist and not (resolved.path.exists() and resolved.path.stat().st_size):
                raise BadDatabaseTarget(f"找不到数据库文件 {resolved.path}（请检查 --db）")
            _check_sqlite_file(resolved.path)
            _peek_sqlite(resolved.path)
            engine = _sqlite_engine(resolved.path)
        else:
            engine = create_engine(
                resolved.url, pool_pre_ping=True, connect_args=server.connect_args(resolved.url)
            )
            server.tune(engine)
            lock_waits.watch(
                engine,
                lambda: wait_notice(WAITING),
                lambda: max(QUICK_LOCK_MS, SERVER_QUICK_MS),
                lambda: SQLITE_BUSY_MS,
            )
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise BadDatabaseTarget(f"无法使用数据库地址“{target}”：{exc}") from exc
    try:
        if migrate_schema:
            migrate(engine, upgrading)
    except StoreError:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        if resolved.path is None and isinstance(exc, OperationalError):
            failed = server.failure(resolved.url, exc)
            raise (ServerUnreachable if failed.retry else StoreError)(failed.message) from exc
        rights = server.missing_rights(resolved.url, exc) if resolved.path is None else None
        if rights is not None:
            raise StoreError(rights) from exc
        raise StoreError(f"无法打开数据库：{exc.orig}") from exc
    return Store(engine, resolved)


# --- backups (SQLite files only; a server database is backed up by its administrator) ---

BACKUP_KEEP = 5


def _copy_sqlite(source_path: Path, dest: Path) -> None:
    """Copy with sqlite3's online backup (it reads the WAL too); dest appears only when complete."""
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    paths.private_file(partial)
    partial.replace(dest)


def backup_sqlite(store: Store, folder: Path | None = None, keep: int = BACKUP_KEEP) -> Path | None:
    """Copy the open SQLite file into the backup folder, keeping the newest `keep` copies."""
    if store.path is None or not store.path.exists():
        return None
    folder = paths.private_dir(folder or paths.backup_dir())
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{store.path.stem}-{stamp}.sqlite"
    _copy_sqlite(store.path, dest)
    for old in list_backups(folder, store.path.stem)[keep:]:
        old.unlink(missing_ok=True)
    return dest


def list_backups(folder: Path | None = None, stem: str | None = None) -> list[Path]:
    """Backups of the database file named `stem` (of every database when None), newest first."""
    folder = folder or paths.backup_dir()
    found = [
        p
        for p in folder.glob(f"{stem}-*.sqlite" if stem else "*-*.sqlite")
        if len(parts := p.stem.rsplit("-", 3)) == 4 and (stem is None or parts[0] == stem)
    ]
    return sorted(found, key=lambda p: p.name.rsplit("-", 3)[-3:], reverse=True)
