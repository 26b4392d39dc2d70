"""`aduan web [--bind ADDRESS] [--workers N]`: the web app under gunicorn, never werkzeug's server.

gunicorn runs in this process (its BaseApplication) with the settings of deploy/gunicorn.conf.py,
which also sets up the metrics directory the workers share. The config is read once here, before the
workers fork, and the schema is checked, so a database that needs `aduan db upgrade` stops the start
with one line instead of a boot loop of failing workers. Each worker builds its app with the
environment it was started with (the metrics directory included).
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import config_option, invocation

if TYPE_CHECKING:
    from flask import Flask

# Beside the code in a source checkout (`pip install -e .`), else in the working directory: the
# release directory the systemd units start in (they also name it explicitly).
GUNICORN_CONFIG = next((path for path in (Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py",
                                          Path("deploy") / "gunicorn.conf.py") if path.is_file()),
                       Path("deploy") / "gunicorn.conf.py")


@click.command("web")
@click.option("--bind", help="address to listen on (default: $ADUAN_BIND or 127.0.0.1:8000)")
@click.option("--workers", type=int, help="worker processes (default: $WEB_CONCURRENCY or the cores, at least 2)")
@click.option("--gunicorn-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=GUNICORN_CONFIG, show_default=True, help="gunicorn settings (deploy/gunicorn.conf.py)")
@config_option
def command(bind: str | None, workers: int | None, gunicorn_config: Path) -> None:
    """Serve webhooks, the dashboard, public pages, Open311, /healthz and /metrics with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from models.db import check_schema, database_url, make_engine
    from models.logsafety import configure_logging

    run = invocation()
    # In the master: gunicorn's own log lines, and inherited by every worker it forks.
    configure_logging(run.environment)
    settings = run.settings()
    engine = make_engine(database_url(run.environment), read_only=True)
    try:
        check_schema(engine)
    finally:
        engine.dispose()

    class WebServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            for name, value in _settings_file(gunicorn_config).items():
                self.cfg.set(name, value)
            if bind:
                self.cfg.set("bind", [bind])
            if workers:
                self.cfg.set("workers", workers)

        def load(self) -> Flask:
            # In each worker, after the fork: its own database pool and engine, the master's settings, and
            # the worker's environment, which on_starting (deploy/gunicorn.conf.py) gave the metrics directory.
            from models.environment import Environment
            from models.logsafety import configure_logging
            from web import create_app

            environment = Environment.read()
            configure_logging(environment)  # again: a no-op when forked from `aduan web`, needed under bare gunicorn
            return create_app(settings, environment)

    WebServer().run()


def _settings_file(path: Path) -> dict[str, Any]:
    """The gunicorn settings a config file defines, as `gunicorn -c FILE` reads them."""
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    return {name: value for name, value in runpy.run_path(str(path)).items() if name in known}
