"""each person's language for the web app and their e-mails (issue 25): `user.locale`

NULL for existing people (nothing chosen yet): their pages follow the browser as before and their
mention e-mails are English.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 03:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('user', sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('locale')
