"""The notifier's LAPOR! and Ombudsman steps, each idempotent like every other step of a pass:

* link complaints to the tracking ids LAPOR!'s API answered with (the handover rows it acknowledged);
* remind the triage desk of the manual handover queue when its oldest entry waits a working day or more;
* offer the Ombudsman path on complaints still unanswered long after the regional head was alerted.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk
from models.directory import officials_with_roles
from models.lifecycle import DomainError
from models.notification import NotificationStatus
from models.ombudsman import UNANSWERED, due_for_offer
from models.outbox import Recipient, enqueue
from models.permissions import SYSTEM
from models.tables import Complaint, Notification
from models.workdays import WorkingCalendar

log = logging.getLogger("aduan.notifier")

ACKNOWLEDGED = (NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.READ)


class LaporSteps:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], calendar: WorkingCalendar) -> None:
        self.settings = settings
        self.sessions = sessions
        self.calendar = calendar
        # The Ombudsman offers are looked for once a local day (the database column keeps them once ever).
        self.offers_checked_on: date | None = None

    def run(self, now: datetime) -> int:
        """Everything due now; the number of complaints or officials acted on."""
        return self.link_acknowledged(now) + self.remind_manual_queue(now) + self.offer_ombudsman(now)

    def link_acknowledged(self, now: datetime) -> int:
        with self.sessions() as session:
            found = list(session.execute(
                select(Complaint.id, Notification.provider_message_id)
                .join(Notification, Notification.complaint_id == Complaint.id)
                .where(Notification.purpose == "lapor_create", Notification.status.in_(ACKNOWLEDGED),
                       Notification.provider_message_id.is_not(None), Complaint.lapor_tracking_id.is_(None))))
        linked = 0
        for complaint_id, tracking_id in found:
            try:
                with transaction(self.sessions) as session:
                    complaint = session.get_one(Complaint, complaint_id)
                    desk = Desk(session, self.settings, self.calendar, now)
                    desk.record_lapor_tracking_id(complaint, SYSTEM, str(tracking_id), via="api")
            except DomainError as error:  # e.g. LAPOR! answered an id another complaint holds: operators decide
                log.warning("LAPOR! link refused complaint_id=%s error=%s", complaint_id, error)
                continue
            log.info("linked to LAPOR! complaint_id=%s", complaint_id)
            linked += 1
        return linked

    def remind_manual_queue(self, now: datetime) -> int:
        config = self.settings.lapor
        local = self.calendar.local(now)
        if (config.connector != "manual" or not self.calendar.is_working_day(local.date())
                or local.time() < self.settings.notifier.digest_time):
            return 0
        with transaction(self.sessions) as session:
            count, since = session.execute(select(func.count(Complaint.id), func.min(Complaint.lapor_pending_since))
                                           .where(Complaint.lapor_pending_since.is_not(None))).one()
            oldest = self.calendar.working_days_elapsed(_aware(since), now) if since else 0
            if oldest < config.remind_after_working_days:
                return 0
            return _remind(session, self.settings, int(count), oldest, now, local.date().isoformat())

    def offer_ombudsman(self, now: datetime) -> int:
        today = self.calendar.local_date(now)
        if self.offers_checked_on == today:
            return 0
        self.offers_checked_on = today
        with self.sessions() as session:
            due = [complaint.id for complaint in due_for_offer(session, self.settings, self.calendar, now)]
        for complaint_id in due:
            with transaction(self.sessions) as session:
                Desk(session, self.settings, self.calendar, now).offer_ombudsman(
                    session.get_one(Complaint, complaint_id), UNANSWERED)
        return len(due)


def _aware(instant: datetime) -> datetime:
    """An aggregate (MIN) comes back without the column's type on SQLite: naive UTC."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _remind(session: Session, settings: Settings, count: int, oldest_days: int, now: datetime, day: str) -> int:
    text = (f"Antrean SP4N-LAPOR!: {count} laporan perlu dicatat di SP4N-LAPOR!, terlama {oldest_days} hari kerja.\n"
            f"Buka {settings.region.dashboard_url.rstrip('/')}/dashboard/lapor, salin isian, lalu catat nomor "
            "tracking yang diberikan LAPOR!.")
    sent = 0
    for official in officials_with_roles(session, {Role.TRIAGE.value}):
        for contact in official.contacts:
            enqueue(session, recipient=Recipient("official", official.id, contact.channel, contact.address),
                    purpose="lapor_queue", payload={"text": text, "variables": {"count": count}},
                    dedup_key=f"lapor_queue:{day}:official-{official.id}:{contact.channel}", now=now)
            sent += 1
    return sent
