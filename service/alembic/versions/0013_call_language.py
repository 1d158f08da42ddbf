"""the spoken language of a call: the upload's choice on the call, an organization's default, and
each analysed call's language on its feature row (insights compare calls of one language)

`call.language` and `organization.default_language` are NULL for existing rows (English, as before);
`callfeatures.language` is NULL for rows written before it was kept, which are English calls.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('call', sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('organization', sa.Column('default_language', sqlmodel.sql.sqltypes.AutoString(length=16),
                                            nullable=True))
    op.add_column('callfeatures', sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.create_index('ix_callfeatures_language', 'callfeatures', ['language'])


def downgrade() -> None:
    op.drop_index('ix_callfeatures_language', table_name='callfeatures')
    with op.batch_alter_table('callfeatures') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('organization') as batch_op:
        batch_op.drop_column('default_language')
    with op.batch_alter_table('call') as batch_op:
        batch_op.drop_column('language')
