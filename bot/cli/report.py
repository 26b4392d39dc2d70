"""`aduan report monthly --month YYYY-MM`: counts per agency x category x status, medians, satisfaction,
as CSV, XLSX or JSON (for the Bagian Organisasi's spreadsheets)."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from bot.cli.common import Refused, config_option, invocation
from bot.cli.output import write_text

COUNT_COLUMNS = ("agency", "category", "status", "count")
AGENCY_COLUMNS = ("agency", "complaints", "answered", "median_hours_to_acknowledge", "median_hours_to_answer",
                  "answered_within_deadline", "average_rating", "satisfied_share")


@click.group("report")
def command() -> None:
    """Reports for the region's administration."""


@command.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "form", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("--output", help="file to write (required for xlsx; default: standard output)")
@config_option
def monthly(month: str, form: str, output: str | None) -> None:
    """Counts per agency x category x status, medians, satisfaction."""
    from models.desk import calendar_for
    from models.exports import to_csv, to_xlsx
    from models.reports import monthly_recap

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise Refused(f"--month must look like 2026-11, not {month!r}")
    if form == "xlsx" and not output:
        raise Refused("--format xlsx needs --output FILE.xlsx")
    run = invocation()
    settings = run.settings()
    database = run.reading()
    with database.sessions() as session:
        recap = monthly_recap(session, calendar_for(settings), month)
    if form == "json":
        write_text(json.dumps(recap, ensure_ascii=False, indent=2), output)
    elif form == "csv":
        write_text(to_csv(*recap_tables(recap), preamble=["month", recap["month"], "timezone", recap["timezone"]]),
                   output)
    else:
        assert output is not None
        with open(output, "wb") as handle:
            handle.write(to_xlsx(*recap_tables(recap)))
        click.echo(f"wrote {output}")


def recap_tables(recap: dict[str, Any]) -> list[Any]:
    from models.exports import Table

    tables = [Table(f"Jumlah {recap['month']}", COUNT_COLUMNS, recap["counts"]),
              Table("Per instansi", AGENCY_COLUMNS, recap["agencies"])]
    if recap.get("ombudsman_referrals"):  # complaints citizens took to the Ombudsman (docs/LAPOR.md)
        tables.append(Table("Rujukan Ombudsman", ("code", "agency", "office", "at"), recap["ombudsman_referrals"]))
    return tables
