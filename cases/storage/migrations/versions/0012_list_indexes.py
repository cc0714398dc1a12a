"""Indexes for the first screens that still read a table: waiting approvals, voided ids, archive.

- approvals (case_id, stage) WHERE decision IS NULL: 我的待办 asks for the requests still waiting
  for a decision, which nothing indexed; PostgreSQL read all 550,000 approvals of the 300,000-case
  demo for every first screen (70 ms). The waiting ones are a few hundred.
- cases (id) WHERE voided: every list leaves out the voided cases by their ids (NOT IN); the index
  of the flag alone makes PostgreSQL fetch each voided row from the table to learn its id.
- cases (archived_at): 已归档 and the archive's date, which no index served.

Revision ID: 0012
Revises: 0011
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_approvals_waiting",
        "approvals",
        ["case_id", "stage"],
        sqlite_where=sa.text("decision IS NULL"),
        postgresql_where=sa.text("decision IS NULL"),
    )
    # `voided = 1` on SQLite, as the list's condition is spelt there: SQLite uses a partial index
    # only when the query's terms name its condition.
    op.create_index(
        "ix_cases_voided_ids",
        "cases",
        ["id"],
        sqlite_where=sa.text("voided = 1"),
        postgresql_where=sa.text("voided = true"),
    )
    op.create_index("ix_cases_archived_at", "cases", ["archived_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_archived_at", table_name="cases")
    op.drop_index("ix_cases_voided_ids", table_name="cases")
    op.drop_index("ix_approvals_waiting", table_name="approvals")
