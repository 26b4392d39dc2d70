"""The web side: a Flask app factory. Importing this package starts nothing.

    gunicorn -w 2 -b 127.0.0.1:8000 'web:app_from_environment()'

Blueprints: Twilio webhooks (`web.twilio`), Telegram's webhook when that module exists
(`web.telegram`), the officials' dashboard with public pages, Open311, /healthz and /metrics
(`web.dashboard`), and a bare liveness endpoint.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, redirect

from bot.dialog.engine import Engine
from bot.media import MediaStore
from models.config import Settings, load_settings
from models.runtime import Database
from web.dashboard import install_dashboard

log = logging.getLogger("aduan.web")

# Twilio's forms are a few kilobytes; anything near this is not Twilio.
MAX_FORM_BYTES = 256 * 1024


def create_app(settings: Settings, *, database: Database | None = None, engine: Engine | None = None,
               environ: Mapping[str, str] | None = None) -> Flask:
    env = dict(os.environ if environ is None else environ)
    if database is None:
        from models.runtime import open_database

        database = open_database(settings, env.get("DATABASE_URL"))
    if engine is None:
        from bot.setup import build_engine
        from models.clock import system_clock

        engine = build_engine(settings, database.sessions, system_clock)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    # Liveness only (the process answers); /healthz, from the dashboard, also checks the database.
    app.add_url_rule("/livez", "livez", lambda: Response("ok", mimetype="text/plain"))
    # A citizen who opens the bare address lands on the web chat.
    app.add_url_rule("/", "home", lambda: redirect("/chat"))
    _register_twilio(app, settings, database, engine, env)
    _register_telegram(app, settings, engine, env)
    install_dashboard(app, settings, database, engine)
    return app


def _register_twilio(app: Flask, settings: Settings, database: Database, engine: Engine,
                     env: Mapping[str, str]) -> None:
    from web.media import MediaFetcher
    from web.twilio import make_blueprint

    sid, token = env.get("TWILIO_ACCOUNT_SID"), env.get("TWILIO_AUTH_TOKEN")
    api_host = urlsplit(env.get("TWILIO_API_BASE_URL", "")).hostname
    store = MediaStore(settings.resolve(settings.intake.media_dir), settings.intake.max_media_bytes)
    fetcher = MediaFetcher(database.sessions, store, (sid, token) if sid and token else None,
                           frozenset({"api.twilio.com", *([api_host] if api_host else [])}))
    app.extensions["aduan.media"] = fetcher
    app.register_blueprint(make_blueprint(settings, database, engine, env, fetcher))


def _register_telegram(app: Flask, settings: Settings, engine: Engine, env: Mapping[str, str]) -> None:
    try:
        from web.telegram import make_blueprint  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    app.register_blueprint(make_blueprint(settings, engine, env))


def app_from_environment() -> Flask:
    """gunicorn's factory: config from ADUAN_CONFIG (default ./config.yaml), the rest from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(load_settings(Path(os.environ.get("ADUAN_CONFIG", "config.yaml"))))
