"""comments on a moment of a call (threaded one level), the notifications their @mentions create,
and explicit call shares (one grant row lets one more person see one call)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'callcomment',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('author_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('author_key_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('parent_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('start_s', sa.Float(), nullable=False),
        sa.Column('end_s', sa.Float(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('edited_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['call_id'], ['call.id']),
        sa.ForeignKeyConstraint(['author_user_id'], ['user.id']),
        sa.ForeignKeyConstraint(['parent_id'], ['callcomment.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('org_id', 'call_id', 'author_user_id', 'parent_id', 'created_at'):
        op.create_index(f'ix_callcomment_{column}', 'callcomment', [column])
    op.create_table(
        'notification',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('comment_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('actor_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('at_s', sa.Float(), nullable=False),
        sa.Column('excerpt', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.ForeignKeyConstraint(['call_id'], ['call.id']),
        sa.ForeignKeyConstraint(['comment_id'], ['callcomment.id']),
        sa.ForeignKeyConstraint(['actor_user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('org_id', 'user_id', 'call_id', 'comment_id', 'actor_user_id', 'created_at'):
        op.create_index(f'ix_notification_{column}', 'notification', [column])
    op.create_table(
        'callshare',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('granted_by_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['call_id'], ['call.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.ForeignKeyConstraint(['granted_by_user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('call_id', 'user_id', name='uq_callshare_call_user'),
    )
    for column in ('org_id', 'call_id', 'user_id'):
        op.create_index(f'ix_callshare_{column}', 'callshare', [column])


def downgrade() -> None:
    op.drop_table('callshare')
    op.drop_table('notification')
    op.drop_table('callcomment')
