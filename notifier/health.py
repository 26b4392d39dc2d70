"""Operators can trust the notifier: transport self-checks, queue health, the morning summary.

Self-check results are kept in `transport_checks` (one row per channel) so `aduan status` (and later
`/healthz`) can show them without talking to the providers. A failing channel alerts the operations
contact on their other channels.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.config import Settings
from models.notification import NotificationStatus, RecipientKind
from models.outbox import Recipient, enqueue
from models.tables import Notification, Official, TransportCheck
from models.views import iso
from models.workdays import WorkingCalendar
from notifier.transports.base import CheckResult, Transport, self_check

log = logging.getLogger("aduan.notifier.health")
Status = NotificationStatus


def check_transports(session: Session, settings: Settings, calendar: WorkingCalendar,
                     transports: Mapping[str, Transport], now: datetime) -> list[CheckResult]:
    """Run every transport's self-check, store the outcome, alert operations about failures."""
    results = []
    for channel, transport in sorted(transports.items()):
        result = self_check(transport)
        results.append(result)
        _store(session, channel, result, now)
        if not result.ok:
            log.warning("self-check failed channel=%s detail=%s", channel, result.detail)
            _alert_operations(session, settings, calendar, channel, result, now)
    return results


def stored_checks(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(TransportCheck).order_by(TransportCheck.channel))
    return [{"channel": row.channel, "transport": row.transport, "ok": row.ok, "detail": row.detail,
             "at": iso(row.checked_at)} for row in rows]


def _store(session: Session, channel: str, result: CheckResult, now: datetime) -> None:
    row = session.get(TransportCheck, channel)
    if row is None:
        row = TransportCheck(channel=channel)
        session.add(row)
    row.transport, row.ok, row.detail, row.checked_at = result.transport, result.ok, result.detail, now


def _alert_operations(session: Session, settings: Settings, calendar: WorkingCalendar, channel: str,
                      result: CheckResult, now: datetime) -> None:
    official = _operations_official(session, settings)
    if official is None:
        return
    day = calendar.local_date(now).isoformat()
    text = f"Kanal {channel} GAGAL uji mandiri: {result.detail}"
    for contact in official.contacts:
        if contact.channel == channel:
            continue  # a broken channel cannot carry its own alarm
        recipient = Recipient(RecipientKind.OPERATIONS, official.id, contact.channel, contact.address)
        enqueue(session, recipient=recipient, purpose="self_check", payload={"text": text},
                dedup_key=f"selfcheck:{channel}:{day}:{contact.channel}", now=now)


def _operations_official(session: Session, settings: Settings) -> Official | None:
    official_id = settings.region.operations_contact
    return session.get(Official, official_id) if official_id else None


# --- queue health ---------------------------------------------------------------------------


def queue_health(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """Queue depth by status, stuck rows and the last day's failures grouped by reason."""
    depth = {status: int(count) for status, count in session.execute(
        select(Notification.status, func.count(Notification.id)).group_by(Notification.status))}
    stuck_before = now - timedelta(minutes=settings.notifier.stuck_after_minutes)
    stuck = session.scalar(select(func.count(Notification.id)).where(or_(
        and_(Notification.status == Status.QUEUED, Notification.next_attempt_at < stuck_before),
        and_(Notification.status == Status.SENDING, Notification.lease_until < now)))) or 0
    failures = [
        {"channel": channel, "reason": reason or "-", "count": int(count)}
        for channel, reason, count in session.execute(
            select(Notification.channel, Notification.last_error, func.count(Notification.id))
            .where(Notification.status == Status.FAILED, Notification.created_at >= now - timedelta(days=1))
            .group_by(Notification.channel, Notification.last_error)
            .order_by(func.count(Notification.id).desc()))
    ]
    return {"depth": depth, "stuck": int(stuck), "failed_last_day": failures}


def queue_operations_summary(session: Session, settings: Settings, calendar: WorkingCalendar,
                             now: datetime) -> int:
    """The operators' morning summary of stuck and failed notifications; nothing when all is well."""
    health = queue_health(session, settings, now)
    official = _operations_official(session, settings)
    if official is None or not (health["stuck"] or health["failed_last_day"]):
        return 0
    lines = [f"Ringkasan notifikasi {calendar.local_date(now).strftime('%d-%m-%Y')}",
             f"Macet: {health['stuck']}; antrean: {health['depth'].get('queued', 0)}"]
    lines += [f"- gagal {row['count']}x {row['channel']}: {row['reason'][:160]}" for row in health["failed_last_day"]]
    day = calendar.local_date(now).isoformat()
    for contact in official.contacts:
        recipient = Recipient(RecipientKind.OPERATIONS, official.id, contact.channel, contact.address)
        enqueue(session, recipient=recipient, purpose="ops_summary", payload={"text": "\n".join(lines)},
                dedup_key=f"ops_summary:{day}:{contact.channel}", now=now)
    return len(official.contacts)
