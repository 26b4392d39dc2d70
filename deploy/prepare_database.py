#!/usr/bin/env python3
"""Prepare the database before the services start: the prepare step (with `aduan db upgrade`,
the only code that migrates).

    python deploy/prepare_database.py [--config /etc/aduan/config.yaml]

That means: check the config and the routing table, upgrade the schema to the newest Alembic
migration, then mirror config.yaml's agencies, officials and contacts into their tables. The web
workers, the notifier and the bot only check that the schema is current and stop with one line
naming this step when it is not. deploy/systemd/aduan-prepare.service runs it before each of them
starts. Exit status: 0 done, 2 bad config, routing table or environment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from bot.routing import RoutingTableError
from bot.setup import load_routing_table
from models.config import ConfigError, load_settings
from models.environment import BadEnvironment, Environment
from models.logsafety import configure_logging
from models.runtime import prepare_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="config file (default: $ADUAN_CONFIG or ./config.yaml)")
    args = parser.parse_args(argv)
    try:
        environment = Environment.read()
    except BadEnvironment as error:
        print(f"environment error:\n{error}", file=sys.stderr)
        return 2
    configure_logging(environment)
    config = args.config or environment.aduan_config
    try:
        settings = load_settings(config)
        load_routing_table(settings)  # the workers load it too: fail here, with the key path, not in a boot loop
    except (ConfigError, RoutingTableError) as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    database = prepare_database(settings, environment)
    dialect = database.engine.dialect.name
    database.engine.dispose()
    print(f"{config}: schema up to date, directory synced ({dialect})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
