"""Reserved for issue 13: triggers protecting the legal record; the audit hash chain.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
