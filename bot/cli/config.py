"""`aduan config check`: validate config.yaml and the routing table, naming the key at fault."""

from __future__ import annotations

import click

from bot.cli.common import config_option, invocation


@click.group("config")
def command() -> None:
    """The configuration file."""


@command.command("check")
@config_option
def check() -> None:
    """Validate config.yaml and the routing table (no database needed)."""
    from bot.setup import load_routing_table

    run = invocation()
    settings = run.settings()
    load_routing_table(settings)
    officials = sum(1 for _ in settings.all_officials())
    click.echo(f"{run.config_path}: OK ({settings.region.name}, {settings.region.timezone}, "
               f"{len(settings.agencies)} agencies, {officials} officials)")
