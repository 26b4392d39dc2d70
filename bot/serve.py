"""`run_bot.py` without --console: the web side (webhooks, dashboard) and Telegram polling.

The Flask app (package `web`, issue: WhatsApp channel) serves HOST:PORT; the Telegram adapter
(`bot.telegram`, issue: Telegram channel) polls beside it when TELEGRAM_BOT_TOKEN is set.
Either part is skipped with a clear line in the log when it is not built or not configured.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping

from werkzeug.serving import BaseWSGIServer, make_server

from bot.dialog.engine import Engine
from models.config import Settings
from models.runtime import Database

log = logging.getLogger("aduan.serve")


def serve(settings: Settings, database: Database, engine: Engine, environ: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ if environ is None else environ)
    telegram = _start_telegram(settings, database, engine, env)
    try:
        return _serve_web(settings, database, engine, env)
    finally:
        if telegram is not None:
            telegram.stop()


def _start_telegram(settings: Settings, database: Database, engine: Engine, env: dict[str, str]):  # type: ignore[no-untyped-def]
    if not env.get("TELEGRAM_BOT_TOKEN"):
        log.info("telegram: TELEGRAM_BOT_TOKEN not set, not polling")
        return None
    try:
        from bot.telegram import start_in_background  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        log.warning("telegram: adapter not available in this build")
        return None
    return start_in_background(settings, database, engine, env)


def _serve_web(settings: Settings, database: Database, engine: Engine, env: dict[str, str]) -> int:
    server = _make_web_server(settings, database, engine, env)
    if server is None:
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def start_web_in_background(settings: Settings, database: Database, engine: Engine,
                            environ: Mapping[str, str] | None = None) -> BaseWSGIServer | None:
    """The local dashboard and web chat beside the console (`make run`); None if the port is taken."""
    env = dict(os.environ if environ is None else environ)
    try:
        server = _make_web_server(settings, database, engine, env)
    except OSError as error:
        log.warning("web: cannot listen (%s); console only", error)
        return None
    if server is not None:
        threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


def _make_web_server(settings: Settings, database: Database, engine: Engine,
                     env: dict[str, str]) -> BaseWSGIServer | None:
    try:
        from web import create_app
    except ImportError:
        log.error("web: the web app is not available in this build; use --console")
        return None
    host, port = env.get("HOST", "127.0.0.1"), int(env.get("PORT", "8000"))
    app = create_app(settings, database=database, engine=engine, environ=env)
    server = make_server(host, port, app, threaded=True)
    log.info("web: serving on http://%s:%s", host, port)
    return server
