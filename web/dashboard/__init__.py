"""Officials' dashboard, public pages and public APIs (Open311, health, metrics).

    init_dashboard(app, settings, database, engine)   # app-level setup, once per app
    for blueprint in make_blueprints(settings, database, engine):
        app.register_blueprint(blueprint)

Importing this package starts nothing.
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

from bot.dialog.engine import Engine
from models.config import Settings
from models.runtime import Database
from web.dashboard.context import Context
from web.dashboard.latency import init_latency
from web.dashboard.security import init_security

MODULES = ("auth", "inbox", "actions", "stats", "public", "chat", "intake", "open311", "ops")


def make_blueprints(settings: Settings, database: Database, engine: Engine) -> list[Blueprint]:
    """One blueprint per concern, all sharing one Context (settings, database, engine's clock)."""
    context = Context(settings, database, engine)
    return [import_module(f"web.dashboard.{name}").make_blueprint(context) for name in MODULES]


def init_dashboard(app: Flask, settings: Settings, database: Database, engine: Engine) -> None:
    """Secret key, cookie flags, CSRF, language, request latency; raises if called twice on one app."""
    if "aduan.dashboard" in app.extensions:
        raise RuntimeError("init_dashboard was already called on this app")
    app.extensions["aduan.dashboard"] = True
    init_security(app, settings)
    init_latency(app)


def install_dashboard(app: Flask, settings: Settings, database: Database, engine: Engine) -> None:
    """Both steps at once (what tests and create_app use)."""
    init_dashboard(app, settings, database, engine)
    for blueprint in make_blueprints(settings, database, engine):
        app.register_blueprint(blueprint)
