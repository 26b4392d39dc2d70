"""Submissions that arrive twice file one complaint: an Open311 client retrying a POST, an operator
pressing the intake form's button again or resubmitting it from the browser's history.

The caller names each submission with a key (a digest of it). The key is stored in `idempotency_keys`,
with the code of the complaint it filed and when it expires, in the same transaction as that complaint;
the same key before it expires is answered with that code. Two identical submissions racing each other
collide on the key (the table's primary key): the loser's transaction rolls back, its complaint with
it, and it answers with the winner's code. Expired keys are deleted as new ones are written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.desk import Desk
from models.tables import IdempotencyKey
from web.dashboard.context import Context


def file_once(context: Context, key: str, window: timedelta, file: Callable[[Session, Desk], str]) -> str:
    """The code `file` returns, filing only if no submission with this key was filed within the window."""
    try:
        with context.write() as (db, desk):
            earlier = earlier_code(db, key, desk.now)
            if earlier is not None:
                return earlier
            code = file(db, desk)
            _remember(db, key, code, desk.now, window)
            return code
    except IntegrityError:
        with context.database.sessions() as db:
            earlier = earlier_code(db, key, context.now())
        if earlier is None:
            raise  # not the race on the key: a real error
        return earlier


def earlier_code(db: Session, key: str, now: datetime) -> str | None:
    row = db.get(IdempotencyKey, key)
    return row.complaint_code if row is not None and row.expires_at >= now else None


def _remember(db: Session, key: str, code: str, now: datetime, window: timedelta) -> None:
    db.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now, IdempotencyKey.key != key)
               .execution_options(synchronize_session=False))
    row = db.get(IdempotencyKey, key)
    if row is None:
        db.add(IdempotencyKey(key=key, complaint_code=code, created_at=now, expires_at=now + window))
    else:  # the same submission again, after the window: a new complaint on purpose
        row.complaint_code, row.created_at, row.expires_at = code, now, now + window
    db.flush()
