"""the call brief beside the analysis, and the per-call numbers a deal view compares

`callresult.brief_json` holds the brief (`nlp.brief.Brief.to_dict()`), apart from the big analysis
JSON, so that a deal view of 20 calls reads 20 small briefs and never parses 20 transcripts;
`customer_talk_share`, `customer_questions` and `speaker_names` are what the deal warnings compare
across calls. Calls analysed before this revision keep NULL there: they have no brief (the deal
view lists them as such, docs/deals.md); nothing is computed here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('callresult', sa.Column('brief_json', sa.Text(), nullable=True))
    op.add_column('callresult', sa.Column('customer_talk_share', sa.Float(), nullable=True))
    op.add_column('callresult', sa.Column('customer_questions', sa.Integer(), nullable=True))
    op.add_column('callresult', sa.Column('speaker_names', sa.JSON(), nullable=True))


def downgrade() -> None:
    for column in ('speaker_names', 'customer_questions', 'customer_talk_share', 'brief_json'):
        op.drop_column('callresult', column)
