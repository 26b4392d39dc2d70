"""Officials' dashboard, public pages and public APIs (Open311, health, metrics).

    init_dashboard(app, settings, database, engine, environment)   # app-level setup, once per app
    for blueprint in make_blueprints(settings, database, engine, environment):
        app.register_blueprint(blueprint)

Importing this package starts nothing.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from bot.dialog.engine import Engine
from models.config import Settings
from models.environment import Environment
from models.runtime import Database
from web.dashboard import actions, auth, chat, inbox, intake, lapor, open311, opendata, ops, public, stats
from web.dashboard.context import Context
from web.dashboard.security import init_security
from web.metrics import init_metrics

MODULES = (auth, inbox, actions, stats, public, chat, intake, open311, ops, lapor, opendata)


def make_blueprints(settings: Settings, database: Database, engine: Engine,
                    environment: Environment) -> list[Blueprint]:
    """One blueprint per concern, all sharing one Context (settings, database, engine's clock)."""
    context = Context(settings, database, engine, environment)
    return [module.make_blueprint(context) for module in MODULES]


def init_dashboard(app: Flask, settings: Settings, environment: Environment) -> None:
    """Secret key, cookie flags, CSRF, language, request metrics; raises if called twice on one app."""
    if "aduan.dashboard" in app.extensions:
        raise RuntimeError("init_dashboard was already called on this app")
    app.extensions["aduan.dashboard"] = True
    init_security(app, settings, environment)
    init_metrics(app, environment)


def install_dashboard(app: Flask, settings: Settings, database: Database, engine: Engine,
                      environment: Environment) -> None:
    """Both steps at once (what tests and create_app use)."""
    init_dashboard(app, settings, environment)
    for blueprint in make_blueprints(settings, database, engine, environment):
        app.register_blueprint(blueprint)
