"""Issue 12: search records, check runs and overrides, review answer notices, applicant indexes.

Revision ID: 0005
Revises: 0004
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("searched_on", sa.Date(), nullable=False),
        sa.Column("places", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("departments", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_search_records_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_records")),
    )
    with op.batch_alter_table("search_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_records_case_id"), ["case_id"], unique=False)

    op.create_table(
        "check_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("red", sa.Integer(), nullable=False),
        sa.Column("amber", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_check_runs_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_runs")),
    )
    with op.batch_alter_table("check_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_runs_case_id"), ["case_id"], unique=False)

    op.create_table(
        "check_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_check_overrides_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_overrides")),
    )
    with op.batch_alter_table("check_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_overrides_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_notice_on", sa.Date(), nullable=True))

    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.create_index("ix_applicants_id_number", ["id_number"], unique=False)
        batch_op.create_index("ix_applicants_phone", ["phone"], unique=False)
        batch_op.create_index("ix_applicants_address", ["address"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_index("ix_applicants_address")
        batch_op.drop_index("ix_applicants_phone")
        batch_op.drop_index("ix_applicants_id_number")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("answer_notice_on")
    op.drop_table("check_overrides")
    op.drop_table("check_runs")
    op.drop_table("search_records")
