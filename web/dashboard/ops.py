"""`/healthz` (database reachable, outbox lag) and `/metrics` (Prometheus text format)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from models.tables import Complaint, Notification
from web.dashboard.context import Context
from web.dashboard.queries import overdue_condition

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def make_blueprint(context: Context) -> Blueprint:
    bp = Blueprint("ops", __name__)

    @bp.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            lag = _outbox_lag_seconds(context)
        except SQLAlchemyError as error:
            return jsonify({"status": "fail", "database": type(error).__name__}), 503
        return jsonify({"status": "ok", "database": "ok", "outbox_lag_seconds": lag}), 200

    @bp.get("/metrics")
    def metrics() -> Response:
        latency = current_app.extensions.get("aduan.latency")
        lines = _metric_lines(context) + (latency.lines() if latency is not None else [])
        return Response("".join(lines), mimetype=PROMETHEUS)

    return bp


def _outbox_lag_seconds(context: Context) -> float:
    db = context.read()
    db.execute(text("SELECT 1"))
    now = context.now()
    oldest = db.scalar(select(func.min(Notification.next_attempt_at)).where(
        Notification.status.in_(["queued", "sending"]), Notification.next_attempt_at <= now))
    return 0.0 if oldest is None else round((now - oldest.replace(tzinfo=now.tzinfo)).total_seconds(), 1)


def _metric_lines(context: Context) -> list[str]:
    db = context.read()
    now = context.now()
    lines = _family("aduan_complaints", "gauge", "Complaints by status", db.execute(
        select(Complaint.status, func.count()).group_by(Complaint.status)), "status")
    lines += _family("aduan_complaints_overdue", "gauge", "Open complaints past their deadline, by agency",
                     db.execute(select(func.coalesce(Complaint.agency_code, "-"), func.count())
                                .where(overdue_condition(now)).group_by(Complaint.agency_code)), "agency")
    lines += _family("aduan_outbox_notifications", "gauge", "Outbox rows by status", db.execute(
        select(Notification.status, func.count()).group_by(Notification.status)), "status")
    failures = db.scalar(select(func.count()).where(Notification.status == "failed")) or 0
    lines += ["# HELP aduan_outbox_failed Notifications that failed for good\n",
              "# TYPE aduan_outbox_failed gauge\n", f"aduan_outbox_failed {failures}\n",
              "# HELP aduan_outbox_lag_seconds Age of the oldest due, undelivered notification\n",
              "# TYPE aduan_outbox_lag_seconds gauge\n", f"aduan_outbox_lag_seconds {_outbox_lag_seconds(context)}\n"]
    return lines


def _family(name: str, kind: str, help_text: str, rows: Any, label: str) -> list[str]:
    lines = [f"# HELP {name} {help_text}\n", f"# TYPE {name} {kind}\n"]
    for value, count in rows:
        lines.append(f'{name}{{{label}="{_escape(str(value))}"}} {int(count)}\n')
    return lines


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
