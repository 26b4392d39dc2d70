"""`aduan router ...`: what officials' corrections teach the router (`report`), and the router's own
tools (`classify`, `evaluate`, `bench`, `duplicates`: the same as `python -m bot.classifier ...`)."""

from __future__ import annotations

import click

from bot.cli.common import F, as_json, config_option, invocation, short_lived
from bot.cli.output import print_json


@click.group("router")
def command() -> None:
    """The keyword router."""


@command.command("report")
@as_json
@config_option
def report(as_json: bool) -> None:
    """Most frequent reroutes by officials and keyword suggestions (read-only)."""
    from bot.corrections import misroute_report
    from bot.setup import load_routing_table

    run = invocation()
    table = load_routing_table(run.settings())
    database = run.reading()
    with database.sessions() as session:
        found = misroute_report(session, table)
    if as_json:
        print_json(found)
        return
    if not found["misroutes"]:
        click.echo("No complaint has been rerouted yet: nothing to learn from.")
        return
    click.echo("Most frequent reroutes (from -> to: count):")
    for row in found["misroutes"]:
        click.echo(f"  {row['from']} -> {row['to']}: {row['count']}")
        for word, score in row.get("suggestions", []):
            click.echo(f"      suggest keyword for {row['to']}: {word!r} ({score:.2f})")


def _passthrough(name: str, summary: str) -> click.Command:
    # classify answers one text and exits; evaluate and bench time long loops, which run as they always did
    lifetime = short_lived if name == "classify" else _as_it_is

    @click.command(name, help=f"{summary} (options: `aduan router {name} --help`).",
                   context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                     "help_option_names": []})
    @click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
    @lifetime
    def run(arguments: tuple[str, ...]) -> None:
        from bot.classifier import main

        raise click.exceptions.Exit(main([name, *arguments]))

    return run


def _as_it_is(function: F) -> F:
    return function


for _name, _summary in (("classify", "Route one text"), ("evaluate", "Accuracy on a labelled CSV"),
                        ("bench", "Messages per second against the naive baseline"),
                        ("duplicates", "Precision and recall of the duplicate detector")):
    command.add_command(_passthrough(_name, _summary))
