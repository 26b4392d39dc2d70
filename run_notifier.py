"""`aduan notifier [--once --check --now T]` under its old name (bot/cli/legacy.py)."""
from bot.cli.legacy import run_notifier as main

if __name__ == "__main__":
    raise SystemExit(main())
