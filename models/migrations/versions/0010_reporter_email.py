"""reporters.email: where a reporter from the web, phone, walk-in or Open311 hears back

A reporter who wrote in a chat is answered in that chat. One who reported through the web chat, by
phone, at the desk or through an Open311 client has no chat: they leave a number (stored in `phone`,
answered by SMS) or an e-mail address (this column). Without either, their notifications are recorded
as `no_channel`, never as `sent` (models/contacts.py). Wiped with the rest of their identity on erasure.

Revision ID: 0010
Revises: 0014
Create Date: 2026-12-05 07:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reporters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reporters', schema=None) as batch_op:
        batch_op.drop_column('email')
