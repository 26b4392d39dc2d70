"""Running the adapter: its own thread and event loop beside the web server.

Polling is done here rather than by PTB's Updater so that each update is recorded in AppState
right after it is handled: a restart resumes after the last one, and a redelivered update
(same or older id) is skipped instead of answered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.dialog.engine import Engine
from bot.media import MediaStore
from bot.telegram.app import ALLOWED_UPDATES, COMMANDS, build_application
from bot.telegram.handlers import Handlers
from bot.telegram.sender import Sender, seconds
from bot.telegram.settings import TelegramEnvironment, telegram_config
from bot.telegram.store import TelegramStore
from models.config import Settings
from models.runtime import Database

log = logging.getLogger("aduan.telegram")

T = TypeVar("T")
POLL_TIMEOUT_SECONDS = 30.0
NETWORK_BACKOFF_SECONDS = 5.0


class TelegramService:
    """One Application in one background event loop; `stop()` is safe to call from any thread."""

    def __init__(self, engine: Engine, environ: Mapping[str, str], poll_timeout: float = POLL_TIMEOUT_SECONDS) -> None:
        settings = engine.settings
        self.env = TelegramEnvironment.from_environ(environ)
        self.store = TelegramStore(engine.sessions, engine.clock)
        media = MediaStore(settings.resolve(settings.intake.media_dir), settings.intake.max_media_bytes)
        handlers = Handlers(engine, telegram_config(settings), media, self.store, Sender(self.store))
        self.poll_timeout = poll_timeout
        self.application: Application = build_application(self.env, handlers, poll_timeout)  # type: ignore[type-arg]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="telegram", daemon=True)
        self.stopping = threading.Event()
        self.polling: Future[Any] | None = None
        self.fetching: asyncio.Task[tuple[Update, ...]] | None = None

    # --- life cycle (called from other threads) ----------------------------------------------

    def start(self) -> TelegramService:
        """Start the loop and connect (getMe) now; raises when Telegram refuses or cannot be reached."""
        self._run_loop()
        self.call(self.application.initialize())
        return self

    def start_polling(self) -> TelegramService:
        """Connect and poll in the background: an outage at boot must not keep the web side down."""
        self._run_loop()
        self.polling = asyncio.run_coroutine_threadsafe(self._poll(), self.loop)
        return self

    def register_webhook(self) -> TelegramService:
        """Tell Telegram where to POST (in the background, retried like polling's connection)."""
        self._run_loop()
        self.polling = asyncio.run_coroutine_threadsafe(self._connect(self._register_webhook), self.loop)
        return self

    def _run_loop(self) -> None:
        if not self.thread.is_alive():
            self.thread.start()

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.stopping.set()
        if self.polling is not None:
            # Only the long poll is interrupted: an update being handled is finished and recorded.
            self.loop.call_soon_threadsafe(self._interrupt_fetch)
            with contextlib.suppress(Exception):
                self.polling.result(timeout=30)
        if self.thread.is_alive():
            self.call(self.application.shutdown(), timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
        if not self.thread.is_alive() and not self.loop.is_closed():
            self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def handle_json(self, data: dict[str, Any]) -> None:
        """Process one update given as Telegram's JSON (the webhook's path)."""
        self.call(self.handle(Update.de_json(data, self.application.bot)))

    # --- inside the loop ---------------------------------------------------------------------

    async def handle(self, update: Update) -> None:
        """Process an update once: an id at or below the last one stored has been handled already."""
        last = await asyncio.to_thread(self.store.last_update_id)
        if last is not None and update.update_id <= last:
            log.info("telegram: update %s already handled, skipped", update.update_id)
            return
        await self.application.process_update(update)
        await asyncio.to_thread(self.store.remember_update, update.update_id)

    async def _prepare_polling(self) -> None:
        bot = self.application.bot
        await bot.delete_webhook(drop_pending_updates=False)
        await bot.set_my_commands(COMMANDS)

    async def _register_webhook(self) -> None:
        bot = self.application.bot
        await bot.set_webhook(self.env.webhook_url or "", secret_token=self.env.webhook_secret,
                              allowed_updates=ALLOWED_UPDATES, max_connections=1)
        await bot.set_my_commands(COMMANDS)

    async def _connect(self, prepare: Callable[[], Awaitable[None]]) -> bool:
        """getMe and the set-up calls, retried while Telegram cannot be reached; False if we must give up."""
        while not self.stopping.is_set():
            try:
                await self.application.initialize()
                await prepare()
                return True
            except InvalidToken:
                log.error("telegram: Telegram refuses TELEGRAM_BOT_TOKEN; the Telegram channel is off")
                return False
            except TelegramError as error:
                log.warning("telegram: cannot reach the Bot API (%s), retrying in %.0f s", error,
                            NETWORK_BACKOFF_SECONDS)
                await asyncio.sleep(NETWORK_BACKOFF_SECONDS)
        return False

    async def _poll(self) -> None:
        if not await self._connect(self._prepare_polling):
            return
        last = await asyncio.to_thread(self.store.last_update_id)
        offset = None if last is None else last + 1
        log.info("telegram: polling from update %s", offset or "(first)")
        while not self.stopping.is_set():
            try:
                offset = await self._poll_once(offset)
            except asyncio.CancelledError:
                return
            except Exception:
                # Never let the loop die silently (a database outage, an update PTB cannot parse);
                # updates already handled are in AppState and will be skipped when fetched again.
                log.exception("telegram: polling failed, retrying in %.0f s", NETWORK_BACKOFF_SECONDS)
                await asyncio.sleep(NETWORK_BACKOFF_SECONDS)

    async def _poll_once(self, offset: int | None) -> int | None:
        self.fetching = asyncio.ensure_future(self._fetch(offset))
        for update in await self.fetching:
            await self.handle(update)
            offset = max(offset or 0, update.update_id + 1)
        return offset

    def _interrupt_fetch(self) -> None:
        if self.fetching is not None:
            self.fetching.cancel()

    async def _fetch(self, offset: int | None) -> tuple[Update, ...]:
        try:
            updates = await self.application.bot.get_updates(offset=offset, timeout=self.poll_timeout,
                                                             allowed_updates=ALLOWED_UPDATES)
            return tuple(updates)
        except RetryAfter as error:
            await asyncio.sleep(seconds(error))
        except NetworkError as error:
            log.warning("telegram: getUpdates failed (%s), retrying in %.0f s", error, NETWORK_BACKOFF_SECONDS)
            await asyncio.sleep(NETWORK_BACKOFF_SECONDS)
        except TelegramError:
            log.exception("telegram: getUpdates refused, retrying in %.0f s", NETWORK_BACKOFF_SECONDS)
            await asyncio.sleep(NETWORK_BACKOFF_SECONDS)
        return ()


def start_in_background(settings: Settings, database: Database, engine: Engine,
                        environ: Mapping[str, str]) -> TelegramService:
    """`run_bot.py`'s entry: long polling, or webhook registration when TELEGRAM_WEBHOOK_URL is set
    (the updates then arrive through `web.telegram`'s blueprint)."""
    service = TelegramService(engine, environ)
    if service.env.webhook_url:
        log.info("telegram: registering the webhook at %s", service.env.webhook_url)
        return service.register_webhook()
    return service.start_polling()
