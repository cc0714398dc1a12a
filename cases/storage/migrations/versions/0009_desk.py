"""The desktop client's state in the file: checklist ticks (核对清单) recorded on each case.

Revision ID: 0009
Revises: 0007
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("item", sa.String(length=60), nullable=False),
        sa.Column("checked_by", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_checks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_checks")),
        sa.UniqueConstraint("case_id", "step", "item", name=op.f("uq_case_checks_item")),
    )
    with op.batch_alter_table("case_checks") as batch:
        batch.create_index(batch.f("ix_case_checks_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_checks") as batch:
        batch.drop_index(batch.f("ix_case_checks_case_id"))
    op.drop_table("case_checks")
