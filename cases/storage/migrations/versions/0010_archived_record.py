"""An archived case is fixed as a whole: every column of the case and every row that belongs to it.

Revision 0003 protected the columns of cases as they were then and the clock's events; columns
added since (the answering body, the letter's statement, the 36(5) holder, the void date) and the
tables added since (search records, check runs and overrides, approvals, service records,
letters, checklist ticks) stayed writable by raw SQL on an archived case. Here:

- cases: only `version` and `updated_at` may change on an archived case, because a review
  registered after archiving raises the version (cases.storage.concurrency). On PostgreSQL the
  trigger compares whole rows without those two, so a later column is covered without a new
  trigger; on SQLite the columns are listed, and tests/test_archived_record.py fails for a column
  a later revision adds until it is listed there too.
- every table with a case_id (audit aside, which is append-only anyway): UPDATE and DELETE are
  refused once the case is archived; reviews are the one exception, since 复议 and 诉讼 come after
  the file: their result, decision date and answer notice may still be entered, their kind and
  filing date not, and none is deleted.
- applicants: the row an archived case names is not changed or deleted.
- PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it on letters while
  an issued letter exists, and on cases, applicants and every case's table while an archived
  case has rows there (audit refuses it since 0003). SQLite has no TRUNCATE.

INSERT stays open as in 0003: import and `db copy` write an archived case first and its rows
after it (revision 0011 changes that order and closes INSERT).

Revision ID: 0010
Revises: 0009
Created: 2026-12-01
"""

from importlib import import_module
from types import ModuleType

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PG_ERRCODE = "USING ERRCODE = 'integrity_constraint_violation'"
ARCHIVED_MESSAGE = "已归档的案件不可修改"
# Written on an archived case by a review registered after archiving (the version counter).
WRITABLE_CASE_COLUMNS = ("version", "updated_at")
# Every column of cases at this revision but the writable ones.
CASE_COLUMNS = (
    "id", "no", "received", "channel", "applicant_id", "description", "form", "delivery", "body",
    "department", "handler", "step", "outcome_code", "outcome_on", "outcome_note",
    "outcome_reasons", "outcome_statement", "outcome_holder", "outcome_holder_contact", "status",
    "day0", "due", "due_provisional", "correction_notice_due", "parent_id", "voided",
    "void_reason", "voided_on", "archived_at", "demo", "created_at",
)  # fmt: skip
# Tables with a case_id that 0003 left open; its five clock-event tables keep their triggers.
NEW_CHILD_TABLES = (
    "approvals", "search_records", "check_runs", "check_overrides", "service_records",
    "letters", "case_checks",
)  # fmt: skip
# A review's facts as registered; the rest is filled in as the review goes on.
REVIEW_FIXED = ("id", "case_id", "kind", "filed")


def _r0003() -> ModuleType:
    return import_module("cases.storage.migrations.versions.0003_record_protection")


def _refuse_sqlite() -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{ARCHIVED_MESSAGE}'); END"


def _archived_sqlite(case_id: str) -> str:
    return f"(SELECT archived_at FROM cases WHERE id = {case_id}) IS NOT NULL"


def _changed_sqlite(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)


def _sqlite_up() -> list[str]:
    refuse = _refuse_sqlite()
    statements = [
        "DROP TRIGGER IF EXISTS cases_archived_no_update",
        # By value, not by the columns named in SET: the ORM writes only what changed anyway.
        "CREATE TRIGGER cases_archived_no_update BEFORE UPDATE ON cases "
        f"WHEN old.archived_at IS NOT NULL AND ({_changed_sqlite(CASE_COLUMNS)}) {refuse}",
    ]
    for table in NEW_CHILD_TABLES:
        for verb in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_archived_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"WHEN {_archived_sqlite('old.case_id')} {refuse}"
            )
    later = " OR ".join(
        f"(old.{c} IS NOT NULL AND old.{c} IS NOT new.{c})" for c in ("result", "decided")
    )
    statements += [
        "CREATE TRIGGER reviews_archived_no_update BEFORE UPDATE ON reviews "
        f"WHEN {_archived_sqlite('old.case_id')} "
        f"AND ({_changed_sqlite(REVIEW_FIXED)} OR {later}) {refuse}",
        "CREATE TRIGGER reviews_archived_no_delete BEFORE DELETE ON reviews "
        f"WHEN {_archived_sqlite('old.case_id')} {refuse}",
        "CREATE TRIGGER applicants_archived_no_update BEFORE UPDATE ON applicants "
        "WHEN EXISTS (SELECT 1 FROM cases WHERE applicant_id = old.id "
        f"AND archived_at IS NOT NULL) {refuse}",
        "CREATE TRIGGER applicants_archived_no_delete BEFORE DELETE ON applicants "
        "WHEN EXISTS (SELECT 1 FROM cases WHERE applicant_id = old.id "
        f"AND archived_at IS NOT NULL) {refuse}",
    ]
    return statements


def _sqlite_down() -> list[str]:
    tables = (*NEW_CHILD_TABLES, "reviews", "applicants")
    names = [f"{t}_archived_no_{v}" for t in tables for v in ("update", "delete")]
    statements = [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    statements.append("DROP TRIGGER IF EXISTS cases_archived_no_update")
    statements += [s for s in _r0003()._sqlite_up() if "cases_archived_no_update" in s]
    return statements


def _pg_function(name: str, condition: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {condition} THEN RAISE EXCEPTION '{ARCHIVED_MESSAGE}' {PG_ERRCODE}; "
        "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )


def _postgres_up() -> list[str]:
    keep = " - ".join(f"'{c}'" for c in WRITABLE_CASE_COLUMNS)
    archived = "EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id AND archived_at IS NOT NULL)"
    fixed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in REVIEW_FIXED)
    later = " OR ".join(
        f"(OLD.{c} IS NOT NULL AND OLD.{c} IS DISTINCT FROM NEW.{c})" for c in ("result", "decided")
    )
    statements = [
        # The whole row as JSON, less the writable columns: every column, present and future.
        _pg_function(
            "dd_refuse_archived_case_change",
            "OLD.archived_at IS NOT NULL AND (TG_OP = 'DELETE' OR "
            f"(to_jsonb(OLD) - {keep}) IS DISTINCT FROM (to_jsonb(NEW) - {keep}))",
        ),
        _pg_function(
            "dd_refuse_archived_review_change",
            f"{archived} AND (TG_OP = 'DELETE' OR {fixed} OR {later})",
        ),
        _pg_function(
            "dd_refuse_archived_applicant_change",
            "EXISTS (SELECT 1 FROM cases WHERE applicant_id = OLD.id AND archived_at IS NOT NULL)",
        ),
        "CREATE TRIGGER reviews_archived_fixed BEFORE UPDATE OR DELETE ON reviews "
        "FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_review_change()",
        "CREATE TRIGGER applicants_archived_fixed BEFORE UPDATE OR DELETE ON applicants "
        "FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_applicant_change()",
    ]
    for table in NEW_CHILD_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_archived_fixed BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_event_change()"
        )
    return statements + _truncate_up()


# Every table 0003 and this revision protect by row, for the statement-level TRUNCATE triggers.
CHILD_TABLES = (
    "corrections", "consultations", "extensions", "fees", "delays", "reviews", *NEW_CHILD_TABLES,
)  # fmt: skip
LETTER_MESSAGE = "已发文的文书不可修改或删除"


def _truncate_up() -> list[str]:
    archived_rows = (
        "EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I AS t JOIN cases AS c ON c.id = t.case_id "
        "WHERE c.archived_at IS NOT NULL)', TG_TABLE_NAME) INTO found"
    )
    statements = [
        "CREATE FUNCTION dd_refuse_truncate_archived() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE found boolean; BEGIN "
        "IF TG_TABLE_NAME IN ('cases', 'applicants') THEN "
        "found := EXISTS (SELECT 1 FROM cases WHERE archived_at IS NOT NULL); "
        f"ELSE {archived_rows}; END IF; "
        f"IF found THEN RAISE EXCEPTION '{ARCHIVED_MESSAGE}' {PG_ERRCODE}; END IF; "
        "RETURN NULL; END $$",
        "CREATE FUNCTION dd_refuse_truncate_issued() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF EXISTS (SELECT 1 FROM letters WHERE status = 'issued') THEN "
        f"RAISE EXCEPTION '{LETTER_MESSAGE}' {PG_ERRCODE}; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER letters_issued_no_truncate BEFORE TRUNCATE ON letters "
        "FOR EACH STATEMENT EXECUTE FUNCTION dd_refuse_truncate_issued()",
    ]
    for table in ("cases", "applicants", *CHILD_TABLES):
        statements.append(
            f"CREATE TRIGGER {table}_archived_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dd_refuse_truncate_archived()"
        )
    return statements


def _truncate_down() -> list[str]:
    tables = ("cases", "applicants", *CHILD_TABLES)
    statements = [f"DROP TRIGGER IF EXISTS {t}_archived_no_truncate ON {t}" for t in tables]
    return [
        *statements,
        "DROP TRIGGER IF EXISTS letters_issued_no_truncate ON letters",
        "DROP FUNCTION IF EXISTS dd_refuse_truncate_archived()",
        "DROP FUNCTION IF EXISTS dd_refuse_truncate_issued()",
    ]


def _postgres_down() -> list[str]:
    tables = (*NEW_CHILD_TABLES, "reviews", "applicants")
    statements = _truncate_down()
    statements += [f"DROP TRIGGER IF EXISTS {t}_archived_fixed ON {t}" for t in tables]
    statements += [
        "DROP FUNCTION IF EXISTS dd_refuse_archived_review_change()",
        "DROP FUNCTION IF EXISTS dd_refuse_archived_applicant_change()",
    ]
    old = next(s for s in _r0003()._postgres_up() if "dd_refuse_archived_case_change" in s)
    statements.append(old.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    return statements


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_up() if dialect == "sqlite" else _postgres_up():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_down() if dialect == "sqlite" else _postgres_down():
        op.execute(statement)
