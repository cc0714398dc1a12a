"""Text search over application descriptions: SQLite FTS5 trigram or PostgreSQL pg_trgm.

Revision ID: 0002
Revises: 0001
Created: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    # External-content table: the text lives once, in cases.description.
    "CREATE VIRTUAL TABLE case_fts USING fts5("
    "description, content='cases', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER case_fts_ai AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_fts(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER case_fts_ad AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER case_fts_au AFTER UPDATE OF description ON cases BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); "
    "INSERT INTO case_fts(rowid, description) VALUES (new.id, new.description); END",
    "INSERT INTO case_fts(case_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS case_fts_au",
    "DROP TRIGGER IF EXISTS case_fts_ad",
    "DROP TRIGGER IF EXISTS case_fts_ai",
    "DROP TABLE IF EXISTS case_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_cases_description_trgm ON cases USING gin (description gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_cases_description_trgm"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
