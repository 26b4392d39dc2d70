"""typed tables instead of app_state: jobs, idempotency keys, transport checks, Telegram offsets and keyboards

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00

`app_state` keeps only the dashboard's login throttle. What the other subsystems kept there moves
into tables of its own, rows included, so an upgrade loses nothing in flight:
`telegram.last_update_id` -> telegram_offsets, `telegram.keyboard.<chat>` -> chat_sessions.keyboard_token,
`transport_check:<channel>` -> transport_checks, `open311:<digest>` and `intake:<digest>` -> idempotency_keys.
"""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

import models.tables

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The windows repeats.py used for each kind of key (written out: a migration keeps its meaning).
KEY_WINDOWS = {"open311:": timedelta(minutes=10), "intake:": timedelta(days=1)}
# A Telegram offset stored before offsets were kept per bot: adopted by the first bot that starts.
ANY_BOT = "*"


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('complaint_code', sa.String(length=20), nullable=False),
    sa.Column('created_at', models.tables.UTCDateTime(), nullable=False),
    sa.Column('expires_at', models.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_expires_at'), ['expires_at'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', models.tables.UTCDateTime(), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_until', models.tables.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', models.tables.UTCDateTime(), nullable=False),
    sa.Column('finished_at', models.tables.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_due', ['status', 'run_after'], unique=False)

    op.create_table('telegram_offsets',
    sa.Column('bot_id', sa.String(length=40), nullable=False),
    sa.Column('last_update_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', models.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('bot_id', name=op.f('pk_telegram_offsets'))
    )
    op.create_table('transport_checks',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('transport', sa.String(length=40), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('checked_at', models.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_transport_checks'))
    )
    with op.batch_alter_table('chat_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keyboard_token', sa.String(length=64), nullable=True))

    _move_app_state_rows()


def downgrade() -> None:
    with op.batch_alter_table('chat_sessions', schema=None) as batch_op:
        batch_op.drop_column('keyboard_token')
    op.drop_table('transport_checks')
    op.drop_table('telegram_offsets')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_due')
    op.drop_table('jobs')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_expires_at'))
    op.drop_table('idempotency_keys')


# --- the rows app_state held ---------------------------------------------------------------------

app_state = sa.table('app_state', sa.column('key', sa.String), sa.column('value', sa.Text),
                     sa.column('updated_at', models.tables.UTCDateTime()))
chat_sessions = sa.table('chat_sessions', sa.column('channel', sa.String), sa.column('chat_id', sa.String),
                         sa.column('keyboard_token', sa.String))
telegram_offsets = sa.table('telegram_offsets', sa.column('bot_id', sa.String),
                            sa.column('last_update_id', sa.BigInteger),
                            sa.column('updated_at', models.tables.UTCDateTime()))
transport_checks = sa.table('transport_checks', sa.column('channel', sa.String), sa.column('transport', sa.String),
                            sa.column('ok', sa.Boolean), sa.column('detail', sa.Text),
                            sa.column('checked_at', models.tables.UTCDateTime()))
idempotency_keys = sa.table('idempotency_keys', sa.column('key', sa.String), sa.column('complaint_code', sa.String),
                            sa.column('created_at', models.tables.UTCDateTime()),
                            sa.column('expires_at', models.tables.UTCDateTime()))


def _move_app_state_rows() -> None:
    connection = op.get_bind()
    moved = []
    for key, value, updated_at in connection.execute(sa.select(app_state.c.key, app_state.c.value,
                                                               app_state.c.updated_at)).all():
        if _move_one(connection, key, value, updated_at):
            moved.append(key)
    for key in moved:
        connection.execute(app_state.delete().where(app_state.c.key == key))


def _move_one(connection: sa.Connection, key: str, value: str, updated_at: datetime) -> bool:
    if key == "telegram.last_update_id":
        connection.execute(telegram_offsets.insert().values(bot_id=ANY_BOT, last_update_id=int(value),
                                                            updated_at=updated_at))
    elif key.startswith("telegram.keyboard."):
        chat_id = key.removeprefix("telegram.keyboard.")
        connection.execute(chat_sessions.update().where(chat_sessions.c.channel == 'telegram',
                                                        chat_sessions.c.chat_id == chat_id)
                           .values(keyboard_token=value[:64]))
    elif key.startswith("transport_check:"):
        check = json.loads(value)
        connection.execute(transport_checks.insert().values(
            channel=key.removeprefix("transport_check:")[:20], transport=str(check.get("transport", "-"))[:40],
            ok=bool(check.get("ok")), detail=str(check.get("detail", "")), checked_at=updated_at))
    else:
        window = next((span for prefix, span in KEY_WINDOWS.items() if key.startswith(prefix)), None)
        if window is None:
            return False  # the login throttle's rows stay
        connection.execute(idempotency_keys.insert().values(key=key, complaint_code=value[:20],
                                                            created_at=updated_at, expires_at=updated_at + window))
    return True
