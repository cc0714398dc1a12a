"""Issue 11: answering body, the letter's statement, 36(5) holder, opinions, voided date.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01
"""

# Plain ADD COLUMN on both backends (no batch copy of the tables on SQLite), so that the
# triggers revision 0003 puts on these tables stay in place. The NOT NULL text columns get an
# empty server default for the rows that exist; the models give the same default in Python.

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("cases", sa.Column("body", sa.String(length=100), nullable=True)),
    ("cases", sa.Column("outcome_statement", sa.Text(), nullable=False, server_default="")),
    (
        "cases",
        sa.Column("outcome_holder", sa.String(length=200), nullable=False, server_default=""),
    ),
    (
        "cases",
        sa.Column(
            "outcome_holder_contact", sa.String(length=200), nullable=False, server_default=""
        ),
    ),
    ("cases", sa.Column("voided_on", sa.Date(), nullable=True)),
    ("consultations", sa.Column("note", sa.Text(), nullable=False, server_default="")),
    ("consultations", sa.Column("information", sa.Text(), nullable=False, server_default="")),
    (
        "consultations",
        sa.Column("disclosure_reason", sa.Text(), nullable=False, server_default=""),
    ),
    ("letters", sa.Column("issued_on", sa.Date(), nullable=True)),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place; the columns dropped here carry no index.
    for table, column in reversed(_COLUMNS):
        op.drop_column(table, column.name)
