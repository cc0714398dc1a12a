"""The legal record kept by the database itself: triggers, the audit hash chain, demo marking.

Triggers refuse UPDATE and DELETE of audit records, of issued letters, and changes to an
archived case and its clock events, on SQLite and PostgreSQL alike, so that raw SQL cannot do
what the ORM events already forbid. Existing audit records are hashed into the chain here.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PG_ERRCODE = "USING ERRCODE = 'integrity_constraint_violation'"
AUDIT_MESSAGE = "审计记录只能追加，不可修改或删除"
LETTER_MESSAGE = "已发文的文书不可修改或删除"
ARCHIVED_MESSAGE = "已归档的案件不可修改"
# The columns of cases as of this revision (updated_at aside): an archived case keeps them.
# Columns added by later revisions (a version counter, say) stay writable.
CASE_COLUMNS = (
    "no", "received", "channel", "applicant_id", "description", "form", "delivery",
    "department", "handler", "step", "outcome_code", "outcome_on", "outcome_note",
    "outcome_reasons", "status", "day0", "due", "due_provisional", "correction_notice_due",
    "parent_id", "voided", "void_reason", "archived_at", "demo",
)  # fmt: skip
# The clock's events: an archived case's deadlines and statistics rest on them. INSERT stays
# open: import and demo write a closed, archived case first and its events after it.
EVENT_TABLES = ("corrections", "consultations", "extensions", "fees", "delays")


def _sqlite_up() -> list[str]:
    columns = ", ".join(CASE_COLUMNS)
    archived = "(SELECT archived_at FROM cases WHERE id = {row}.case_id) IS NOT NULL"
    statements = [
        f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
        f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
        f"CREATE TRIGGER letters_issued_no_update BEFORE UPDATE ON letters "
        f"WHEN old.status = 'issued' BEGIN SELECT RAISE(ABORT, '{LETTER_MESSAGE}'); END",
        f"CREATE TRIGGER letters_issued_no_delete BEFORE DELETE ON letters "
        f"WHEN old.status = 'issued' BEGIN SELECT RAISE(ABORT, '{LETTER_MESSAGE}'); END",
        f"CREATE TRIGGER cases_archived_no_update BEFORE UPDATE OF {columns} ON cases "
        f"WHEN old.archived_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{ARCHIVED_MESSAGE}'); END",
        f"CREATE TRIGGER cases_archived_no_delete BEFORE DELETE ON cases "
        f"WHEN old.archived_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{ARCHIVED_MESSAGE}'); END",
    ]
    for table in EVENT_TABLES:
        for verb, row in (("UPDATE", "old"), ("DELETE", "old")):
            statements.append(
                f"CREATE TRIGGER {table}_archived_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"WHEN {archived.format(row=row)} "
                f"BEGIN SELECT RAISE(ABORT, '{ARCHIVED_MESSAGE}'); END"
            )
    return statements


def _sqlite_down() -> list[str]:
    names = [
        "audit_no_update", "audit_no_delete", "letters_issued_no_update",
        "letters_issued_no_delete", "cases_archived_no_update", "cases_archived_no_delete",
    ]  # fmt: skip
    names += [f"{t}_archived_no_{v}" for t in EVENT_TABLES for v in ("update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _postgres_up() -> list[str]:
    old_cols = ", ".join(f"OLD.{c}" for c in CASE_COLUMNS)
    new_cols = ", ".join(f"NEW.{c}" for c in CASE_COLUMNS)
    statements = [
        "CREATE FUNCTION dd_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{AUDIT_MESSAGE}' {PG_ERRCODE}; "
        "END $$",
        "CREATE FUNCTION dd_refuse_issued_letter_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF OLD.status = 'issued' THEN "
        f"RAISE EXCEPTION '{LETTER_MESSAGE}' {PG_ERRCODE}; "
        "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE FUNCTION dd_refuse_archived_case_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF OLD.archived_at IS NOT NULL AND "
        f"(TG_OP = 'DELETE' OR ({old_cols}) IS DISTINCT FROM ({new_cols})) THEN "
        f"RAISE EXCEPTION '{ARCHIVED_MESSAGE}' {PG_ERRCODE}; "
        "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE FUNCTION dd_refuse_archived_event_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id AND archived_at IS NOT NULL) THEN "
        f"RAISE EXCEPTION '{ARCHIVED_MESSAGE}' {PG_ERRCODE}; "
        "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
        "FOR EACH ROW EXECUTE FUNCTION dd_refuse_audit_change()",
        "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION dd_refuse_audit_change()",
        "CREATE TRIGGER letters_issued_fixed BEFORE UPDATE OR DELETE ON letters "
        "FOR EACH ROW EXECUTE FUNCTION dd_refuse_issued_letter_change()",
        "CREATE TRIGGER cases_archived_fixed BEFORE UPDATE OR DELETE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_case_change()",
    ]
    for table in EVENT_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_archived_fixed BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION dd_refuse_archived_event_change()"
        )
    return statements


def _postgres_down() -> list[str]:
    statements = [
        "DROP TRIGGER IF EXISTS audit_append_only ON audit",
        "DROP TRIGGER IF EXISTS audit_no_truncate ON audit",
        "DROP TRIGGER IF EXISTS letters_issued_fixed ON letters",
        "DROP TRIGGER IF EXISTS cases_archived_fixed ON cases",
    ]
    statements += [f"DROP TRIGGER IF EXISTS {t}_archived_fixed ON {t}" for t in EVENT_TABLES]
    statements += [
        f"DROP FUNCTION IF EXISTS {name}()"
        for name in (
            "dd_refuse_audit_change",
            "dd_refuse_issued_letter_change",
            "dd_refuse_archived_case_change",
            "dd_refuse_archived_event_change",
        )
    ]
    return statements


def _hash_existing_records() -> None:
    """Chain the records written before this revision, oldest first."""
    from cases.storage.audit import GENESIS, chain_hash

    bind = op.get_bind()
    audit = sa.table(
        "audit",
        sa.column("id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("field", sa.String()),
        sa.column("old", sa.Text()),
        sa.column("new", sa.Text()),
        sa.column("hash", sa.String()),
    )
    previous = GENESIS
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all()
    for row in rows:
        previous = chain_hash(previous, dict(row))
        bind.execute(audit.update().where(audit.c.id == row["id"]).values(hash=previous))


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _hash_existing_records()
    with op.batch_alter_table("audit") as batch:
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    # A plain ADD COLUMN: batch mode would rebuild cases and drop its text-search triggers.
    op.add_column(
        "cases", sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    dialect = op.get_bind().dialect.name
    statements = _sqlite_up() if dialect == "sqlite" else _postgres_up()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = _sqlite_down() if dialect == "sqlite" else _postgres_down()
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("demo")
    if dialect == "sqlite":  # the rebuilt table lost the text-search triggers of 0002
        from importlib import import_module

        fts = import_module("cases.storage.migrations.versions.0002_case_text_search")
        for statement in fts.SQLITE_DOWN[:3] + fts.SQLITE_UP[1:]:
            op.execute(statement)
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("hash")
