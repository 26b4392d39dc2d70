"""outbox payloads compressed with lz4 on PostgreSQL

A regional leader's bundle lists every complaint a sweep escalated to them: a morning of 10,000 due
complaints writes payloads of about 1.3 MB (ten held rows per person, then the folded one). PostgreSQL
compresses such values before storing them out of line, with pglz unless told otherwise; lz4 took 18-20 ms
where pglz took 46-49 ms for three of them and stored 79 KB instead of 139 KB each (PostgreSQL 15, same
payloads). Short payloads (a single alert, under 2 KB) are not compressed either way. Values already stored
stay as they are: each is read back with the method it was written with. SQLite has no such setting, and
a PostgreSQL built without lz4 keeps pglz.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 18:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

LZ4_AVAILABLE = ("SELECT count(*) FROM pg_settings "
                 "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")


def upgrade() -> None:
    if _postgres_with_lz4():
        op.execute("ALTER TABLE notifications ALTER COLUMN payload SET COMPRESSION lz4")


def downgrade() -> None:
    if _postgres_with_lz4():
        op.execute("ALTER TABLE notifications ALTER COLUMN payload SET COMPRESSION DEFAULT")


def _postgres_with_lz4() -> bool:
    connection = op.get_bind()
    return connection.dialect.name == "postgresql" and bool(connection.execute(sa.text(LZ4_AVAILABLE)).scalar())
