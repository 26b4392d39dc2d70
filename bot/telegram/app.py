"""Wiring: the python-telegram-bot Application with every handler in one readable block, and the two
pieces that make its own Updater safe across restarts and crashes.

PTB's Updater confirms a batch of updates to Telegram (the next getUpdates' offset) as soon as it has
queued them. Killed before handling them, the process would lose those messages. So its queue
(`ConfirmAfterHandling`) lets `put()` return only once the Application has handled the update, and
the Application (`DurableApplication`) skips update ids at or below the last one recorded and records
each one it handles. A failure to record makes `put()` raise a NetworkError: the Updater backs off and
fetches the same, still unconfirmed, batch again, exactly as it does when Telegram cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram import BotCommand, Update
from telegram.error import NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.handlers import Handlers
from bot.telegram.settings import TelegramEnvironment
from bot.telegram.store import TelegramStore, already_handled

log = logging.getLogger("aduan.telegram")

COMMANDS = [
    BotCommand("lapor", "Buat laporan baru"),
    BotCommand("status", "Cek status laporan (status KODE)"),
    BotCommand("batal", "Batalkan laporan yang sedang diisi"),
    BotCommand("bantuan", "Petunjuk"),
]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
UNSUPPORTED = (filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE
               | filters.Sticker.ALL)


class UpdateJournal:
    """Which updates were handled (TelegramStore, in the database) and which failed in this process."""

    def __init__(self, store: TelegramStore) -> None:
        self.store = store
        self.failures: dict[int, BaseException] = {}

    async def handled(self, update_id: int) -> bool:
        return already_handled(update_id, await asyncio.to_thread(self.store.last_update_id))

    async def record(self, update_id: int) -> None:
        await asyncio.to_thread(self.store.remember_update, update_id)

    def failed(self, update_id: int, error: BaseException) -> None:
        self.failures[update_id] = error

    def take_failure(self, update_id: int) -> BaseException | None:
        return self.failures.pop(update_id, None)


class DurableApplication(Application):  # type: ignore[type-arg]
    """Handles each update at most once across restarts, and never lets a failure escape into PTB's
    update fetcher (which would stop handling updates altogether)."""

    journal: UpdateJournal

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        try:
            if await self.journal.handled(update.update_id):
                log.info("telegram: update %s already handled, skipped", update.update_id)
                return
            await super().process_update(update)
            await self.journal.record(update.update_id)
        except Exception as error:  # a database outage: the update is fetched (or POSTed) again later
            log.exception("telegram: update %s not recorded", update.update_id)
            self.journal.failed(update.update_id, error)


class ConfirmAfterHandling(asyncio.Queue[object]):
    """The Updater's queue: it moves on (and so confirms the update to Telegram) only once the
    Application has handled what it put here."""

    def __init__(self, journal: UpdateJournal) -> None:
        super().__init__()
        self.journal = journal

    async def put(self, item: object) -> None:
        await super().put(item)
        if not isinstance(item, Update):
            return  # the Application's own stop signal
        await self.join()
        error = self.journal.take_failure(item.update_id)
        if error is not None:
            raise NetworkError(f"update {item.update_id} not handled ({type(error).__name__}); fetched again")


def build_application(env: TelegramEnvironment, handlers: Handlers, store: TelegramStore,
                      poll_timeout: float) -> DurableApplication:
    journal = UpdateJournal(store)
    application = cast(DurableApplication, (
        Application.builder()
        .application_class(DurableApplication)
        .token(env.token)
        .base_url(env.bot_url)
        .base_file_url(env.file_url)
        .update_queue(ConfirmAfterHandling(journal))
        .get_updates_read_timeout(poll_timeout + 10)
        .build()
    ))
    application.journal = journal
    messages = filters.UpdateType.MESSAGE  # edited messages are ignored: the first version was answered
    # Group -1 runs first and may stop an update (groups other than officials'); group 0 does the work,
    # at most one handler per update, tried in this order.
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.on_start, filters=messages))
    application.add_handler(MessageHandler(messages & filters.TEXT, handlers.on_text))
    application.add_handler(MessageHandler(messages & filters.LOCATION, handlers.on_location))
    application.add_handler(MessageHandler(messages & (filters.PHOTO | filters.Document.IMAGE), handlers.on_photo))
    application.add_handler(MessageHandler(messages & UNSUPPORTED, handlers.on_unsupported))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(handlers.on_error)
    return application

