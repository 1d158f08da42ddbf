"""the coaching library: clips (a titled span of a call) and playlists of clips for a team or the
whole organization

Every row names its call, its clips or its playlist by a foreign key, so deleting a call deletes
its clips and their places in playlists (`service.domain.erasure` follows the keys).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 11:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        'clip',
        sa.Column('id', _text(32), primary_key=True),
        sa.Column('org_id', _text(32), sa.ForeignKey('organization.id'), nullable=False),
        sa.Column('call_id', _text(32), sa.ForeignKey('call.id'), nullable=False),
        sa.Column('start_s', sa.Float(), nullable=False),
        sa.Column('end_s', sa.Float(), nullable=False),
        sa.Column('title', _text(300), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_user_id', _text(32), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('created_by_key_id', _text(32), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    for column in ('org_id', 'call_id', 'created_by_user_id', 'created_at'):
        op.create_index(f'ix_clip_{column}', 'clip', [column])
    op.create_table(
        'playlist',
        sa.Column('id', _text(32), primary_key=True),
        sa.Column('org_id', _text(32), sa.ForeignKey('organization.id'), nullable=False),
        sa.Column('team_id', _text(32), sa.ForeignKey('team.id'), nullable=True),
        sa.Column('audience', _text(16), nullable=False),
        sa.Column('title', _text(300), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('created_by_user_id', _text(32), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('created_by_key_id', _text(32), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    for column in ('org_id', 'team_id', 'created_by_user_id', 'created_at'):
        op.create_index(f'ix_playlist_{column}', 'playlist', [column])
    op.create_table(
        'playlistclip',
        sa.Column('id', _text(32), primary_key=True),
        sa.Column('playlist_id', _text(32), sa.ForeignKey('playlist.id'), nullable=False),
        sa.Column('clip_id', _text(32), sa.ForeignKey('clip.id'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('playlist_id', 'clip_id', name='uq_playlistclip_playlist_clip'),
    )
    op.create_index('ix_playlistclip_playlist_id', 'playlistclip', ['playlist_id'])
    op.create_index('ix_playlistclip_clip_id', 'playlistclip', ['clip_id'])


def downgrade() -> None:
    op.drop_table('playlistclip')
    op.drop_table('playlist')
    op.drop_table('clip')
