"""Officials' dashboard passwords (scrypt) and login throttling kept in the database.

Failed attempts are counted per login name in `app_state` (key ``login:<name>``), so the
limit holds across processes and restarts. `now` is always given by the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.lifecycle import DomainError
from models.tables import AppState, Official

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 10
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def set_password(session: Session, official_id: str, password: str) -> None:
    official = session.get(Official, official_id)
    if official is None:
        raise DomainError(f"unknown official {official_id!r}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise DomainError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    official.password_hash = hash_password(password)
    session.flush()


def locked_out(session: Session, login: str, now: datetime) -> bool:
    count, since = _failures(session, login)
    return count >= MAX_FAILURES and since is not None and now - since < LOCKOUT


def authenticate(session: Session, login: str, password: str, now: datetime) -> Official | None:
    """The active official whose password matches, or None; failures are counted, success resets."""
    if locked_out(session, login, now):
        return None
    official = session.get(Official, login)
    hashed = official.password_hash if official is not None and official.active else None
    if hashed is None:
        verify_password(password, _DUMMY_HASH)  # same work whether or not the name exists
    if official is not None and verify_password(password, hashed):
        _store(session, login, 0, None, now)
        return official
    _record_failure(session, login, now)
    return None


def _record_failure(session: Session, login: str, now: datetime) -> None:
    count, since = _failures(session, login)
    if since is None or now - since >= LOCKOUT:
        count, since = 0, now
    _store(session, login, count + 1, since, now)


def _failures(session: Session, login: str) -> tuple[int, datetime | None]:
    row = session.get(AppState, _key(login))
    if row is None:
        return 0, None
    data = json.loads(row.value)
    since = data.get("since")
    return int(data.get("count", 0)), datetime.fromisoformat(since) if since else None


def _store(session: Session, login: str, count: int, since: datetime | None, now: datetime) -> None:
    value = json.dumps({"count": count, "since": since.isoformat() if since else None})
    row = session.get(AppState, _key(login))
    if row is None:
        session.add(AppState(key=_key(login), value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
    session.flush()


def _key(login: str) -> str:
    return f"login:{login[:80]}"


_DUMMY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32
