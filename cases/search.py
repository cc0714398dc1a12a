"""Search in case text: unigram and bigram tokens behind an index, or a scan in the list's order.

Revision 0006 indexes every character (unigram) and every pair of neighbouring characters (bigram)
of a case's description and number and of an applicant's name, spelt as the hex of their UTF-8
bytes: an FTS5 table on SQLite, a GIN index over a tsvector on PostgreSQL. A 1-character term is
one unigram; a longer one is the phrase of its bigrams, which matches exactly where the term is a
substring, so every length from 1 character up is served by the index.

The index answers a rare term at once, but a common one (征收 in every tenth case) would hand over
tens of thousands of ids to sort before the first screen. For those the list instead walks its
sort index and tests each row, which finds a screenful of matches after a few hundred rows. One
bounded count in the index decides which (`COMMON`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, column, func, literal, or_, select, text, true
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from cases.model import Applicant, Case

# More matches than this and a term counts as common: the list scans in its own order, where
# 50 matches come within about 50 × total / COMMON rows (3,000 rows of 300,000).
COMMON = 5_000
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_FOLD = str.maketrans(_UPPER, _LOWER)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _hex(chars: str) -> str:
    return chars.encode("utf-8").hex()


def fold(term: str) -> str:
    """The term as indexed: ASCII letters lowered, as SQLite's LIKE and lower() fold them."""
    return term.translate(_FOLD)


def tokens(term: str) -> tuple[str, list[str]]:
    """The index column ("uni" or "bi") and the tokens whose phrase finds `term`."""
    folded = fold(term)
    if len(folded) == 1:
        return "uni", [_hex(folded)]
    return "bi", [_hex(folded[i : i + 2]) for i in range(len(folded) - 1)]


def fts5_query(term: str) -> str:
    """The FTS5 MATCH expression for `term` on SQLite's token tables."""
    kind, found = tokens(term)
    return f'{kind} : "{" ".join(found)}"'


def tsquery(term: str) -> str:
    """The tsquery text for `term` on PostgreSQL (u/b prefixes keep unigrams and bigrams apart)."""
    kind, found = tokens(term)
    prefix = "u" if kind == "uni" else "b"
    return " <-> ".join(prefix + t for t in found)


def _tsquery(term: str) -> Any:
    # A cast, not to_tsquery: the tokens are already lexemes and must not meet a text parser.
    return cast(literal(tsquery(term)), TSQUERY)


def index_case_ids(dialect: str, term: str) -> Any:
    """Ids of the cases whose description or number contains `term`, from the index."""
    if dialect == "sqlite":
        return (
            text("SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH :cq")
            .bindparams(cq=fts5_query(term))
            .columns(column("rowid", Integer))
        )
    terms = func.search_terms(Case.description, Case.no)
    return select(Case.id).where(terms.op("@@")(_tsquery(term)))


def index_applicant_ids(dialect: str, term: str) -> Any:
    """Ids of the applicants whose name contains `term`, from the index."""
    if dialect == "sqlite":
        return (
            text("SELECT rowid FROM search_applicant_terms WHERE search_applicant_terms MATCH :aq")
            .bindparams(aq=fts5_query(term))
            .columns(column("rowid", Integer))
        )
    terms = func.search_terms(Applicant.name)
    return select(Applicant.id).where(terms.op("@@")(_tsquery(term)))


def _at_least(session: Session, ids: Any, bound: int) -> bool:
    """Whether the index holds `bound` matches; it stops counting there."""
    limited = select(literal(1)).select_from(ids.subquery()).limit(bound)
    counted = select(func.count()).select_from(limited.subquery())
    return (session.scalar(counted) or 0) >= bound


def scan_condition(dialect: str, term: str) -> ColumnElement[bool]:
    """The same test as the index, row by row: for a list that walks its own order."""
    pattern = f"%{_escape_like(fold(term))}%"
    name = select(Applicant.name).where(Applicant.id == Case.applicant_id).scalar_subquery()
    fields: list[Any] = [Case.description, Case.no, name]
    if dialect != "sqlite":  # SQLite's LIKE already folds ASCII letters and nothing else
        fields = [func.translate(f, _UPPER, _LOWER) for f in fields]
    return or_(*(f.like(pattern, escape="\\") for f in fields))


def text_condition(session: Session, term: str) -> ColumnElement[bool]:
    """A WHERE condition on Case matching `term` in the description, case number or applicant."""
    term = term.strip()
    if not term:
        return true()
    dialect = session.get_bind().dialect.name
    by_case = index_case_ids(dialect, term)
    by_applicant = index_applicant_ids(dialect, term)
    if _at_least(session, by_case, COMMON) or _at_least(session, by_applicant, COMMON):
        return scan_condition(dialect, term)
    return or_(Case.id.in_(by_case), Case.applicant_id.in_(by_applicant))
