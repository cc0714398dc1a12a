"""The applicant's type kept on each case, so that a list sorted by 申请人类型 walks one index.

The type lives on applicants, so each segment of that sort (one per type, newest first) walked the
received index and looked up every row's applicant, or read a type's applicants first (19.5 ms at
1,000,000 cases for the worst direction). `cases.applicant_type` holds a copy of the applicant's
type and `ix_cases_type_received` (applicant_type, received, id) gives each segment its rows in
order. The database keeps the copy right by itself, on every path that writes a case (the
window's actions, import, exchange, `db copy`, raw SQL):

- SQLite: after an insert, and after an update of applicant_id or applicant_type, a case whose
  copy differs from its applicant's type is set to it (no BEFORE trigger may change the row
  there); after an update of an applicant's type, its cases follow. The writers that know the
  type (import, exchange, demo) write it with the row, so the trigger only compares.
- PostgreSQL: a BEFORE trigger sets the copy from the applicant on insert and on an update of
  either column, after the archived record's own check (triggers fire by name), and an
  applicant's new type is written to its cases. Each touches only the rows of one case or of one
  applicant's cases: nothing every desk of a shared server would queue on. The case's trigger
  reads the applicant FOR SHARE, so a case written while its applicant's type is being changed
  waits for that change instead of copying the type it replaces.

An archived case's applicant cannot change (revision 0010), so neither can its copy; the archived
record's trigger on SQLite lists the new column, and on PostgreSQL compares whole rows anyway.
`verify` names a case whose copy differs (cases/storage/case_types.py).

Revision ID: 0015
Revises: 0014
Created: 2026-12-01
"""

from importlib import import_module
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "CREATE INDEX ix_cases_type_received ON cases (applicant_type, received, id)"
OF_APPLICANT = "(SELECT type FROM applicants WHERE id = new.applicant_id)"


def _r0010() -> ModuleType:
    return import_module("cases.storage.migrations.versions.0010_archived_record")


def _archived_trigger_sqlite(with_type: bool) -> str:
    """0010's trigger fixing an archived case, with the copy of the type listed when asked."""
    r0010 = _r0010()
    changed = r0010._changed_sqlite(r0010.CASE_COLUMNS)
    if with_type:
        # Filled where it is empty (a case written archived by raw SQL), then fixed.
        copy = "old.applicant_type"
        changed += f" OR ({copy} IS NOT NULL AND {copy} IS NOT new.applicant_type)"
    return (
        "CREATE TRIGGER cases_archived_no_update BEFORE UPDATE ON cases "
        f"WHEN old.archived_at IS NOT NULL AND ({changed}) {r0010._refuse_sqlite()}"
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER cases_type_ai AFTER INSERT ON cases "
    f"WHEN new.applicant_type IS NOT {OF_APPLICANT} "
    f"BEGIN UPDATE cases SET applicant_type = {OF_APPLICANT} WHERE id = new.id; END",
    "CREATE TRIGGER cases_type_au AFTER UPDATE OF applicant_id, applicant_type ON cases "
    f"WHEN new.applicant_type IS NOT {OF_APPLICANT} "
    f"BEGIN UPDATE cases SET applicant_type = {OF_APPLICANT} WHERE id = new.id; END",
    "CREATE TRIGGER applicants_type_au AFTER UPDATE OF type ON applicants "
    "WHEN old.type IS NOT new.type BEGIN "
    "UPDATE cases SET applicant_type = new.type WHERE applicant_id = new.id; END",
]
SQLITE_TRIGGER_NAMES = ("applicants_type_au", "cases_type_au", "cases_type_ai")

POSTGRES_TRIGGERS = [
    # FOR SHARE: an applicant's type changed by a transaction not yet committed is waited for
    # and then read, since that transaction's own trigger cannot see this case (the foreign
    # key's FOR KEY SHARE lets such an update by).
    "CREATE FUNCTION dd_case_applicant_type() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN SELECT type INTO NEW.applicant_type FROM applicants WHERE id = NEW.applicant_id "
    "FOR SHARE; RETURN NEW; END $$",
    # Named after cases_archived_fixed, which PostgreSQL fires first: an archived case asked to
    # take another type is refused, not quietly given its applicant's back.
    "CREATE TRIGGER cases_type_from_applicant BEFORE INSERT OR UPDATE OF applicant_id, "
    "applicant_type ON cases FOR EACH ROW EXECUTE FUNCTION dd_case_applicant_type()",
    "CREATE FUNCTION dd_applicant_type_to_cases() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE cases SET applicant_type = NEW.type WHERE applicant_id = NEW.id "
    "AND applicant_type IS DISTINCT FROM NEW.type; RETURN NULL; END $$",
    "CREATE TRIGGER applicants_type_to_cases AFTER UPDATE OF type ON applicants FOR EACH ROW "
    "WHEN (OLD.type IS DISTINCT FROM NEW.type) EXECUTE FUNCTION dd_applicant_type_to_cases()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS applicants_type_to_cases ON applicants",
    "DROP TRIGGER IF EXISTS cases_type_from_applicant ON cases",
    "DROP FUNCTION IF EXISTS dd_applicant_type_to_cases()",
    "DROP FUNCTION IF EXISTS dd_case_applicant_type()",
]


def _commonest_type(bind: sa.Connection) -> str | None:
    """PostgreSQL: the type of most cases' applicants, the new column's value for the cases
    already there. A constant default adds the column without writing a row, and each row the
    fill rewrites recomputes all its index entries, search_terms() of the search index included
    (1.6 ms a case on a busy machine: 300,000 cases took eight minutes); only the other types are
    written (most applicants are natural persons: 13 % of the demo's cases)."""
    found = bind.execute(
        sa.text(
            "SELECT a.type FROM cases AS c JOIN applicants AS a ON a.id = c.applicant_id "
            "GROUP BY a.type ORDER BY count(*) DESC, a.type LIMIT 1"
        )
    ).scalar()
    return None if found is None else str(found)


def upgrade() -> None:
    bind = op.get_bind()
    common = None if bind.dialect.name == "sqlite" else _commonest_type(bind)
    default = "" if common is None else " DEFAULT '" + common.replace("'", "''") + "'"
    # ADD COLUMN as SQL, not op.add_column: Alembic's batch mode would copy the whole table.
    op.execute(f"ALTER TABLE cases ADD COLUMN applicant_type VARCHAR(20){default}")
    if bind.dialect.name == "sqlite":
        # Filled before any trigger or index of the copy exists: a row trigger costs SQLite tens
        # of µs a row even when it does nothing, and an index built once is cheaper than one
        # kept through a million updates (1,000,000 cases: 5.8 s of CPU this way, 10.4 s with
        # the triggers and the index made first). The archived record's trigger is dropped for the
        # fill too (0010's does not list the new column, but it tests every row updated) and
        # made again after, listing it.
        op.execute("DROP TRIGGER cases_archived_no_update")
        op.execute(
            "UPDATE cases SET applicant_type = "
            "(SELECT type FROM applicants WHERE id = cases.applicant_id)"
        )
        op.execute(_archived_trigger_sqlite(with_type=True))
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute(INDEX)
        analyzed = bind.execute(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).scalar()
        if analyzed:  # as in 0013: an index without statistics passes for a very selective one
            op.execute("ANALYZE ix_cases_type_received")
        return
    if common is not None:  # the rows there keep it as their value; a new case has none
        op.execute("ALTER TABLE cases ALTER COLUMN applicant_type DROP DEFAULT")
    # The archived record's trigger compares whole rows: a new column's first value would differ.
    op.execute("ALTER TABLE cases DISABLE TRIGGER cases_archived_fixed")
    op.execute(
        "UPDATE cases SET applicant_type = a.type FROM applicants AS a "
        "WHERE a.id = cases.applicant_id AND a.type IS DISTINCT FROM cases.applicant_type"
    )
    op.execute("ALTER TABLE cases ENABLE TRIGGER cases_archived_fixed")
    for statement in POSTGRES_TRIGGERS:
        op.execute(statement)
    op.execute(INDEX)
    op.execute("ANALYZE cases")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP INDEX IF EXISTS ix_cases_type_received")
        op.execute("DROP TRIGGER cases_archived_no_update")
        op.execute(_archived_trigger_sqlite(with_type=False))
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
        op.execute("DROP INDEX IF EXISTS ix_cases_type_received")
    # SQLite 3.35 and later drop a column in place (the index on it is gone already).
    op.execute("ALTER TABLE cases DROP COLUMN applicant_type")
