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
  at a LIMIT, and a longer term is a prefix query over the few suffixes it begins. Tokens only
  (detail='none': no column, no position), as nothing asks a number for a phrase.

The tokens are spelt as before (the hex of their UTF-8 bytes, ASCII letters lowered), the
search_cases_ai trigger fills both tables (the import drops it and writes both itself:
cases/interchange/search_terms.py), a change of description or of number rewrites only its own
table, and both tables are filled for every case here. PostgreSQL is left as it is: its number
tokens are already apart (x, y, s prefixes). `verify` checks each case's tokens
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


def _description_values(row: str) -> str:
    grams = _r0006()._grams
    return f"{grams(row + '.description', 1)}, {grams(row + '.description', 2)}"


DESCRIPTION_COLUMNS = "d_uni, d_bi"
CASE_TRIGGERS = ("search_cases_ai", "search_cases_ad", "search_cases_au", "search_numbers_au")


def sqlite_up() -> list[str]:
    cases = DESCRIPTION_COLUMNS
    described, numbered = _description_values, number_pieces
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in CASE_TRIGGERS),
        "DROP TABLE IF EXISTS search_case_terms",
        f"CREATE VIRTUAL TABLE search_case_terms USING fts5({cases}, "
        "content='', columnsize=0, tokenize='ascii')",
        "CREATE VIRTUAL TABLE search_number_terms USING fts5(pieces, "
        "content='', columnsize=0, detail='none', tokenize='ascii')",
        "CREATE TRIGGER search_cases_ai AFTER INSERT ON cases BEGIN "
        f"INSERT INTO search_case_terms(rowid, {cases}) VALUES (new.id, {described('new')}); "
        f"INSERT INTO search_number_terms(rowid, pieces) VALUES (new.id, {numbered('new.no')}); "
        "END",
        "CREATE TRIGGER search_cases_ad AFTER DELETE ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {described('old')}); "
        "INSERT INTO search_number_terms(search_number_terms, rowid, pieces) "
        f"VALUES ('delete', old.id, {numbered('old.no')}); END",
        "CREATE TRIGGER search_cases_au AFTER UPDATE OF description ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {described('old')}); "
        f"INSERT INTO search_case_terms(rowid, {cases}) VALUES (new.id, {described('new')}); "
        "END",
        "CREATE TRIGGER search_numbers_au AFTER UPDATE OF no ON cases BEGIN "
        "INSERT INTO search_number_terms(search_number_terms, rowid, pieces) "
        f"VALUES ('delete', old.id, {numbered('old.no')}); "
        f"INSERT INTO search_number_terms(rowid, pieces) VALUES (new.id, {numbered('new.no')}); "
        "END",
    ]


# Both tables merged into few segments after the fill: a table filled at once is otherwise
# left in many.
SQLITE_OPTIMIZE = [
    "INSERT INTO search_case_terms(search_case_terms) VALUES ('optimize')",
    "INSERT INTO search_number_terms(search_number_terms) VALUES ('optimize')",
]
# Cases spelt and written at a time by the fill.
FILL_BATCH = 20_000


def _spelt(char: str, known: dict[str, str]) -> str:
    unit = known.get(char)
    if unit is None:
        folded = char.lower() if "A" <= char <= "Z" else char  # SQLite's lower() folds A-Z only
        unit = known[char] = folded.encode("utf-8").hex().upper()
    return unit


def fill_values(
    description: str | None, no: str | None, last: int, known: dict[str, str]
) -> tuple[str, str, str]:
    """A case's d_uni, d_bi and pieces spelt in Python as the triggers spell them in SQL
    (_description_values and number_pieces): the hex of each character's UTF-8 bytes, from
    the positions up to `last` (search_positions' last row), duplicates left in as the SQL
    leaves them."""
    # A unigram at each position up to the last, a bigram at each that has a next.
    text = [_spelt(c, known) for c in (description or "")[: last + 1]]
    pairs = " ".join(map(str.__add__, text, text[1:]))
    text = text[:last]
    units = [_spelt(c, known) for c in no or ""]
    pieces = []
    for start in range(min(len(units), last)):
        piece = ""
        for unit in units[start : start + NUMBER_PIECE]:
            piece += unit
            pieces.append(piece)
        if len(units) - start > NUMBER_PIECE:
            pieces.append("".join(units[start:]))
    return " ".join(text), pairs, " ".join(pieces)


def _fill_sqlite() -> None:
    """Both tables filled for every case, in id order as the triggers would have (FTS5 appends
    each row's entries to its posting lists), the tokens spelt in Python: the same tokens as the
    SQL of the triggers (tests/test_number_terms_attack.py compares them on a demo), for less:
    one INSERT … SELECT a table spelt each character by a correlated subquery's substr and hex
    (the upgrade of the bench files: 300,000 cases 39–49 s of CPU that way, 18.5 s this way;
    1,000,000 cases 150 s, 107 s, of which FTS5's own writing 48 s), and the upgrade runs on
    the first start of the new program, before its window shows."""
    bind = op.get_bind()
    positions = bind.exec_driver_sql("SELECT coalesce(max(n), 0) FROM search_positions")
    end = int(positions.scalar() or 0)
    known: dict[str, str] = {}
    last = 0
    while True:
        rows = bind.exec_driver_sql(
            "SELECT id, description, no FROM cases WHERE id > ? ORDER BY id LIMIT ?",
            (last, FILL_BATCH),
        ).fetchall()
        if not rows:
            return
        values = [(row[0], *fill_values(row[1], row[2], end, known)) for row in rows]
        bind.exec_driver_sql(
            f"INSERT INTO search_case_terms(rowid, {DESCRIPTION_COLUMNS}) VALUES (?, ?, ?)",
            [v[:3] for v in values],
        )
        bind.exec_driver_sql(
            "INSERT INTO search_number_terms(rowid, pieces) VALUES (?, ?)",
            [(v[0], v[3]) for v in values],
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
        _fill_sqlite()
        for statement in SQLITE_OPTIMIZE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in sqlite_down():
            op.execute(statement)
