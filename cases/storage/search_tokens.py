"""The search tokens SQLite keeps for each case (revision 0016) and applicant: checking them for
`verify`.

The token tables are contentless (FTS5 keeps no copy of the text), so they cannot be compared
with the rows entry by entry; each row is asked instead for what its current text must have
put there: every case's whole number as one token of search_number_terms (a seek in a posting
list of one entry or a few), which finds a case written with the insert trigger dropped or a
number changed without its trigger; and, for the texts, the first bigram at the start and the
last bigram (the unigram of a one-character text) of a case's description and an applicant's
name. Those bigrams are common (申请, 情况) and their seek costs about 0.1 ms a row on a
large file (100 s for 1,000,000 descriptions), so they are asked of a sample only: the newest
SAMPLE rows, where the latest changes are, and SAMPLE rows spread evenly over the rest. One
statement a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Untokened:
    """Rows whose text the search index does not hold: how many, and the first of them."""

    table: str  # "cases" | "applicants"
    count: int
    first_id: int
    label: str  # the case's number or the applicant's name


def kept(session: Session) -> bool:
    """Whether the file keeps the search tokens checked here: SQLite at revision 0016 or later."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    found = session.connection().exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_number_terms'"
    )
    return found.first() is not None


_LAST_POSITION = 100_000


def _text_held(table: str, uni: str, bi: str, field: str) -> str:
    """SQL true when the row's `field` has its first and last characters' tokens in `table`."""
    piece = f"hex(lower(substr({field}, {{}}, {{}})))"
    single = f"'{uni} : ^ \"' || {piece.format(1, 1)} || '\"'"
    double = (
        f"'{bi} : ^ \"' || {piece.format(1, 2)} || '\" AND {bi} : \"' || "
        f"{piece.format(-2, 2)} || '\"'"
    )
    # Text beyond search_positions' last position (revision 0006) has no tokens: the first alone.
    first = f"'{bi} : ^ \"' || {piece.format(1, 2)} || '\"'"
    match = (
        f"CASE WHEN length({field}) = 1 THEN {single} "
        f"WHEN length({field}) > {_LAST_POSITION} THEN {first} ELSE {double} END"
    )
    return (
        f"(coalesce({field}, '') = '' OR EXISTS (SELECT 1 FROM {table} "
        f"WHERE {table} MATCH {match} AND rowid = r.id))"
    )


SAMPLE = 20_000


def _sampled(table: str) -> str:
    """SQL true for the rows of `table` (as r) whose texts are checked: the newest SAMPLE and
    every one of an even spread of SAMPLE over the rest."""
    top = f"(SELECT coalesce(max(id), 0) FROM {table})"
    return f"(r.id > {top} - {SAMPLE} OR r.id % max(1, {top} / {SAMPLE}) = 0)"


_NUMBER_HELD = (
    "(coalesce(r.no, '') = '' OR EXISTS (SELECT 1 FROM search_number_terms "
    "WHERE search_number_terms MATCH '\"' || hex(lower(r.no)) || '\"' AND rowid = r.id))"
)
_DESCRIPTION_HELD = _text_held("search_case_terms", "d_uni", "d_bi", "r.description")
_CHECKS = (
    ("cases", "r.no", f"{_NUMBER_HELD} AND (NOT {_sampled('cases')} OR {_DESCRIPTION_HELD})"),
    (
        "applicants",
        "r.name",
        f"(NOT {_sampled('applicants')} OR "
        f"{_text_held('search_applicant_terms', 'uni', 'bi', 'r.name')})",
    ),
)


def untokened(session: Session) -> Untokened | None:
    """The first table with rows whose current text the index does not hold, or None."""
    connection = session.connection()
    for table, label, held in _CHECKS:
        # A number longer than revision 0016's pieces is a suffix token of its own, whole too.
        row = connection.exec_driver_sql(
            f"SELECT count(*), min(r.id) FROM {table} AS r WHERE NOT ({held})"
        ).first()
        if row is not None and row[0]:
            first = connection.exec_driver_sql(
                f"SELECT {label} FROM {table} AS r WHERE id = ?", (row[1],)
            ).scalar()
            return Untokened(table, int(row[0]), int(row[1]), str(first or ""))
    return None
