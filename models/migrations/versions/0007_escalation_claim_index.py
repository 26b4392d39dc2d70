"""the sweep's claim index: due complaints in (trigger, id) order, open triggers only

A morning's due complaints share one trigger (07:30 local), so an index on the trigger alone left
PostgreSQL sorting every due row by id for each batch of the sweep; with the id in the index each
batch is an index range read that stops at the batch size. Only complaints with a trigger are in it:
the finished history (most of the table) has none.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-05 04:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

HAS_TRIGGER = "next_escalation_at IS NOT NULL"


def upgrade() -> None:
    where = sa.text(HAS_TRIGGER)
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_next_escalation')
        batch_op.create_index('ix_complaints_next_escalation', ['next_escalation_at', 'id'], unique=False,
                              sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_next_escalation')
        batch_op.create_index('ix_complaints_next_escalation', ['next_escalation_at'], unique=False)
