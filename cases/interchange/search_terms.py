"""The search tokens of bulk-inserted rows written in one go instead of by the insert trigger.

Revision 0006 keeps the search tokens of SQLite in contentless FTS5 tables that insert triggers
fill, spelling each token in SQL: one correlated subquery over search_positions per field, a
substr, lower and hex per character (0.9 s of CPU for 10,000 imported cases). Here the same
tokens are spelt in Python, where a character's hex is looked up once, and written with one
statement for the batch. The trigger is dropped for that insert and created again from its own
stored text in the same transaction: SQLite's DDL is transactional and the writer holds the
database's only write lock, so no other connection ever sees the table without it, and a failed or
killed import rolls the drop back with the rows. Every other trigger on the table still fires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Table

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

    trigger: str
    terms: str
    columns: tuple[str, ...]
    source: tuple[str, ...]
    spell: Callable[..., tuple[str, ...]]


INDEXED = {
    "cases": Indexed(
        "search_cases_ai",
        "search_case_terms",
        ("d_uni", "d_bi", "n_uni", "n_bi", "n_suf"),
        ("description", "no"),
        case_terms,
    ),
    "applicants": Indexed(
        "search_applicants_ai", "search_applicant_terms", ("uni", "bi"), ("name",), applicant_terms
    ),
}


@contextmanager
def tokens_after(conn: Connection, table: Table) -> Iterator[None]:
    """SQLite: the rows inserted into `table` inside the block get their search tokens at its
    end, in one statement, with the table's search trigger dropped meanwhile.

    The new rows are those above the table's largest id at the start: every bulk writer hands
    out ids past it, under the write lock its transaction holds. The trigger is created again
    even when the block fails, so that a caller who goes on in the same transaction keeps it.
    """
    indexed = INDEXED[table.name]
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (indexed.trigger,)
    ).scalar()
    if found is None:  # a schema without that index: nothing to keep up
        yield
        return
    last = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar()
    conn.exec_driver_sql(f"DROP TRIGGER {indexed.trigger}")
    try:
        yield
        rows = conn.exec_driver_sql(
            f"SELECT id, {', '.join(indexed.source)} FROM {table.name} WHERE id > ? ORDER BY id",
            (last,),
        )
        values = [(row[0], *indexed.spell(*row[1:])) for row in rows]
        if values:
            marks = ", ".join("?" for _ in range(len(indexed.columns) + 1))
            conn.exec_driver_sql(
                f"INSERT INTO {indexed.terms}(rowid, {', '.join(indexed.columns)}) "
                f"VALUES ({marks})",
                values,
            )
    finally:
        conn.exec_driver_sql(str(found))
