"""Restoring a SQLite database from a backup: check the candidate fully, then copy it in safely.

The candidate is opened read-only (immutable: nothing is written beside it) and checked before
anything is touched: SQLite's integrity check, this program's schema at a revision it can open,
and what it holds. The live file is first copied aside under a new name (an earlier copy is never
overwritten); then the backup is written into the live database through SQLite's own backup API,
which takes the database's write lock: while another desk or an import is writing, restore is
refused instead of swapping a file under it, and readers see the old or the new content whole.
An import that is still checking or staging its rows holds no write lock yet; its lock file
(cases.storage.import_lock) refuses the restore all the same.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cases.errors import Refused
from cases.storage import import_lock, paths
from cases.storage.migrations import HEAD_REVISION

SQLITE_HEADER = b"SQLite format 3\x00"
# How long restore waits for another writer before it gives up: a desk's action is short; an
# import that holds the lock longer means "not now".
LOCK_WAIT_S = 2.0


class RestoreRefused(Refused):
    """The backup cannot be restored, or not now; the live file is untouched."""

    def __init__(self, message: str) -> None:
        super().__init__("backup", message)


@dataclass(frozen=True)
class Contents:
    """What a database file holds, in the words the user needs to decide."""

    path: Path
    revision: str
    cases: int
    first_received: dt.date | None
    last_received: dt.date | None
    newest_change: dt.datetime | None

    def describe(self) -> str:
        span = (
            f"收到日期 {self.first_received} 至 {self.last_received}"
            if self.first_received
            else "没有案件"
        )
        change = (
            f"，最后一次改动 {self.newest_change:%Y-%m-%d %H:%M}（UTC）"
            if self.newest_change
            else ""
        )
        return f"{self.path.name}：{self.cases} 件案件，{span}{change}"


def _known_revisions() -> set[str]:
    from cases.storage.store import script_directory

    return {r.revision for r in script_directory().walk_revisions()}


def _open_read_only(path: Path, immutable: bool = True) -> sqlite3.Connection:
    # immutable=1: no lock, no -wal/-shm created beside the file, nothing written to it. The
    # live database is read with its WAL instead (mode=ro alone): a desk may have written to it
    # a moment ago, and what the restore replaces must be counted with those changes.
    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    return sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)


def inspect_file(path: Path, immutable: bool = True) -> Contents:
    """Check a database file fully, read-only; raise RestoreRefused saying what is wrong."""
    if not path.exists():
        raise RestoreRefused(f"找不到备份文件 {path}")
    if path.is_dir():
        raise RestoreRefused(f"{path} 是一个文件夹，不是备份文件")
    if path.stat().st_size == 0:
        raise RestoreRefused(f"{path.name} 是空文件，不是备份")
    with path.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise RestoreRefused(f"{path.name} 不是 SQLite 数据库文件，不能用来恢复")
    try:
        conn = _open_read_only(path, immutable)
    except sqlite3.Error as exc:
        raise RestoreRefused(f"{path.name} 无法打开：{exc}") from exc
    try:
        return _inspect(conn, path)
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{path.name} 已损坏或不完整（{exc}），不能用来恢复") from exc
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path) -> Contents:
    problems = [" ".join(str(row[0]).split()) for row in conn.execute("PRAGMA integrity_check(20)")]
    if problems != ["ok"]:
        raise RestoreRefused(
            f"{path.name} 未通过完整性检查（{'；'.join(problems[:3])}），不能用来恢复"
        )
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in tables or "cases" not in tables:
        raise RestoreRefused(f"{path.name} 不是本程序的案件库（没有本程序的数据表），不能用来恢复")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = str(row[0]) if row else ""
    if revision not in _known_revisions():
        raise RestoreRefused(
            f"{path.name} 的数据库版本（{revision or '未知'}）比本程序（{HEAD_REVISION}）新"
            "或不是本程序所写，请先升级程序"
        )
    count, first, last = conn.execute(
        "SELECT count(*), min(received), max(received) FROM cases"
    ).fetchone()
    newest = conn.execute("SELECT max(at) FROM audit").fetchone()[0] if "audit" in tables else None
    return Contents(
        path,
        revision,
        int(count),
        dt.date.fromisoformat(first[:10]) if first else None,
        dt.date.fromisoformat(last[:10]) if last else None,
        dt.datetime.fromisoformat(newest[:19]) if newest else None,
    )


def _aside_name(live: Path) -> Path:
    """A new file beside the live one; an earlier .before-restore is never overwritten."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = live.with_name(f"{live.name}.before-restore-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = live.with_name(f"{live.name}.before-restore-{stamp}-{n}")
    return candidate


@dataclass(frozen=True)
class Restored:
    backup: Contents
    replaced: Contents | None  # what the live file held, when it was a database of ours
    kept: Path | None  # where the live file was copied before it was replaced


def plan(backup: Path, live: Path) -> tuple[Contents, Contents | None]:
    """What would be restored and what it would replace: shown before the user confirms."""
    contents = inspect_file(backup)
    if backup.resolve() == live.resolve():
        raise RestoreRefused("备份文件就是正在使用的数据库文件本身")
    replaced = None
    if live.exists() and live.stat().st_size:
        try:
            replaced = inspect_file(live, immutable=False)
        except RestoreRefused:
            replaced = None  # a damaged live file is what restore is for
    return contents, replaced


def restore(backup: Path, live: Path) -> Restored:
    """Copy the live file aside, then write the checked backup into the live database."""
    contents, replaced = plan(backup, live)
    live.parent.mkdir(parents=True, exist_ok=True)
    paths.private_dir(live.parent)
    with import_lock.no_import(live) as free:
        if not free:
            raise RestoreRefused(
                "该数据库正在导入案件（可能在另一个窗口或命令中），现在不能恢复；请导入结束后再试"
            )
        return _restore(backup, live, contents, replaced)


def _restore(backup: Path, live: Path, contents: Contents, replaced: Contents | None) -> Restored:
    target = sqlite3.connect(live, timeout=LOCK_WAIT_S, isolation_level=None)
    kept = None
    try:
        try:
            # Probe the write lock: while an import or a desk writes, restore waits its turn
            # briefly and then refuses rather than queueing behind a long import.
            target.execute("BEGIN IMMEDIATE")
            target.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise RestoreRefused(
                "另一个程序正在写入该数据库（例如导入正在进行），现在不能恢复；请稍后再试"
            ) from exc
        if replaced is not None:
            kept = _aside_name(live)
            aside = sqlite3.connect(kept)
            try:
                target.backup(aside)
            finally:
                aside.close()
            paths.private_file(kept)
        source = _open_read_only(backup)
        try:
            source.backup(target)
        except sqlite3.OperationalError as exc:
            raise RestoreRefused(
                f"另一个程序正在使用该数据库，现在不能恢复（{exc}）；请关闭其他窗口后再试"
            ) from exc
        finally:
            source.close()
    finally:
        target.close()
    paths.private_file(live)
    return Restored(contents, replaced, kept)


def backup_stamp(path: Path) -> dt.datetime | None:
    """When a backup named <stem>-YYYYmmdd-HHMMSS-ffffff.sqlite was made."""
    parts = path.stem.rsplit("-", 3)
    try:
        return dt.datetime.strptime("-".join(parts[-3:]), "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return None


def case_count(path: Path) -> int | None:
    """Cases in a backup, or None when it cannot be read."""
    try:
        conn = _open_read_only(path)
        try:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def live_database(target: str | os.PathLike[str] | None) -> Path:
    from cases.storage.store import resolve_target

    resolved = resolve_target(target)
    if resolved.path is None:
        raise RestoreRefused("只能恢复 SQLite 数据库文件；服务器数据库请由管理员用数据库工具恢复")
    return resolved.path
