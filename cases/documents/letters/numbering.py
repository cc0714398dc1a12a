"""Letter numbers: the next of a kind and year, gapless, taken in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.storage import counters
from cases.storage.model import Letter


def take_number(session: Session, kind: str, year: int) -> int:
    """The next sequence number of `kind` in `year`, taken in the caller's transaction.

    One UPDATE … RETURNING: on PostgreSQL the row lock holds a second issuer until the first
    commits; on SQLite the writer transaction already holds the database lock. A rollback gives
    the number back, so the sequence has no gap; numbers present in letters (an import, say)
    are stepped over, so none is given twice.
    """
    while True:
        seq = counters.advance(session, kind, year)
        taken = session.scalar(
            select(Letter.id).where(Letter.kind == kind, Letter.year == year, Letter.seq == seq)
        )
        if taken is None:
            return seq
