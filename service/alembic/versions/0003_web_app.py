"""web app: user roles and passwords, browser sessions, invites, transcript full-text index,
insight snapshots per team

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', _S(length=20), nullable=False, server_default='rep'))
        batch_op.add_column(sa.Column('password_hash', _S(length=255), nullable=True))
        batch_op.add_column(sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=False)

    op.create_table('websession',
    sa.Column('id', _S(length=32), nullable=False),
    sa.Column('user_id', _S(length=32), nullable=False),
    sa.Column('token_hash', _S(length=64), nullable=False),
    sa.Column('csrf_token', _S(length=64), nullable=False),
    sa.Column('created_at', _T(), nullable=False),
    sa.Column('expires_at', _T(), nullable=False),
    sa.Column('ip', _S(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_websession_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_websession_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_websession_expires_at'), ['expires_at'], unique=False)

    op.create_table('invite',
    sa.Column('id', _S(length=32), nullable=False),
    sa.Column('user_id', _S(length=32), nullable=False),
    sa.Column('token_hash', _S(length=64), nullable=False),
    sa.Column('created_at', _T(), nullable=False),
    sa.Column('expires_at', _T(), nullable=False),
    sa.Column('used_at', _T(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_token_hash'), ['token_hash'], unique=True)

    op.create_table('calltext',
    sa.Column('call_id', _S(length=32), nullable=False),
    sa.Column('org_id', _S(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', _T(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('call_id')
    )
    with op.batch_alter_table('calltext', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calltext_org_id'), ['org_id'], unique=False)

    with op.batch_alter_table('insightsnapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', _S(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_insightsnapshot_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key('fk_insightsnapshot_team_id', 'team', ['team_id'], ['id'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_calltext_fts ON calltext USING GIN (to_tsvector('english', body))")
    else:
        # An external-content FTS5 table kept in step with `calltext` by triggers.
        op.execute("CREATE VIRTUAL TABLE calltext_fts USING fts5(body, content='calltext', "
                   "content_rowid='rowid', tokenize='porter unicode61')")
        op.execute("CREATE TRIGGER calltext_ai AFTER INSERT ON calltext BEGIN "
                   "INSERT INTO calltext_fts(rowid, body) VALUES (new.rowid, new.body); END")
        op.execute("CREATE TRIGGER calltext_ad AFTER DELETE ON calltext BEGIN "
                   "INSERT INTO calltext_fts(calltext_fts, rowid, body) VALUES('delete', old.rowid, old.body); END")
        op.execute("CREATE TRIGGER calltext_au AFTER UPDATE ON calltext BEGIN "
                   "INSERT INTO calltext_fts(calltext_fts, rowid, body) VALUES('delete', old.rowid, old.body); "
                   "INSERT INTO calltext_fts(rowid, body) VALUES (new.rowid, new.body); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_calltext_fts")
    else:
        for trig in ('calltext_ai', 'calltext_ad', 'calltext_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS calltext_fts")
    op.drop_table('calltext')
    with op.batch_alter_table('insightsnapshot', schema=None) as batch_op:
        batch_op.drop_constraint('fk_insightsnapshot_team_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_insightsnapshot_team_id'))
        batch_op.drop_column('team_id')
    op.drop_table('invite')
    op.drop_table('websession')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_email'))
        batch_op.drop_column('disabled')
        batch_op.drop_column('password_hash')
        batch_op.drop_column('role')
