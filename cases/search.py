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

    With an index to ask (FTS5 for three characters or more on SQLite, pg_trgm on PostgreSQL) each
    branch is its own id set: an OR of LIKE on cases beside the FTS match made SQLite scan the whole
    table even when the text index alone answers. A short term on SQLite has no index to ask, so it
    stays a plain row test: a list sorted by an index then stops after its first screen of matches
    (about 25 ms for a common word) instead of testing all 300,000 rows first.
    """
    term = term.strip()
    pattern = f"%{_escape_like(term)}%"
    in_number = Case.no.like(pattern, escape="\\")
    in_applicant = Case.applicant_id.in_(
        select(Applicant.id).where(Applicant.name.like(pattern, escape="\\"))
    )
    in_description = Case.description.like(pattern, escape="\\")
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) < TRIGRAM:
        return or_(in_description, in_number, in_applicant)
    by_number = select(Case.id).where(in_number)
    by_applicant = select(Case.id).where(in_applicant)
    by_text: Any
    if dialect == "sqlite":
        by_text = (
            text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q")
            .bindparams(q='"' + term.replace('"', '""') + '"')
            .columns(column("rowid", Integer))
        )
    else:
        by_text = select(Case.id).where(in_description)  # served by pg_trgm's GIN index
    return or_(Case.id.in_(by_text), Case.id.in_(by_number), Case.id.in_(by_applicant))


def any_trigram_condition(session: Session, trigrams: list[str]) -> ColumnElement[bool]:
    """A WHERE condition on Case: the description contains at least one of these 3-grams.

    For the similar-case list (cases.similar): one OR query that the text index answers on
    both backends, FTS5 with an OR of phrases, pg_trgm with an OR of LIKE patterns (each
    pattern of three characters is exactly one trigram of the GIN index).
    """
    if session.get_bind().dialect.name == "sqlite":
        query = " OR ".join('"' + g.replace('"', '""') + '"' for g in trigrams)
        by_text = (
            text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q")
            .bindparams(q=query)
            .columns(column("rowid", Integer))
        )
        return Case.id.in_(by_text)
    return or_(*(Case.description.like(f"%{_escape_like(g)}%", escape="\\") for g in trigrams))


def any_trigram_ids(session: Session, trigrams: list[str], limit: int) -> list[int]:
    """Ids of up to `limit` cases whose description holds one of these 3-grams, newest first.

    Asked of the text index alone (SQLite: straight from the FTS table, without joining the
    case table, whose filters made the planner walk the cases instead).
    """
    if session.get_bind().dialect.name == "sqlite":
        query = " OR ".join('"' + g.replace('"', '""') + '"' for g in trigrams)
        rows = session.execute(
            text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q ORDER BY rowid DESC LIMIT :n"),
            {"q": query, "n": limit},
        )
        return [int(r[0]) for r in rows]
    stmt = (
        select(Case.id)
        .where(any_trigram_condition(session, trigrams))
        .order_by(Case.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
