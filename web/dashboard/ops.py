"""`/healthz` (database reachable, outbox lag) and `/metrics` (Prometheus, see web/metrics.py)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify, request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from models.environment import secret
from models.notification import NotificationStatus
from models.tables import Complaint, Notification, TransportCheck
from web.dashboard.context import Context
from web.dashboard.queries import overdue_condition
from web.metrics import CONTENT_TYPE, app_metrics

LOOPBACK = frozenset({"127.0.0.1", "::1"})
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def make_blueprint(context: Context) -> Blueprint:
    bp = Blueprint("ops", __name__)

    @bp.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            lag = _outbox_lag_seconds(context)
        except SQLAlchemyError as error:
            return jsonify({"status": "fail", "database": type(error).__name__}), 503
        problems = _problems(context, lag)
        if problems:
            # Still 200: the web answers; the notifier (or a provider) needs someone's attention.
            return jsonify({"status": "degraded", "database": "ok", "outbox_lag_seconds": lag,
                            "problems": problems}), 200
        return jsonify({"status": "ok", "database": "ok", "outbox_lag_seconds": lag}), 200

    @bp.get("/metrics")
    def metrics() -> Response:
        refusal = _scrape_refusal(secret(context.environment.metrics_token))
        if refusal is not None:
            return refusal
        return Response(app_metrics().exposition([DatabaseGauges(context)]), content_type=CONTENT_TYPE)

    return bp


def _problems(context: Context, lag: float) -> list[str]:
    """What makes the service degraded: an outbox lagging past notifier.health_lag_seconds, or a channel
    whose last self-check failed (stored by the notifier in transport_checks)."""
    found = []
    limit = context.settings.notifier.health_lag_seconds
    if lag > limit:
        found.append(f"outbox lag {lag:.0f} s > {limit} s")
    failed = context.read().scalars(select(TransportCheck).where(TransportCheck.ok.is_(False))
                                    .order_by(TransportCheck.channel))
    found += [f"channel {row.channel} self-check failed" for row in failed]
    return found


def _scrape_refusal(token: str | None) -> Response | None:
    """None when the request may read /metrics: with METRICS_TOKEN set, it carries the token as a bearer;
    without, it comes straight from this host (a request through nginx carries its proxy headers)."""
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return Response("bearer token required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    local = request.remote_addr in LOOPBACK and not any(header in request.headers for header in PROXY_HEADERS)
    return None if local else Response("forbidden\n", status=403, mimetype="text/plain")


def _outbox_lag_seconds(context: Context) -> float:
    db = context.read()
    db.execute(text("SELECT 1"))
    now = context.now()
    oldest = db.scalar(select(func.min(Notification.next_attempt_at)).where(
        Notification.status.in_([NotificationStatus.QUEUED, NotificationStatus.SENDING]),
        Notification.next_attempt_at <= now))
    return 0.0 if oldest is None else round((now - oldest.replace(tzinfo=now.tzinfo)).total_seconds(), 1)


class DatabaseGauges(Collector):
    """Complaints and the outbox as the database has them at the moment of the scrape."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def collect(self) -> Iterator[GaugeMetricFamily]:
        db = self.context.read()
        now = self.context.now()
        yield _family("aduan_complaints", "Complaints by status", "status", db.execute(
            select(Complaint.status, func.count()).group_by(Complaint.status)))
        yield _family("aduan_complaints_overdue", "Open complaints past their deadline, by agency", "agency",
                      db.execute(select(func.coalesce(Complaint.agency_code, "-"), func.count())
                                 .where(overdue_condition(now)).group_by(Complaint.agency_code)))
        yield _family("aduan_outbox_notifications", "Outbox rows by status", "status", db.execute(
            select(Notification.status, func.count()).group_by(Notification.status)))
        failures = db.scalar(select(func.count()).where(Notification.status == NotificationStatus.FAILED)) or 0
        yield GaugeMetricFamily("aduan_outbox_failed", "Notifications that failed for good", value=failures)
        yield GaugeMetricFamily("aduan_outbox_lag_seconds", "Age of the oldest due, undelivered notification",
                                value=_outbox_lag_seconds(self.context))


def _family(name: str, help_text: str, label: str, rows: Any) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_text, labels=[label])
    for value, count in rows:
        family.add_metric([str(value)], int(count))
    return family
