"""What every dashboard view needs: settings, database, engine, clock and the signed-in official."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine
from models.config import REGION_WIDE_ROLES, Role, Settings
from models.db import make_read_session_factory, transaction
from models.desk import Desk, calendar_for
from models.environment import Environment
from models.permissions import Actor
from models.runtime import Database
from models.tables import Official
from models.workdays import WorkingCalendar


@dataclass
class Context:
    settings: Settings
    database: Database
    engine: Engine
    environment: Environment
    calendar: WorkingCalendar = field(init=False)
    readers: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = calendar_for(self.settings)
        # Pages read without the SQLite writer lock: a page view never makes a webhook wait.
        self.readers = make_read_session_factory(self.database.engine)

    def now(self) -> datetime:
        """The engine's clock: the system clock in production, a fixed one in tests."""
        return self.engine.clock()

    def read(self) -> Session:
        """A read session for this request, closed at teardown."""
        if "aduan_db" not in g:
            g.aduan_db = self.readers()
        return g.aduan_db  # type: ignore[no-any-return]

    @contextmanager
    def write(self) -> Iterator[tuple[Session, Desk]]:
        """One transaction for one change; the request's read transaction ends first (SQLite locks)."""
        if "aduan_db" in g:
            g.aduan_db.rollback()
        with transaction(self.database.sessions) as db:
            yield db, Desk(db, self.settings, self.calendar, self.now())


def close_read_session(_error: BaseException | None = None) -> None:
    db = g.pop("aduan_db", None)
    if db is not None:
        db.close()


def current_actor(context: Context) -> Actor | None:
    """The signed-in official, if the session is still theirs: same password, same session version,
    younger than the absolute lifetime. An official without a password has no session at all."""
    official_id = session.get("official_id")
    if not official_id:
        return None
    official = context.read().get(Official, official_id)
    if official is None or not official.active or not official.password_hash:
        return None
    if password_stamp(official) != session.get("stamp") or session.get("version") != official.session_version:
        return None
    issued = session.get("issued")
    lifetime = context.settings.security.session_hours * 3600
    if not isinstance(issued, int | float) or not 0 <= context.now().timestamp() - issued < lifetime:
        return None
    return Actor("official", official.id, Role(official.role), official.agency_code)


def start_session(context: Context, official: Official) -> None:
    """A fresh session (and CSRF token) for an official who just signed in."""
    lang = session.get("lang")
    session.clear()
    session.update(official_id=official.id, stamp=password_stamp(official), version=official.session_version,
                   issued=context.now().timestamp(), lang=lang or "id")
    session.permanent = True


def password_stamp(official: Official) -> str:
    """Changes when the password changes, so old sessions end; never the hash itself."""
    if not official.password_hash:
        raise ValueError(f"{official.id} has no password and so no session")
    return hashlib.sha256(official.password_hash.encode()).hexdigest()[:16]


def sees_everything(actor: Actor) -> bool:
    return actor.role in REGION_WIDE_ROLES


def login_required(context: Context, roles: frozenset[Role] | None = None) -> Callable[..., Any]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor(context)
            if actor is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if roles is not None and actor.role not in roles:
                abort(403)
            g.actor = actor
            return view(*args, **kwargs)
        return wrapped
    return decorate
