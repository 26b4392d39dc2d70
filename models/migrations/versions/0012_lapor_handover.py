"""SP4N-LAPOR! handover and the Ombudsman path: a complaint's LAPOR! tracking id, its place in the
handover queue, and the citizen's referral to the Ombudsman RI office

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-05 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = ('lapor_tracking_id', 'lapor_pending_since', 'ombudsman_offered_at', 'ombudsman_referred_at',
           'ombudsman_office')


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the complaints table), as in 0005.
    op.add_column('complaints', sa.Column('lapor_tracking_id', sa.String(length=40), nullable=True))
    op.add_column('complaints', sa.Column('lapor_pending_since', sa.DateTime(), nullable=True))
    op.add_column('complaints', sa.Column('ombudsman_offered_at', sa.DateTime(), nullable=True))
    op.add_column('complaints', sa.Column('ombudsman_referred_at', sa.DateTime(), nullable=True))
    op.add_column('complaints', sa.Column('ombudsman_office', sa.String(length=200), nullable=True))
    op.create_index('ix_complaints_lapor_tracking_id', 'complaints', ['lapor_tracking_id'], unique=True)
    pending = sa.text('lapor_pending_since IS NOT NULL')
    op.create_index('ix_complaints_lapor_pending', 'complaints', ['lapor_pending_since', 'id'], unique=False,
                    sqlite_where=pending, postgresql_where=pending)


def downgrade() -> None:
    op.drop_index('ix_complaints_lapor_pending', table_name='complaints')
    op.drop_index('ix_complaints_lapor_tracking_id', table_name='complaints')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
