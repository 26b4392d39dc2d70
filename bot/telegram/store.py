"""The adapter's few durable facts, so a restart loses nothing: the last update handled, the
newest keyboard in each chat (older buttons are stale), and citizens who blocked the bot.

Blocking calls: handlers reach them through asyncio.to_thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from models.db import transaction
from models.tables import AppState, Reporter

LAST_UPDATE = "telegram.last_update_id"
CHANNEL = "telegram"


class TelegramStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def last_update_id(self) -> int | None:
        value = self._get(LAST_UPDATE)
        return None if value is None else int(value)

    def remember_update(self, update_id: int) -> None:
        last = self.last_update_id()
        if last is None or update_id > last:
            self._put(LAST_UPDATE, str(update_id))

    def keyboard_token(self, chat_id: str) -> str | None:
        return self._get(f"telegram.keyboard.{chat_id}")

    def remember_keyboard(self, chat_id: str, token: str) -> None:
        self._put(f"telegram.keyboard.{chat_id}", token)

    def mark_unreachable(self, chat_id: str, reason: str) -> None:
        self._set_reachability(chat_id, self.clock(), reason[:500])

    def mark_reachable(self, chat_id: str) -> None:
        self._set_reachability(chat_id, None, None)

    def _set_reachability(self, chat_id: str, at: datetime | None, reason: str | None) -> None:
        with transaction(self.sessions) as db:
            db.execute(update(Reporter)
                       .where(Reporter.channel == CHANNEL, Reporter.provider_id == chat_id)
                       .values(unreachable_at=at, unreachable_reason=reason))

    def _get(self, key: str) -> str | None:
        with transaction(self.sessions) as db:
            row = db.get(AppState, key)
            return None if row is None else row.value

    def _put(self, key: str, value: str) -> None:
        with transaction(self.sessions) as db:
            db.merge(AppState(key=key, value=value, updated_at=self.clock()))
