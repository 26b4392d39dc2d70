"""Sending the engine's replies to one chat: keyboards, Telegram's flood control, blocked bots."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter

from bot.dialog.messages import Reply
from bot.telegram.errors import flood_wait
from bot.telegram.store import TelegramStore
from bot.telegram.translate import chunks, markup_for

log = logging.getLogger("aduan.telegram")

# Waiting longer than this inside a handler would hold up every other citizen; the error handler
# apologises instead and the engine has already kept the state.
MAX_FLOOD_WAIT_SECONDS = 30.0


class Sender:
    def __init__(self, store: TelegramStore) -> None:
        self.store = store

    async def replies(self, bot: Bot, chat_id: str, replies: list[Reply], token: str) -> None:
        """Send every reply in order; a citizen who blocked us is marked unreachable, not retried."""
        try:
            for reply in replies:
                await self._one(bot, chat_id, reply, token)
        except Forbidden as error:
            log.warning("telegram: chat %s refuses our messages (%s), marked unreachable", chat_id, error)
            await asyncio.to_thread(self.store.mark_unreachable, chat_id, f"telegram: {error.message}")

    async def text(self, bot: Bot, chat_id: str, text: str) -> None:
        await self.replies(bot, chat_id, [Reply(text)], token="-")

    async def _one(self, bot: Bot, chat_id: str, reply: Reply, token: str) -> None:
        parts = chunks(reply.text)
        markup = markup_for(reply, token)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await self._send(bot, chat_id, part, markup if last else None)
        if isinstance(markup, InlineKeyboardMarkup):
            await asyncio.to_thread(self.store.remember_keyboard, chat_id, token)

    async def _send(self, bot: Bot, chat_id: str, text: str, markup: object) -> None:
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
        except RetryAfter as error:
            wait = flood_wait(error)
            if wait > MAX_FLOOD_WAIT_SECONDS:
                raise
            log.info("telegram: flood control, waiting %.1f s before chat %s", wait, chat_id)
            await asyncio.sleep(wait)
            await bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
