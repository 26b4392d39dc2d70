"""Officials' passwords for tests that sign in often.

The desk hashes with werkzeug's scrypt at full cost (about 0.2 s a hash and a check on these machines,
tested in tests/dashboard/test_login.py). A werkzeug hash carries its own cost, so a test that signs
in hundreds of times stores one made at a low cost: the sign-in code and its checks are the real
ones, only the key stretching is shorter."""

from __future__ import annotations

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models.tables import Official

QUICK_METHOD = "scrypt:1024:8:1"


def quick_hash(password: str) -> str:
    return generate_password_hash(password, method=QUICK_METHOD)


def set_quick_password(session: Session, official_id: str, password: str) -> None:
    """What models.accounts.set_password does (every session of the official ends), at a low cost."""
    official = session.get(Official, official_id)
    assert official is not None, official_id
    official.password_hash = quick_hash(password)
    official.session_version = (official.session_version or 0) + 1
    session.flush()
