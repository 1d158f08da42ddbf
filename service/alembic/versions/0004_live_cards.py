"""live cards: one record per streamed call (cards shown or held out, their follow-through)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:55:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('livecall',
    sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('held_out', sa.Boolean(), nullable=False),
    sa.Column('holdout', sa.Float(), nullable=False),
    sa.Column('insight_snapshot_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('cards', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('call_id')
    )
    with op.batch_alter_table('livecall', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_livecall_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_livecall_held_out'), ['held_out'], unique=False)
        batch_op.create_index(batch_op.f('ix_livecall_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('livecall', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_livecall_org_id'))
        batch_op.drop_index(batch_op.f('ix_livecall_held_out'))
        batch_op.drop_index(batch_op.f('ix_livecall_created_at'))

    op.drop_table('livecall')
