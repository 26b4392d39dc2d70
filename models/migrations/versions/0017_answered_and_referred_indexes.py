"""the digests' week and on-time figures read recent answers and referrals through an index

The morning digest counts complaints answered this week and last week, overall and per agency, and the
agencies' 30-day on-time rate; the monthly recap lists last month's Ombudsman referrals. Each is a range
over `answered_at` or `ombudsman_referred_at`, which no index covered: on a regency with five years of
history the daily job read every complaint, about 24 times (digests 12-19x slower among 1,000,000 rows
than among 10,000; issue 17 asks at most 2x). Both indexes hold only the rows that have the time, so a
complaint still waiting for its answer (most of what the escalation sweep updates) costs nothing in them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 19:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (index, columns, the time only rows that have it are in the index for)
INDEXES = (
    ('ix_complaints_answered', ['answered_at'], 'answered_at'),
    # per agency (each Kepala OPD's digest): an equality on the agency would otherwise lead the planner to
    # the agency's status index, which holds all its years
    ('ix_complaints_agency_answered', ['agency_code', 'answered_at'], 'answered_at'),
    ('ix_complaints_ombudsman_referred', ['ombudsman_referred_at'], 'ombudsman_referred_at'),
)


def upgrade() -> None:
    for index, columns, timed in INDEXES:
        where = sa.text(f"{timed} IS NOT NULL")
        op.create_index(index, 'complaints', columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for index, _, _ in INDEXES:
        op.drop_index(index, table_name='complaints')
