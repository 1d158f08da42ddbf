"""the `audio/*` type the decoder found for a call's recording (only such recordings are served)

Calls analysed before this revision decoded as audio, so a done audio call gets the type of its
stored file's extension (frozen here: a migration must not change when the application's table
does). Every other call, failed or not yet analysed, is served once its next analysis decodes it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BY_SUFFIX = {
    ".wav": "audio/wav", ".wave": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm", ".mkv": "audio/webm",
    ".mka": "audio/webm", ".m4a": "audio/mp4", ".mp4": "audio/mp4", ".mov": "audio/mp4", ".aac": "audio/aac",
}


def upgrade() -> None:
    op.add_column('call', sa.Column('audio_type', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
    call = sa.table('call', sa.column('media_kind', sa.String), sa.column('status', sa.String),
                    sa.column('storage_key', sa.String), sa.column('audio_type', sa.String))
    for suffix, mime in _BY_SUFFIX.items():
        op.execute(call.update()
                   .where(call.c.media_kind == 'audio', call.c.status == 'done',
                          call.c.storage_key.like(f'%{suffix}'))
                   .values(audio_type=mime))


def downgrade() -> None:
    op.drop_column('call', 'audio_type')
