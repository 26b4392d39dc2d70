"""Counters with expiry and exponential backoff, atomic on SQLite and PostgreSQL (table `throttles`).

A failure is one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`: concurrent failures each get their own
count, never a lost update and never a unique-key error. The first `free` failures cost nothing; then each
one blocks the key for `base * 2^(n - free - 1)` seconds, capped: a slowdown, never a lock for good.
Keys are keyed hashes (the deployment's `throttle` site key): no address or login is stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.orm import Session

from models.db import insert_or_on_conflict
from models.privacy import site_key
from models.tables import Throttle, UTCDateTime

THROTTLE_KEY = "throttle"


@dataclass(frozen=True)
class Rule:
    name: str
    free: int
    base_seconds: float
    cap_seconds: float
    forget_after: timedelta

    def delay(self, count: int) -> float:
        if count <= self.free:
            return 0.0
        return float(min(self.cap_seconds, self.base_seconds * 2 ** min(count - self.free - 1, 30)))


def key_for(session: Session, rule: Rule, *parts: str) -> str:
    digest = hmac.new(site_key(session, THROTTLE_KEY), "\x1f".join(parts).encode("utf-8", "replace"),
                      hashlib.sha256).hexdigest()[:40]
    return f"{rule.name}:{digest}"


def blocked_for(session: Session, keys: list[str], now: datetime) -> float:
    """Seconds until every one of the keys is free again (0 when none is blocked)."""
    query = select(Throttle.blocked_until).where(Throttle.key.in_(keys), Throttle.expires_at > now,
                                                 Throttle.blocked_until > now)
    waits = [(until - now).total_seconds() for until in session.scalars(query) if until is not None]
    return max(waits, default=0.0)


def record(session: Session, rule: Rule, key: str, now: datetime) -> int:
    """Count one more event on the key; returns the count and blocks the key when past the free ones."""
    expires = now + rule.forget_after
    columns = Throttle.__table__.c
    at = literal(now, UTCDateTime())  # typed, so the instant is stored as naive UTC on both backends
    fresh = columns.expires_at <= at
    insert: Any = insert_or_on_conflict(Throttle, session.get_bind().dialect.name)
    statement = insert.values(key=key, count=1, first_at=now, last_at=now, blocked_until=None,
                              expires_at=expires)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={
        "count": case((fresh, 1), else_=columns.count + 1),
        "first_at": case((fresh, at), else_=columns.first_at),
        "last_at": at,
        "expires_at": literal(expires, UTCDateTime()),
    }).returning(columns.count)
    count = int(session.execute(statement).scalar_one())
    delay = rule.delay(count)
    if delay > 0:
        session.execute(update(Throttle).where(Throttle.key == key)
                        .values(blocked_until=now + timedelta(seconds=delay))
                        .execution_options(synchronize_session=False))
    return count


def count_of(session: Session, key: str, now: datetime) -> int:
    found = session.scalar(select(Throttle.count).where(Throttle.key == key, Throttle.expires_at > now))
    return int(found or 0)


def clear(session: Session, keys: list[str]) -> None:
    session.execute(delete(Throttle).where(Throttle.key.in_(keys)).execution_options(synchronize_session=False))


def prune(session: Session, now: datetime) -> int:
    """Delete expired counters (the retention job calls this); returns how many went."""
    result = session.execute(delete(Throttle).where(Throttle.expires_at <= now)
                             .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


# A web-chat challenge seed opens one chat (models nothing else: a reused seed counts past 1).
CHALLENGE_SEEDS = Rule("chat-seed", free=1_000_000, base_seconds=0.0, cap_seconds=0.0,
                       forget_after=timedelta(hours=2))
# Complaints filed through the web chat per client address and local day (the cookie does not reset it).
WEB_FILINGS = Rule("web-filings", free=1_000_000, base_seconds=0.0, cap_seconds=0.0,
                   forget_after=timedelta(days=2))
