"""Reserved for issue 14: search tokens for every term length and the indexes of every sort.

Revision ID: 0006
Revises: 0005
Created: 2026-12-01
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
