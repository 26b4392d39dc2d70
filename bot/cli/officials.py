"""`aduan officials set-password OFFICIAL_ID`: an official's dashboard password (from stdin or a prompt)."""

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


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise Refused("the two passwords differ")
    return first
