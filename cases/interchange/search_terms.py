"""The search tokens of bulk-inserted rows written in one go instead of by the insert trigger.

Revision 0006 keeps the search tokens of SQLite in contentless FTS5 tables that insert triggers
fill, spelling each token in SQL: one correlated subquery over search_positions per field, a
substr, lower and hex per character (0.9 s of CPU for 10,000 imported cases). Here the same
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

# Each character's spelling, made once per import process. The spelling is revision 0006's, written
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


def case_terms(description: str | None, no: str | None) -> tuple[str, str, str, str, str]:
    """d_uni, d_bi, n_uni, n_bi and n_suf of a case (revision 0006's _case_values)."""
    d, n = _units(description), _units(no)
    suffixes = " ".join("".join(n[i:]) for i in range(len(n)))
    return " ".join(d), _pairs(d), " ".join(n), _pairs(n), suffixes


def applicant_terms(name: str | None) -> tuple[str, str]:
    """uni and bi of an applicant's name (revision 0006's _applicant_values)."""
    units = _units(name)
    return " ".join(units), _pairs(units)


@dataclass(frozen=True)
class Indexed:
    """A table whose insert trigger feeds a search-token table, and how to spell its tokens."""

    table: str
    trigger: str
    terms: str
    columns: tuple[str, ...]
    source: tuple[str, ...]
    spell: Callable[..., tuple[str, ...]]


INDEXED = {
    "cases": Indexed(
        "cases",
        "search_cases_ai",
        "search_case_terms",
        ("d_uni", "d_bi", "n_uni", "n_bi", "n_suf"),
        ("description", "no"),
        case_terms,
    ),
    "applicants": Indexed(
        "applicants",
        "search_applicants_ai",
        "search_applicant_terms",
        ("uni", "bi"),
        ("name",),
        applicant_terms,
    ),
}


def tokens_after(conn: Connection, table: Table) -> AbstractContextManager[None]:
    """SQLite: the rows inserted into `table` inside the block get their search tokens at its
    end, in one statement, with the table's search trigger dropped meanwhile."""
    indexed = INDEXED.get(table.name)
    if indexed is None:
        return nullcontext()
    return trigger_work.done_after(conn, table.name, indexed.trigger, partial(_write, indexed))


def _write(indexed: Indexed, conn: Connection, last: int) -> None:
    source = ", ".join(indexed.source)
    rows = conn.exec_driver_sql(
        f"SELECT id, {source} FROM {indexed.table} WHERE id > ? ORDER BY id", (last,)
    )
    values = [(row[0], *indexed.spell(*row[1:])) for row in rows]
    if values:
        marks = ", ".join("?" for _ in range(len(indexed.columns) + 1))
        conn.exec_driver_sql(
            f"INSERT INTO {indexed.terms}(rowid, {', '.join(indexed.columns)}) VALUES ({marks})",
            values,
        )
