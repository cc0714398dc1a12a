"""Search in application text: the one seam where SQLite and PostgreSQL differ (FTS5 vs pg_trgm)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, column, or_, select, text
from sqlalchemy.orm import Session

from cases.model import Applicant, Case

# FTS5's trigram tokenizer cannot match a query shorter than three characters (SQLite 3.40 returns
# nothing for a 1–2 character LIKE through it), so short strings search the base table instead.
TRIGRAM = 3


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_condition(session: Session, term: str) -> ColumnElement[bool]:
    """A WHERE condition on Case matching `term` in the description, case number or applicant."""
    term = term.strip()
    pattern = f"%{_escape_like(term)}%"
    in_number = Case.no.like(pattern, escape="\\")
    in_applicant = Case.applicant_id.in_(
        select(Applicant.id).where(Applicant.name.like(pattern, escape="\\"))
    )
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= TRIGRAM:
        fts_ids = text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q").bindparams(
            q='"' + term.replace('"', '""') + '"'
        )
        in_text: ColumnElement[bool] = Case.id.in_(fts_ids.columns(column("rowid", Integer)))
    else:
        # PostgreSQL: pg_trgm's GIN index serves this LIKE; SQLite short terms scan the table.
        in_text = Case.description.like(pattern, escape="\\")
    return or_(in_text, in_number, in_applicant)


def search_ids(session: Session, term: str, limit: int | None = None) -> list[int]:
    stmt = select(Case.id).where(text_condition(session, term)).order_by(Case.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
