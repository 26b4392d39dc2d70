"""emergencies: a flag on the complaint, urgency on the outbox row

An emergency (fire, people trapped by a flood, a collapsed bridge with victims, a medical emergency) is
filed with an SLA in hours and alerted at once to the duty roster; its outbox rows are claimed before
everything else that is due.

Revision ID: 0014
Revises: 0009 (dialogA's open questions; was 0007)
Create Date: 2026-12-05 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: no rebuild of the complaints or notifications tables.
    op.add_column('complaints', sa.Column('emergency', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('notifications', sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('urgent')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('emergency')
