#!/usr/bin/env python3
"""Open the database once, exactly as every entry point does, before the web workers start.

    python deploy/prepare_database.py [--config /etc/aduan/config.yaml]

That means: check the config and the routing table, upgrade the schema to the newest Alembic
migration, then mirror config.yaml's agencies, officials and contacts into their tables. Each
gunicorn worker does the same when it boots; on a fresh PostgreSQL database several workers doing
it at the same moment collide (duplicate key errors) and gunicorn gives up. Run first, this leaves
the workers nothing to create. deploy/systemd/aduan-prepare.service runs it before the web
instances, the notifier and the bot start. Exit status: 0 done, 2 bad config or routing table.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from bot.routing import RoutingTableError
from bot.setup import load_routing_table
from models.config import ConfigError, load_settings
from models.runtime import open_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.environ.get("ADUAN_CONFIG", "config.yaml"))
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        load_routing_table(settings)  # the workers load it too: fail here, with the key path, not in a boot loop
    except (ConfigError, RoutingTableError) as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    database = open_database(settings)
    dialect = database.engine.dialect.name
    database.engine.dispose()
    print(f"{args.config}: schema up to date, directory synced ({dialect})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
