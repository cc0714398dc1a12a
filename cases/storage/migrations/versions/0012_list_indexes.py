"""Indexes for what still read a whole table: the approvals waiting for a decision, the archive.

- approvals (case_id, stage) WHERE decision IS NULL: 我的待办 asks for the requests still waiting
  for a decision, which nothing indexed; PostgreSQL read all 550,000 approvals of the 300,000-case
  demo for every first screen (70 ms). The waiting ones are a few hundred.
- cases (archived_at): the count of 已归档 beside the quick views read every case.

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
    op.create_index("ix_cases_archived_at", "cases", ["archived_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_archived_at", table_name="cases")
    op.drop_index("ix_approvals_waiting", table_name="approvals")
