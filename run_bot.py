#!/usr/bin/env python3
"""Start the citizen-facing chatbot.

    python run_bot.py --console        chat in this terminal (no tokens, no network)
    python run_bot.py --console --web  the same, plus the local dashboard and web chat (what `make run` does)
    python run_bot.py                  web app on HOST:PORT (webhooks) and Telegram polling if a token is set
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys

from bot.console import prompted, run_console
from bot.routing import RoutingTableError
from bot.setup import build_engine
from models.clock import system_clock
from models.config import ConfigError, load_settings
from models.runtime import open_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--console", action="store_true", help="chat in the terminal")
    parser.add_argument("--chat-id", help="console identity (default: your user name)")
    parser.add_argument("--web", action="store_true",
                        help="with --console: also serve the local dashboard and web chat on HOST:PORT")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings(args.config)
        database = open_database(settings)
        engine = build_engine(settings, database.sessions, system_clock)
    except (ConfigError, RoutingTableError) as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    if not args.console:
        from bot.serve import serve

        logging.getLogger().setLevel(logging.INFO)
        return serve(settings, database, engine)
    if args.web:
        from bot.serve import start_web_in_background

        # The console is for chatting: keep request logs and missing-secret notices out of it.
        for noisy in ("werkzeug", "aduan.web"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
        if start_web_in_background(settings, database, engine) is not None:
            host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
            print(f"Dasbor petugas: http://{host}:{port}/dashboard/  Web chat: http://{host}:{port}/chat")
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A terminal or a pipe may deliver bytes that are not UTF-8: show them as U+FFFD, never crash the chat.
        sys.stdin.reconfigure(errors="replace")
    lines = prompted(sys.stdin, sys.stdout) if sys.stdin.isatty() else sys.stdin
    run_console(engine, lines, sys.stdout, args.chat_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
