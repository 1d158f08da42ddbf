"""webhook secrets encrypted at rest: the column holds a Fernet token (longer than the secret)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 23:59:00
"""
from collections.abc import Sequence

import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The secrets themselves are encrypted at start-up (service.webhooks.delivery.seal_legacy_secrets):
    # the key is a setting of the running server, not of the migration.
    with op.batch_alter_table('webhook', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=1000), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sqlmodel.sql.sqltypes.AutoString(length=1000),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=False)
