"""Writing notifications into the outbox, inside the caller's transaction.

Nothing here sends anything: the notifier claims queued rows and delivers them.
A de-duplication key makes writing the same notification twice a no-op, on
SQLite and PostgreSQL alike, without aborting the surrounding transaction.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.orm import Session

from models.db import insert_or_on_conflict
from models.notification import Channel, NotificationStatus, RecipientKind, as_payload
from models.tables import Notification


@dataclass(frozen=True)
class Recipient:
    """Who gets a notification, where. `kind` and `channel` take the enums' members or their values
    (the domain core writes the values); anything else is refused here, not in the database."""

    kind: str
    id: str
    channel: str
    address: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RecipientKind(self.kind))
        object.__setattr__(self, "channel", Channel(self.channel))


def enqueue(
    session: Session,
    *,
    recipient: Recipient,
    purpose: str,
    payload: Mapping[str, Any],
    dedup_key: str,
    now: datetime,
    complaint_id: int | None = None,
    level: int = 0,
    not_before: datetime | None = None,
    urgent: bool = False,
    status: str = NotificationStatus.QUEUED,
) -> None:
    """Queue one message (or, with another `status`, only record it); a row with the same dedup_key wins."""
    values = outbox_row(recipient=recipient, purpose=purpose, payload=payload, dedup_key=dedup_key, now=now,
                        complaint_id=complaint_id, level=level, not_before=not_before, urgent=urgent,
                        status=status)
    session.execute(_insert_ignoring_duplicates(_dialect(session)), values)


def outbox_row(
    *,
    recipient: Recipient,
    purpose: str,
    payload: Mapping[str, Any],
    dedup_key: str,
    now: datetime,
    complaint_id: int | None = None,
    level: int = 0,
    not_before: datetime | None = None,
    status: str = NotificationStatus.QUEUED,
    urgent: bool = False,
    checked: bool = False,
    callback_token: str | None = None,
) -> dict[str, Any]:
    """The column values of one queued message (for writers that insert many rows at once). `checked`: the
    payload came from `as_payload` already and is stored as it is (one object for several rows);
    `callback_token`: one drawn by `CallbackTokens`, else a new one."""
    return {
        "complaint_id": complaint_id,
        "dedup_key": dedup_key[:300],
        "recipient_kind": recipient.kind,
        "recipient_id": recipient.id,
        "channel": recipient.channel,
        "address": recipient.address,
        "purpose": purpose,
        "level": level,
        "urgent": urgent,
        "payload": payload if checked else as_payload(payload),
        "status": status if isinstance(status, NotificationStatus) else NotificationStatus(status),
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "callback_token": callback_token or secrets.token_urlsafe(24),
        "created_at": now,
    }


class CallbackTokens:
    """`secrets.token_urlsafe(24)` for writers of many rows: the same 24 random bytes per token from the
    same source, drawn for 256 tokens in one call (24 bytes are exactly 32 URL-safe base64 characters, so
    the tokens are the slices of one encoded block)."""

    PER_DRAW = 256

    def __init__(self) -> None:
        self._block = ""
        self._at = 0

    def __call__(self) -> str:
        if self._at >= len(self._block):
            self._block = base64.urlsafe_b64encode(secrets.token_bytes(24 * self.PER_DRAW)).decode("ascii")
            self._at = 0
        token = self._block[self._at:self._at + 32]
        self._at += 32
        return token


SUPPORTED_DIALECTS = ("postgresql", "sqlite")


def _dialect(session: Session) -> str:
    dialect = session.get_bind().dialect.name
    if dialect not in SUPPORTED_DIALECTS:
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    return dialect


# Built once, the row given as parameters: SQLAlchemy compiles each statement once per process and skips
# rebuilding it and its cache key for every message queued (several per complaint filed in a webhook).
# Built at the first message, so a command that queues none imports no dialect it does not use (issue 17).
@cache
def _insert_ignoring_duplicates(dialect: str) -> Insert:
    return insert_or_on_conflict(Notification, dialect).on_conflict_do_nothing(index_elements=["dedup_key"])
