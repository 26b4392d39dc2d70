"""The web side: a Flask app factory. Importing this package starts nothing.

    aduan web                                                    gunicorn with deploy/gunicorn.conf.py
    gunicorn -c deploy/gunicorn.conf.py 'web:app_from_environment()'   the same, started by hand

Mounted blueprints: each wing's webhook (`bot.whatsapp.webhook` under /webhooks/twilio,
`bot.telegram.webhook` at the path of TELEGRAM_WEBHOOK_URL), the officials' dashboard with public pages,
Open311, /healthz and /metrics (`web.dashboard`), and a bare liveness endpoint.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, redirect
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from bot.dialog.engine import Engine
from bot.telegram import webhook as telegram_webhook
from bot.whatsapp import webhook as twilio_webhook
from models.config import Settings, load_settings
from models.environment import Environment
from models.logsafety import configure_logging
from models.runtime import Database, open_database
from web.dashboard import install_dashboard

log = logging.getLogger("aduan.web")

# Twilio's forms are a few kilobytes; anything near this is not Twilio.
MAX_FORM_BYTES = 256 * 1024


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process and shared by every app built in it.

    A server builds one app per worker, but the test suite builds hundreds, and compiling the
    dashboard's templates again for each cost about a tenth of a second. Jinja stores the source's
    checksum with the code, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(settings: Settings, environment: Environment, *, database: Database | None = None,
               engine: Engine | None = None) -> Flask:
    """The app for one process. Without `database` it opens DATABASE_URL, which must be prepared
    (`aduan db upgrade`): a missing or old schema raises SchemaOutOfDate, nothing is migrated here."""
    if database is None:
        database = open_database(settings, environment)
    if engine is None:
        from bot.setup import build_engine
        from models.clock import system_clock

        engine = build_engine(settings, database.sessions, system_clock)
    app = Flask(__name__)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    # Liveness only (the process answers); /healthz, from the dashboard, also checks the database.
    app.add_url_rule("/livez", "livez", lambda: Response("ok", mimetype="text/plain"))
    # A citizen who opens the bare address lands on the web chat.
    app.add_url_rule("/", "home", lambda: redirect("/chat"))
    app.register_blueprint(twilio_webhook.make_blueprint(settings, database, engine, environment))
    app.register_blueprint(telegram_webhook.make_blueprint(settings, engine, environment))
    install_dashboard(app, settings, database, engine, environment)
    return app


def app_from_environment() -> Flask:
    """gunicorn's factory: config from ADUAN_CONFIG (default ./config.yaml), the rest from the environment."""
    environment = Environment.read()
    configure_logging(environment)
    return create_app(load_settings(environment.aduan_config), environment)
