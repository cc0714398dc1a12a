"""A version number on each case, raised by every change, so that two desks cannot both act on it.

Revision ID: 0007
Revises: 0006
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: batch mode would rebuild the SQLite table and lose the
    # search triggers of revision 0002. Existing cases start at version 1.
    op.add_column(
        "cases", sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("version")
