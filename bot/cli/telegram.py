"""`aduan telegram`: the Telegram bot's long polling (python-telegram-bot's Updater), in the foreground
until SIGTERM; with TELEGRAM_WEBHOOK_URL set it registers the webhook and exits (the web app then
receives the updates). Runs no web server. One poller per bot token: Telegram allows one consumer."""

from __future__ import annotations

import click

from bot.cli.common import config_option, invocation


@click.command("telegram")
@config_option
def command() -> None:
    """Poll Telegram (or register its webhook) for the citizens' bot."""
    from bot.setup import build_engine
    from bot.telegram.service import TelegramService, run_until_signalled
    from models.clock import system_clock
    from models.logsafety import configure_logging

    run = invocation()
    # httpx logs one line per Bot API request (getUpdates every few seconds); its URL carries the token,
    # which the redaction masks anyway.
    configure_logging(run.environment, quiet=("httpx",))
    settings = run.settings()
    database = run.writing()
    engine = build_engine(settings, database.sessions, system_clock)
    raise click.exceptions.Exit(run_until_signalled(TelegramService(engine, run.environment)))
