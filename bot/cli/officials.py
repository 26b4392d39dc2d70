"""Officials' dashboard accounts.

    aduan officials set-password OFFICIAL_ID     an official's dashboard password (from stdin or a prompt)
    aduan officials end-sessions [OFFICIAL_ID]   sign one official, or every official, out of every browser
                                                 (a lost laptop, a leaver; the dashboard's "end all sessions")
"""

from __future__ import annotations

import getpass
import sys

import click

from bot.cli.common import Refused, config_option, invocation


@click.group("officials")
def command() -> None:
    """Officials' dashboard accounts."""


@command.command("set-password")
@click.argument("official")
@config_option
def set_password(official: str) -> None:
    """Set an official's dashboard password (read from standard input when it is not a terminal)."""
    from models.accounts import set_password as store_password
    from models.db import transaction

    password = _read_password()
    database = invocation().writing()
    with transaction(database.sessions) as session:
        store_password(session, official, password)
    click.echo(f"password set for {official}")


@command.command("end-sessions")
@click.argument("official", required=False)
@config_option
def end_sessions(official: str | None) -> None:
    """Sign OFFICIAL (or, without it, every official) out of every browser at once."""
    from models.accounts import end_sessions as bump_session_versions
    from models.db import transaction

    database = invocation().writing()
    with transaction(database.sessions) as session:
        count = bump_session_versions(session, official)
    if official is not None and count == 0:
        raise Refused(f"no official {official!r}")
    click.echo(f"sessions ended for {official}" if official else f"sessions ended for {count} officials")


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise Refused("the two passwords differ")
    return first
