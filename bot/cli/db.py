"""`aduan db upgrade`: create or upgrade the schema, then mirror config.yaml's officials into it.

The only command that migrates (with deploy/prepare_database.py, which does the same before the
services start); every other one stops with one line pointing here when the schema is not current.
"""

from __future__ import annotations

import click

from bot.cli.common import config_option, invocation


@click.group("db")
def command() -> None:
    """The database schema."""


@command.command("upgrade")
@config_option
def upgrade() -> None:
    """Create or upgrade the schema to the newest migration and sync the directory."""
    from models.runtime import prepare_database

    run = invocation()
    database = prepare_database(run.settings(), run.environment)
    database.engine.dispose()
    click.echo("schema is up to date")
