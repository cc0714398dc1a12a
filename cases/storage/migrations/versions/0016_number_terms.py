"""Case numbers' search tokens in an index of their own, every piece of a number one token.

Revision 0006 spelt a case number's unigrams and bigrams with the same tokens as the
description's, told apart only by column, so FTS5 read a description's bigram through every
number holding it too (4- of 2024-01: 140,945 entries on 1,000,000 cases to find 3,733
descriptions). And a longer piece of a number was a prefix query over the number's suffixes,
each suffix a token of its own, which FTS5 merges whatever the LIMIT (a year begins 130,000 to
144,000 of them). On SQLite:

- search_case_terms keeps the description's unigrams and bigrams alone (d_uni, d_bi), as before;
- search_number_terms holds every piece of a case's number, from one character up to
  NUMBER_PIECE characters, and each longer suffix whole: a piece of a number (2024, 2026-0,
  2024-01, a whole number) is one token whose ids FTS5 reads in order from either end and stops
  at a LIMIT, and a longer term is a prefix query over the few suffixes it begins. Beside them,
  every piece of up to NUMBER_PIECE digits and hyphens of the description (2022 of 2022年):
  a term of those characters alone (a year, a piece of a number or a date) is then one token
  for all the cases holding it in either text, where the phrase of its bigrams, common in
  descriptions (20, 02), cost FTS5 most of a screen. Tokens only (detail='none': no column,
  no position), as nothing asks this table for a phrase.

The tokens are spelt as before (the hex of their UTF-8 bytes, ASCII letters lowered), the
search_cases_ai trigger fills both tables (the import drops it and writes both itself:
cases/interchange/search_terms.py), a change of description rewrites both, a change of number
the second, and both tables are filled for every case here (spelt in Python: fill_sqlite).
PostgreSQL is left as it is: its number tokens
are already apart (x, y, s prefixes). `verify` checks each case's tokens
(cases/storage/search_tokens.py).

Revision ID: 0016
Revises: 0015
Created: 2026-12-02
"""

from importlib import import_module
from types import ModuleType

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Every piece up to this many characters is a token: a search term is at most this long as the
# window's box is used (issue 14: terms of 1 to 20 characters); a longer one is the prefix of a
# suffix, of which so long a term begins few.
NUMBER_PIECE = 20


def _r0006() -> ModuleType:
    return import_module("cases.storage.migrations.versions.0006_search_and_indexes")


def number_pieces(field: str) -> str:
    """The tokens of a case number in SQL: at each position the pieces of 1 to NUMBER_PIECE
    characters that fit, and the whole suffix when it is longer (its NUMBER_PIECE + 1st
    length stands for it). Duplicates are left in: FTS5 keeps one entry a row without details.
    """
    return (
        f"coalesce((SELECT group_concat(hex(lower(substr({field}, p.n, "
        f"CASE WHEN k.n > {NUMBER_PIECE} THEN length({field}) ELSE k.n END))), ' ') "
        "FROM search_positions AS p, search_positions AS k "
        f"WHERE p.n <= length({field}) AND k.n <= {NUMBER_PIECE + 1} "
        f"AND k.n <= length({field}) - p.n + 1), '')"
    )


# The characters of the pieces that are searched for in this table alone: digits and hyphens, as
# case numbers and dates are written (the same set in cases/query/search.py).
NUMERIC = "0-9-"


def description_runs(field: str) -> str:
    """The tokens of the digits and hyphens in a description, in SQL: every piece of 1 to
    NUMBER_PIECE characters made of them alone (2022 of 2022年: 2, 0, 20, 202, 2022, ...), so
    that a term of those characters is one token of search_number_terms wherever it occurs."""
    return (
        f"coalesce((SELECT group_concat(hex(substr({field}, p.n, k.n)), ' ') "
        "FROM search_positions AS p, search_positions AS k "
        f"WHERE p.n <= length({field}) AND substr({field}, p.n, 1) GLOB '[{NUMERIC}]' "
        f"AND k.n <= {NUMBER_PIECE} AND k.n <= length({field}) - p.n + 1 "
        f"AND substr({field}, p.n, k.n) NOT GLOB '*[^{NUMERIC}]*'), '')"
    )


def _pieces(row: str) -> str:
    """A case's tokens in search_number_terms: its number's pieces, then its description's runs
    of digits and hyphens."""
    return f"{number_pieces(row + '.no')} || ' ' || {description_runs(row + '.description')}"


def _description_values(row: str) -> str:
    grams = _r0006()._grams
    return f"{grams(row + '.description', 1)}, {grams(row + '.description', 2)}"


DESCRIPTION_COLUMNS = "d_uni, d_bi"
CASE_TRIGGERS = ("search_cases_ai", "search_cases_ad", "search_cases_au", "search_numbers_au")


def sqlite_up() -> list[str]:
    cases = DESCRIPTION_COLUMNS
    described, pieces = _description_values, _pieces
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in CASE_TRIGGERS),
        "DROP TABLE IF EXISTS search_case_terms",
        f"CREATE VIRTUAL TABLE search_case_terms USING fts5({cases}, "
        "content='', columnsize=0, tokenize='ascii')",
        "CREATE VIRTUAL TABLE search_number_terms USING fts5(pieces, "
        "content='', columnsize=0, detail='none', tokenize='ascii')",
        "CREATE TRIGGER search_cases_ai AFTER INSERT ON cases BEGIN "
        f"INSERT INTO search_case_terms(rowid, {cases}) VALUES (new.id, {described('new')}); "
        f"INSERT INTO search_number_terms(rowid, pieces) VALUES (new.id, {pieces('new')}); "
        "END",
        "CREATE TRIGGER search_cases_ad AFTER DELETE ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {described('old')}); "
        "INSERT INTO search_number_terms(search_number_terms, rowid, pieces) "
        f"VALUES ('delete', old.id, {pieces('old')}); END",
        "CREATE TRIGGER search_cases_au AFTER UPDATE OF description ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {described('old')}); "
        f"INSERT INTO search_case_terms(rowid, {cases}) VALUES (new.id, {described('new')}); "
        "END",
        # One trigger for both texts: the pieces of each are in the one row, and a row of a
        # contentless table is deleted by all its old tokens exactly once.
        "CREATE TRIGGER search_numbers_au AFTER UPDATE OF no, description ON cases BEGIN "
        "INSERT INTO search_number_terms(search_number_terms, rowid, pieces) "
        f"VALUES ('delete', old.id, {pieces('old')}); "
        f"INSERT INTO search_number_terms(rowid, pieces) VALUES (new.id, {pieces('new')}); "
        "END",
    ]


# Both tables merged into few segments after the fill: a table filled at once is otherwise left
# in many.
SQLITE_OPTIMIZE = [
    "INSERT INTO search_case_terms(search_case_terms) VALUES ('optimize')",
    "INSERT INTO search_number_terms(search_number_terms) VALUES ('optimize')",
]
# Cases spelt and written at a time by the fill.
FILL_BATCH = 20_000


def fill_sqlite() -> None:
    """Both tables filled for every case in id order, as the triggers would have (FTS5 appends
    each row's entries to the end of its posting lists), the tokens spelt in Python up to
    search_positions' last row, where the triggers' SQL stops: the same tokens for less than
    half the CPU of an INSERT ... SELECT whose correlated subqueries spell each character by
    substr and hex, and this runs at the first start of the new program.

    The spelling is the import's (cases/interchange/search_terms.py), not a copy of it: that
    module spells the tokens the head's triggers write, and tests/test_number_terms_attack.py
    compares, after an upgrade to this revision by name, every token this fill writes with what
    this revision's own trigger SQL (_description_values, _pieces) writes for the same cases.
    A later revision that spells the tokens otherwise must change search_terms.py, and that test
    then fails here: the spelling this revision needs must be copied into this file at that
    point, so that its output cannot change unseen. Imported here, not at the top, as alembic
    reads every revision at each start and the import's writer is needed only by this fill.
    """
    from cases.interchange import search_terms

    bind = op.get_bind()
    found = bind.exec_driver_sql("SELECT coalesce(max(n), 0) FROM search_positions").scalar()
    end = int(found or 0)
    last = 0
    while True:
        rows = bind.exec_driver_sql(
            "SELECT id, description, no FROM cases WHERE id > ? ORDER BY id LIMIT ?",
            (last, FILL_BATCH),
        ).fetchall()
        if not rows:
            return
        bind.exec_driver_sql(
            f"INSERT INTO search_case_terms(rowid, {DESCRIPTION_COLUMNS}) VALUES (?, ?, ?)",
            [(i, *search_terms.description_terms(d, end)) for i, d, _ in rows],
        )
        bind.exec_driver_sql(
            "INSERT INTO search_number_terms(rowid, pieces) VALUES (?, ?)",
            [(i, *search_terms.number_terms(no, d, end)) for i, d, no in rows],
        )
        last = rows[-1][0]


def sqlite_down() -> list[str]:
    """Back to revision 0006's table of five columns, its triggers spelt as it spelt them."""
    again = [s for s in _r0006()._sqlite_up() if "search_case_terms" in s]
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in CASE_TRIGGERS),
        "DROP TABLE IF EXISTS search_number_terms",
        "DROP TABLE IF EXISTS search_case_terms",
        *again,
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in sqlite_up():
            op.execute(statement)
        fill_sqlite()
        for statement in SQLITE_OPTIMIZE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in sqlite_down():
            op.execute(statement)
