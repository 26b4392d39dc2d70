"""The adapter's few durable facts, so a restart loses nothing: the last update handled (per bot), the
newest keyboard in each chat (older buttons are stale; kept on the chat's session, so it goes with the
chat), and citizens who blocked the bot.

Blocking calls: handlers reach them through asyncio.to_thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.db import transaction
from models.notification import Channel
from models.reachability import mark_reachable, mark_unreachable
from models.tables import ChatSession, TelegramOffset

# An offset stored before offsets were kept per bot (migration 0004): the first bot to start adopts it.
ANY_BOT = "*"
# Telegram delivers an update again for a while, never this many updates later. An id further below the last
# one handled is new: Telegram starts from a random id after a week without updates, or the last one was
# forged (huge). Trusting a plain high-water mark would drop every later update for good.
REPLAY_WINDOW = 100_000
# What the database column (BIGINT) holds, with room for `last + 1`.
MAX_UPDATE_ID = 2**62


def usable_update_id(value: object) -> bool:
    """An update id as Telegram sends them: an integer (JSON `true` is not one), within what we can store."""
    return type(value) is int and -MAX_UPDATE_ID <= value <= MAX_UPDATE_ID


def already_handled(update_id: int, last: int | None) -> bool:
    return last is not None and last - REPLAY_WINDOW < update_id <= last


class TelegramStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime], bot_id: str) -> None:
        self.sessions = sessions
        self.clock = clock
        self.bot_id = bot_id

    def last_update_id(self) -> int | None:
        with self.sessions() as db:
            rows = dict(db.execute(select(TelegramOffset.bot_id, TelegramOffset.last_update_id)
                                   .where(TelegramOffset.bot_id.in_([self.bot_id, ANY_BOT]))).all())
        return rows.get(self.bot_id, rows.get(ANY_BOT))

    def remember_update(self, update_id: int) -> None:
        with transaction(self.sessions) as db:
            row = db.get(TelegramOffset, self.bot_id)
            if row is None:
                adopted = db.get(TelegramOffset, ANY_BOT)
                if adopted is not None:
                    db.delete(adopted)
                db.add(TelegramOffset(bot_id=self.bot_id, last_update_id=update_id, updated_at=self.clock()))
            elif not already_handled(update_id, row.last_update_id):
                row.last_update_id, row.updated_at = update_id, self.clock()

    def keyboard_token(self, chat_id: str) -> str | None:
        with self.sessions() as db:
            return db.scalar(select(ChatSession.keyboard_token).where(
                ChatSession.channel == Channel.TELEGRAM, ChatSession.chat_id == chat_id))

    def remember_keyboard(self, chat_id: str, token: str) -> None:
        with transaction(self.sessions) as db:
            changed = db.execute(update(ChatSession).where(
                ChatSession.channel == Channel.TELEGRAM, ChatSession.chat_id == chat_id,
            ).values(keyboard_token=token).returning(ChatSession.id)).first()
            if changed is None:  # a chat the dialog keeps no session for (an officials' group)
                db.add(ChatSession(channel=Channel.TELEGRAM, chat_id=chat_id, state="idle", draft={},
                                   language="id", updated_at=self.clock(), keyboard_token=token))

    def mark_unreachable(self, chat_id: str, reason: str) -> None:
        with transaction(self.sessions) as db:
            mark_unreachable(db, Channel.TELEGRAM, chat_id, reason, self.clock())

    def mark_reachable(self, chat_id: str) -> None:
        with transaction(self.sessions) as db:
            mark_reachable(db, Channel.TELEGRAM, chat_id)
