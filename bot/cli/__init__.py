"""`aduan`: the one command line that starts every process and every admin task.

    aduan web | telegram | notifier [--once --check --now T] | console [--web]
    aduan db upgrade | config check | demo | status
    aduan complaints list|show|act | notifications list | report monthly | officials set-password|end-sessions
    aduan router report|classify|evaluate|bench|duplicates

One small module per command group (the group itself and what they share: common.py). This package
is the only code allowed to compose every room (it imports `web` and `notifier` and hands the wings'
job handlers to the notifier); see docs/ARCHITECTURE.md. Each command imports what it needs inside
its function, so a read-only command never pays for the web app, the notifier or the router.
run_bot.py, run_notifier.py and manage.py are two-line shims over `main` and legacy.py.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from bot.cli import (
    complaints,
    config,
    console,
    db,
    demo,
    notifications,
    notifier,
    officials,
    report,
    router,
    status,
    telegram,
    web,
)
from bot.cli.common import aduan, failure

for _module in (web, telegram, notifier, console, db, complaints, notifications, router, officials, report, config,
                demo, status):
    aduan.add_command(_module.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; returns the exit status (the console script exits with it)."""
    from models.logsafety import Redactor, install_redaction

    # Every command's log records are cleaned (a Bot API token or password inside a URL, people beside a code),
    # even the short admin commands; the processes that run for long also mask each configured secret.
    install_redaction(Redactor(()))
    try:
        # Outside standalone mode click returns the status a command exits with (click.exceptions.Exit).
        exit_status = aduan.main(args=list(argv) if argv is not None else None, prog_name="aduan",
                                 standalone_mode=False)
    except click.ClickException as mistake:
        mistake.show()
        return 2 if isinstance(mistake, click.UsageError) else mistake.exit_code
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 1
    except Exception as error:
        return failure(error)
    return exit_status if isinstance(exit_status, int) else 0
