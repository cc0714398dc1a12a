"""Totals of cases and of reviews kept by SQLite as they change, for the annual report (年报).

Every count of the report's table 三 and of its checks depends on a case only through its
applicant's type, its outcome code, the year it was received, the year of its outcome (or none),
its answering body and whether `demo` made it; every count of table 四 on a review only through
its kind, its result, the years it was filed and decided (or none) and its case's body. Voided
cases, and their reviews, count nowhere. `case_totals` and `review_totals` hold the number of
cases and of reviews of each such key, voided ones left out, kept by triggers on every insert,
delete and update of a column a key reads (applicants.type for each case of that applicant, and
cases.body and cases.voided for each review of that case). A year's report reads a few hundred
rows instead of the year's cases and every review still pending. An index of the cases open
across some year's end (closed in a later year than received, or not at all) finds the year's
carried-forward cases among those few rather than among the next year's closings.

SQLite only, like the search tokens of revision 0006: derived data, not models, so `db copy`
(which copies the models' tables) never copies them and the target's own triggers count what it
receives. PostgreSQL keeps counting the cases: a shared office server has many desks writing at
once, and every new case of a year would update the same few rows (one lock queue for all
writers, and deadlocks where one transaction changes several cases in different orders).
cases/storage/totals.py reads and checks the tables.

Revision ID: 0014
Revises: 0013
Created: 2026-12-01
"""

from dataclasses import dataclass

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


@dataclass(frozen=True)
class Totals:
    table: str
    columns: tuple[str, ...]  # the key
    count: str  # the column holding the number of rows of the key


CASES = Totals(
    "case_totals",
    ("applicant_type", "outcome_code", "received_year", "outcome_year", "body", "demo"),
    "cases",
)
REVIEWS = Totals(
    "review_totals", ("kind", "result", "filed_year", "decided_year", "body"), "reviews"
)


def _year(date: str) -> str:
    # SQLite keeps dates as ISO text; the year is its first four characters (NULL stays NULL).
    return f"CAST(substr({date}, 1, 4) AS INTEGER)"


def _case_key(row: str, kind: str) -> list[str]:
    """The key of a case row (`new`, `old` or an alias), its applicant's type given as `kind`."""
    return [
        kind,
        f"{row}.outcome_code",
        _year(f"{row}.received"),
        _year(f"{row}.outcome_on"),
        f"{row}.body",
        f"({row}.demo IS 1)",
    ]


def _review_key(row: str, body: str) -> list[str]:
    """The key of a review row, its case's body given as `body`."""
    return [f"{row}.kind", f"{row}.result", _year(f"{row}.filed"), _year(f"{row}.decided"), body]


def _matches(totals: Totals, key: list[str], table: str | None = None) -> str:
    # IS, not =: a key may hold NULLs (no outcome, no result, the office's own body).
    table = table or totals.table
    return " AND ".join(f"{table}.{c} IS {e}" for c, e in zip(totals.columns, key, strict=True))


def _add_one(totals: Totals, key: list[str], counted: str) -> str:
    t, n = totals.table, totals.count
    return (
        f"INSERT INTO {t} ({', '.join(totals.columns)}, {n}) "
        f"SELECT {', '.join(key)}, 0 WHERE {counted} "
        f"AND NOT EXISTS (SELECT 1 FROM {t} WHERE {_matches(totals, key)}); "
        f"UPDATE {t} SET {n} = {n} + 1 WHERE {counted} AND {_matches(totals, key)};"
    )


def _remove_one(totals: Totals, key: list[str], counted: str) -> str:
    t, n = totals.table, totals.count
    return (
        f"UPDATE {t} SET {n} = {n} - 1 WHERE {counted} AND {_matches(totals, key)}; "
        f"DELETE FROM {t} WHERE {n} = 0 AND {_matches(totals, key)};"
    )


def _move_all(totals: Totals, key: list[str], rows: str, sign: str, narrow: str) -> str:
    """Subtract (sign -) or add (+) every row of `rows` ("table AS alias WHERE …") under `key`,
    one statement per step however many rows; `narrow` picks the totals rows they can touch."""
    t, n = totals.table, totals.count
    source, where = rows.split(" WHERE ", 1)
    count = f"(SELECT count(*) FROM {rows} AND {_matches(totals, key)})"
    touched = (
        f"id IN (SELECT k.id FROM {source} JOIN {t} AS k ON {_matches(totals, key, 'k')} "
        f"WHERE {where})"
    )
    statements = []
    if sign == "+":
        statements.append(
            f"INSERT INTO {t} ({', '.join(totals.columns)}, {n}) "
            f"SELECT DISTINCT {', '.join(key)}, 0 FROM {rows} "
            f"AND NOT EXISTS (SELECT 1 FROM {t} AS k WHERE {_matches(totals, key, 'k')});"
        )
    statements.append(f"UPDATE {t} SET {n} = {n} {sign} {count} WHERE {narrow} AND {touched};")
    if sign == "-":
        statements.append(f"DELETE FROM {t} WHERE {n} = 0 AND {narrow};")
    return " ".join(statements)


def _differs(pairs: list[tuple[str, str]]) -> str:
    return " OR ".join(f"({a}) IS NOT ({b})" for a, b in pairs)


def _case_triggers() -> list[str]:
    def kind(row: str) -> str:
        return f"(SELECT type FROM applicants WHERE id = {row}.applicant_id)"

    def add(row: str) -> str:
        return _add_one(CASES, _case_key(row, kind(row)), f"{row}.voided IS NOT 1")

    def remove(row: str) -> str:
        return _remove_one(CASES, _case_key(row, kind(row)), f"{row}.voided IS NOT 1")

    keyed = list(zip(_case_key("old", "")[1:], _case_key("new", "")[1:], strict=True))
    changed = _differs(
        [*keyed, ("old.applicant_id", "new.applicant_id"), ("old.voided IS 1", "new.voided IS 1")]
    )
    cases_of = "cases AS c WHERE c.applicant_id = new.id AND c.voided IS NOT 1"
    columns = "applicant_id, outcome_code, received, outcome_on, body, demo, voided"
    away = _move_all(CASES, _case_key("c", "old.type"), cases_of, "-", "applicant_type IS old.type")
    back = _move_all(CASES, _case_key("c", "new.type"), cases_of, "+", "applicant_type IS new.type")
    return [
        f"CREATE TRIGGER case_totals_ai AFTER INSERT ON cases BEGIN {add('new')} END",
        f"CREATE TRIGGER case_totals_ad AFTER DELETE ON cases BEGIN {remove('old')} END",
        f"CREATE TRIGGER case_totals_au AFTER UPDATE OF {columns} ON cases WHEN {changed} "
        f"BEGIN {remove('old')} {add('new')} END",
        "CREATE TRIGGER case_totals_applicant_au AFTER UPDATE OF type ON applicants "
        f"WHEN old.type IS NOT new.type BEGIN {away} {back} END",
    ]


def _review_triggers() -> list[str]:
    def body(row: str) -> str:
        return f"(SELECT body FROM cases WHERE id = {row}.case_id)"

    def counted(row: str) -> str:
        return f"(SELECT voided FROM cases WHERE id = {row}.case_id) IS NOT 1"

    def add(row: str) -> str:
        return _add_one(REVIEWS, _review_key(row, body(row)), counted(row))

    def remove(row: str) -> str:
        return _remove_one(REVIEWS, _review_key(row, body(row)), counted(row))

    keyed = list(zip(_review_key("old", "")[:-1], _review_key("new", "")[:-1], strict=True))
    changed = _differs([*keyed, ("old.case_id", "new.case_id")])
    of_old = "reviews AS r WHERE r.case_id = new.id AND old.voided IS NOT 1"
    of_new = "reviews AS r WHERE r.case_id = new.id AND new.voided IS NOT 1"
    case_changed = _differs([("old.body", "new.body"), ("old.voided IS 1", "new.voided IS 1")])
    away = _move_all(REVIEWS, _review_key("r", "old.body"), of_old, "-", "body IS old.body")
    back = _move_all(REVIEWS, _review_key("r", "new.body"), of_new, "+", "body IS new.body")
    return [
        f"CREATE TRIGGER review_totals_ai AFTER INSERT ON reviews BEGIN {add('new')} END",
        f"CREATE TRIGGER review_totals_ad AFTER DELETE ON reviews BEGIN {remove('old')} END",
        "CREATE TRIGGER review_totals_au AFTER UPDATE OF case_id, kind, result, filed, decided "
        f"ON reviews WHEN {changed} BEGIN {remove('old')} {add('new')} END",
        "CREATE TRIGGER review_totals_case_au AFTER UPDATE OF body, voided ON cases "
        f"WHEN {case_changed} BEGIN {away} {back} END",
    ]


CASE_RECOUNT = (
    f"SELECT {', '.join(_case_key('c', 'a.type'))}, count(*) FROM cases AS c "
    "JOIN applicants AS a ON a.id = c.applicant_id WHERE c.voided IS NOT 1 "
    "GROUP BY 1, 2, 3, 4, 5, 6"
)
REVIEW_RECOUNT = (
    f"SELECT {', '.join(_review_key('r', 'c.body'))}, count(*) FROM reviews AS r "
    "JOIN cases AS c ON c.id = r.case_id WHERE c.voided IS NOT 1 GROUP BY 1, 2, 3, 4, 5"
)

SQLITE_UP = [
    "CREATE TABLE case_totals (id INTEGER PRIMARY KEY, applicant_type VARCHAR(20) NOT NULL, "
    "outcome_code VARCHAR(40), received_year INTEGER NOT NULL, outcome_year INTEGER, "
    "body VARCHAR(100), demo INTEGER NOT NULL, cases INTEGER NOT NULL)",
    "CREATE INDEX ix_case_totals_key ON case_totals "
    "(received_year, outcome_year, applicant_type, outcome_code, body, demo)",
    "CREATE TABLE review_totals (id INTEGER PRIMARY KEY, kind VARCHAR(30) NOT NULL, "
    "result VARCHAR(20), filed_year INTEGER NOT NULL, decided_year INTEGER, "
    "body VARCHAR(100), reviews INTEGER NOT NULL)",
    "CREATE INDEX ix_review_totals_key ON review_totals "
    "(filed_year, decided_year, kind, result, body)",
    # The cases open across some year's end (closed in a later year than received, or not at
    # all), by date of receipt: the year's carried-forward cases are found among these few
    # (cases.documents.report.counting._across_years spells the same condition).
    "CREATE INDEX ix_cases_open_across_years ON cases (received, outcome_on) "
    "WHERE outcome_on IS NULL OR substr(outcome_on, 1, 4) > substr(received, 1, 4)",
    f"INSERT INTO case_totals ({', '.join(CASES.columns)}, cases) {CASE_RECOUNT}",
    f"INSERT INTO review_totals ({', '.join(REVIEWS.columns)}, reviews) {REVIEW_RECOUNT}",
    *_case_triggers(),
    *_review_triggers(),
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS review_totals_case_au",
    "DROP TRIGGER IF EXISTS review_totals_au",
    "DROP TRIGGER IF EXISTS review_totals_ad",
    "DROP TRIGGER IF EXISTS review_totals_ai",
    "DROP TRIGGER IF EXISTS case_totals_applicant_au",
    "DROP TRIGGER IF EXISTS case_totals_au",
    "DROP TRIGGER IF EXISTS case_totals_ad",
    "DROP TRIGGER IF EXISTS case_totals_ai",
    "DROP INDEX IF EXISTS ix_cases_open_across_years",
    "DROP TABLE IF EXISTS review_totals",
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
