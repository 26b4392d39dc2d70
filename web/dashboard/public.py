"""Public pages: tracking by code (status and dates only) and agencies' response rates.

Both are open to anyone, so both have a per-address budget; the yearly summary is computed at most
every `security.public_cache_seconds`, whoever asks how often.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from models.codes import normalize_code
from models.lifecycle import LABELS
from models.stats import agency_response, sla_table
from models.tables import Complaint
from models.views import local_day
from web.dashboard.context import Context
from web.dashboard.limits import TimedCache, limit
from web.dashboard.security import language, protect

SUMMARY_DAYS = 365


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("public", __name__, template_folder="templates"))
    limit(bp, context, "public", lambda: context.settings.security.public_requests_per_minute)
    cache = TimedCache()

    @bp.get("/lacak")
    def track() -> tuple[str, int]:
        typed = request.args.get("code", "").strip()[:40]
        found = _public_complaint(context, typed) if typed else None
        view = _tracking_view(context, found) if found is not None else None
        status = 404 if typed and found is None else 200
        return render_template("dashboard/track.html", typed=typed, view=view), status

    @bp.get("/ringkasan")
    def summary() -> str:
        seconds = context.settings.security.public_cache_seconds
        rows = cache.get("summary", seconds, context.now(), lambda: _summary_rows(context))
        return render_template("dashboard/summary.html", rows=rows, region=context.settings.region)

    return bp


def _summary_rows(context: Context) -> list[dict[str, object]]:
    end = context.now() + timedelta(seconds=1)  # [start, end) includes this very moment
    table = sla_table(context.read(), end - timedelta(days=SUMMARY_DAYS), end, context.calendar.zone, public=True)
    # Regional agencies with something answered: an outside body or an agency with nothing due yet
    # would show a meaningless "0.0%".
    names = {agency.code: agency.name for agency in context.settings.agencies if agency.kind == "regional"}
    return [dict(row, name=names[row["agency"]]) for row in agency_response(table)
            if row["agency"] in names and row["answered"]]


def _public_complaint(context: Context, typed: str) -> Complaint | None:
    code = normalize_code(typed, context.settings.region.code_prefix)
    if code is None:
        return None
    found = context.read().scalars(select(Complaint).where(Complaint.code == code)).first()
    return None if found is None or found.confidential else found


def _tracking_view(context: Context, found: Complaint) -> dict[str, str | None]:
    calendar = context.calendar
    return {
        "code": found.code,
        "status": LABELS[language()].get(found.status, found.status),  # type: ignore[call-overload]
        "filed": local_day(found.created_at + timedelta(seconds=1), calendar),
        "answer_due": local_day(found.answer_due_at, calendar),
        "answered": local_day(found.answered_at + timedelta(seconds=1), calendar) if found.answered_at else None,
        "closed": local_day(found.closed_at + timedelta(seconds=1), calendar) if found.closed_at else None,
    }
