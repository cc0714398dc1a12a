"""Moving an office between databases (`db copy FROM TO`): every table, row by row, then a check.

Rows are copied verbatim and in primary-key order, in batches, so that a city's archive never sits
in memory at once: issued letters keep their bytes and stored hash, the audit trail keeps its
ids, times and order (a hash chain over it stays whole), and a row that points at an older row of
its own table (a split case, a corrected letter) finds it already there; an archived case is
marked archived only once its rows are in (revision 0011). Everything is written in
one transaction on the target, and checked before it is committed: the row count and a digest of
every table on both sides, and the exchange export of both databases. A target that already holds
data is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.storage import archive_mark
from cases.storage.archive_mark import CASES
from cases.storage.model import Base
from cases.storage.server import public_url
from cases.storage.store import Store, StoreError

BATCH = 2000
Progress = Callable[[str, int], None]  # table name, rows copied so far


class TargetNotEmpty(Refused):
    """The target already holds an office's data; nothing was written."""


class CopyMismatch(Exception):
    """The check after the copy found a difference; the copy was rolled back, nothing was kept."""

    def __init__(self, report: CopyReport) -> None:
        super().__init__("；".join(report.problems()))
        self.report = report


@dataclass(frozen=True)
class TableCheck:
    name: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_digest) == (self.target_rows, self.target_digest)


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCheck, ...]
    source_export: str  # sha256 of the exchange export of each side
    target_export: str
    exported_cases: int

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and self.source_export == self.target_export

    def problems(self) -> list[str]:
        found = [
            f"表 {t.name}：源库 {t.source_rows} 行，目标库 {t.target_rows} 行"
            + ("，内容不同" if t.source_rows == t.target_rows else "")
            for t in self.tables
            if not t.ok
        ]
        if self.source_export != self.target_export:
            found.append("两库导出的交换文件不同")
        return found

    def lines(self) -> list[str]:
        """What the command prints: the rows per table, then the check."""
        out = [f"  {t.name}：{t.target_rows} 行" for t in self.tables]
        if self.ok:
            out.append(
                f"核对通过：{len(self.tables)} 张表的行数和逐行内容与源库一致；"
                f"两库导出的交换文件完全相同（{self.exported_cases} 件案件）"
            )
        else:
            out.extend(f"核对不一致：{p}" for p in self.problems())
        return out


def tables() -> list[Table]:
    """Every table of the models, each after the tables it points at."""
    return list(Base.metadata.sorted_tables)


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def _utc(value: Any) -> Any:
    # SQLite hands back naive UTC, PostgreSQL an aware time in the session's zone: one instant,
    # written the same way on both sides (SQLite would otherwise store the wall-clock time).
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def _normaliser(table: Table) -> Callable[[Mapping[Any, Any]], dict[str, Any]]:
    aware = {c.name for c in table.columns if isinstance(c.type, DateTime) and c.type.timezone}

    def normalise(row: Mapping[Any, Any]) -> dict[str, Any]:
        return {k: _utc(v) if k in aware else v for k, v in row.items()}

    return normalise


# Columns the target's own triggers write from other rows (revision 0015: the applicant's type a
# case keeps), left out of the digests: a copy the source's trigger failed to keep right is put
# right on the target, which is what `verify` tells the user to do.
DERIVED = {"cases": frozenset({"applicant_type"})}


def _digest_rows(digest: Any, rows: Iterable[dict[str, Any]], table: Table) -> None:
    derived = DERIVED.get(table.name, frozenset())
    for row in rows:
        values = tuple(v for k, v in row.items() if k not in derived)
        digest.update(repr(values).encode("utf-8"))
        digest.update(b"\n")


def _batches(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    normalise = _normaliser(table)
    # A server-side cursor on PostgreSQL; sqlite3 fetches lazily by itself.
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(_ordered(table))
    try:
        for rows in result.mappings().partitions(BATCH):
            yield [normalise(r) for r in rows]
    finally:
        result.close()  # the server-side cursor, also when the caller stops early


def row_counts(conn: Connection) -> dict[str, int]:
    return {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
    }


def check_empty(conn: Connection, where: str) -> None:
    filled = {name: n for name, n in row_counts(conn).items() if n}
    if filled:
        listed = "、".join(f"{name} {n} 行" for name, n in list(filled.items())[:3])
        more = f"等 {len(filled)} 张表" if len(filled) > 3 else ""
        raise TargetNotEmpty(
            "target",
            f"目标数据库 {where} 已有数据（{listed}{more}），为免覆盖，未作任何改动；"
            "请指定一个空数据库",
        )


def reset_sequences(conn: Connection) -> None:
    """After rows with explicit ids, PostgreSQL's sequences must continue after the largest id."""
    if conn.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].autoincrement is False:
            continue
        column = pk[0].name
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column}
        ).scalar()
        if sequence is None:
            continue
        conn.execute(
            text(
                f'SELECT setval(:s, COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
                f'FROM "{table.name}"'
            ),
            {"s": sequence},
        )


def _archive(src: Connection, dst: Connection) -> None:
    """The archive marks of the source, set once every row of their cases is in the target."""
    normalise = _normaliser(CASES)
    archived = (
        select(CASES.c.id, CASES.c.archived_at, CASES.c.updated_at)
        .where(CASES.c.archived_at.is_not(None))
        .order_by(CASES.c.id)
    )
    result = src.execution_options(stream_results=True, yield_per=BATCH).execute(archived)
    try:
        for rows in result.mappings().partitions(BATCH):
            archive_mark.set_marks(dst, [archive_mark.mark_of(normalise(r)) for r in rows])
    finally:
        result.close()


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A connection that reads one consistent state of the source, however long the copy."""
    conn = store.engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        with conn.begin():
            yield conn
    finally:
        conn.close()


def _export_digest(conn: Connection, folder: Path, name: str) -> tuple[str, int]:
    from cases.interchange import exchange

    path = folder / f"{name}.jsonl"
    with Session(bind=conn) as session:
        count = exchange.export_jsonl(session, path)
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    path.unlink()
    return digest.hexdigest(), count


def copy_database(source: Store, target: Store, progress: Progress | None = None) -> CopyReport:
    """Copy every row of source into the empty target and check the result before committing.

    Raises TargetNotEmpty before writing anything, CopyMismatch (after rolling back) when the
    check finds a difference, and StoreError when a database refuses (after rolling back).
    """
    try:
        return _copy(source, target, progress)
    except DBAPIError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        if "permission denied" in first:
            who = target.engine.url.username or "当前账号"
            raise StoreError(
                f"账号 {who} 没有整库复制所需的权限（{first}）；目标地址请用数据库所有者账号。"
                "目标数据库未作任何改动"
            ) from exc
        raise StoreError(f"复制未完成，目标数据库未作任何改动：{first}") from exc


def _copy(source: Store, target: Store, progress: Progress | None) -> CopyReport:
    where = target.target.path or public_url(target.engine.url)
    writer = target.engine.execution_options(writer=True)
    with _snapshot(source) as src, writer.connect() as dst, dst.begin():
        check_empty(dst, str(where))
        digests: dict[str, str] = {}
        counts: dict[str, int] = {}
        for table in tables():
            digest, done = hashlib.sha256(), 0
            for rows in _batches(src, table):
                # An archived case takes no new row (revision 0011): its mark comes last.
                written = archive_mark.unmarked(rows)[0] if table is CASES else rows
                dst.execute(table.insert(), written)
                _digest_rows(digest, rows, table)
                done += len(rows)
                if progress is not None:
                    progress(table.name, done)
            digests[table.name], counts[table.name] = digest.hexdigest(), done
        _archive(src, dst)
        reset_sequences(dst)
        report = _check(src, dst, counts, digests)
        if not report.ok:
            raise CopyMismatch(report)  # leaving the block rolls the whole copy back
    return report


def _check(
    src: Connection, dst: Connection, counts: dict[str, int], digests: dict[str, str]
) -> CopyReport:
    """Read the target back: counts and digests per table, then both exports compared."""
    target_counts = row_counts(dst)
    checks = []
    for table in tables():
        digest = hashlib.sha256()
        for rows in _batches(dst, table):
            _digest_rows(digest, rows, table)
        checks.append(
            TableCheck(
                table.name,
                counts[table.name],
                target_counts[table.name],
                digests[table.name],
                digest.hexdigest(),
            )
        )
    with tempfile.TemporaryDirectory(prefix="dd-copy-") as folder:
        source_export, exported = _export_digest(src, Path(folder), "source")
        target_export, _ = _export_digest(dst, Path(folder), "target")
    return CopyReport(tuple(checks), source_export, target_export, exported)
