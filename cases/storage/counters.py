"""Gapless yearly sequences (case numbers, letter numbers) kept in letter_counters rows."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.storage.model import LetterCounter


def last_taken(session: Session, kind: str, year: int) -> int | None:
    stmt = select(LetterCounter.last).where(LetterCounter.kind == kind, LetterCounter.year == year)
    return session.scalar(stmt)


def _ensure(session: Session, kind: str, year: int) -> None:
    if last_taken(session, kind, year) is not None:
        return
    dialect = session.get_bind().dialect.name
    # Two first numbers of a year may race to create the row; the second insert does nothing.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(LetterCounter).values(kind=kind, year=year, last=0)
        session.execute(pg.on_conflict_do_nothing(index_elements=["kind", "year"]))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite = sqlite_insert(LetterCounter).values(kind=kind, year=year, last=0)
        session.execute(lite.on_conflict_do_nothing(index_elements=["kind", "year"]))
    else:
        session.add(LetterCounter(kind=kind, year=year, last=0))
        session.flush()


def advance(session: Session, kind: str, year: int, by: int = 1) -> int:
    """Take the next value (or the next `by` values, returning the last) in the caller's
    transaction.

    One UPDATE … RETURNING: on PostgreSQL the row lock holds a second desk until the first
    commits; on SQLite the writer transaction already holds the database lock. A rollback gives
    the value back, so the sequence has no gap.
    """
    _ensure(session, kind, year)
    stmt = (
        update(LetterCounter)
        .where(LetterCounter.kind == kind, LetterCounter.year == year)
        .values(last=LetterCounter.last + by)
        .returning(LetterCounter.last)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).scalar_one())


def hold(session: Session, kind: str, year: int) -> None:
    """Lock a sequence until the transaction ends, so that nobody takes from it meanwhile.

    PostgreSQL only: on SQLite the writer transaction already holds the whole database.
    """
    _ensure(session, kind, year)
    if session.get_bind().dialect.name == "postgresql":
        stmt = select(LetterCounter.last).where(
            LetterCounter.kind == kind, LetterCounter.year == year
        )
        session.execute(stmt.with_for_update())
