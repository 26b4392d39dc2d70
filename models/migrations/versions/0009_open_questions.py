"""open questions bound to one complaint; the reporter's language

Every question the desk asks a person ("sudah selesai?", a rating, an alert awaiting a decision) is a row
naming the complaint it is about, so a reply changes that complaint and no other. Reporters keep the
language they chose or write in, for every later message (status relays and reminders included).

Revision ID: 0009
Revises: 0012 (re-chained after main's 0012 at merge time)
Create Date: 2026-12-05 07:10:00
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = '0009'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('reporters', sa.Column('language', sa.String(length=5), nullable=True))
    op.create_table(
        'open_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audience', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.String(length=64), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('asked_at', UTCDateTime(), nullable=False),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.Column('answer', sa.String(length=40), nullable=True),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('provider_message_id', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'],
                                name=op.f('fk_open_questions_complaint_id_complaints')),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                                name=op.f('fk_open_questions_notification_id_notifications')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open_questions')),
    )
    with op.batch_alter_table('open_questions', schema=None) as batch_op:
        batch_op.create_index('ix_open_questions_person', ['audience', 'person_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_questions_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_questions_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_questions_provider_message_id'), ['provider_message_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('open_questions')
    with op.batch_alter_table('reporters', schema=None) as batch_op:
        batch_op.drop_column('language')
