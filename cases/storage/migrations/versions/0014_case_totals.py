"""Totals of the cases kept by SQLite as cases change, for the annual report (年报).

Every count of the report's table 三 and of its checks depends on a case only through its
applicant's type, its outcome code, the year it was received, the year of its outcome (or none),
its answering body and whether `demo` made it; voided cases count nowhere. `case_totals` holds
the number of cases of each such key, voided ones left out, kept by triggers on every insert,
delete and update of a column the key reads (applicants.type included, for each case of that
applicant). A year's report reads a few hundred rows instead of the year's cases.

SQLite only, like the search tokens of revision 0006: it is derived data, not a model, so
`db copy` (which copies the models' tables) never copies it and the target's own triggers count
the cases it receives. PostgreSQL keeps counting the cases: a shared office server has many
desks writing at once, and every new case of a year would update the same few rows (one lock
queue for all writers, and deadlocks where one transaction changes several cases in different
orders). cases/storage/totals.py reads and checks the table.

Revision ID: 0014
Revises: 0012
Created: 2026-12-01
"""

from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = ("applicant_type", "outcome_code", "received_year", "outcome_year", "body", "demo")


def _year(date: str) -> str:
    # SQLite keeps dates as ISO text; the year is its first four characters (NULL stays NULL).
    return f"CAST(substr({date}, 1, 4) AS INTEGER)"


def _key(row: str, kind: str) -> list[str]:
    """The key of a case row (`new`, `old` or an alias), its applicant's type given as `kind`."""
    return [
        kind,
        f"{row}.outcome_code",
        _year(f"{row}.received"),
        _year(f"{row}.outcome_on"),
        f"{row}.body",
        f"({row}.demo IS 1)",
    ]


def _kind_of(row: str) -> str:
    return f"(SELECT type FROM applicants WHERE id = {row}.applicant_id)"


def _matches(key: list[str], table: str = "case_totals") -> str:
    # IS, not =: a key may hold NULLs (no outcome, the office's own body).
    return " AND ".join(f"{table}.{c} IS {e}" for c, e in zip(COLUMNS, key, strict=True))


def _counted(row: str) -> str:
    return f"{row}.voided IS NOT 1"


def _add_one(row: str) -> str:
    key, counted = _key(row, _kind_of(row)), _counted(row)
    return (
        f"INSERT INTO case_totals ({', '.join(COLUMNS)}, cases) "
        f"SELECT {', '.join(key)}, 0 WHERE {counted} "
        f"AND NOT EXISTS (SELECT 1 FROM case_totals WHERE {_matches(key)}); "
        f"UPDATE case_totals SET cases = cases + 1 WHERE {counted} AND {_matches(key)};"
    )


def _remove_one(row: str) -> str:
    key = _key(row, _kind_of(row))
    return (
        f"UPDATE case_totals SET cases = cases - 1 WHERE {_counted(row)} AND {_matches(key)}; "
        f"DELETE FROM case_totals WHERE cases = 0 AND {_matches(key)};"
    )


def _applicant_cases(kind: str) -> tuple[list[str], str]:
    """The key of each counted case of the applicant being updated, with `kind` as its type."""
    return _key("c", kind), "c.applicant_id = new.id AND c.voided IS NOT 1"


def _move_applicant(kind: str, sign: str) -> str:
    """Subtract (sign -) or add (+) the applicant's cases under `kind` (old.type or new.type)."""
    key, where = _applicant_cases(kind)
    count = f"(SELECT count(*) FROM cases AS c WHERE {where} AND {_matches(key)})"
    touched = (
        f"id IN (SELECT t.id FROM cases AS c JOIN case_totals AS t ON {_matches(key, 't')} "
        f"WHERE {where})"
    )
    statements = []
    if sign == "+":
        statements.append(
            f"INSERT INTO case_totals ({', '.join(COLUMNS)}, cases) "
            f"SELECT DISTINCT {', '.join(key)}, 0 FROM cases AS c WHERE {where} "
            f"AND NOT EXISTS (SELECT 1 FROM case_totals AS t WHERE {_matches(key, 't')});"
        )
    statements.append(
        f"UPDATE case_totals SET cases = cases {sign} {count} "
        f"WHERE applicant_type IS {kind} AND {touched};"
    )
    if sign == "-":
        statements.append(f"DELETE FROM case_totals WHERE cases = 0 AND applicant_type IS {kind};")
    return " ".join(statements)


def _changed() -> str:
    """Whether an update of a case moves it to another key, or in or out of the count."""
    pairs = [(a, b) for a, b in zip(_key("old", ""), _key("new", ""), strict=True) if a]
    pairs += [("old.applicant_id", "new.applicant_id"), ("old.voided IS 1", "new.voided IS 1")]
    return " OR ".join(f"({a}) IS NOT ({b})" for a, b in pairs)


KEY_COLUMNS = "applicant_id, outcome_code, received, outcome_on, body, demo, voided"
RECOUNT = (
    f"SELECT {', '.join(_key('c', 'a.type'))}, count(*) FROM cases AS c "
    "JOIN applicants AS a ON a.id = c.applicant_id WHERE c.voided IS NOT 1 "
    "GROUP BY 1, 2, 3, 4, 5, 6"
)

SQLITE_UP = [
    "CREATE TABLE case_totals (id INTEGER PRIMARY KEY, applicant_type VARCHAR(20) NOT NULL, "
    "outcome_code VARCHAR(40), received_year INTEGER NOT NULL, outcome_year INTEGER, "
    "body VARCHAR(100), demo INTEGER NOT NULL, cases INTEGER NOT NULL)",
    "CREATE INDEX ix_case_totals_key ON case_totals "
    "(received_year, outcome_year, applicant_type, outcome_code, body, demo)",
    f"INSERT INTO case_totals ({', '.join(COLUMNS)}, cases) {RECOUNT}",
    f"CREATE TRIGGER case_totals_ai AFTER INSERT ON cases BEGIN {_add_one('new')} END",
    f"CREATE TRIGGER case_totals_ad AFTER DELETE ON cases BEGIN {_remove_one('old')} END",
    f"CREATE TRIGGER case_totals_au AFTER UPDATE OF {KEY_COLUMNS} ON cases WHEN {_changed()} "
    f"BEGIN {_remove_one('old')} {_add_one('new')} END",
    "CREATE TRIGGER case_totals_applicant_au AFTER UPDATE OF type ON applicants "
    f"WHEN old.type IS NOT new.type BEGIN {_move_applicant('old.type', '-')} "
    f"{_move_applicant('new.type', '+')} END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS case_totals_applicant_au",
    "DROP TRIGGER IF EXISTS case_totals_au",
    "DROP TRIGGER IF EXISTS case_totals_ad",
    "DROP TRIGGER IF EXISTS case_totals_ai",
    "DROP TABLE IF EXISTS case_totals",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
