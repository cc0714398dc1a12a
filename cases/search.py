"""Search in application text: the one seam where SQLite and PostgreSQL differ (FTS5 vs pg_trgm)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, column, or_, select, text
from sqlalchemy.orm import Session

from cases.model import Applicant, Case

# FTS5's trigram tokenizer cannot match a query shorter than three characters (SQLite 3.40 returns
# nothing for a 1–2 character LIKE through it), so short strings search the base table instead.
TRIGRAM = 3


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_condition(session: Session, term: str) -> ColumnElement[bool]:
    """A WHERE condition on Case matching `term` in the description, case number or applicant.

    Each branch is its own id set: an OR of LIKE on cases with the FTS match made SQLite scan the
    whole table even when the text index alone answers.
    """
    term = term.strip()
    pattern = f"%{_escape_like(term)}%"
    by_number = select(Case.id).where(Case.no.like(pattern, escape="\\"))
    by_applicant = select(Case.id).where(
        Case.applicant_id.in_(select(Applicant.id).where(Applicant.name.like(pattern, escape="\\")))
    )
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= TRIGRAM:
        by_text: Any = (
            text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q")
            .bindparams(q='"' + term.replace('"', '""') + '"')
            .columns(column("rowid", Integer))
        )
    else:
        # PostgreSQL: pg_trgm's GIN index serves this LIKE; SQLite short terms scan the table.
        by_text = select(Case.id).where(Case.description.like(pattern, escape="\\"))
    return or_(Case.id.in_(by_text), Case.id.in_(by_number), Case.id.in_(by_applicant))
