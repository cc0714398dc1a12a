"""Nothing is added to an archived case but what comes after the file: reviews and audit records.

Revisions 0003 and 0010 refuse UPDATE and DELETE of an archived case's rows; INSERT stayed open
because import, the demo and `db copy` wrote an archived case first and its rows after it. They
now write the case unarchived, then its rows, then the archive mark, in one transaction
(cases.storage.archive_mark), and here every table with a case_id refuses a row of an archived
case, on SQLite and PostgreSQL alike, but two:

- reviews: 复议 and 诉讼 are registered after the file (cases.rules.guards.AFTER_ARCHIVE);
- audit: append-only, and the actions still allowed on an archived case write to it.

A row moved onto an archived case (UPDATE … SET case_id) is an insertion by other means and is
refused the same way. A new case may still name an archived one as its parent: that is a case
of its own. tests/test_archived_insert.py fails for a table with a case_id that a later revision
adds until it is listed here or in a revision of its own.

Revision ID: 0011
Revises: 0010
Created: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PG_ERRCODE = "USING ERRCODE = 'integrity_constraint_violation'"
ARCHIVED_MESSAGE = "已归档的案件不可修改"
# Every table with a case_id at this revision, reviews and audit aside (see the docstring).
CLOSED_TABLES = (
    "corrections", "consultations", "extensions", "fees", "delays", "approvals",
    "search_records", "check_runs", "check_overrides", "service_records", "letters",
    "case_checks",
)  # fmt: skip


def _sqlite_up() -> list[str]:
    archived = "(SELECT archived_at FROM cases WHERE id = new.case_id) IS NOT NULL"
    refuse = f"BEGIN SELECT RAISE(ABORT, '{ARCHIVED_MESSAGE}'); END"
    statements = []
    for table in CLOSED_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_archived_no_insert BEFORE INSERT ON {table} "
            f"WHEN {archived} {refuse}",
            f"CREATE TRIGGER {table}_archived_no_move BEFORE UPDATE OF case_id ON {table} "
            f"WHEN {archived} {refuse}",
        ]
    return statements


def _sqlite_down() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_archived_no_{verb}"
        for table in CLOSED_TABLES
        for verb in ("insert", "move")
    ]


def _postgres_up() -> list[str]:
    statements = [
        "CREATE FUNCTION dd_refuse_archived_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF EXISTS (SELECT 1 FROM cases WHERE id = NEW.case_id AND archived_at IS NOT NULL) THEN "
        f"RAISE EXCEPTION '{ARCHIVED_MESSAGE}' {PG_ERRCODE}; "
        "END IF; RETURN NEW; END $$",
    ]
    for table in CLOSED_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_archived_no_insert BEFORE INSERT OR UPDATE OF case_id "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_insert()"
        )
    return statements


def _postgres_down() -> list[str]:
    statements = [f"DROP TRIGGER IF EXISTS {t}_archived_no_insert ON {t}" for t in CLOSED_TABLES]
    return [*statements, "DROP FUNCTION IF EXISTS dd_refuse_archived_insert()"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_up() if dialect == "sqlite" else _postgres_up():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_down() if dialect == "sqlite" else _postgres_down():
        op.execute(statement)
