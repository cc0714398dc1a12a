"""The search tokens of bulk-inserted rows written in one go instead of by the insert trigger.

Revisions 0006 and 0016 keep the search tokens of SQLite in contentless FTS5 tables that insert
triggers fill, spelling each token in SQL: one correlated subquery over search_positions per
field, a substr, lower and hex per character (0.9 s of CPU for 10,000 imported cases). Here the same
tokens are spelt in Python, where a character's hex is looked up once, and written with one
statement for the batch, the trigger dropped meanwhile (cases.interchange.trigger_work).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, Table

from cases.interchange import trigger_work

# Each character's spelling, made once per import process. The spelling is the revisions', written
# a second time: tests/test_import_search_terms.py compares every token (term, row, column,
# position) it writes with what the trigger writes, so that the two cannot drift apart unseen.
_HEX: dict[str, str] = {}


def _units(text: str | None) -> list[str]:
    """Each character as the trigger spells it: hex(lower(c)), SQLite's lower folding only A–Z."""
    spelt = []
    for char in text or "":
        unit = _HEX.get(char)
        if unit is None:
            folded = char.lower() if "A" <= char <= "Z" else char
            unit = _HEX[char] = folded.encode("utf-8").hex().upper()
        spelt.append(unit)
    return spelt


def _pairs(units: list[str]) -> str:
    # The hex of two characters is the two hexes joined: UTF-8 encodes each on its own.
    return " ".join(map(str.__add__, units, units[1:]))


# Revision 0016's NUMBER_PIECE, written a second time like the spelling (the test compares).
NUMBER_PIECE = 20


def description_terms(description: str | None, last: int | None = None) -> tuple[str, str]:
    """d_uni and d_bi of a case's description (revision 0016's search_case_terms). With `last`
    (search_positions' last row, where the trigger's SQL stops) a unigram at each position up
    to it and a bigram at each of those that has a next character, as that SQL spells them."""
    text = description or ""
    units = _units(text if last is None else text[: last + 1])
    return " ".join(units if last is None else units[:last]), _pairs(units)


_NUMERIC = frozenset("0123456789-")  # revision 0016's NUMERIC


def number_terms(no: str | None, description: str | None, last: int | None = None) -> tuple[str]:
    """A case's pieces in revision 0016's search_number_terms: at each position of its number
    those of 1 to NUMBER_PIECE characters that fit, and the whole suffix when longer; then at
    each position of its description those of 1 to NUMBER_PIECE digits and hyphens alone.
    With `last` (search_positions' last row) as the trigger's SQL spells them, which takes both
    a piece's start and its length from that table: starts up to `last`, lengths up to `last`
    (the whole suffix stands for the length NUMBER_PIECE + 1)."""
    units = _units(no)
    size = len(units)
    starts = size if last is None else min(size, last)
    longest = NUMBER_PIECE if last is None else min(NUMBER_PIECE, last)
    whole = last is None or last > NUMBER_PIECE
    pieces = []
    for start in range(starts):
        piece = ""
        for unit in units[start : start + longest]:
            piece += unit
            pieces.append(piece)
        if whole and size - start > NUMBER_PIECE:
            pieces.append("".join(units[start:]))
    text = description or ""
    ends = len(text) if last is None else min(len(text), last)
    for start in range(ends):
        if text[start] not in _NUMERIC:
            continue
        piece = ""
        for char in text[start : start + longest]:
            if char not in _NUMERIC:
                break
            piece += _units(char)[0]
            pieces.append(piece)
    return (" ".join(pieces),)


def case_terms_0006(description: str | None, no: str | None) -> tuple[str, str, str, str, str]:
    """d_uni, d_bi, n_uni, n_bi and n_suf of a case in a file before revision 0016 (revision
    0006's _case_values), which an import may still write (a file left at an older revision)."""
    d, n = _units(description), _units(no)
    suffixes = " ".join("".join(n[i:]) for i in range(len(n)))
    return " ".join(d), _pairs(d), " ".join(n), _pairs(n), suffixes


def applicant_terms(name: str | None) -> tuple[str, str]:
    """uni and bi of an applicant's name (revision 0006's _applicant_values)."""
    units = _units(name)
    return " ".join(units), _pairs(units)


@dataclass(frozen=True)
class Terms:
    """One search-token table an insert trigger fills, and how to spell a row's tokens there."""

    table: str
    columns: tuple[str, ...]
    source: tuple[str, ...]
    spell: Callable[..., tuple[str, ...]]


@dataclass(frozen=True)
class Indexed:
    """A table whose insert trigger feeds search-token tables."""

    table: str
    trigger: str
    terms: tuple[Terms, ...]


INDEXED = {
    "cases": Indexed(
        "cases",
        "search_cases_ai",
        (
            Terms("search_case_terms", ("d_uni", "d_bi"), ("description",), description_terms),
            Terms("search_number_terms", ("pieces",), ("no", "description"), number_terms),
        ),
    ),
    "cases before 0016": Indexed(
        "cases",
        "search_cases_ai",
        (
            Terms(
                "search_case_terms",
                ("d_uni", "d_bi", "n_uni", "n_bi", "n_suf"),
                ("description", "no"),
                case_terms_0006,
            ),
        ),
    ),
    "applicants": Indexed(
        "applicants",
        "search_applicants_ai",
        (Terms("search_applicant_terms", ("uni", "bi"), ("name",), applicant_terms),),
    ),
}


def tokens_after(conn: Connection, table: Table) -> AbstractContextManager[None]:
    """SQLite: the rows inserted into `table` inside the block get their search tokens at its
    end, one statement a token table, with the table's search trigger dropped meanwhile."""
    indexed = INDEXED.get(table.name)
    if indexed is None:
        return nullcontext()
    if table.name == "cases" and not _numbers_apart(conn):
        indexed = INDEXED["cases before 0016"]
    return trigger_work.done_after(conn, table.name, indexed.trigger, partial(_write, indexed))


def _numbers_apart(conn: Connection) -> bool:
    """Whether the file keeps the numbers' tokens in a table of their own (revision 0016)."""
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_number_terms'"
    ).first()
    return found is not None


def _write(indexed: Indexed, conn: Connection, last: int) -> None:
    source = [field for terms in indexed.terms for field in terms.source]
    rows = conn.exec_driver_sql(
        f"SELECT id, {', '.join(source)} FROM {indexed.table} WHERE id > ? ORDER BY id", (last,)
    ).fetchall()
    if not rows:
        return
    start = 1
    for terms in indexed.terms:
        fields = range(start, start + len(terms.source))
        start += len(terms.source)
        values = [(row[0], *terms.spell(*(row[i] for i in fields))) for row in rows]
        marks = ", ".join("?" for _ in range(len(terms.columns) + 1))
        conn.exec_driver_sql(
            f"INSERT INTO {terms.table}(rowid, {', '.join(terms.columns)}) VALUES ({marks})",
            values,
        )
