"""dashboard inbox indexes: newest-first paging overall and per agency

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:20:00
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_agency_created', ['agency_code', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_agency_created')
        batch_op.drop_index('ix_complaints_created')
