"""Reserved for issue 9/10: checklist ticks and other state of the desktop client.

Revision ID: 0009
Revises: 0008
Created: 2026-12-01
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
