"""`aduan demo`: a realistic week of complaints, so a newcomer sees a living desk."""

from __future__ import annotations

import click

from bot.cli.common import config_option, invocation


@click.command("demo")
@config_option
def command() -> None:
    """Seed a realistic week of complaints."""
    from bot.demo import seed_demo_week
    from bot.setup import load_routing_table
    from models.clock import system_clock

    run = invocation()
    settings = run.settings()
    database = run.writing()
    count = seed_demo_week(settings, database.sessions, load_routing_table(settings), system_clock())
    click.echo(f"seeded {count} demo complaints")
