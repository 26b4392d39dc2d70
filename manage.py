"""`aduan ...` under its old name: `python manage.py complaints show CODE --json` and the rest (bot/cli/)."""
from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
