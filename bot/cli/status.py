"""`aduan status`: transport self-checks, queue depth, stuck and failed notifications (read-only).

Exit status 1 when a transport failed its last self-check or rows are stuck, for monitoring scripts.
"""

from __future__ import annotations

from typing import Any

import click

from bot.cli.common import as_json, config_option, invocation, short_lived
from bot.cli.output import print_json


@click.command("status")
@as_json
@config_option
@short_lived
def command(as_json: bool) -> None:
    """Transport self-checks, queue depth, stuck and failed notifications."""
    from models.clock import system_clock
    from notifier.health import queue_health, stored_checks

    run = invocation()
    settings = run.settings()
    database = run.reading()
    with database.sessions() as session:
        status = {"transports": stored_checks(session), **queue_health(session, settings, system_clock())}
    if as_json:
        print_json(status)
    else:
        _print_status(status)
    healthy = all(check["ok"] for check in status["transports"]) and not status["stuck"]
    if not healthy:
        raise click.exceptions.Exit(1)


def _print_status(status: dict[str, Any]) -> None:
    checks = status["transports"] or [{"channel": "-", "ok": True, "detail": "no self-check run yet", "at": "-"}]
    for check in checks:
        click.echo(f"transport {check['channel']:<9} {'OK' if check['ok'] else 'FAILED':<6} {check['detail']} "
                   f"({check['at']})")
    depth = ", ".join(f"{name} {count}" for name, count in sorted(status["depth"].items())) or "empty"
    click.echo(f"queue: {depth}; stuck: {status['stuck']}")
    for row in status["failed_last_day"]:
        click.echo(f"failed in the last day: {row['count']}x {row['channel']}: {row['reason']}")
