"""Running the adapter: long polling with PTB's own Updater, or webhook registration.

`aduan telegram` runs `poll()` and `halt()` in its main thread (`run_until_signalled`). The web app's
webhook receiver and the tests run the same coroutines on a background event loop (`start`,
`start_polling`, `register_webhook`, `stop`, callable from any thread). See app.py for how a crash
between fetching and handling loses no update and how a redelivered one is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.dialog.engine import Engine
from bot.media import MediaStore
from bot.telegram.app import ALLOWED_UPDATES, COMMANDS, DurableApplication, build_application
from bot.telegram.handlers import Handlers
from bot.telegram.sender import Sender
from bot.telegram.settings import TelegramEnvironment, telegram_config
from bot.telegram.store import TelegramStore
from models.environment import Environment

log = logging.getLogger("aduan.telegram")

T = TypeVar("T")
POLL_TIMEOUT_SECONDS = 30.0
NETWORK_BACKOFF_SECONDS = 5.0


class TelegramService:
    """One Application; `stop()` is safe to call from any thread."""

    def __init__(self, engine: Engine, environment: Environment,
                 poll_timeout: float = POLL_TIMEOUT_SECONDS) -> None:
        settings = engine.settings
        self.env = TelegramEnvironment.from_environment(environment)
        self.store = TelegramStore(engine.sessions, engine.clock, self.env.bot_id)
        media = MediaStore(settings.resolve(settings.intake.media_dir), settings.intake.max_media_bytes)
        handlers = Handlers(engine, telegram_config(settings), media, self.store, Sender(self.store))
        self.poll_timeout = poll_timeout
        self.application: DurableApplication = build_application(self.env, handlers, self.store, poll_timeout)
        self.stopping = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.polling: Future[Any] | None = None

    # --- the work (coroutines) ----------------------------------------------------------------

    async def poll(self) -> None:
        """Connect, then let the Updater poll; returns once polling runs (or when the token is refused)."""
        if not await self._connect(self._prepare_polling):
            return
        updater = self.application.updater
        assert updater is not None, "the builder gives every Application an Updater"
        await updater.start_polling(timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES,
                                    error_callback=_log_polling_error)
        await self.application.start()
        log.info("telegram: polling")

    async def register(self) -> bool:
        """Tell Telegram where to POST (retried while Telegram cannot be reached); False if refused."""
        return await self._connect(self._register_webhook)

    async def halt(self) -> None:
        """Stop fetching, finish the update in hand (it is recorded), then shut down."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def handle(self, update: Update) -> None:
        """Process one update (the webhook's path); raises when it could not be recorded, so the
        webhook answers 500 and Telegram delivers it again."""
        await self.application.process_update(update)
        error = self.application.journal.take_failure(update.update_id)
        if error is not None:
            raise error

    async def _prepare_polling(self) -> None:
        bot = self.application.bot
        await bot.delete_webhook(drop_pending_updates=False)
        await bot.set_my_commands(COMMANDS)
        last = await asyncio.to_thread(self.store.last_update_id)
        if last is not None:
            # Confirm to Telegram what the database says was handled, so polling resumes after it.
            await bot.get_updates(offset=last + 1, timeout=0, allowed_updates=ALLOWED_UPDATES)

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

    # --- on a background event loop (webhook receiver, tests) ---------------------------------

    def start(self) -> TelegramService:
        """Start the loop and connect (getMe) now; raises when Telegram refuses or cannot be reached."""
        self._run_loop()
        self.call(self.application.initialize())
        return self

    def start_polling(self) -> TelegramService:
        """Connect and poll in the background: an outage at boot is retried, never raised."""
        self.polling = asyncio.run_coroutine_threadsafe(self.poll(), self._run_loop())
        return self

    def register_webhook(self) -> TelegramService:
        self.polling = asyncio.run_coroutine_threadsafe(self.register(), self._run_loop())
        return self

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        assert self.loop is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.stopping.set()
        if self.loop is None or self.thread is None or self.loop.is_closed():
            return
        if self.polling is not None:
            with contextlib.suppress(Exception):
                self.polling.result(timeout=30)
        if self.thread.is_alive():
            with contextlib.suppress(Exception):
                self.call(self.halt(), timeout=30)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()

    def _run_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, name="telegram", daemon=True)
            self.thread.start()
        return self.loop


def _log_polling_error(error: TelegramError) -> None:
    log.warning("telegram: getUpdates failed (%s); the Updater retries with backoff", error)


def run_until_signalled(service: TelegramService) -> int:
    """`aduan telegram`: long polling (or, with TELEGRAM_WEBHOOK_URL, registering the webhook) in this
    thread until SIGTERM or Ctrl-C; an update in hand is finished and recorded first."""
    return asyncio.run(_main(service))


async def _main(service: TelegramService) -> int:
    if service.env.webhook_url:
        log.info("telegram: registering the webhook at %s", service.env.webhook_url)
        registered = await service.register()
        await service.application.shutdown()
        return 0 if registered else 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stopper(service, stop))
    polling = asyncio.create_task(service.poll())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if polling.done() and not service.application.running and not stop.is_set():
        stopped.cancel()
        await service.halt()
        polling.result()  # an unexpected failure at start is raised here, with its traceback
        return 2  # Telegram refused the token: nothing to run (the log says why)
    await stopped
    polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await polling
    await service.halt()
    return 0


def _stopper(service: TelegramService, stop: asyncio.Event) -> Callable[[], None]:
    def handler() -> None:
        service.stopping.set()
        stop.set()
    return handler
