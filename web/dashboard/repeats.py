"""Submissions that arrive twice file one complaint: an Open311 client retrying a POST, an operator
pressing the intake form's button again or resubmitting it from the browser's history.

The caller names each submission with a key (a digest of it). The key is stored in `app_state`, with
the code of the complaint it filed, in the same transaction as that complaint; the same key within
the window is answered with that code. Two identical submissions racing each other collide on the
key (app_state's primary key): the loser's transaction rolls back, its complaint with it, and it
answers with the winner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.desk import Desk
from models.tables import AppState
from web.dashboard.context import Context


def file_once(context: Context, key: str, window: timedelta, file: Callable[[Session, Desk], str]) -> str:
    """The code `file` returns, filing only if no submission with this key was filed within the window."""
    try:
        with context.write() as (db, desk):
            earlier = earlier_code(db, key, desk.now, window)
            if earlier is not None:
                return earlier
            code = file(db, desk)
            _remember(db, key, code, desk.now, window)
            return code
    except IntegrityError:
        with context.database.sessions() as db:
            earlier = earlier_code(db, key, context.now(), window)
        if earlier is None:
            raise  # not the race on the key: a real error
        return earlier


def earlier_code(db: Session, key: str, now: datetime, window: timedelta) -> str | None:
    row = db.get(AppState, key)
    if row is None or row.updated_at < now - window:
        return None
    return row.value


def _remember(db: Session, key: str, code: str, now: datetime, window: timedelta) -> None:
    # Expired keys of the same kind go here, so app_state only ever holds one window's worth.
    prefix = key.split(":", 1)[0] + ":"
    db.execute(delete(AppState)
               .where(AppState.key.startswith(prefix), AppState.key != key, AppState.updated_at < now - window)
               .execution_options(synchronize_session=False))
    row = db.get(AppState, key)
    if row is None:
        db.add(AppState(key=key, value=code, updated_at=now))
    else:  # the same submission again, after the window: a new complaint on purpose
        row.value, row.updated_at = code, now
    db.flush()
