"""Pytest plugin (registered in tests/conftest.py): no outgoing payload carries an anonymous reporter's identity.

At the teardown of every test that used a database (the `db_engine` fixture), the guard looks at every
complaint filed with `anonymous=True`, collects its reporter's identifiers (name, the @handle inside a Telegram
name, phone number, provider id and the address inside it) and scans everything that left — or waits to leave —
the system for anyone else:

* every outbox row (`notifications`: payload, recipient id, address) not addressed to that reporter;
* every request the fake providers received during the test (Telegram Bot API, Twilio REST, SMTP), which
  append to the small registry below through `capture_outgoing`.

An identifier found in such a message fails the test (an error at teardown naming the message), except where it
appears legitimately: in a message about one of that reporter's *non-anonymous* complaints, in a message about a
non-anonymous complaint of somebody else who carries the same identifier, or inside the citizen's own words
(complaint text, public text, location) of a complaint the message is about.

`find_leaks(session, outgoing)` is the check itself, so a test can prove the guard catches a leak.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, selectinload

from models.tables import Complaint, Notification, Reporter

# --- what the fake providers received -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message that left (or would leave) the system: where it went and everything it carried."""

    source: str  # outbox | telegram | twilio | smtp
    recipient: str
    text: str
    complaint_id: int | None = None
    recipient_reporter_id: int | None = None


_CAPTURED: list[Outgoing] = []
_CAPTURED_LOCK = threading.Lock()


def capture_outgoing(source: str, recipient: str, content: str) -> None:
    """Called by the fake providers (from their server threads) for every message they are asked to deliver."""
    text = _readable_email(content) if source == "smtp" else content
    with _CAPTURED_LOCK:
        _CAPTURED.append(Outgoing(source, recipient, text))


def captured() -> list[Outgoing]:
    with _CAPTURED_LOCK:
        return list(_CAPTURED)


def clear_captured() -> None:
    with _CAPTURED_LOCK:
        _CAPTURED.clear()


def _readable_email(raw: str) -> str:
    """Headers plus decoded text parts: bodies are often base64 or quoted-printable on the wire."""
    message = email.message_from_string(raw, policy=email.policy.default)
    parts = [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(str(part.get_content()))  # type: ignore[attr-defined]
            except (LookupError, ValueError):
                parts.append(str(part.get_payload()))
    return raw + "\n" + "\n".join(parts)


# --- a reporter's identifiers ---------------------------------------------------------------------------------

# Name words too common to identify anybody (test fixtures name citizens "Warga 3", "Pelapor" …).
COMMON_NAME_WORDS = frozenset({"warga", "pelapor", "bapak", "citizen", "anonim", "anonymous", "test", "user",
                               "admin", "petugas", "tanpa", "nama"})
MIN_WORD = 4
MIN_NUMBER_DIGITS = 5
MIN_PHONE_DIGITS = 7
DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-]*\d|\d")
CODE_SHAPE = re.compile(r"\b[A-Z]{2,5}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
HANDLE = re.compile(r"^(?P<name>.*?)\s*\(@(?P<handle>\w+)\)\s*$")


@dataclass(frozen=True)
class Identity:
    """What would identify one reporter: words and phrases, phone numbers, numeric account ids."""

    reporter_id: int
    phrases: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()  # national significant numbers (no +62 / 0)
    numbers: frozenset[str] = frozenset()  # numeric provider ids, e.g. a Telegram user id

    def all_identifiers(self) -> set[str]:
        return {*self.phrases, *self.phones, *self.numbers}


def national_number(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        return digits[2:]
    return digits.removeprefix("0")


def identity_of(reporter: Reporter) -> Identity:
    phrases: set[str] = set()
    phones: set[str] = set()
    numbers: set[str] = set()
    name = (reporter.name or "").strip()
    handle = HANDLE.match(name)
    if handle:
        name = handle.group("name")
        phrases.update({handle.group("handle"), "@" + handle.group("handle")})
    if len(name) >= 3:
        phrases.add(name)
        words = [word for word in re.split(r"\s+", name) if word.isalpha()]
        if len(words) > 1:
            phrases.update(w for w in words if len(w) >= MIN_WORD and w.lower() not in COMMON_NAME_WORDS)
    for value in (reporter.phone, reporter.provider_id):
        _classify(value, phrases, phones, numbers)
    if reporter.provider_id and ":" in reporter.provider_id:
        _classify(reporter.provider_id.rsplit(":", 1)[1], phrases, phones, numbers)
    if reporter.erased_at is not None:
        phrases.discard(reporter.provider_id)
    return Identity(reporter.id, frozenset(phrases), frozenset(phones), frozenset(numbers))


def _classify(value: str | None, phrases: set[str], phones: set[str], numbers: set[str]) -> None:
    value = (value or "").strip()
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if re.fullmatch(r"[\d\s+().\-]+", value) and len(digits) >= MIN_PHONE_DIGITS and value.lstrip()[:1] in "+0":
        phones.add(national_number(value))
    elif value.isdigit() and len(value) >= MIN_NUMBER_DIGITS:
        numbers.add(value)
    elif len(value) >= MIN_WORD and not value.isdigit():
        phrases.add(value)


def identifiers_in(text: str, identity: Identity) -> set[str]:
    """The identity's identifiers that occur in `text` (words on word boundaries, numbers digit for digit)."""
    found = {phrase for phrase in identity.phrases if _has_phrase(text, phrase)}
    if identity.phones or identity.numbers:
        runs = [match.group(0) for match in DIGIT_RUN.finditer(text)]
        tokens = set(re.findall(r"\d+", text))
        candidates = {national_number(run) for run in runs} | {national_number(token) for token in tokens}
        found |= {phone for phone in identity.phones if phone in candidates}
        found |= {number for number in identity.numbers if number in tokens}
    return found


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


# --- the check ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    source: str
    recipient: str
    complaint_code: str
    identifiers: tuple[str, ...]
    excerpt: str

    def __str__(self) -> str:
        return (f"{self.source} message to {self.recipient!r} carries {', '.join(self.identifiers)} — the identity "
                f"of the anonymous reporter of {self.complaint_code}: {self.excerpt[:300]!r}")


def outbox_messages(session: Session) -> Iterator[Outgoing]:
    for row in session.scalars(select(Notification).order_by(Notification.id)):
        to_reporter = int(row.recipient_id) if row.recipient_kind == "reporter" and row.recipient_id.isdigit() else None
        text = "\n".join([json.dumps(row.payload, ensure_ascii=False, default=str), row.recipient_id, row.address])
        yield Outgoing("outbox", f"{row.recipient_kind}:{row.recipient_id}:{row.channel}:{row.address}", text,
                       row.complaint_id, to_reporter)


def find_leaks(session: Session, outgoing: Iterable[Outgoing] = ()) -> list[Leak]:
    """Every outbox row and every given message that names an anonymous reporter to somebody else."""
    anonymous = list(session.scalars(select(Complaint).where(Complaint.anonymous.is_(True))
                                     .options(selectinload(Complaint.reporter))))
    if not anonymous:
        return []
    book = _ComplaintBook(session)
    watched = {complaint.reporter_id: identity_of(complaint.reporter) for complaint in anonymous}
    leaks: list[Leak] = []
    for message in [*outbox_messages(session), *outgoing]:
        about = book.related(message)
        for reporter_id, identity in watched.items():
            leak = _leak(message, about, book, reporter_id, identity)
            if leak is not None:
                leaks.append(leak)
    return leaks


class _ComplaintBook:
    """Complaints looked up lazily by id or code (a test may hold 100,000 rows), with their reporters."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id: dict[int, Complaint] = {}
        self.by_code: dict[str, Complaint | None] = {}
        self.identities: dict[int, Identity] = {}
        self.shared: dict[int, set[str]] = {}

    def related(self, message: Outgoing) -> list[Complaint]:
        found = [self._by_code(code) for code in set(CODE_SHAPE.findall(message.text))]
        if message.complaint_id is not None:
            found.append(self._by_id(message.complaint_id))
        return list({c.id: c for c in found if c is not None}.values())

    def identity(self, reporter: Reporter) -> Identity:
        if reporter.id not in self.identities:
            self.identities[reporter.id] = identity_of(reporter)
        return self.identities[reporter.id]

    def reporters_sharing(self, identity: Identity) -> set[str]:
        """Identifiers this reporter shares with another reporter: they identify nobody in particular."""
        if identity.reporter_id not in self.shared:
            shared: set[str] = set()
            for other in self.session.scalars(select(Reporter).where(Reporter.id != identity.reporter_id)):
                shared |= identity.all_identifiers() & self.identity(other).all_identifiers()
            self.shared[identity.reporter_id] = shared
        return self.shared[identity.reporter_id]

    def _by_id(self, complaint_id: int) -> Complaint | None:
        if complaint_id not in self.by_id:
            found = self.session.get(Complaint, complaint_id)
            if found is None:
                return None
            self.by_id[complaint_id] = found
        return self.by_id[complaint_id]

    def _by_code(self, code: str) -> Complaint | None:
        if code not in self.by_code:
            self.by_code[code] = self.session.scalars(select(Complaint).where(Complaint.code == code)).first()
        return self.by_code[code]


def _leak(message: Outgoing, about: list[Complaint], book: _ComplaintBook, reporter_id: int,
          identity: Identity) -> Leak | None:
    if _addressed_to(message, identity):
        return None
    own = [c for c in about if c.reporter_id == reporter_id]
    if any(not c.anonymous for c in own):
        return None  # a message about this reporter's public complaint may name them
    if about and not own:
        return None  # about other people's complaints only: nothing links it to this reporter
    found = identifiers_in(message.text, identity)
    if not found:
        return None
    found -= _legitimately_present(about, book, identity)
    if not own:
        # A message about no complaint at all (a digest, an operators' summary): only an identifier that is
        # this reporter's alone links it to them.
        found -= book.reporters_sharing(identity)
    if not found:
        return None
    anonymous_codes = [c.code for c in own if c.anonymous] or ["one of their complaints"]
    return Leak(message.source, message.recipient, ", ".join(anonymous_codes), tuple(sorted(found)), message.text)


def _addressed_to(message: Outgoing, identity: Identity) -> bool:
    if message.recipient_reporter_id is not None:
        return message.recipient_reporter_id == identity.reporter_id
    if message.source == "outbox":
        return False  # to an official or the operators
    # A fake provider's recipient: a phone number, a Telegram chat id or an e-mail address (maybe several).
    for address in message.recipient.split(","):
        address = address.strip().removeprefix("whatsapp:").removeprefix("sms:")
        if (national_number(address) in identity.phones or address in identity.numbers
                or address.lower() in {phrase.lower() for phrase in identity.phrases}):
            return True
    return False


def _legitimately_present(about: list[Complaint], book: _ComplaintBook, identity: Identity) -> set[str]:
    """Identifiers that belong in the message: somebody's public identity, or the citizens' own words."""
    present: set[str] = set()
    for complaint in about:
        if not complaint.anonymous and complaint.reporter_id != identity.reporter_id:
            present |= identity.all_identifiers() & book.identity(complaint.reporter).all_identifiers()
        words = "\n".join(filter(None, (complaint.text, complaint.public_text, complaint.location_text)))
        present |= identifiers_in(words, identity)
    return present


# --- the plugin -----------------------------------------------------------------------------------------------


def _has_complaint_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return {"complaints", "reporters", "notifications"} <= names


def leaks_in_database(engine: Engine, outgoing: Iterable[Outgoing] = ()) -> list[Leak]:
    if not _has_complaint_tables(engine):
        return []  # a test that migrates or breaks its own database: nothing to scan
    with Session(engine) as session:
        return find_leaks(session, outgoing)


@pytest.fixture(autouse=True)
def _no_anonymous_identity_leaves(request: pytest.FixtureRequest) -> Iterator[None]:
    """Set up before the test's database (so torn down after everything that writes to it)."""
    engine: Any = request.getfixturevalue("db_engine") if "db_engine" in request.fixturenames else None
    clear_captured()
    yield
    if engine is None:
        return
    leaks = leaks_in_database(engine, captured())
    clear_captured()
    if leaks:
        pytest.fail("anonymous reporter's identity left the system:\n" + "\n".join(map(str, leaks)),
                    pytrace=False)
