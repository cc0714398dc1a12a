"""Reserved for issue 8: settings and vocabulary as data.

Revision ID: 0008
Revises: 0007
Created: 2026-12-01
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
