"""Escalations to the region's leaders, bundled: one message per person per sweep pass.

Alerted one complaint at a time, the regional head, the sekda and the inspectorate would get one message
per overdue complaint, step and channel (thirty in one morning of a test week). Instead each sweep batch
writes, in its own transaction, one `held` outbox row per person listing what that batch escalated to
them: a crash loses nothing, a rolled-back batch leaves nothing, and the dispatcher never sends a held
row. When the pass ends, `release` folds each person's held rows into one queued message, oldest overdue
first, on the person's first reachable channel (the dispatcher's fallback carries it to the next channel
if that one fails). A pass that died before releasing leaves held rows that the next pass releases
together with its own.

The released row's dedup key is made of its content (complaints, steps and deadlines), so the same bundle
can never be queued twice. The audit trail stays one `escalate` event per complaint and step.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import transaction
from models.notices import escalation_bundle
from models.notification import NotificationPayload, NotificationStatus, as_payload
from models.outbox import Recipient, outbox_row
from models.tables import Notification

HELD = NotificationStatus.HELD
MIXED_PURPOSE = "escalation_regional"


def held_rows(items_by_official: Mapping[str, list[dict[str, Any]]], recipients: Mapping[str, Recipient],
              now: datetime, dashboard_url: str) -> list[dict[str, Any]]:
    """One held outbox row per official for one batch; `items_by_official` as `escalation_bundle` reads them,
    plus `complaint_id`, `purpose`, `level` and `deadline`."""
    rows = []
    for official_id, items in items_by_official.items():
        ordered = _ordered(items)
        rows.append(outbox_row(
            recipient=recipients[official_id], purpose=_purpose(ordered), payload=_payload(ordered, dashboard_url),
            dedup_key=f"bundle-held:official-{official_id}:{secrets.token_hex(12)}", now=now,
            level=max(item["level"] for item in ordered), status=HELD))
    return rows


def release(sessions: sessionmaker[Session], dashboard_url: str, now: datetime) -> int:
    """Queue one message per person from every held row; returns how many were queued."""
    with transaction(sessions) as session:
        query = select(Notification).where(Notification.status == HELD).order_by(Notification.id)
        if session.get_bind().dialect.name == "postgresql":
            # Another notifier releasing at the same moment takes the rows this one does not.
            query = query.with_for_update(skip_locked=True)
        by_official: dict[str, list[Notification]] = {}
        for row in session.scalars(query):
            by_official.setdefault(row.recipient_id, []).append(row)
        return sum(_fold(session, official_id, rows, dashboard_url, now) for official_id, rows in by_official.items())


def _fold(session: Session, official_id: str, rows: list[Notification], dashboard_url: str, now: datetime) -> int:
    keep, *folded = rows
    items = _ordered(_unique(item for row in rows for item in row.payload["items"]))
    key = f"bundle:official-{official_id}:{_fingerprint(items)}"
    for row in folded:
        session.delete(row)
    if session.scalar(select(Notification.id).where(Notification.dedup_key == key)) is not None:
        session.delete(keep)  # exactly this bundle was queued before: repeating it is a no-op
        return 0
    keep.dedup_key = key
    keep.payload = _payload(items, dashboard_url)
    keep.level = max(item["level"] for item in items)
    keep.purpose = _purpose(items)
    keep.status = NotificationStatus.QUEUED
    keep.next_attempt_at = now
    return 1


def _payload(items: list[dict[str, Any]], dashboard_url: str) -> NotificationPayload:
    payload = escalation_bundle(items, dashboard_url)
    payload["variables"]["level"] = max(item["level"] for item in items)
    return as_payload({**payload, "items": items})


def _purpose(items: list[dict[str, Any]]) -> str:
    """The steps' own purpose when they share one (reminders, unverified complaints), else the regional
    escalation's: the WhatsApp template outside the 24-hour window is chosen by it."""
    purposes = {item["purpose"] for item in items}
    return purposes.pop() if len(purposes) == 1 else MIXED_PURPOSE


def _ordered(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: (-item["overdue_days"], item["code"], item["level"]))


def _unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({(item["complaint_id"], item["purpose"], item["level"]): item for item in items}.values())


def _fingerprint(items: list[dict[str, Any]]) -> str:
    steps = sorted(f"{item['complaint_id']}:{item['purpose']}:{item['level']}:{item['deadline']}" for item in items)
    return hashlib.sha256("\n".join(steps).encode()).hexdigest()[:32]
