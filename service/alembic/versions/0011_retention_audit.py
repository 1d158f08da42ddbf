"""retention policies, tombstones of deletions, the append-only audit trail; calls say when the
retention policy deleted their recording or their transcript and analysis

`auditevent` and `tombstone` refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) with a
trigger on both backends: the application has no path that changes them, and the database keeps
it so.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = ('auditevent', 'tombstone')


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.add_column('call', sa.Column('audio_expired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('call', sa.Column('analysis_expired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        'retentionpolicy',
        sa.Column('org_id', _text(32), sa.ForeignKey('organization.id'), primary_key=True),
        sa.Column('audio_days', sa.Integer(), nullable=True),
        sa.Column('analysis_days', sa.Integer(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        'auditevent',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('org_id', _text(32), nullable=True),
        sa.Column('action', _text(40), nullable=False),
        sa.Column('actor_user_id', _text(32), nullable=True),
        sa.Column('actor_key_id', _text(32), nullable=True),
        sa.Column('actor_label', _text(200), nullable=True),
        sa.Column('via', _text(10), nullable=False),
        sa.Column('target_kind', _text(20), nullable=True),
        sa.Column('target_id', _text(200), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('ip', _text(64), nullable=True),
    )
    for column in ('at', 'org_id', 'action', 'actor_user_id', 'target_id'):
        op.create_index(f'ix_auditevent_{column}', 'auditevent', [column])
    op.create_table(
        'tombstone',
        sa.Column('id', _text(32), primary_key=True),
        sa.Column('org_id', _text(32), nullable=False),
        sa.Column('kind', _text(20), nullable=False),
        sa.Column('subject_id', _text(200), nullable=True),
        sa.Column('call_ids', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('by_user_id', _text(32), nullable=True),
        sa.Column('by_key_id', _text(32), nullable=True),
        sa.Column('by_label', _text(200), nullable=True),
        sa.Column('via', _text(10), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index('ix_tombstone_org_id', 'tombstone', ['org_id'])
    op.create_index('ix_tombstone_created_at', 'tombstone', ['created_at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE FUNCTION talktrack_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'the % table is append-only', TG_TABLE_NAME; END $$")
        for table in _APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION talktrack_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION talktrack_append_only()")
    else:
        for table in _APPEND_ONLY:
            for verb in ('UPDATE', 'DELETE'):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                           f"SELECT RAISE(ABORT, 'the {table} table is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in _APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS talktrack_append_only()")
    else:
        for table in _APPEND_ONLY:
            for verb in ('update', 'delete'):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table('tombstone')
    op.drop_table('auditevent')
    op.drop_table('retentionpolicy')
    op.drop_column('call', 'analysis_expired_at')
    op.drop_column('call', 'audio_expired_at')
