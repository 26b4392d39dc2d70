"""Statistics per month and agency with SVG charts, and the same table as CSV/XLSX."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, g, render_template, request

from models.exports import Table, to_csv, to_xlsx
from models.lifecycle import LABELS
from models.stats import COLUMNS, agency_response, counts_by, monthly_totals, response_times, sla_table
from web.dashboard.context import Context, login_required, sees_everything
from web.dashboard.queries import query_date
from web.dashboard.security import language, protect
from web.dashboard.svg import bar_chart
from web.dashboard.wording import channel_name, month_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("stats", __name__, template_folder="templates"))
    guard = login_required(context)

    @bp.get("/dashboard/stats")
    @guard
    def page() -> str:
        start, end, agency = _period(context)
        db = context.read()
        table = sla_table(db, start, end, context.calendar.zone, agency)
        response = agency_response(table)
        return render_template(
            "dashboard/stats.html", table=table, columns=COLUMNS, start=start, end=end, agency=agency,
            by_status=counts_by(db, "status", start, end, agency),
            by_category=counts_by(db, "category", start, end, agency),
            timing=response_times(db, start, end, agency),
            channel_chart=bar_chart("per channel", [(channel_name(c, language()), float(n))
                                                    for c, n in counts_by(db, "channel", start, end, agency)],
                                    chart_id="channels"),
            month_chart=bar_chart("per month", [(month_title(m, language()), float(n))
                                                for m, n in monthly_totals(table)], chart_id="months"),
            agency_chart=bar_chart("% in time", [(r["agency"], r["answered_in_time_pct"]) for r in
                                                 with_due_items(response, context)], unit="%", chart_id="agencies"),
            agencies=context.settings.agencies, args=_period_args(), labels=LABELS[language()])

    @bp.get("/dashboard/stats.csv")
    @guard
    def csv_export() -> Response:
        start, end, agency = _period(context)
        rows = sla_table(context.read(), start, end, context.calendar.zone, agency)
        return Response(to_csv(Table("SLA", COLUMNS, rows)), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=statistik.csv"})

    @bp.get("/dashboard/stats.xlsx")
    @guard
    def xlsx_export() -> Response:
        start, end, agency = _period(context)
        rows = sla_table(context.read(), start, end, context.calendar.zone, agency)
        return Response(to_xlsx(Table("SLA", COLUMNS, rows)), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=statistik.xlsx"})

    return bp


def with_due_items(response: list[dict[str, Any]], context: Context) -> list[dict[str, Any]]:
    """Only regional agencies with something answered (an on-time share that means something): no 0% bar
    for an agency with nothing due, no external body, no triage queue."""
    regional = {agency.code for agency in context.settings.agencies if agency.kind == "regional"}
    return [row for row in response if row["agency"] in regional and row["answered_in_time_pct"] is not None]


def _period_args() -> dict[str, str]:
    """Only the page's own keys go back into url_for (never _external, _scheme or _anchor)."""
    return {key: value for key, value in request.args.items() if key in ("from", "to", "agency")}


def _period(context: Context) -> tuple[datetime, datetime, str | None]:
    """[from, to] in local dates; default: the twelve months up to today."""
    today = context.now().astimezone(context.calendar.zone).date()
    start_day = query_date(request.args.get("from")) or date(today.year - 1, today.month, 1)
    end_day = query_date(request.args.get("to")) or today
    zone = context.calendar.zone
    start = datetime.combine(start_day, time(0), tzinfo=zone)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=zone)
    # Agency admins and heads see their own agency's figures; region-wide roles choose.
    agency = (request.args.get("agency") or None) if sees_everything(g.actor) else g.actor.agency_code
    return start, end, agency

