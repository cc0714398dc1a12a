"""Reserved for issue 15: a version column on cases for concurrent desks.

Revision ID: 0007
Revises: 0006
Created: 2026-12-01
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
