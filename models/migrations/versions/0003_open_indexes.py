"""indexes over open complaints only: digests cost the open work, not the history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must keep meaning what it meant when it ran.
OPEN_CONDITION = "status IN ('coordinating', 'dispatched', 'in_progress', 'received', 'reopened')"


def upgrade() -> None:
    where = sa.text(OPEN_CONDITION)
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_open_agency_created', ['agency_code', 'created_at', 'id'], unique=False,
                              sqlite_where=where, postgresql_where=where)
        batch_op.create_index('ix_complaints_open_created', ['created_at', 'id'], unique=False,
                              sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_open_created')
        batch_op.drop_index('ix_complaints_open_agency_created')
