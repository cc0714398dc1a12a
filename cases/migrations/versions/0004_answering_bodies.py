"""Reserved for issue 11: answering bodies, letter statements, reasons and opinions.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
