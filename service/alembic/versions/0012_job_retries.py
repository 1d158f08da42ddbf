"""transient retries: how often a job met an unavailable store or database, and when a call tries again

`job.retries` counts the transient failures of a job (a storage or database outage), apart from
`attempts` (interrupted runs); a `retrying` job's next try is its `lease_expires_at`. `call.retry_at`
shows that time to clients while the call is `retrying`. Existing rows start at 0 retries.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('job', sa.Column('retries', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('call', sa.Column('retry_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('call') as batch_op:
        batch_op.drop_column('retry_at')
    with op.batch_alter_table('job') as batch_op:
        batch_op.drop_column('retries')
