"""Reserved for issue 12: search records, pre-sign-off check results and overrides.

Revision ID: 0005
Revises: 0004
Created: 2026-12-01
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
