"""Officials' dashboard passwords, sign-in throttling and session versions. `now` is always given by the caller.

Passwords are hashed by werkzeug (`scrypt:...`); hashes in the desk's first format (`scrypt$N$r$p$salt$hash`)
still verify and are replaced by a werkzeug hash at the next successful sign-in.

Throttling (models/throttle.py) never locks an official out for good and never lets a stranger do it:

* per client address: a guesser slows down on every account it tries;
* per account and address: guessing one account from one place slows down faster;
* per account from anywhere: a distributed guesser slows down too, but a browser that signed in to this
  account before (its `device`, a signed cookie the web side keeps) skips this rule and the address rule,
  and is throttled on its own (account, device) counter, which no stranger can move.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models.lifecycle import DomainError
from models.tables import Official
from models.throttle import Rule, blocked_for, clear, key_for, record

log = logging.getLogger("aduan.accounts")

MIN_PASSWORD_CHARS = 10
DAY = timedelta(days=1)
BY_ADDRESS = Rule("login-address", free=10, base_seconds=1.0, cap_seconds=900.0, forget_after=DAY)
BY_ACCOUNT_AND_ADDRESS = Rule("login-account-address", free=5, base_seconds=2.0, cap_seconds=900.0,
                              forget_after=DAY)
BY_ACCOUNT = Rule("login-account", free=20, base_seconds=2.0, cap_seconds=300.0, forget_after=DAY)
BY_ACCOUNT_AND_DEVICE = Rule("login-account-device", free=5, base_seconds=2.0, cap_seconds=300.0,
                             forget_after=DAY)
LEGACY_PREFIX = "scrypt$"


@dataclass(frozen=True)
class SignIn:
    """Who tries: the login typed, the client address, and the device id of a browser known for this login."""

    login: str
    address: str
    device: str | None = None


@dataclass(frozen=True)
class SignInResult:
    official: Official | None
    retry_after: float = 0.0

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    if stored.startswith(LEGACY_PREFIX):
        return _verify_legacy(password, stored)
    try:
        return check_password_hash(stored, password)
    except (ValueError, TypeError):
        return False


def _verify_legacy(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                  maxmem=64 * 1024 * 1024, dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


def set_password(session: Session, official_id: str, password: str) -> None:
    """A new password; every session of the official ends."""
    official = session.get(Official, official_id)
    if official is None:
        raise DomainError(f"unknown official {official_id!r}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise DomainError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    official.password_hash = hash_password(password)
    official.session_version = (official.session_version or 0) + 1
    session.flush()


def end_sessions(session: Session, official_id: str | None = None) -> int:
    """Sign one official (or, with None, every official) out everywhere; returns how many were affected."""
    statement = update(Official).values(session_version=Official.session_version + 1)
    if official_id is not None:
        statement = statement.where(Official.id == official_id)
    result = session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


def authenticate(session: Session, attempt: SignIn, password: str, now: datetime) -> SignInResult:
    """The active official whose password matches; a throttled attempt is refused before any password check."""
    keys = _keys(session, attempt)
    wait = blocked_for(session, [key for _, key in keys], now)
    if wait > 0:
        log.warning("login throttled login=%s address=%s retry_after=%.0f", attempt.login, attempt.address, wait)
        return SignInResult(None, wait)
    official = session.get(Official, attempt.login)
    hashed = official.password_hash if official is not None and official.active else None
    if hashed is None:
        verify_password(password, _dummy_hash())  # same work whether or not the login exists
    elif verify_password(password, hashed):
        _rehash_if_legacy(official, password)
        clear(session, [key for rule, key in keys if rule is not BY_ADDRESS])
        return SignInResult(official)
    for rule, key in keys:
        record(session, rule, key, now)
    log.warning("login failed login=%s address=%s", attempt.login, attempt.address)
    return SignInResult(None)


def _keys(session: Session, attempt: SignIn) -> list[tuple[Rule, str]]:
    if attempt.device:
        return [(BY_ACCOUNT_AND_DEVICE, key_for(session, BY_ACCOUNT_AND_DEVICE, attempt.login, attempt.device))]
    return [(BY_ADDRESS, key_for(session, BY_ADDRESS, attempt.address)),
            (BY_ACCOUNT_AND_ADDRESS, key_for(session, BY_ACCOUNT_AND_ADDRESS, attempt.login, attempt.address)),
            (BY_ACCOUNT, key_for(session, BY_ACCOUNT, attempt.login))]


def _rehash_if_legacy(official: Official | None, password: str) -> None:
    if official is not None and official.password_hash and official.password_hash.startswith(LEGACY_PREFIX):
        official.password_hash = hash_password(password)
        log.info("password rehashed login=%s", official.id)


@functools.cache
def _dummy_hash() -> str:
    """Made on first use, not at import: scrypt takes 32 MB, which a worker that never signs anyone in keeps."""
    return generate_password_hash("no official has this password")
