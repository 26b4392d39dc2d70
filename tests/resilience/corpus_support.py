"""The bad-input corpus as data: loading the YAML cases, building their generated payloads, and the
checks every case shares (what the database holds afterwards, what rendered pages contain).

A value in the corpus is either plain YAML (double-quoted strings may use \\x00, \\u202e, \\ud800 …)
or one of these generators, so that huge or binary payloads stay readable in the files:

    {repeat: "x", times: 100000}         the unit repeated
    {hex: "c3 28 ff"}                    raw bytes (invalid UTF-8 and friends)
    {join: [value, value, ...]}          the values concatenated (bytes if any part is bytes)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models.tables import (
    AppState,
    Attachment,
    ChatSession,
    Complaint,
    ComplaintEvent,
    IdempotencyKey,
    InboundMessage,
    Job,
    Notification,
    Official,
    Reporter,
    Supporter,
    TelegramOffset,
)

CORPUS_DIR = Path(__file__).parent / "corpus"
ENTRIES = frozenset({"console", "telegram", "whatsapp", "sms", "delivery_callback", "open311", "dashboard"})
CATEGORIES = frozenset({"empty", "huge", "control", "invalid_utf8", "emoji_rtl", "sql", "html", "content_type",
                        "media", "signature", "callback", "malformed", "auth"})

# Everything a citizen's or an official's input can leave behind, counted before and after a case.
COUNTED = {"complaints": Complaint, "complaint_events": ComplaintEvent, "notifications": Notification,
           "supporters": Supporter, "attachments": Attachment, "reporters": Reporter,
           "chat_sessions": ChatSession, "inbound_messages": InboundMessage, "app_state": AppState,
           "telegram_offsets": TelegramOffset, "idempotency_keys": IdempotencyKey, "jobs": Job}
# What each `stored:` expectation allows to change (anything else must stay as it was). Bookkeeping is
# the Telegram adapter's record of the updates it handled and the dashboard's count of failed logins.
BOOKKEEPING = frozenset({"telegram_offsets", "app_state"})
STORED_MAY_CHANGE = {
    "none": frozenset(),
    "bookkeeping": BOOKKEEPING,
    "conversation": frozenset({"reporters", "chat_sessions", "inbound_messages"}) | BOOKKEEPING,
    "complaint": frozenset(COUNTED),
    "complaint_changed": frozenset({"complaint_events", "notifications", "reporters"}) | BOOKKEEPING,
}
# Control characters no stored text may carry (tab and newline are ordinary text).
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
OWN_SCRIPT = re.compile(r'<script src="/dashboard/static/dashboard\.js" defer></script>')


@dataclass(frozen=True)
class Case:
    id: str
    entry: str
    category: str
    input: dict[str, Any]
    expect: dict[str, Any]
    # Plain messages sent through the same entry point before the bad input (to reach a dialog state)
    # and after it (to carry the bad input on until a complaint is filed).
    before: tuple[str, ...] = field(default_factory=tuple)
    then: tuple[str, ...] = field(default_factory=tuple)


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    """Every case of every YAML file, in file order; ids are unique across the corpus."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(_case(raw, path.name))
    ids = [case.id for case in cases]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise ValueError(f"duplicate corpus ids: {duplicates}")
    return cases


def _case(raw: dict[str, Any], source: str) -> Case:
    case_id = raw.get("id")
    if raw.get("entry") not in ENTRIES:
        raise ValueError(f"{source}: {case_id}: unknown entry {raw.get('entry')!r}")
    if raw.get("category") not in CATEGORIES:
        raise ValueError(f"{source}: {case_id}: unknown category {raw.get('category')!r}")
    if raw.get("expect", {}).get("stored", "none") not in STORED_MAY_CHANGE:
        raise ValueError(f"{source}: {case_id}: unknown stored expectation")
    return Case(id=str(case_id), entry=raw["entry"], category=raw["category"], input=dict(raw.get("input") or {}),
                expect=dict(raw["expect"]), before=tuple(raw.get("before") or ()),
                then=tuple(raw.get("then") or ()))


def value(spec: Any) -> Any:
    """A corpus value with its generators expanded (recursively inside mappings and lists)."""
    if isinstance(spec, dict) and "repeat" in spec:
        return value(spec["repeat"]) * int(spec["times"])
    if isinstance(spec, dict) and "hex" in spec:
        return bytes.fromhex(str(spec["hex"]))
    if isinstance(spec, dict) and "join" in spec:
        parts = [value(part) for part in spec["join"]]
        if any(isinstance(part, bytes) for part in parts):  # text beside raw bytes is UTF-8
            return b"".join(part if isinstance(part, bytes) else str(part).encode() for part in parts)
        return "".join(str(part) for part in parts)
    if isinstance(spec, dict):
        return {key: value(item) for key, item in spec.items()}
    if isinstance(spec, list):
        return [value(item) for item in spec]
    return spec


def status_matches(expected: Any, actual: int) -> bool:
    """`status: 403`, `status: 4xx` or `status: [200, 413]`."""
    if isinstance(expected, list):
        return any(status_matches(one, actual) for one in expected)
    if isinstance(expected, str) and expected.endswith("xx"):
        return str(actual).startswith(expected[0]) and len(str(actual)) == 3
    return int(expected) == actual


# --- the database after a case -------------------------------------------------------------


def row_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as db:
        return {name: int(db.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in COUNTED.items()}


def changed_tables(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def stored_text_problems(sessions: sessionmaker[Session]) -> list[str]:
    """Every text column of the citizen-facing tables: no NUL or control characters, no lone surrogates
    (broken UTF-8 decoded badly), nothing longer than its column (SQLite would keep it, PostgreSQL
    refuses it), and coordinates on Earth — so every backend can hold it and every page can show it."""
    problems = []
    with sessions() as db:
        for table in (Complaint, ComplaintEvent, Reporter, ChatSession, InboundMessage, Attachment, AppState,
                      Notification, IdempotencyKey, Job, TelegramOffset):
            for row in db.scalars(select(table)):
                for column in inspect(table).columns:
                    problems += _column_problems(f"{table.__tablename__}.{column.key}", getattr(row, column.key),
                                                 getattr(column.type, "length", None))
                problems += _coordinate_problems(table.__tablename__, row)
    return problems


def _column_problems(where: str, data: Any, length: int | None) -> list[str]:
    problems = [f"{where}: {text[:80]!r}" for text in _strings(data)
                if LONE_SURROGATE.search(text) or FORBIDDEN_CONTROL.search(text)]
    if length is not None and isinstance(data, str) and len(data) > length:
        problems.append(f"{where}: {len(data)} characters in a column of {length}")
    return problems


def _coordinate_problems(table: str, row: Any) -> list[str]:
    holder = row.draft or {} if isinstance(row, ChatSession) else vars(row)
    latitude, longitude = holder.get("latitude"), holder.get("longitude")
    if latitude is None and longitude is None:
        return []
    if isinstance(latitude, int | float) and isinstance(longitude, int | float) and \
            -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return []
    return [f"{table}: coordinates {latitude!r}, {longitude!r}"]


def _strings(data: Any) -> list[str]:
    """The strings inside a column value (JSON columns hold nested lists and mappings)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for key, item in data.items() for text in _strings(key) + _strings(item)]
    if isinstance(data, list | tuple):
        return [text for item in data for text in _strings(item)]
    return []


def longest_complaint_text(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.max(func.length(Complaint.text)))) or 0)


def complaint_codes(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as db:
        return list(db.scalars(select(Complaint.code).order_by(Complaint.id)))


def officials_intact(sessions: sessionmaker[Session], expected: int) -> bool:
    """SQL injection never drops or empties a table: the directory is still all there."""
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Official)) or 0) == expected


def foreign_scripts(html: str) -> list[str]:
    """Script tags on a page other than the dashboard's own local file (citizens' text must be escaped)."""
    tags = re.findall(r"<script\b[^>]*>", OWN_SCRIPT.sub("", html), re.IGNORECASE)
    handlers = re.findall(r"<[a-z]+[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    return tags + handlers
