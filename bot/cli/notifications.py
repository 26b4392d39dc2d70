"""`aduan notifications list`: the outbox, for operators (read-only)."""

from __future__ import annotations

import click

from bot.cli.common import as_json, config_option, invocation, short_lived
from bot.cli.output import print_rows


@click.group("notifications")
def command() -> None:
    """The outbox."""


@command.command("list")
@click.option("--status")
@click.option("--limit", type=int, default=1000, show_default=True)
@as_json
@config_option
@short_lived
def list_(status: str | None, limit: int, as_json: bool) -> None:
    """Notifications, newest first."""
    from models.views import list_notifications, notification_view

    database = invocation().reading()
    with database.sessions() as session:
        rows = [notification_view(n, code) for n, code in list_notifications(session, status, limit=limit)]
    print_rows(rows, as_json, lambda r: f"#{r['id']:<5} {r['status']:<8} {r['channel']:<9} {r['purpose']:<14} "
                                        f"{r['complaint_code'] or '-':<14} {r['recipient']}")
