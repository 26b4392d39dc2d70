"""The complaint desk: the only code that changes a complaint.

Each public method performs one user-visible change: it checks the transition
and the actor's permission, updates the complaint, appends its audit event and
queues the notifications it causes, all in the caller's transaction. `now` is
given by the caller; nothing here reads the wall clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from models.codes import new_code
from models.config import Role, Settings
from models.contacts import email_address, reporter_recipient
from models.directory import officials_with_roles, with_deputies
from models.lapor import LAPOR_CHANNEL, create_payload, lapor_form, status_payload, valid_tracking_id
from models.lifecycle import (
    OPEN_STATUSES,
    DomainError,
    Kind,
    NotAllowed,
    RejectReason,
    Status,
    check_transition,
)
from models.links import signed_link
from models.notices import official_alert, ombudsman_hint, status_relay, triage_alert
from models.notification import Channel, NotificationStatus, RecipientKind
from models.ombudsman import CLOSED_UNSATISFIED, next_steps_text, offer_text, referral_mail
from models.outbox import Recipient, enqueue
from models.permissions import SYSTEM, Action, Actor, authorize
from models.privacy import INSPECTORATE_AGENCY, is_inspectorate, mask_identity, remember_masked_text
from models.questions import CITIZEN, SOLVED, ask
from models.tables import (
    Attachment,
    ChatSession,
    Complaint,
    ComplaintEvent,
    InboundMessage,
    Notification,
    Official,
    Reporter,
    Supporter,
)
from models.workdays import WorkingCalendar
from models.workdays import calendar_for as calendar_for  # re-exported: it was defined here first

CONFIDENTIAL_AGENCIES = frozenset({INSPECTORATE_AGENCY})
ERASED = "(dihapus atas permintaan pelapor)"


@dataclass(frozen=True)
class AttachmentIn:
    kind: str
    content_type: str | None = None
    size_bytes: int | None = None
    provider_file_id: str | None = None
    source_url: str | None = None
    storage_path: str | None = None


@dataclass(frozen=True)
class NewComplaint:
    reporter: Reporter
    text: str
    channel: str
    kind: Kind = Kind.COMPLAINT
    agency_code: str | None = None
    routing: dict[str, Any] | None = None
    anonymous: bool = False
    confidential: bool = False
    latitude: float | None = None
    longitude: float | None = None
    location_text: str | None = None
    attachments: Sequence[AttachmentIn] = field(default_factory=tuple)
    # Misconduct by civil servants (the router's `confidential`): filed with the Inspectorate whatever office
    # was chosen, and `subject_agency_code` (the router's `subject`) is the office it accuses.
    misconduct: bool = False
    subject_agency_code: str | None = None
    # A report that came through SP4N-LAPOR! (Desk.file_from_lapor) carries LAPOR!'s tracking id from the start.
    lapor_tracking_id: str | None = None
    # An emergency's kind (fire, flood, collapse, medical; see `EmergencyConfig.routes`): filed with the
    # agency for that kind, an SLA in hours, and the duty roster alerted at once.
    emergency_kind: str | None = None


EMERGENCY_HEADING = "DARURAT - LAPORAN BARU"

# Lookups every citizen message makes, built once: SQLAlchemy then reuses their compiled form and cache key.
_REPORTER = select(Reporter).where(Reporter.channel == bindparam("channel"),
                                   Reporter.provider_id == bindparam("provider_id"))
_CODE_TAKEN = select(Complaint.id).where(Complaint.code == bindparam("code"))
_FILED_SINCE = select(func.count(Complaint.id)).where(Complaint.reporter_id == bindparam("reporter_id"),
                                                      Complaint.created_at >= bindparam("since"))


class Desk:
    def __init__(self, session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the desk needs an aware 'now'")
        self.session = session
        self.settings = settings
        self.calendar = calendar
        self.now = now

    # --- reporters -------------------------------------------------------------------------

    def reporter_for(
        self, channel: str, provider_id: str, name: str | None = None, phone: str | None = None,
        email: str | None = None,
    ) -> Reporter:
        reporter = self.session.scalars(_REPORTER, {"channel": channel, "provider_id": provider_id}).first()
        new = reporter is None
        if reporter is None:
            reporter = Reporter(channel=channel, provider_id=provider_id, created_at=self.now)
            self.session.add(reporter)
        reporter.name = name or reporter.name
        reporter.phone = phone or reporter.phone
        reporter.email = email_address(email or "") or reporter.email
        reporter.last_inbound_at = self.now
        if new:
            # Callers use the id at once. A known reporter's changes wait for the next flush (its row and id
            # exist already): one flush fewer for most messages, while SQLite's writer lock is held.
            self.session.flush()
        return reporter

    def set_contact(self, reporter: Reporter, phone: str | None = None, email: str | None = None) -> None:
        """A reporter without a chat (web, phone, walk-in, Open311) leaves where to hear back; messages not
        sent for lack of it (`no_channel`) go out now."""
        reporter.phone = phone or reporter.phone
        reporter.email = email or reporter.email
        recipient = reporter_recipient(reporter)
        if recipient is None:
            return
        self.session.execute(
            update(Notification)
            .where(Notification.recipient_kind == "reporter", Notification.recipient_id == str(reporter.id),
                   Notification.status == NotificationStatus.NO_CHANNEL)
            .values(status=NotificationStatus.QUEUED, channel=recipient.channel, address=recipient.address,
                    next_attempt_at=self.now)
            .execution_options(synchronize_session=False))
        self.session.flush()

    def complaints_filed_today(self, reporter: Reporter) -> int:
        filed = self.session.scalar(_FILED_SINCE, {"reporter_id": reporter.id, "since": self._local_day_start()})
        return int(filed or 0)

    def erase_reporter(self, reporter: Reporter) -> int:
        """Wipe the person (UU 27/2022) from everywhere they are stored, keep the complaints; audited on each.

        Identity fields, their chat sessions and inbound message records, the addresses and texts of messages
        to them (queued ones are cancelled), their identity inside officials' stored alerts, and their name and
        phone numbers inside their own complaints' words all go; what the complaints are about stays.
        """
        complaints = list(self.session.scalars(select(Complaint).where(Complaint.reporter_id == reporter.id)))
        known = (reporter.name, reporter.phone, reporter.email, reporter.provider_id)
        identifiers = [value for value in known if value]
        for complaint in complaints:  # "saya Rahmawati, hp 0812...": after today nothing could mask it any more
            complaint.text = mask_identity(complaint.text, reporter)
            complaint.masked_text = complaint.masked_text and complaint.text
            complaint.location_text = complaint.location_text and mask_identity(complaint.location_text, reporter)
        self._forget_conversations(reporter)
        self._forget_messages_to(reporter)
        self._scrub_alerts([c.id for c in complaints], identifiers)
        reporter.name = None
        reporter.phone = None
        reporter.email = None
        reporter.provider_id = f"erased-{reporter.id}"
        reporter.erased_at = self.now
        reporter.unreachable_at = self.now
        reporter.unreachable_reason = "identitas dihapus atas permintaan pelapor"
        for complaint in complaints:
            self._event(complaint, Actor("reporter", str(reporter.id)), "erase_identity", None, None)
        self.session.flush()
        return len(complaints)

    def detach_media(self, reporter: Reporter) -> list[str]:
        """Forget the photos and files the reporter sent; the stored files' paths are returned for deletion."""
        query = select(Attachment).join(Complaint, Complaint.id == Attachment.complaint_id).where(
            Complaint.reporter_id == reporter.id)
        paths = []
        for attachment in self.session.scalars(query):
            if attachment.storage_path:
                paths.append(attachment.storage_path)
            attachment.storage_path = attachment.source_url = attachment.provider_file_id = None
        self.session.flush()
        return paths

    def _forget_conversations(self, reporter: Reporter) -> None:
        chats = self.session.scalars(select(ChatSession).where(
            ChatSession.channel == reporter.channel, ChatSession.chat_id == reporter.provider_id))
        for chat in chats:
            chat.chat_id, chat.state, chat.draft = f"erased-{chat.id}", "idle", {}
            chat.keyboard_token = None  # the chat's newest keyboard, too (its buttons named the old choices)
        self.session.execute(
            update(InboundMessage)
            .where(InboundMessage.channel == reporter.channel, InboundMessage.chat_id == reporter.provider_id)
            .values(chat_id="erased", replies=[])
            .execution_options(synchronize_session=False))

    def _forget_messages_to(self, reporter: Reporter) -> None:
        mine = (Notification.recipient_kind == "reporter", Notification.recipient_id == str(reporter.id))
        self.session.execute(
            update(Notification).where(*mine, Notification.status.in_(("queued", "sending", "no_channel")))
            .values(status=NotificationStatus.CANCELLED, lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False))
        self.session.execute(
            update(Notification).where(*mine)
            .values(address="erased", payload={"text": ERASED}, last_error=None)
            .execution_options(synchronize_session=False))

    def _scrub_alerts(self, complaint_ids: list[int], identifiers: list[str]) -> None:
        """Officials' stored alert texts ("Pelapor: Siti ...") about the reporter's complaints lose the name."""
        if not complaint_ids or not identifiers:
            return
        query = select(Notification).where(Notification.complaint_id.in_(complaint_ids),
                                           Notification.recipient_kind != "reporter")
        for notification in self.session.scalars(query):
            scrubbed = _scrubbed(notification.payload, identifiers)
            if scrubbed != notification.payload:
                notification.payload = scrubbed

    # --- filing ----------------------------------------------------------------------------

    def file(self, draft: NewComplaint, dispatch: bool) -> Complaint:
        """Store a new complaint; dispatch at once when the agency is known and auto-dispatch is on.

        Misconduct goes straight to the Inspectorate (never through a triage queue an accused office might see).
        """
        draft = self._as_misconduct(draft) if draft.misconduct or draft.subject_agency_code else draft
        if draft.emergency_kind is not None and not draft.misconduct:
            return self._file_emergency(draft)
        dispatch = dispatch or draft.misconduct
        complaint = self._new_complaint(draft)
        reporter_actor = Actor("reporter", str(draft.reporter.id))
        self._event(complaint, reporter_actor, "file", None, Status.RECEIVED, data={"routing": draft.routing})
        agency = self.settings.agency(draft.agency_code) if draft.agency_code else None
        if agency is not None and agency.kind == "external":
            self._forward(complaint, reporter_actor, agency.code, relay=False)
        elif agency is not None and dispatch:
            self._dispatch(complaint, reporter_actor, agency.code, relay=False)
        else:
            reason = "pelapor tidak tahu instansi tujuan" if agency is None else "menunggu verifikasi"
            complaint.next_escalation_at = self.escalation_moment(complaint.verify_due_at, None)
            self._alert_triage(complaint, reason)
        return complaint

    def _file_emergency(self, draft: NewComplaint) -> Complaint:
        """Straight to the agency for its kind, whatever auto-dispatch says: nobody verifies a fire first."""
        kind = str(draft.emergency_kind)
        agency_code = self.settings.emergency.routes[kind]
        complaint = self._new_complaint(replace(draft, agency_code=agency_code))
        complaint.emergency = True
        reporter_actor = Actor("reporter", str(draft.reporter.id))
        self._event(complaint, reporter_actor, "file", None, Status.RECEIVED, data={"routing": draft.routing})
        self._event(complaint, SYSTEM, "emergency", None, None, note=kind, data={"kind": kind, "to": agency_code})
        self._dispatch(complaint, reporter_actor, agency_code, relay=False)
        return complaint

    def _new_complaint(self, draft: NewComplaint) -> Complaint:
        complaint = Complaint(
            code=self._unused_code(),
            kind=draft.kind.value,
            status=Status.RECEIVED.value,
            text=draft.text,
            agency_code=None,
            reporter=draft.reporter,
            channel=draft.channel,
            anonymous=draft.anonymous,
            confidential=draft.confidential or draft.misconduct or draft.agency_code in CONFIDENTIAL_AGENCIES,
            misconduct=draft.misconduct or draft.agency_code in CONFIDENTIAL_AGENCIES,
            emergency=False,
            subject_agency_code=draft.subject_agency_code,
            lapor_tracking_id=draft.lapor_tracking_id,
            latitude=draft.latitude,
            longitude=draft.longitude,
            location_text=draft.location_text,
            routing=draft.routing,
            created_at=self.now,
            updated_at=self.now,
            verify_due_at=self.calendar.due_at(self.now, self.settings.sla.verify_days),
            escalation_level=0,
            reopen_count=0,
            supporter_count=0,
        )
        complaint.attachments = [Attachment(created_at=self.now, **vars(item)) for item in draft.attachments]
        # A new complaint has no events yet: saying so spares the first `_event` a lazy load of the collection.
        complaint.events = []
        remember_masked_text(complaint)
        self.session.add(complaint)
        self.session.flush()
        return complaint

    def _as_misconduct(self, draft: NewComplaint) -> NewComplaint:
        subject = draft.subject_agency_code
        known = subject is not None and self.settings.has_agency(subject)
        if not known or subject == INSPECTORATE_AGENCY or self.settings.agency(subject or "").kind == "external":
            subject = None
        return replace(draft, misconduct=True, confidential=True, agency_code=INSPECTORATE_AGENCY,
                       subject_agency_code=subject)

    def _unused_code(self) -> str:
        for _ in range(20):
            code = new_code(self.settings.region.code_prefix)
            if self.session.scalar(_CODE_TAKEN, {"code": code}) is None:
                return code
        raise DomainError("could not find an unused tracking code")

    # --- escalation clock ------------------------------------------------------------------

    def escalation_moment(self, deadline: datetime | None, sla: dict[str, Any] | None) -> datetime | None:
        """When the sweep should act on `deadline`: office hours of a working day, or at once for emergencies."""
        if deadline is None:
            return None
        if sla is not None and sla.get("emergency"):
            return deadline
        return self.calendar.next_office_moment(deadline)

    def record_escalation(self, complaint: Complaint, level: int, note: str, data: dict[str, Any]) -> None:
        """Audit one escalation step taken by the sweep (a system event, no status change)."""
        complaint.escalation_level = level
        complaint.updated_at = self.now
        self._event(complaint, SYSTEM, "escalate", None, None, note=note, data=data)

    # --- officials' actions ----------------------------------------------------------------

    def act(self, complaint: Complaint, actor: Actor, action: Action, note: str | None = None,
            to_agency: str | None = None) -> None:
        """Entry point for officials (CLI, chat commands, dashboard)."""
        authorize(actor, action, complaint)
        handlers = {
            Action.DISPATCH: lambda: self.dispatch(complaint, actor, _required(to_agency, "--to"), note),
            Action.ACKNOWLEDGE: lambda: self.acknowledge(complaint, actor),
            Action.COORDINATE: lambda: self.coordinate(complaint, actor, _required(note, "--note")),
            Action.ANSWER: lambda: self.answer(complaint, actor, _required(note, "--note")),
            Action.CLOSE: lambda: self.close(complaint, actor, note),
            Action.REJECT: lambda: self.reject(complaint, actor, note),
            Action.NOT_OUR_AUTHORITY: lambda: self.not_our_authority(complaint, actor, note),
            Action.REROUTE: lambda: self.reroute(complaint, actor, _required(to_agency, "--to"), note),
            Action.FORWARD: lambda: self.forward(complaint, actor, _required(to_agency, "--to")),
        }
        if action not in handlers:
            raise DomainError(f"action {action.value} is not a lifecycle change")
        handlers[action]()

    def dispatch(self, complaint: Complaint, actor: Actor, agency_code: str, note: str | None = None) -> None:
        agency = self._known_agency(agency_code)
        _never_to_the_accused(complaint, actor, agency.code)
        if agency.kind == "external":
            self._forward(complaint, actor, agency.code, relay=True)
        else:
            self._dispatch(complaint, actor, agency.code, relay=True, note=note)

    def reroute(self, complaint: Complaint, actor: Actor, agency_code: str, note: str | None = None) -> None:
        """Move to another owner; the (text, from, to) record teaches the router (manage.py router report)."""
        agency = self._known_agency(agency_code)
        _never_to_the_accused(complaint, actor, agency.code)
        if agency_code == complaint.agency_code:
            raise DomainError(f"{complaint.code} is already with {agency_code}")
        if agency.kind == "external":
            self._forward(complaint, actor, agency.code, relay=True, action="reroute")
        else:
            self._dispatch(complaint, actor, agency.code, relay=True, note=note, action="reroute")

    def forward(self, complaint: Complaint, actor: Actor, agency_code: str) -> None:
        agency = self._known_agency(agency_code)
        _never_to_the_accused(complaint, actor, agency.code)
        if agency.kind != "external":
            raise DomainError(f"{agency_code} is a regional agency: dispatch it instead")
        self._forward(complaint, actor, agency_code, relay=True)

    def acknowledge(self, complaint: Complaint, actor: Actor) -> None:
        self._move(complaint, actor, "acknowledge", Status.IN_PROGRESS)
        complaint.acknowledged_at = complaint.acknowledged_at or self.now
        if complaint.escalation_level < 2:
            complaint.next_escalation_at = self.escalation_moment(complaint.answer_due_at, complaint.sla)
        self._relay(complaint, None)

    def coordinate(self, complaint: Complaint, actor: Actor, note: str) -> None:
        self._move(complaint, actor, "coordinate", Status.COORDINATING, note)
        complaint.acknowledged_at = complaint.acknowledged_at or self.now
        self._relay(complaint, note)

    def change_kind(self, complaint: Complaint, actor: Actor, kind: Kind, note: str | None = None) -> bool:
        """An official corrects what the report is (pengaduan, aspirasi, permintaan informasi) when the wording
        misled the dialog's guess; audited with the old and the new kind, no status change, so nobody is told.
        False when it already was that kind."""
        authorize(actor, Action.CHANGE_KIND, complaint)
        if complaint.kind == kind.value:
            return False
        previous = complaint.kind
        complaint.kind = kind.value
        complaint.updated_at = self.now
        self._event(complaint, actor, "change_kind", None, None, note=note, data={"from": previous, "to": kind.value})
        return True

    def answer(self, complaint: Complaint, actor: Actor, text: str) -> None:
        self._move(complaint, actor, "answer", Status.ANSWERED, text)
        complaint.acknowledged_at = complaint.acknowledged_at or self.now
        complaint.answered_at = self.now
        complaint.answer_text = text
        complaint.reply_due_at = self.calendar.due_at(self.now, self.settings.sla.reply_window_days)
        complaint.next_escalation_at = None
        self._relay(complaint, text)

    def close(self, complaint: Complaint, actor: Actor, note: str | None = None) -> None:
        self._move(complaint, actor, "close", Status.CLOSED, note)
        complaint.closed_at = self.now
        complaint.next_escalation_at = None
        unsatisfied = complaint.satisfied is False
        self._relay(complaint, note, extra=self._ombudsman_extra(complaint) if unsatisfied else None)

    def reject(self, complaint: Complaint, actor: Actor, reason: str | None) -> None:
        why = _reject_reason(reason)
        self._move(complaint, actor, "reject", Status.REJECTED, why.value)
        complaint.reject_reason = why.value
        complaint.closed_at = self.now
        complaint.next_escalation_at = None
        self._relay(complaint, _REJECT_TEXT[why])

    def not_our_authority(self, complaint: Complaint, actor: Actor, reason: str | None) -> None:
        """'Bukan wewenang': back to the triage queue for re-disposition, never a dead end."""
        previous = complaint.agency_code
        self._move(complaint, actor, "bukan_wewenang", Status.RECEIVED, reason, data={"from": previous})
        complaint.agency_code = None
        complaint.verify_due_at = self.calendar.due_at(self.now, self.settings.sla.verify_days)
        complaint.next_escalation_at = self.escalation_moment(complaint.verify_due_at, None)
        complaint.escalation_level = 0
        self._alert_triage(complaint, f"bukan wewenang {previous}: {reason or '-'}")

    def reopen(self, complaint: Complaint, actor: Actor, note: str | None) -> None:
        self._move(complaint, actor, "reopen", Status.REOPENED, note)
        complaint.reopen_count += 1
        complaint.satisfied = False
        complaint.closed_at = None
        sla = self._sla_for(complaint.agency_code, emergency=complaint.emergency)
        complaint.answer_due_at = self._due(sla, "answer")
        complaint.escalation_level = 0
        complaint.next_escalation_at = self.escalation_moment(complaint.answer_due_at, complaint.sla or sla)
        if complaint.agency_code:
            self._alert_agency(complaint, "Laporan DIBUKA KEMBALI (pelapor belum puas)", "reopened",
                               roles={Role.ADMIN.value, Role.HEAD.value})

    def record_feedback(self, complaint: Complaint, reporter: Reporter, satisfied: bool,
                        rating: int | None = None, note: str | None = None) -> None:
        """The reporter's 'ya'/'tidak' to an answer: yes closes, no reopens."""
        actor = Actor("reporter", str(reporter.id))
        complaint.satisfied = satisfied
        if rating is not None:
            complaint.rating = max(1, min(5, rating))
        if satisfied:
            self.close(complaint, actor, note or "pelapor menyatakan selesai")
        else:
            self.reopen(complaint, actor, note or "pelapor menyatakan belum selesai")

    def record_supporter_opinion(self, complaint: Complaint, supporter: Reporter, satisfied: bool,
                                 note: str | None = None) -> None:
        """A supporter's yes or no to "sudah selesai?": their opinion, in the audit trail; the reporter's
        complaint is neither closed nor reopened by it."""
        opinion = "pendukung menyatakan selesai" if satisfied else "pendukung menyatakan belum selesai"
        self._event(complaint, Actor("reporter", str(supporter.id)), "supporter_feedback", None, None,
                    note=note or opinion, data={"satisfied": satisfied})

    def ask_citizen(self, complaint: Complaint, reporter: Reporter, kind: str,
                    notification_id: int | None = None) -> None:
        """Remember that a citizen was asked `kind` about this complaint (their reply is bound to it)."""
        ask(self.session, CITIZEN, str(reporter.id), complaint, kind, self.now, notification_id=notification_id)

    def record_rating(self, complaint: Complaint, reporter: Reporter, rating: int) -> None:
        complaint.rating = max(1, min(5, rating))
        self._event(complaint, Actor("reporter", str(reporter.id)), "rate", None, None, note=str(rating))

    def add_supporter(self, complaint: Complaint, reporter: Reporter) -> bool:
        exists = select(Supporter.id).where(
            Supporter.complaint_id == complaint.id, Supporter.reporter_id == reporter.id
        )
        if complaint.reporter_id == reporter.id or self.session.scalar(exists) is not None:
            return False
        self.session.add(Supporter(complaint_id=complaint.id, reporter_id=reporter.id, created_at=self.now))
        complaint.supporter_count += 1
        self._event(complaint, Actor("reporter", str(reporter.id)), "support", None, None)
        return True

    # --- SP4N-LAPOR! (models/lapor.py, docs/LAPOR.md) ------------------------------------------

    def record_lapor_tracking_id(self, complaint: Complaint, actor: Actor, typed: str, via: str = "manual") -> bool:
        """Link the complaint to its LAPOR! report (the id LAPOR! gave, typed by an operator or returned by
        the API); it leaves the handover queue. False when it already carried this very id."""
        tracking_id = valid_tracking_id(typed)
        if tracking_id is None:
            raise DomainError(f"{typed!r} is not a LAPOR! tracking id")
        if complaint.lapor_tracking_id == tracking_id:
            return False
        if complaint.lapor_tracking_id is not None:
            raise DomainError(f"{complaint.code} is already linked to LAPOR! {complaint.lapor_tracking_id}")
        owner = self.session.scalar(select(Complaint.code).where(Complaint.lapor_tracking_id == tracking_id))
        if owner is not None:
            raise DomainError(f"LAPOR! {tracking_id} is already linked to {owner}")
        complaint.lapor_tracking_id = tracking_id
        complaint.lapor_pending_since = None
        self._event(complaint, actor, "lapor_link", None, None, data={"tracking_id": tracking_id, "via": via})
        if via == "api" and self._moved_since_handover(complaint):
            self._push_to_lapor(complaint, complaint.answer_text)
        return True

    def file_from_lapor(self, draft: NewComplaint, operator: Actor, typed_id: str, filed_at: datetime,
                        dispatched_at: datetime | None = None) -> Complaint:
        """A report that reached us through LAPOR!: its deadlines run from LAPOR!'s dates, not from today."""
        tracking_id = valid_tracking_id(typed_id)
        if tracking_id is None:
            raise DomainError(f"{typed_id!r} is not a LAPOR! tracking id")
        if self.session.scalar(select(Complaint.code).where(Complaint.lapor_tracking_id == tracking_id)):
            raise DomainError(f"LAPOR! {tracking_id} is already on the desk")
        if filed_at > self.now or (dispatched_at is not None and not filed_at <= dispatched_at <= self.now):
            raise DomainError("LAPOR! dates must not lie in the future, and disposition comes after filing")
        dispatch = draft.agency_code is not None
        start = (dispatched_at or filed_at) if dispatch else filed_at
        at_lapor = Desk(self.session, self.settings, self.calendar, start)
        complaint = at_lapor.file(replace(draft, channel=LAPOR_CHANNEL, lapor_tracking_id=tracking_id),
                                  dispatch=dispatch)
        complaint.created_at = filed_at
        complaint.events[0].at = filed_at
        complaint.verify_due_at = self.calendar.due_at(filed_at, self.settings.sla.verify_days)
        self._event(complaint, operator, "lapor_intake", None, None, data={
            "tracking_id": tracking_id, "filed_at": filed_at.isoformat(),
            "dispatched_at": dispatched_at.isoformat() if dispatched_at else None})
        return complaint

    def _hand_over_to_lapor(self, complaint: Complaint) -> None:
        """Once per complaint of ours, when a connector is on: into the manual queue, or to the API's outbox.

        Misconduct reports stay with the Inspectorate: they never pass a queue the triage desk works."""
        connector = self.settings.lapor.connector
        if (connector == "off" or complaint.channel == LAPOR_CHANNEL or complaint.lapor_tracking_id is not None
                or complaint.lapor_pending_since is not None or complaint.misconduct):
            return
        complaint.lapor_pending_since = self.now
        self._event(complaint, SYSTEM, "lapor_queued", None, None, data={"connector": connector})
        if connector == "api":
            form = lapor_form(complaint, self.settings, self.calendar.zone)
            enqueue(self.session, recipient=_lapor_recipient(self.settings), purpose="lapor_create",
                    payload=create_payload(form), dedup_key=f"{complaint.code}:lapor_create", now=self.now,
                    complaint_id=complaint.id)

    def _push_to_lapor(self, complaint: Complaint, note: str | None) -> None:
        """A status change of a complaint LAPOR! knows goes there too (API connector), in this transaction."""
        if self.settings.lapor.connector != "api" or complaint.lapor_tracking_id is None:
            return
        event_id = self._last_event_id(complaint)
        enqueue(self.session, recipient=_lapor_recipient(self.settings), purpose="lapor_status",
                payload=status_payload(complaint, complaint.status, note, self.now),
                dedup_key=f"{complaint.code}:lapor_status:{event_id}", now=self.now, complaint_id=complaint.id)

    def _moved_since_handover(self, complaint: Complaint) -> bool:
        # By position, not id: events of this transaction may not be flushed yet (ids still None).
        queued = [index for index, event in enumerate(complaint.events) if event.action == "lapor_queued"]
        return bool(queued) and any(event.to_status for event in complaint.events[queued[-1] + 1:])

    # --- the Ombudsman path (models/ombudsman.py) ------------------------------------------

    def offer_ombudsman(self, complaint: Complaint, reason: str) -> bool:
        """Tell the citizen they may take the complaint to the Ombudsman RI office; once per complaint."""
        office = self.settings.ombudsman.office
        if office is None or complaint.ombudsman_offered_at is not None or complaint.ombudsman_referred_at:
            return False
        complaint.ombudsman_offered_at = self.now
        self._event(complaint, SYSTEM, "ombudsman_offer", None, None, data={"reason": reason, "office": office.name})
        self._tell_reporter(complaint, "ombudsman_offer", offer_text(complaint, office, self.calendar.zone))
        return True

    def refer_to_ombudsman(self, complaint: Complaint, actor: Actor, with_identity: bool) -> bool:
        """The citizen's consent (or an operator recording it): the referral event, the office's e-mail and the
        citizen's next steps, together. False when the complaint was already referred."""
        office = self.settings.ombudsman.office
        if office is None:
            raise DomainError("no Ombudsman office is configured (ombudsman.office)")
        is_reporter = actor.kind == "reporter" and actor.id == str(complaint.reporter_id)
        if not is_reporter and not (actor.kind == "official" and actor.role == Role.TRIAGE):
            raise NotAllowed(f"only the reporter or the triage desk may refer {complaint.code}")
        if complaint.ombudsman_referred_at is not None:
            return False
        if complaint.ombudsman_offered_at is None:
            raise DomainError(f"{complaint.code} was not offered the Ombudsman path")
        complaint.ombudsman_referred_at = self.now
        complaint.ombudsman_office = office.name
        self._event(complaint, actor, "ombudsman_referral", None, None,
                    data={"office": office.name, "with_identity": with_identity})
        enqueue(self.session, recipient=Recipient(RecipientKind.OFFICE, "ombudsman", Channel.EMAIL, office.email),
                purpose="ombudsman_referral", payload=referral_mail(complaint, self.settings, self.calendar,
                                                                    with_identity),
                dedup_key=f"{complaint.code}:ombudsman_referral", now=self.now, complaint_id=complaint.id)
        self._tell_reporter(complaint, "ombudsman_referral", next_steps_text(complaint, office, with_identity))
        return True

    def _ombudsman_extra(self, complaint: Complaint) -> str:
        """Closed unsatisfied: the offer (recorded) when an office is configured, else the general hint."""
        office = self.settings.ombudsman.office
        if office is None or complaint.ombudsman_offered_at is not None:
            return ombudsman_hint(complaint, self.calendar.zone)
        complaint.ombudsman_offered_at = self.now
        self._event(complaint, SYSTEM, "ombudsman_offer", None, None,
                    data={"reason": CLOSED_UNSATISFIED, "office": office.name})
        return offer_text(complaint, office, self.calendar.zone)

    def _tell_reporter(self, complaint: Complaint, purpose: str, text: str) -> None:
        reporter = complaint.reporter
        if reporter.erased_at is not None or reporter.blocked_at is not None:
            return
        event_id = self._last_event_id(complaint)
        recipient = Recipient("reporter", str(reporter.id), reporter.channel, reporter.provider_id)
        enqueue(self.session, recipient=recipient, purpose=purpose,
                payload={"text": text, "short": f"{complaint.code}: Ombudsman", "variables": {"code": complaint.code}},
                dedup_key=f"{complaint.code}:{purpose}:0:reporter-{reporter.id}:{reporter.channel}:{event_id}",
                now=self.now, complaint_id=complaint.id)

    # --- internals -------------------------------------------------------------------------

    def _dispatch(self, complaint: Complaint, actor: Actor, agency_code: str, relay: bool,
                  note: str | None = None, action: str = "dispatch") -> None:
        data = {"from": complaint.agency_code, "to": agency_code}
        self._move(complaint, actor, action, Status.DISPATCHED, note, data=data)
        sla = self._sla_for(agency_code, emergency=complaint.emergency)
        complaint.agency_code = agency_code
        complaint.category = self.settings.agency(agency_code).category
        complaint.confidential = complaint.confidential or agency_code in CONFIDENTIAL_AGENCIES
        complaint.misconduct = complaint.misconduct or agency_code in CONFIDENTIAL_AGENCIES
        remember_masked_text(complaint)
        complaint.dispatched_at = self.now
        complaint.acknowledged_at = None
        complaint.sla = sla
        complaint.ack_due_at = self._due(sla, "ack")
        complaint.answer_due_at = self._due(sla, "answer")
        complaint.escalation_level = 0
        complaint.next_escalation_at = self.escalation_moment(complaint.ack_due_at, sla)
        heading = EMERGENCY_HEADING if complaint.emergency else "LAPORAN BARU"
        alerted = self._alert_agency(complaint, heading, "new_complaint", roles={Role.ADMIN.value})
        if complaint.emergency:
            self._alert_on_duty(complaint, already=alerted)
        if relay:
            self._relay(complaint, note)
        self._hand_over_to_lapor(complaint)

    def _forward(self, complaint: Complaint, actor: Actor, agency_code: str, relay: bool,
                 action: str = "forward") -> None:
        data = {"from": complaint.agency_code, "to": agency_code}
        self._move(complaint, actor, action, Status.FORWARDED, data=data)
        agency = self.settings.agency(agency_code)
        complaint.agency_code = agency_code
        complaint.category = agency.category
        complaint.closed_at = self.now
        complaint.next_escalation_at = None
        self._alert_triage(complaint, f"diteruskan ke {agency.name}; teruskan lewat SP4N-LAPOR! bila perlu")
        if relay:
            self._relay(complaint, f"Diteruskan ke {agency.name}. Hubungi: {agency.contact}")
        self._hand_over_to_lapor(complaint)

    def _move(self, complaint: Complaint, actor: Actor, action: str, target: Status,
              note: str | None = None, data: dict[str, Any] | None = None) -> None:
        check_transition(complaint.status, target)
        previous = complaint.status
        complaint.status = target.value
        complaint.updated_at = self.now
        self._event(complaint, actor, action, previous, target.value, note=note, data=data)
        self._push_to_lapor(complaint, note)

    def _event(self, complaint: Complaint, actor: Actor, action: str, from_status: str | None,
               to_status: str | None, note: str | None = None, data: dict[str, Any] | None = None) -> None:
        event = ComplaintEvent(
            at=self.now,
            actor_kind=actor.kind,
            actor_id=actor.audit_id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data,
        )
        complaint.events.append(event)
        # Flushed at once: callers compare and key on event ids right after (dedup keys, the LAPOR!
        # hand-over's "moved since" check). Deferring it saved little and broke those reads.
        self.session.flush()

    def _due(self, sla: dict[str, Any], clock: str) -> datetime:
        """The `ack` or `answer` deadline from now: hours for an emergency, working days otherwise."""
        hours = sla.get(f"{clock}_hours")
        if hours is not None:
            return self.now + timedelta(hours=int(hours))
        return self.calendar.due_at(self.now, int(sla[f"{clock}_days"]))

    def _sla_for(self, agency_code: str | None, emergency: bool = False) -> dict[str, Any]:
        sla = self.settings.sla
        values: dict[str, Any] = {
            "verify_days": sla.verify_days,
            "ack_days": sla.ack_days,
            "answer_days": sla.answer_days,
            "reply_window_days": sla.reply_window_days,
            "reminder_every_days": sla.reminder_every_days,
            "reminder_cap": sla.reminder_cap,
            "emergency": False,
        }
        if agency_code is None:
            return values
        category = self.settings.agency(agency_code).category
        for key in (category, agency_code):
            override = sla.overrides.get(key)
            if override is not None:
                values.update(override.model_dump(exclude_none=True))
        if emergency:
            hours = self.settings.emergency
            values.update(emergency=True, ack_hours=hours.ack_hours, answer_hours=hours.answer_hours)
        return values

    def _known_agency(self, code: str) -> Any:
        if not self.settings.has_agency(code):
            raise DomainError(f"unknown agency code {code!r}")
        return self.settings.agency(code)

    def _last_event_id(self, complaint: Complaint) -> int:
        last = complaint.events[-1]
        if last.id is None:
            self.session.flush()
        return last.id

    def _alert_agency(self, complaint: Complaint, heading: str, purpose: str, roles: set[str]) -> set[str]:
        """Alert the agency's officials with these roles; the ids alerted."""
        agency_name = self.settings.agency(complaint.agency_code or "").name
        link = signed_link(self.session, self.settings, complaint.code, self.now)
        payload = official_alert(complaint, agency_name, heading, self.calendar.zone, link)
        officials = self._with_deputies(officials_with_roles(self.session, roles, complaint.agency_code))
        for official in officials:
            self._notify_official(complaint, official, purpose, payload)
        return {official.id for official in officials}

    def _alert_on_duty(self, complaint: Complaint, already: set[str]) -> None:
        """An emergency reaches whoever the roster has on call now (nights, weekends), not only the office."""
        local = self.calendar.local(self.now)
        on_duty = self.settings.emergency.on_duty(complaint.agency_code or "", local.weekday(), local.time())
        wanted = [official_id for official_id in on_duty if official_id not in already]
        if not wanted:
            return
        agency_name = self.settings.agency(complaint.agency_code or "").name
        payload = official_alert(complaint, agency_name, f"{EMERGENCY_HEADING} (PIKET)", self.calendar.zone)
        query = select(Official).where(Official.id.in_(wanted), Official.active.is_(True)).order_by(Official.id)
        for official in self.session.scalars(query):
            self._notify_official(complaint, official, "emergency_duty", payload)

    def _alert_triage(self, complaint: Complaint, reason: str) -> None:
        link = signed_link(self.session, self.settings, complaint.code, self.now)
        payload = triage_alert(complaint, reason, self.calendar.zone, link)
        for official in self._with_deputies(officials_with_roles(self.session, {Role.TRIAGE.value})):
            self._notify_official(complaint, official, "triage", payload)

    def _with_deputies(self, officials: list[Official]) -> list[Official]:
        """A Plt. hears what the official they stand in for hears (config `deputies`)."""
        return with_deputies(self.session, self.settings, officials, self.calendar.local_date(self.now))

    def _notify_official(self, complaint: Complaint, official: Official, purpose: str,
                         payload: dict[str, Any], level: int = 0) -> None:
        if not may_hear_about(official.agency_code, complaint):
            return
        event_id = self._last_event_id(complaint)
        for contact in official.contacts:
            recipient = Recipient("official", official.id, contact.channel, contact.address)
            key = f"{complaint.code}:{purpose}:{level}:official-{official.id}:{contact.channel}:{event_id}"
            enqueue(self.session, recipient=recipient, purpose=purpose, payload=payload, dedup_key=key,
                    now=self.now, complaint_id=complaint.id, level=level, urgent=complaint.emergency)

    def _relay(self, complaint: Complaint, note: str | None, extra: str | None = None) -> None:
        """Tell the reporter and every supporter, on the channel each of them used (supporters: status only)."""
        agency_name = self.settings.agency(complaint.agency_code).name if complaint.agency_code else None
        zone = self.calendar.zone
        event_id = self._last_event_id(complaint)
        for reporter in self._audience(complaint):
            if reporter.erased_at is not None or reporter.blocked_at is not None:
                continue
            supporter = reporter.id != complaint.reporter_id
            payload = status_relay(complaint, agency_name, note, zone, extra, supporter=supporter,
                                   language=reporter.language or "id")
            recipient = reporter_recipient(reporter)
            status = NotificationStatus.QUEUED if recipient is not None else NotificationStatus.NO_CHANNEL
            recipient = recipient or Recipient("reporter", str(reporter.id), reporter.channel, reporter.provider_id)
            key = f"{complaint.code}:status:0:reporter-{reporter.id}:{reporter.channel}:{event_id}"
            enqueue(self.session, recipient=recipient, purpose="status", payload=payload, dedup_key=key,
                    now=self.now, complaint_id=complaint.id, status=status)
            if complaint.status == Status.ANSWERED and not supporter:
                # The relay asks "sudah selesai?": the reply is bound to this complaint.
                notification_id = self.session.scalar(select(Notification.id).where(Notification.dedup_key == key))
                self.ask_citizen(complaint, reporter, SOLVED, notification_id)

    def _audience(self, complaint: Complaint) -> list[Reporter]:
        supporters = select(Reporter).join(Supporter, Supporter.reporter_id == Reporter.id).where(
            Supporter.complaint_id == complaint.id
        )
        return [complaint.reporter, *self.session.scalars(supporters)]

    def _local_day_start(self) -> datetime:
        local = self.calendar.local(self.now)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _lapor_recipient(settings: Settings) -> Recipient:
    """LAPOR!'s API as an outbox recipient: the address names the region's account (the transport knows the URL)."""
    return Recipient(RecipientKind.LAPOR, "sp4n-lapor", Channel.LAPOR_API, settings.lapor.instansi or "sp4n-lapor")


def _never_to_the_accused(complaint: Complaint, actor: Actor, agency_code: str) -> None:
    """A misconduct report reaches the office it accuses only by the Inspectorate's own decision."""
    if complaint.subject_agency_code == agency_code and not is_inspectorate(actor):
        raise NotAllowed(f"{complaint.code} accuses {agency_code}: only the Inspectorate may send it there")


class HasSubject(Protocol):
    @property
    def subject_agency_code(self) -> str | None: ...
    @property
    def agency_code(self) -> str | None: ...


def may_hear_about(official_agency: str | None, complaint: HasSubject) -> bool:
    """The accused office hears nothing of a misconduct report unless the Inspectorate handed it to them."""
    subject = complaint.subject_agency_code
    return subject is None or official_agency != subject or complaint.agency_code == subject


def _scrubbed(value: Any, identifiers: list[str]) -> Any:
    if isinstance(value, str):
        for identifier in identifiers:
            value = value.replace(identifier, "(dihapus)")
        return value
    if isinstance(value, dict):
        return {key: _scrubbed(item, identifiers) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, identifiers) for item in value]
    return value


def find_open_complaints_of(session: Session, reporter: Reporter) -> list[Complaint]:
    query = select(Complaint).where(
        Complaint.reporter_id == reporter.id, Complaint.status.in_([s.value for s in OPEN_STATUSES])
    )
    return list(session.scalars(query.order_by(Complaint.created_at.desc())))


def _required(value: str | None, option: str) -> str:
    if not value:
        raise DomainError(f"this action needs {option}")
    return value


def _reject_reason(reason: str | None) -> RejectReason:
    try:
        return RejectReason(reason or RejectReason.UNCLEAR.value)
    except ValueError:
        choices = ", ".join(r.value for r in RejectReason)
        raise DomainError(f"reject reason must be one of: {choices}") from None


_REJECT_TEXT: dict[RejectReason, str] = {
    RejectReason.UNCLEAR: (
        "Laporan ditolak karena kurang jelas. Silakan kirim ulang dengan rincian apa, di mana, kapan."
    ),
    RejectReason.NOT_PUBLIC_SERVICE: "Laporan ditolak karena bukan tentang pelayanan publik.",
    RejectReason.DUPLICATE: "Laporan ditolak karena sama dengan laporan lain yang sedang ditangani.",
    RejectReason.SPAM: "Laporan ditolak sebagai spam.",
}
