"""reporter safety: misconduct subject, session versions, throttles with expiry, per-deployment keys

Revision ID: 0005
Revises: 0003 (re-chained after the house's 0004 at merge time)
Create Date: 2026-12-05 04:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both backends: no copy of a big complaints table (SQLite's batch mode
    # would rebuild it, and its indexes in another order, which changes what the query planner picks).
    op.add_column('officials', sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('complaints', sa.Column('misconduct', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('complaints', sa.Column('masked_text', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(sa.text('ALTER TABLE complaints ADD COLUMN subject_agency_code VARCHAR(40) '
                           'CONSTRAINT fk_complaints_subject_agency_code_agencies REFERENCES agencies (code)'))
    else:
        op.add_column('complaints', sa.Column('subject_agency_code', sa.String(length=40), nullable=True))
        op.create_foreign_key(op.f('fk_complaints_subject_agency_code_agencies'), 'complaints', 'agencies',
                              ['subject_agency_code'], ['code'])
    op.create_table(
        'throttles',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_throttles')),
    )
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttles_expires_at'), ['expires_at'], unique=False)
    keys = op.create_table(
        'site_keys',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_site_keys')),
    )
    # The key behind reporters' pseudonyms ("Pelapor #3F2A"): random per deployment, made here once.
    op.bulk_insert(keys, [{'name': 'pseudonym', 'value': secrets.token_hex(32)}])
    # Failed-login counters move to their own table; the old app_state rows mean nothing any more.
    op.execute(sa.text("DELETE FROM app_state WHERE key LIKE 'login:%'"))


def downgrade() -> None:
    op.drop_table('site_keys')
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttles_expires_at'))
    op.drop_table('throttles')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_subject_agency_code_agencies'), type_='foreignkey')
        batch_op.drop_column('subject_agency_code')
        batch_op.drop_column('masked_text')
        batch_op.drop_column('misconduct')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_column('session_version')
