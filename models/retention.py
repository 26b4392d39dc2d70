"""Retention (UU 27/2022: keep personal data no longer than needed): chat transcripts and inbound payloads
go after `privacy.retention_days` (default 180); complaints, their audit trail and the outbox stay.

    counts = apply_retention(session, settings, now)   # in the caller's transaction; the notifier schedules it

What goes: chat sessions (the draft and state of a conversation) untouched for the period, inbound message
records (the replies kept for idempotency) received before it, and expired throttle counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.config import Settings
from models.tables import ChatSession, InboundMessage
from models.throttle import prune


@dataclass(frozen=True)
class RetentionCounts:
    chat_sessions: int
    inbound_messages: int
    throttles: int

    @property
    def total(self) -> int:
        return self.chat_sessions + self.inbound_messages + self.throttles


def apply_retention(session: Session, settings: Settings, now: datetime) -> RetentionCounts:
    """Delete what is older than the retention period; returns how many rows of each kind went."""
    if now.tzinfo is None:
        raise ValueError("retention needs an aware 'now'")
    cutoff = now - timedelta(days=settings.privacy.retention_days)
    chats = session.execute(delete(ChatSession).where(ChatSession.updated_at < cutoff)
                            .execution_options(synchronize_session=False))
    inbound = session.execute(delete(InboundMessage).where(InboundMessage.received_at < cutoff)
                              .execution_options(synchronize_session=False))
    return RetentionCounts(_count(chats), _count(inbound), prune(session, now))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
