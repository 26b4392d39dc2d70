"""`aduan console [--web]` as `run_bot.py --console [--web]`; `aduan telegram` as `run_bot.py` (bot/cli/legacy.py)."""
from bot.cli.legacy import run_bot as main

if __name__ == "__main__":
    raise SystemExit(main())
