"""Pytest plugin (registered in tests/conftest.py): nothing that leaves the system carries a hidden reporter's identity.

At the teardown of every test that used a database (the `db_engine` fixture), the guard looks at every
complaint whose reporter is hidden (filed `anonymous`, or a misconduct report), collects its reporter's
identifiers (name, the @handle inside a Telegram name, phone number, provider id and the address inside it)
and scans everything that left — or waits to leave — the system for anyone else:

* every outbox row (`notifications`: payload, recipient id, address) not addressed to that reporter;
* every request the fake providers received during the test (Telegram Bot API, Twilio REST, SMTP), which
  append to the small registry below through `capture_outgoing`;
* every page, JSON answer and export the Flask apps of the test served (test client or real HTTP in this
  process), except the citizen's own web chat and webhook replies (to the citizen) and the Inspectorate's
  audited reveal;
* every read model (`complaint_detail`, `complaint_summary`, `notification_view`: what the CLI prints as JSON
  and the dashboard renders) built without the reveal;
* every captured log line and line of output: there, a line is a leak when it pairs an identifier with the
  code of one of the reporter's hidden complaints (a log may name a number, never tie it to a report);
* every captured log line (INFO and above, pyproject's `log_level`), of every test: it must carry no secret of
  the tests' configurations (a Bot API token, a Twilio auth token, a webhook secret, a SECRET_KEY), and must not
  pair the phone number or chat id of *any* reporter with the code of one of their complaints, hidden or not
  (issue 12, class 5). The test process cleans its records as every entry point does
  (`models.logsafety.install_redaction`), so this checks the redaction on every line the suite logs.

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

from models.privacy import identity_hidden
from models.tables import Complaint, Notification, Reporter

# --- what the fake providers received -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message that left (or would leave) the system: where it went and everything it carried."""

    source: str  # outbox | telegram | twilio | smtp | page | json | log
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
    """Every outbox row and every given message that names a hidden reporter to somebody else."""
    hidden = Complaint.anonymous.is_(True) | Complaint.misconduct.is_(True)
    anonymous = list(session.scalars(select(Complaint).where(hidden).options(selectinload(Complaint.reporter))))
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
    if message.source in LINE_SOURCES and not any(identity_hidden(c) for c in own):
        return None  # a log line is a leak only where it ties the person to one of their hidden complaints
    if any(not identity_hidden(c) for c in own):
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
    anonymous_codes = [c.code for c in own if identity_hidden(c)] or ["one of their complaints"]
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
        if not identity_hidden(complaint) and complaint.reporter_id != identity.reporter_id:
            present |= identity.all_identifiers() & book.identity(complaint.reporter).all_identifiers()
        words = "\n".join(filter(None, (complaint.text, complaint.public_text, complaint.location_text)))
        present |= identifiers_in(words, identity)
    return present


# --- pages, JSON and logs -------------------------------------------------------------------------------------

LINE_SOURCES = frozenset({"log", "output"})
# Answers addressed to the citizen themselves (their own web chat, the replies to their own webhook message)
# and the Inspectorate's audited reveal: the identity may be there.
OWN_OR_REVEALED = re.compile(r"^/(chat|webhooks/|hooks/|telegram)|/reveal$")
MAX_CAPTURED_BODY = 2_000_000
_INSTALLED: list[bool] = []


def _served_text(response: Any) -> str | None:
    if response.direct_passthrough or response.is_streamed:
        return None
    data = response.get_data()
    if len(data) > MAX_CAPTURED_BODY:
        return None
    if (response.mimetype or "").endswith("spreadsheetml.sheet"):
        return _xlsx_text(data)
    return data.decode("utf-8", "replace")


def _without_echo(text: str | None) -> str | None:
    """What the asker typed (a search box, a re-shown form) is theirs, not a leak: cut it out before the scan."""
    from urllib.parse import quote, quote_plus

    import flask
    from werkzeug.exceptions import HTTPException

    if not text:
        return text
    try:
        typed = set(flask.request.values.values())
    except HTTPException:  # a body the app refused to parse (413): nothing of it can be echoed
        typed = set()
    typed |= {piece for value in typed for piece in re.findall(r"[^\W_]{3,}", value)}  # inside re-encoded links
    for value in sorted(typed, key=len, reverse=True):
        if len(value) >= 3:
            core = re.sub(r"\W+", "", value)  # inside a twice-encoded link (the language switch's `next`)
            for form in sorted({value, quote(value, safe=""), quote_plus(value), quote(value), core}, key=len,
                               reverse=True):
                if len(form) >= 3:
                    text = text.replace(form, "«typed»")
    return text


def _xlsx_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # not a workbook after all: scan the bytes as they are
        return data.decode("utf-8", "replace")
    return "\n".join(" ".join("" if cell is None else str(cell) for cell in row)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def _install_capture() -> None:
    """Wrap Flask's response processing and the read models once per session."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    import flask

    import models.views as views

    original_process = flask.Flask.process_response

    def process_response(app: flask.Flask, response: Any) -> Any:
        response = original_process(app, response)
        path = flask.request.path
        if not OWN_OR_REVEALED.search(path):
            text = _without_echo(_served_text(response))
            if text:
                source = "json" if response.is_json else "page"
                capture_outgoing(source, f"{flask.request.method} {path}", text)
        return response

    flask.Flask.process_response = process_response  # type: ignore[method-assign]

    def wrap(name: str) -> None:
        original = getattr(views, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if not kwargs.get("reveal_identity"):
                capture_outgoing("json", f"models.views.{name}", json.dumps(result, ensure_ascii=False, default=str))
            return result

        setattr(views, name, recorded)

    for name in ("complaint_detail", "complaint_summary", "notification_view"):
        wrap(name)


# The secrets the tests configure, by shape: a value of this shape in a log line is a secret that escaped.
TEST_SECRETS = re.compile(r"\d+:TEST-token|[\w-]*auth-token[\w-]*|[\w-]*webhook-Secret[\w-]*|s3cret-Token[\w-]*|"
                          r"[\w-]*secret-key[\w-]*|cli-test-secret[\w-]*")


def secrets_in_logs(lines: Iterable[Outgoing]) -> list[str]:
    return [line.text for line in lines if line.source == "log" and TEST_SECRETS.search(line.text)]


def person_beside_code_in_logs(session: Session, lines: Iterable[Outgoing]) -> list[Leak]:
    """Log lines pairing any reporter's phone number or numeric id with the code of one of their complaints."""
    book = _ComplaintBook(session)
    leaks = []
    for line in lines:
        if line.source != "log":
            continue
        for complaint in book.related(line):
            if complaint.reporter is None or complaint.reporter.erased_at is not None:
                continue
            identity = book.identity(complaint.reporter)
            numeric = Identity(identity.reporter_id, phones=identity.phones, numbers=identity.numbers)
            found = identifiers_in(line.text, numeric) - _legitimately_present([complaint], book, numeric)
            if found:
                leaks.append(Leak("log", "log", complaint.code, tuple(sorted(found)), line.text))
    return leaks


def pytest_configure(config: pytest.Config) -> None:
    from models.logsafety import Redactor, install_redaction

    _install_capture()
    # As every entry point does (models/logsafety.configure_logging); the values are the tests' own secrets.
    install_redaction(Redactor(["123456:TEST-token", "TEST-token"]))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep the captured log and output of the setup and call phases for the teardown scan."""
    outcome = yield
    report = outcome.get_result()
    if report.when in ("setup", "call"):
        lines = item.stash.setdefault(_CAPTURED_LINES, [])
        for title, content in report.sections:
            source = "log" if "log" in title else "output"
            lines.extend((source, line) for line in content.splitlines() if line.strip())


_CAPTURED_LINES = pytest.StashKey[list[tuple[str, str]]]()


def captured_lines(item: pytest.Item) -> list[Outgoing]:
    return [Outgoing(source, source, text) for source, text in item.stash.get(_CAPTURED_LINES, [])]


# --- the plugin -----------------------------------------------------------------------------------------------


def _has_complaint_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return {"complaints", "reporters", "notifications"} <= names


def _current_schema(engine: Engine) -> bool:
    if not _has_complaint_tables(engine):
        return False  # a test that migrates or breaks its own database: nothing to scan
    # A database of an older schema (a migration test): the guard's queries do not apply.
    return "misconduct" in {column["name"] for column in inspect(engine).get_columns("complaints")}


def leaks_in_database(engine: Engine, outgoing: Iterable[Outgoing] = ()) -> list[Leak]:
    if not _current_schema(engine):
        return []
    with Session(engine) as session:
        leaks = find_leaks(session, outgoing)
        return leaks or person_beside_code_in_logs(session, outgoing)


@pytest.fixture(autouse=True)
def _no_anonymous_identity_leaves(request: pytest.FixtureRequest) -> Iterator[None]:
    """Set up before the test's database (so torn down after everything that writes to it)."""
    engine: Any = request.getfixturevalue("db_engine") if "db_engine" in request.fixturenames else None
    clear_captured()
    yield
    lines = captured_lines(request.node)
    escaped = secrets_in_logs(lines)
    if escaped:
        pytest.fail("a secret was logged:\n" + "\n".join(line[:300] for line in escaped[:5]), pytrace=False)
    if engine is None:
        return
    leaks = leaks_in_database(engine, [*captured(), *lines])
    clear_captured()
    if leaks:
        pytest.fail("a hidden reporter's identity left the system:\n" + "\n".join(map(str, leaks)),
                    pytrace=False)
