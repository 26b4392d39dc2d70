"""The monthly recap as the Pemda reports it, as a printable page: per agency (by name) the seeds' status
set with totals, then on-time share, median times and satisfaction. Agency officials see their own agency."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, g, render_template, request

from models.lifecycle import KIND_LABELS
from models.recap_sheet import TRIAGE, recap_workbook
from models.reports import monthly_recap, recap_breakdown
from web.dashboard.context import Context, login_required, sees_everything
from web.dashboard.i18n import translate
from web.dashboard.security import language, protect
from web.dashboard.wording import CHANNEL_NAMES, month_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The recap's status columns, in the order the Pemda's report lists them (models/reports.py STATUS_GROUPS).
GROUPS = ("resolved", "in_progress", "coordinating", "forwarded", "rejected")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class RecapRow:
    agency: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("recap", __name__, template_folder="templates"))
    guard = login_required(context)

    @bp.app_template_filter("month_name")
    def month_name(value: str) -> str:
        return month_title(value, language())

    @bp.get("/dashboard/recap")
    @guard
    def page() -> str:
        month = _month(request.args.get("month"), context)
        recap = monthly_recap(context.read(), context.calendar, month)
        own = None if sees_everything(g.actor) else g.actor.agency_code
        names = {agency.code: agency.name for agency in context.settings.agencies} | {TRIAGE: t("triage_queue")}
        rows = recap_rows(recap, names, own)
        totals = {group: sum(row.counts.get(group, 0) for row in rows) for group in GROUPS}
        metrics = [dict(item, name=names.get(item["agency"], item["agency"])) for item in recap["agencies"]
                   if own is None or item["agency"] == own]
        return render_template("dashboard/recap.html", month=month, rows=rows, totals=totals,
                               total=sum(totals.values()), metrics=metrics, groups=GROUPS)

    @bp.get("/dashboard/recap.xlsx")
    @guard
    def xlsx() -> Response:
        month = _month(request.args.get("month"), context)
        own = None if sees_everything(g.actor) else g.actor.agency_code
        db = context.read()
        recap = monthly_recap(db, context.calendar, month)
        if own is not None:
            recap = {**recap, "counts": [c for c in recap["counts"] if c["agency"] == own],
                     "agencies": [a for a in recap["agencies"] if a["agency"] == own]}
        names = {agency.code: agency.name for agency in context.settings.agencies}
        kind_names = {kind.value: text for kind, text in KIND_LABELS.items()}
        kinds = [(kind_names.get(k, k), n) for k, n in recap_breakdown(db, context.calendar, month, "kind", own)]
        channels = [(CHANNEL_NAMES.get(c, c), n)
                    for c, n in recap_breakdown(db, context.calendar, month, "channel", own)]
        body = recap_workbook(recap, names, {"Jenis laporan": kinds, "Kanal": channels})
        return Response(body, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=rekap-pengaduan-{month}.xlsx"})

    return bp


def t(key: str) -> str:
    return translate(key, language())


def recap_rows(recap: dict[str, Any], names: dict[str, str], own: str | None) -> list[RecapRow]:
    rows: dict[str, RecapRow] = {}
    for item in recap["counts"]:
        if own is not None and item["agency"] != own:
            continue
        row = rows.setdefault(item["agency"], RecapRow(item["agency"], names.get(item["agency"], item["agency"])))
        row.counts[item["status"]] = row.counts.get(item["status"], 0) + int(item["count"])
    return sorted(rows.values(), key=lambda row: (-row.total, row.name))


def _month(asked: str | None, context: Context) -> str:
    """The asked month, or the last complete one."""
    if asked and MONTH.match(asked):
        return asked
    today = context.now().astimezone(context.calendar.zone).date()
    previous = date(today.year, today.month, 1) - timedelta(days=1)
    return previous.strftime("%Y-%m")
