"""Who may see a reporter, and the per-complaint pseudonym everybody else sees (UU 27/2022).

A reporter's identity is hidden on a complaint that is anonymous (the citizen asked) or about misconduct
(pungli, suap ...: the accused office must never learn who complained). Wherever an official can look,
such a reporter appears as "Pelapor #3F2A": a keyed hash of the complaint and the reporter, so the same
citizen carries a different handle on each complaint and no handle leads back to a person. Only the
Inspectorate's audited reveal shows the person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Protocol

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from models.db import READ_ONLY, insert_or_on_conflict
from models.permissions import Actor
from models.roles import Role
from models.tables import Complaint, SiteKey

INSPECTORATE_AGENCY = "INSPEKTORAT"
PSEUDONYM_KEY = "pseudonym"
HIDDEN_ADDRESS = "(tersembunyi)"
_SESSION_CACHE = "aduan.site_keys"
_SITE_KEY = select(SiteKey.value).where(SiteKey.name == bindparam("name"))


class Person(Protocol):
    """What masking reads of a reporter (a `Reporter`, or the escalation sweep's lighter row)."""

    @property
    def name(self) -> str | None: ...
    @property
    def provider_id(self) -> str: ...


class ShownComplaint(Protocol):
    """What decides how officials see a complaint's reporter (a `Complaint`, or the sweep's lighter row)."""

    @property
    def anonymous(self) -> bool: ...
    @property
    def misconduct(self) -> bool: ...
    @property
    def text(self) -> str: ...
    @property
    def masked_text(self) -> str | None: ...
    @property
    def reporter(self) -> Person | None: ...


def identity_hidden(complaint: ShownComplaint) -> bool:
    """The reporter of this complaint is shown to nobody but through the Inspectorate's reveal."""
    return bool(complaint.anonymous or complaint.misconduct)


# An Indonesian mobile number however it is typed: +62 812-5173-0462, 62812..., 0812 5173 0462.
PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?62|0)[\s.\-]?8(?:[\s.\-]?\d){7,11}(?!\d)")
NAME_WORD_CHARS = 4
COMMON_WORDS = frozenset({"warga", "pelapor", "bapak", "ibu", "pak", "bu", "anonim", "admin", "petugas", "user",
                          "tanpa", "nama", "jalan", "kampung", "desa"})
MASKED_PHONE = "[nomor disembunyikan]"
MASKED_NAME = "[nama disembunyikan]"


def shown_text(complaint: ShownComplaint, reveal_identity: bool = False) -> str:
    """The complaint's words as officials see them: for a hidden reporter, phone numbers and the words of the
    reporter's own name are masked (people type "saya Rahmawati, hp 0812..." into anonymous reports)."""
    if not identity_hidden(complaint) or reveal_identity:
        return complaint.text
    return mask_identity(complaint.masked_text or complaint.text, complaint.reporter)


def remember_masked_text(complaint: Complaint) -> None:
    """Store the masked words while the reporter's name is known (search reads them; erasure forgets the name)."""
    complaint.masked_text = mask_identity(complaint.text, complaint.reporter) if identity_hidden(complaint) else None


def mask_identity(text: str, reporter: Person | None) -> str:
    text = PHONE_LIKE.sub(MASKED_PHONE, text)
    for word in _identifying_words(reporter):
        text = re.sub(rf"(?<!\w){re.escape(word)}\w*", MASKED_NAME, text, flags=re.IGNORECASE)
    return text


def _identifying_words(reporter: Person | None) -> list[str]:
    if reporter is None:
        return []
    words = re.findall(r"[^\W\d_]+", reporter.name or "")
    if reporter.provider_id and not reporter.provider_id.startswith(("web-", "erased-")):
        words += re.findall(r"[^\W_]+", reporter.provider_id.rsplit(":", 1)[-1])  # not the "open311:" prefix
    return sorted({w for w in words if len(w) >= NAME_WORD_CHARS and w.lower() not in COMMON_WORDS}, key=len,
                  reverse=True)


def is_inspectorate(actor: Actor) -> bool:
    """The Inspector (region-wide role) or an official of the Inspectorate's own office."""
    return actor.kind == "official" and (actor.role == Role.INSPECTORATE or actor.agency_code == INSPECTORATE_AGENCY)


def pseudonym(key: bytes, complaint_id: int, reporter_id: int | str) -> str:
    """"Pelapor #3F2A": stable for one reporter on one complaint, unrelated across complaints."""
    digest = hmac.new(key, f"complaint:{complaint_id}:reporter:{reporter_id}".encode(), hashlib.sha256)
    return f"Pelapor #{digest.hexdigest()[:4].upper()}"


def pseudonym_key(session: Session) -> bytes:
    return site_key(session, PSEUDONYM_KEY)


def site_key(session: Session, name: str) -> bytes:
    """A random per-deployment key (the pseudonym key is made by migration 0005; others on first use)."""
    cache = session.info.setdefault(_SESSION_CACHE, {})
    if name in cache:
        return bytes(cache[name])
    value = session.scalar(_SITE_KEY, {"name": name})
    if value is None:
        value = _create_key(session, name)
    cache[name] = bytes.fromhex(value)
    return bytes(cache[name])


def _create_key(session: Session, name: str) -> str:
    """Make a missing key; a concurrent maker's key wins. A writing session makes it in its own transaction
    (a second connection would wait for the SQLite writer lock this one holds); a read-only session cannot
    write, so the key is made in a short transaction of its own."""
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    insert = (insert_or_on_conflict(SiteKey, bind.dialect.name).values(name=name, value=secrets.token_hex(32))
              .on_conflict_do_nothing())
    if not bind.get_execution_options().get(READ_ONLY):
        session.execute(insert)
        stored = session.scalar(select(SiteKey.value).where(SiteKey.name == name))
    else:
        writer = bind.execution_options(**{READ_ONLY: False})
        with writer.begin() as connection:
            connection.execute(insert)
        with writer.connect() as connection:
            stored = connection.scalar(select(SiteKey.value).where(SiteKey.name == name))
    assert stored is not None
    return str(stored)
