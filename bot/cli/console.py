"""`aduan console [--web]`: chat with the bot in this terminal (no tokens, no network), what `make run` does.

With --web the local dashboard and web chat are served beside it on 127.0.0.1:PORT by werkzeug's
development server, for a developer's machine only: it never listens beyond the loopback address, and
production serves the web app with gunicorn (`aduan web`).
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from typing import TYPE_CHECKING

import click

from bot.cli.common import config_option, invocation

if TYPE_CHECKING:
    from bot.dialog.engine import Engine
    from models.runtime import Database

LOOPBACK = "127.0.0.1"
log = logging.getLogger("aduan.console")


@click.command("console")
@click.option("--chat-id", help="the citizen's identity (default: $CONSOLE_CHAT_ID or your user name)")
@click.option("--web", is_flag=True, help="also serve the local dashboard and web chat on 127.0.0.1:PORT")
@config_option
def command(chat_id: str | None, web: bool) -> None:
    """Chat with the bot in this terminal."""
    from bot.console import prompted, run_console
    from bot.setup import build_engine
    from models.clock import system_clock
    from models.logsafety import configure_logging

    run = invocation()
    configure_logging(run.environment, level=logging.WARNING)
    settings = run.settings()
    database = run.writing()
    engine = build_engine(settings, database.sessions, system_clock)
    if web:
        _serve_local_dashboard(database, engine)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A terminal or a pipe may deliver bytes that are not UTF-8: show them as U+FFFD, never crash the chat.
        sys.stdin.reconfigure(errors="replace")
    lines = prompted(sys.stdin, sys.stdout) if sys.stdin.isatty() else sys.stdin
    run_console(engine, lines, sys.stdout, chat_id or run.environment.console_chat_id)


def _serve_local_dashboard(database: Database, engine: Engine) -> None:
    from werkzeug.serving import make_server

    from web import create_app

    run = invocation()
    # The console is for chatting: keep request logs and missing-secret notices out of it.
    for noisy in ("werkzeug", "aduan.web"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    port = run.environment.port
    app = create_app(run.settings(), run.environment, database=database, engine=engine)
    try:
        server = make_server(LOOPBACK, port, app, threaded=True)
    except OSError as error:
        log.warning("web: cannot listen on %s:%s (%s); console only", LOOPBACK, port, error)
        return
    threading.Thread(target=server.serve_forever, name="local-dashboard", daemon=True).start()
    click.echo(f"Dasbor petugas: http://{LOOPBACK}:{port}/dashboard/  Web chat: http://{LOOPBACK}:{port}/chat")
