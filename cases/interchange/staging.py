"""A large import in three steps, so that the desks go on working while it runs.

1. Check: the whole file is read and validated in a read session, which takes no write lock.
2. Stage: the rows go, chunk by chunk, into temporary tables of the import's own connection.
   A temporary table belongs to that connection alone (SQLite keeps it in a separate temp
   database, PostgreSQL in the session's own schema), so staging locks nothing a desk waits for.
3. Swap: one short transaction re-checks the case numbers against what desks and other imports
   committed meanwhile, gives the numbers the file left out, and copies the staged rows into the
   real tables with INSERT … SELECT; the audit records are chained after the newest one.

The import stays all or nothing: a problem at any step, or a cancel before the swap, leaves the
database as it was; the temporary tables are dropped at the end (or go with the connection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    MetaData,
    Table,
    bindparam,
    case,
    func,
    null,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from cases.interchange import bulk, exchange
from cases.interchange.records import Problem
from cases.office import numbering
from cases.storage import case_types, counters, import_lock
from cases.storage.model import (
    Applicant,
    AuditRecord,
    Base,
    Case,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    Review,
)
from cases.storage.store import Store
from cases.timing.clock import Clocks

T = TypeVar("T")
CHUNK = 1000  # rows of cases per staging transaction, with their events
STAGED: tuple[type[Base], ...] = (
    Applicant, Case, Correction, Consultation, Extension, Fee, Delay, Review,
)  # fmt: skip
LATER = "numbered_in_swap"  # stage_cases only: the file gave no number, the swap gives one
# How far ahead of a year's counter a number of the file must lie for a desk not to reach it
# while the swap runs; nearer, the swap holds that year's counter (PostgreSQL).
NEAR = 1000
SWAP_LOCK = 0x44445F49  # "DD_I": PostgreSQL advisory lock of the swap (audit's is "DD_A")
Check = Callable[[Session], exchange.Checked]
Finish = Callable[[Session, list[str]], T]


def _real(cls: type[Base]) -> Table:
    return cast(Table, cls.__table__)


def _stage_table(cls: type[Base], metadata: MetaData) -> Table:
    """A temporary copy of the table's columns and types, without its constraints but its key."""
    source = _real(cls)
    columns = [Column(c.name, c.type, primary_key=c.name == "id") for c in source.c]
    if cls is Case:
        columns.append(Column(LATER, Boolean))
    return Table(f"stage_{source.name}", metadata, *columns, prefixes=["TEMPORARY"])


@dataclass
class _Stage:
    """The temporary tables of one import and what the swap must know about their rows."""

    postgres: bool
    tables: dict[type[Base], Table] = field(default_factory=dict)
    columns: dict[type[Base], list[str]] = field(default_factory=dict)
    next_id: dict[type[Base], int] = field(default_factory=dict)
    where: dict[int, str] = field(default_factory=dict)  # staged case id → the file's row
    unnumbered: list[tuple[int, int]] = field(default_factory=list)  # (staged id, year)
    years: set[int] = field(default_factory=set)  # of the staged cases' receipt

    def ids(self, conn: Connection, cls: type[Base], n: int) -> list[int]:
        """PostgreSQL: the real ids, from the table's sequence (taking them locks nothing).

        SQLite: 1, 2, …, moved past the table's largest id by the swap, under its write lock.
        """
        if n == 0:
            return []
        if self.postgres:
            stmt = "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
            return list(conn.scalars(text(stmt), {"t": _real(cls).name, "n": n}))
        start = self.next_id.get(cls, 1)
        self.next_id[cls] = start + n
        return list(range(start, start + n))

    def applicant_ref(self, staged_id: int) -> int:
        # On SQLite a new applicant's staged id is negative in the case row, so that the swap can
        # tell it from an applicant already stored (a real, positive id) and move only the new.
        return staged_id if self.postgres else -staged_id

    def insert(self, conn: Connection, cls: type[Base], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.columns.setdefault(cls, [name for name in rows[0] if name != LATER])
        if self.postgres:
            conn.execute(self.tables[cls].insert(), rows)
        else:
            bulk.fill(conn, self.tables[cls], rows)


def _create(conn: Connection) -> _Stage:
    stage = _Stage(postgres=conn.dialect.name == "postgresql")
    metadata = MetaData()
    with conn.begin():
        for cls in STAGED:
            table = _stage_table(cls, metadata)
            conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
            table.create(conn)
            stage.tables[cls] = table
    return stage


def _drop(conn: Connection, stage: _Stage) -> None:
    try:
        with conn.begin():
            for table in stage.tables.values():
                conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
    except Exception:
        conn.invalidate()  # a connection that cannot drop them is closed, and they go with it


def _write_stage(
    conn: Connection,
    stage: _Stage,
    session: Session,
    checked: exchange.Checked,
    progress: exchange.Progress | None,
) -> None:
    """The checked records into the temporary tables, one short transaction per chunk."""
    records = checked.records
    found, new = exchange.known_applicants(session, records)
    session.rollback()  # the read snapshot is no longer needed
    applicant_ids = dict(found)
    with conn.begin():
        staged = stage.ids(conn, Applicant, len(new))
        rows = []
        for data, staged_id in zip(new, staged, strict=True):
            applicant_ids[data.identity()] = stage.applicant_ref(staged_id)
            rows.append({"id": staged_id, **vars(data)})
        stage.insert(conn, Applicant, rows)
    now = dt.datetime.now(dt.UTC)
    clocks = Clocks(checked.cal)
    for start in range(0, len(records), CHUNK):
        batch = records[start : start + CHUNK]
        with conn.begin():
            case_rows: list[dict[str, Any]] = []
            children: dict[type[Base], list[dict[str, Any]]] = {}
            for case_id, record in zip(stage.ids(conn, Case, len(batch)), batch, strict=True):
                stage.where[case_id] = record.where
                stage.years.add(record.received.year)
                if record.no is None:
                    stage.unnumbered.append((case_id, record.received.year))
                no = record.no or ""  # given in the swap
                applicant_id = applicant_ids[record.applicant.identity()]
                row = exchange.case_row(case_id, no, record, applicant_id, checked.cal, now, clocks)
                case_rows.append({**row, LATER: record.no is None})
                for table, row in exchange.child_rows(record):
                    children.setdefault(table, []).append({"case_id": case_id, **row})
            stage.insert(conn, Case, case_rows)
            for table, rows in children.items():
                ids = stage.ids(conn, table, len(rows))
                stage.insert(conn, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        if progress:
            progress(start + len(batch), len(records))


def _serialize(session: Session, stage: _Stage) -> None:
    """PostgreSQL: one swap at a time, and no desk giving a case a number the swap writes.

    Without it two imports of the same numbers both pass the check below before either commits.
    A year's counter is held only when the file's numbers lie just ahead of it, so that a desk
    registering this year's cases is not held up by an import of an archive. SQLite's writer
    transaction already holds the whole file.
    """
    if not stage.postgres:
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SWAP_LOCK})
    staged = stage.tables[Case]
    for year in sorted(stage.years):  # in order, as every desk takes them one at a time
        upcoming = numbering.upcoming_numbers(session, year, NEAR)
        for start in range(0, NEAR, 500):
            near = select(staged.c.id).where(staged.c.no.in_(upcoming[start : start + 500]))
            if session.execute(near.limit(1)).first() is not None:
                counters.hold(session, numbering.COUNTER_KIND, year)
                break


def _clashes(session: Session, stage: _Stage) -> list[Problem]:
    """Numbers of the file that a desk or another import committed after the check."""
    staged = stage.tables[Case]
    stmt = select(staged.c.id, staged.c.no).where(
        staged.c.no != "", staged.c.no.in_(select(_real(Case).c.no))
    )
    said = "在数据库中已存在（检查之后由其他人登记或导入）"
    return [
        Problem(stage.where[row.id], "no", f"编号 {row.no} {said}")
        for row in session.execute(stmt.order_by(staged.c.id))
    ]


def _give_numbers(session: Session, stage: _Stage) -> None:
    """The numbers the file left out, taken now, in the swap, a year's worth at a time."""
    if not stage.unnumbered:
        return
    staged = stage.tables[Case]
    given = set(session.scalars(select(staged.c.no).where(staged.c.no != "")))
    by_year: dict[int, list[int]] = {}
    for sid, year in stage.unnumbered:
        by_year.setdefault(year, []).append(sid)
    values = []
    for year, sids in sorted(by_year.items()):
        numbers = numbering.take_case_numbers(session, year, len(sids), given)
        values += [{"sid": sid, "given_no": no} for sid, no in zip(sids, numbers, strict=True)]
    stmt = update(staged).where(staged.c.id == bindparam("sid")).values(no=bindparam("given_no"))
    session.connection().execute(stmt, values)


def _offset(session: Session, stage: _Stage, cls: type[Base]) -> int:
    if stage.postgres:
        return 0
    return int(session.scalar(select(func.coalesce(func.max(_real(cls).c.id), 0))) or 0)


def _copy(session: Session, stage: _Stage, moved: dict[type[Base], int], later: bool) -> None:
    """INSERT … SELECT of the staged cases numbered by the file (later=False) or in the swap,
    with their events; ids moved past the stored ones on SQLite, where the search tokens of the
    cases and applicants and the cases' kept totals follow in one go (bulk.work_after)."""
    conn = session.connection()
    cases = stage.tables[Case]
    chosen = select(cases.c.id).where(cases.c[LATER].is_(later))
    for cls in STAGED:
        if cls not in stage.columns or (cls is Applicant and later):
            continue
        staged, columns = stage.tables[cls], stage.columns[cls]
        if cls is Case and not case_types.on_file(conn):  # a file at a revision before 0015
            columns = [c for c in columns if c != "applicant_type"]
        values: list[Any] = []
        for name in columns:
            c = staged.c[name]
            if name == "id":
                values.append((c + moved[cls]).label(name))
            elif name == "case_id":
                values.append((c + moved[Case]).label(name))
            elif cls is Case and name == "archived_at":  # set by _archive, after the rows
                values.append(null().cast(c.type).label(name))
            elif cls is Case and name == "applicant_id":
                new_applicant = (c < 0, moved[Applicant] - c)  # see _Stage.applicant_ref
                values.append(case(new_applicant, else_=c).label(name))
            else:
                values.append(c)
        rows = select(*values).order_by(staged.c.id)
        if cls is Case:
            rows = rows.where(staged.c[LATER].is_(later))
        elif cls is not Applicant:
            rows = rows.where(staged.c.case_id.in_(chosen))
        copy = _real(cls).insert().from_select(columns, rows)
        if not stage.postgres:
            with bulk.work_after(conn, _real(cls)):
                conn.execute(copy)
        else:
            conn.execute(copy)


def _archive(session: Session, stage: _Stage, moved: dict[type[Base], int]) -> None:
    """The archive marks of the staged cases, once all their rows are in (revision 0011)."""
    real, staged = _real(Case), stage.tables[Case]
    shift = moved[Case]
    # staged.id = cases.id - shift, not staged.id + shift = cases.id: the staged key stays usable.
    mark = select(staged.c.archived_at).where(staged.c.id == real.c.id - shift)
    archived = select(staged.c.id + shift).where(staged.c.archived_at.is_not(None))
    stmt = (
        update(real)
        .where(real.c.id.in_(archived))
        .values(archived_at=mark.scalar_subquery(), updated_at=real.c.updated_at)
    )
    session.connection().execute(stmt)


def _audit(session: Session, stage: _Stage, moved: dict[type[Base], int], actor: str) -> list[str]:
    """One audit record per imported case, chained after the newest; the numbers in file order."""
    staged = stage.tables[Case]
    rows = session.execute(select(staged.c.id, staged.c.no).order_by(staged.c.id))
    now = dt.datetime.now(dt.UTC)
    numbers: list[str] = []
    audit_rows: list[dict[str, Any]] = []
    for row in rows:
        numbers.append(row.no)
        audit_rows.append(
            {"case_id": row.id + moved[Case], "at": now, "actor": actor, "action": "import",
             "field": "no", "old": None, "new": row.no}
        )  # fmt: skip
    bulk.insert_rows(session, AuditRecord, audit_rows)
    return numbers


def _swap(session: Session, stage: _Stage, actor: str) -> list[str]:
    """The one write transaction. On PostgreSQL the desks are held only by the locks taken
    here, so the rows the file numbers go in first; a year's counter is locked by the numbers
    given after them, and the audit chain at the very end."""
    _serialize(session, stage)
    problems = _clashes(session, stage)
    if problems:
        raise exchange.ImportRejected(problems)
    moved = {cls: _offset(session, stage, cls) for cls in STAGED}
    _copy(session, stage, moved, later=False)
    if stage.unnumbered:
        _give_numbers(session, stage)
        _copy(session, stage, moved, later=True)
    _archive(session, stage, moved)
    return _audit(session, stage, moved, actor)


def run(
    store: Store,
    actor: str,
    check: Check,
    finish: Finish[T],
    progress: exchange.Progress | None = None,
) -> T:
    """Check, stage and swap (see the module's docstring); returns what `finish` makes of it.

    `check` validates in a read session and raises ImportRejected; `finish` runs in the swap's
    transaction after the rows are in, with the case numbers in file order (to remember a
    mapping, say, and to describe the result).
    """
    with (
        import_lock.importing(store.path),
        bulk.collector_paused(),
        store.engine.connect() as conn,
    ):
        stage = _create(conn)
        try:
            with store.session_on(conn) as session:
                checked = check(session)
                _write_stage(conn, stage, session, checked, progress)
            with store.session_on(conn, writer=True, bulk=True) as session:
                try:
                    with bulk.roomy_cache(session):
                        numbers = _swap(session, stage, actor) if checked.records else []
                    result = finish(session, numbers)
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
            return result
        finally:
            _drop(conn, stage)
