"""interruption counts in the call feature rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('callfeatures', sa.Column('interruptions_rep', sa.Float(), nullable=True))
    op.add_column('callfeatures', sa.Column('interruptions_customer', sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column('callfeatures', 'interruptions_customer')
    op.drop_column('callfeatures', 'interruptions_rep')
