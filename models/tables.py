"""Database tables (SQLAlchemy 2 typed ORM). All timestamps are stored in UTC.

The schema is owned by the Alembic migrations in ``models/migrations``; a test
checks that they produce exactly these tables on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
    event,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from models.lifecycle import OPEN_VALUES
from models.notification import Channel, NotificationPayload, NotificationStatus, RecipientKind

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, naive UTC in the database.

    SQLite has no time zones; storing naive UTC everywhere keeps comparisons in SQL
    correct on both backends.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC instant")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain string value (no database enum type, no CHECK constraint):
    members in, members out, and a value outside the enum refused before it reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


# An index's `info` key holding the SQL condition of a partial index (see `_give_partial_conditions_to`).
PARTIAL = "partial_where"
PARTIAL_INDEX_DIALECTS = ("postgresql", "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON(),
                           NotificationPayload: JSON()}


class Agency(Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(300))


class Official(Base):
    __tablename__ = "officials"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # Bumped by logout, a password change and "end all sessions": older dashboard sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    contacts: Mapped[list[OfficialContact]] = relationship(
        back_populates="official", order_by="OfficialContact.priority"
    )


class OfficialContact(Base):
    __tablename__ = "official_contacts"
    __table_args__ = (UniqueConstraint("official_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    last_inbound_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(500))

    official: Mapped[Official] = relationship(back_populates="contacts")


class Reporter(Base):
    """A citizen as seen on one channel. Identity fields are wiped on erasure requests."""

    __tablename__ = "reporters"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Where a reporter without a chat (web, phone, walk-in, Open311) hears back when they left no number.
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(500))
    # The language the citizen chose or writes in ("id", "en"); every later message to them uses it.
    language: Mapped[str | None] = mapped_column(String(5))


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_agency_status", "agency_code", "status"),
        Index("ix_complaints_status_created", "status", "created_at"),
        # The sweep claims due complaints in (trigger, id) batches; finished complaints have no trigger.
        Index("ix_complaints_next_escalation", "next_escalation_at", "id",
              info={PARTIAL: "next_escalation_at IS NOT NULL"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # Moderated text shown publicly; the original stays in `text` for the record.
    public_text: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # Misconduct by civil servants (pungli, suap ...): handled by the Inspectorate, reporter hidden from all others.
    misconduct: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Fire, people trapped, a collapsed bridge with victims, a medical emergency: an SLA in hours, the duty
    # roster alerted at once, escalations never wait for office hours.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The office a misconduct report accuses: never its handler, never told who reported it.
    subject_agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    # A hidden reporter's words with their name and phone numbers masked: what officials read and search.
    masked_text: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_text: Mapped[str | None] = mapped_column(String(500))
    routing: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    verify_due_at: Mapped[datetime | None]
    ack_due_at: Mapped[datetime | None]
    answer_due_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    # The SLA in force when the complaint was dispatched (policy changes do not move old deadlines).
    sla: Mapped[dict[str, Any] | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None]
    answer_text: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(String(40))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    supporter_count: Mapped[int] = mapped_column(Integer, default=0)
    # SP4N-LAPOR!: the national tracking id, and since when the complaint waits to be handed over
    # (manual queue or API connector, models/lapor.py); cleared once LAPOR! gave its id.
    lapor_tracking_id: Mapped[str | None] = mapped_column(String(40))
    lapor_pending_since: Mapped[datetime | None]
    # The Ombudsman path: when the citizen was offered it, and when they agreed (and to which office).
    ombudsman_offered_at: Mapped[datetime | None]
    ombudsman_referred_at: Mapped[datetime | None]
    ombudsman_office: Mapped[str | None] = mapped_column(String(200))

    reporter: Mapped[Reporter] = relationship()
    agency: Mapped[Agency | None] = relationship(foreign_keys=[agency_code])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="complaint")


class ComplaintEvent(Base):
    """Append-only audit trail: who did what, when, and which status change it caused."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(20))  # reporter | official | system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class Supporter(Base):
    """A citizen who joined an existing complaint instead of filing the same problem again."""

    __tablename__ = "supporters"
    __table_args__ = (UniqueConstraint("complaint_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id"))
    created_at: Mapped[datetime]


class OpenQuestion(Base):
    """A question the desk asked a person about one complaint ("sudah selesai?", a rating, an alert awaiting
    a decision). A reply is matched to it (the message it replied to, else the person's latest open question)
    and applies to that complaint only.

    `audience` is "citizen" (person_id = str(reporters.id)) or "official" (person_id = officials.id); `kind` says
    what was asked ("solved", "rating", "support_offer", ...); `notification_id` is the outbox row that
    carried it when the notifier sent it, `provider_message_id` the provider's id of the message when known.
    """

    __tablename__ = "open_questions"
    __table_args__ = (Index("ix_open_questions_person", "audience", "person_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audience: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(64))
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    asked_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(40))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), index=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)


class Notification(Base):
    """The outbox. Rows are written in the same transaction as the change that caused them."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        # Looked up by a provider's id only: the rows still queued (every row the sweep writes) stay out of it.
        Index("ix_notifications_provider_message_id", "provider_message_id",
              info={PARTIAL: "provider_message_id IS NOT NULL"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    recipient_kind: Mapped[RecipientKind] = mapped_column(EnumText(RecipientKind, 20))
    recipient_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(EnumText(Channel, 20))
    address: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer, default=0)
    # An emergency's alerts are claimed before everything else that is due.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    payload: Mapped[NotificationPayload]
    status: Mapped[NotificationStatus] = mapped_column(EnumText(NotificationStatus, 20),
                                                       default=NotificationStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    callback_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class ChatSession(Base):
    """Conversation state per chat, in the database so a restart loses nothing."""

    __tablename__ = "chat_sessions"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(40), default="idle")
    draft: Mapped[dict[str, Any]]
    language: Mapped[str] = mapped_column(String(5), default="id")
    updated_at: Mapped[datetime]
    # Telegram: the newest inline keyboard's token (older buttons are stale); goes with the chat.
    keyboard_token: Mapped[str | None] = mapped_column(String(64))


class InboundMessage(Base):
    """Provider message ids already handled, with the reply given, for idempotency."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "provider_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    replies: Mapped[list[Any]]


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo | document | audio | video
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    provider_file_id: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    storage_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    complaint: Mapped[Complaint | None] = relationship(back_populates="attachments")


class Throttle(Base):
    """Counters with expiry: failed logins per address and account, filings per web client.

    Keys never hold an address in clear (see models/throttle.py); rows past `expires_at` count as absent.
    """

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SiteKey(Base):
    """Random keys made per deployment (e.g. the one behind reporters' pseudonyms); never shown anywhere."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class AppState(Base):
    """Small durable key/value facts: today only the dashboard's login throttle (models/accounts.py)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class Job(Base):
    """Background work claimed from the database with a lease (models/jobs.py), e.g. a WhatsApp
    photo to download: a job in flight when its worker dies is claimed again once the lease runs out."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class IdempotencyKey(Base):
    """A submission already filed (an Open311 POST, an intake form) and the complaint it filed, until
    `expires_at`; the same key again within that time is answered with the same code."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    complaint_code: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TransportCheck(Base):
    """The newest self-check of each channel's transport, for `aduan status` and the operators."""

    __tablename__ = "transport_checks"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    transport: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime]


class TelegramOffset(Base):
    """The last Telegram update handled per bot, so a restart never answers an update twice."""

    __tablename__ = "telegram_offsets"

    bot_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_update_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


# Dashboard inbox: newest-first paging, region-wide and per agency, without sorting in memory.
Index("ix_complaints_created", Complaint.created_at, Complaint.id)
Index("ix_complaints_agency_created", Complaint.agency_code, Complaint.created_at, Complaint.id)
# LAPOR!: lookups by the national tracking id, and the handover queue (only complaints waiting are in it).
# Only numbered complaints are in the first: an UPDATE of a complaint (the sweep moves every due one's
# trigger, an indexed column, so the new row version gets an entry in each of its indexes) adds none there
# for the many without a LAPOR! id.
Index("ix_complaints_lapor_tracking_id", Complaint.lapor_tracking_id, unique=True,
      info={PARTIAL: "lapor_tracking_id IS NOT NULL"})
Index("ix_complaints_lapor_pending", Complaint.lapor_pending_since, Complaint.id,
      info={PARTIAL: "lapor_pending_since IS NOT NULL"})

# Digests ask for the oldest open complaints. Indexes over open complaints only keep that cost
# with the open work: the history indexes above would walk years of closed complaints first.
OPEN_CONDITION = "status IN ({})".format(", ".join(f"'{value}'" for value in OPEN_VALUES))
Index("ix_complaints_open_agency_created", Complaint.agency_code, Complaint.created_at, Complaint.id,
      info={PARTIAL: OPEN_CONDITION})
Index("ix_complaints_open_created", Complaint.created_at, Complaint.id, info={PARTIAL: OPEN_CONDITION})
# The digests' answered-this-week, answered-last-week and 30-day on-time figures, and the recap's Ombudsman
# referrals, are ranges over these times: read through an index, their cost follows the recent work, not the
# years of history. Only rows with the time are in them, so an unanswered complaint costs nothing there.
Index("ix_complaints_answered", Complaint.answered_at, info={PARTIAL: "answered_at IS NOT NULL"})
Index("ix_complaints_agency_answered", Complaint.agency_code, Complaint.answered_at,
      info={PARTIAL: "answered_at IS NOT NULL"})
Index("ix_complaints_ombudsman_referred", Complaint.ombudsman_referred_at,
      info={PARTIAL: "ombudsman_referred_at IS NOT NULL"})


def _give_partial_conditions_to(table: Table, connection: Connection, **_: Any) -> None:
    """Hand each partial index's condition to the dialect about to create it (`postgresql_where=`,
    `sqlite_where=`). Declared up front, both would import both dialect modules in every process: 20-40 ms
    of a read-only command's start (issue 17). The migrations, which build the real schema, name both."""
    dialect = connection.dialect.name
    if dialect not in PARTIAL_INDEX_DIALECTS:
        return
    for index in table.indexes:
        if PARTIAL in index.info:
            index.dialect_kwargs[f"{dialect}_where"] = text(index.info[PARTIAL])


for _table in Base.metadata.tables.values():
    if any(PARTIAL in index.info for index in _table.indexes):
        event.listen(_table, "before_create", _give_partial_conditions_to)


def is_open() -> ColumnElement[bool]:
    """The open-complaint condition, rendered with literal values so the partial indexes apply."""
    return Complaint.status.in_(bindparam("open_statuses", OPEN_VALUES, expanding=True, literal_execute=True))
