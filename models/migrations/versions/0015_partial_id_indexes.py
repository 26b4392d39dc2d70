"""lookups by an outside id index only the rows that have one

`notifications.provider_message_id` and `complaints.lapor_tracking_id` are only ever looked up by a value
(`= :id`), which both databases answer from an index over the non-NULL rows alone. Most rows have none:
every outbox row until it is sent, and every complaint LAPOR! has not numbered. The escalation sweep
writes thousands of both in a morning (its UPDATE moves the indexed trigger, so each complaint's new row
version is entered in every index it is in): one index entry fewer per outbox row and per complaint.
Uniqueness of the LAPOR! id is unchanged (NULLs never conflicted).

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-05 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None

# (table, index, column, unique)
INDEXES = (
    ('notifications', 'ix_notifications_provider_message_id', 'provider_message_id', False),
    ('complaints', 'ix_complaints_lapor_tracking_id', 'lapor_tracking_id', True),
)


def upgrade() -> None:
    for table, index, column, unique in INDEXES:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(index, table_name=table)
        op.create_index(index, table, [column], unique=unique, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for table, index, column, unique in INDEXES:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, [column], unique=unique)
