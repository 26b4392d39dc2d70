"""The notifier's LAPOR! and Ombudsman steps, each idempotent like every other step of a pass:

* link complaints to the tracking ids LAPOR!'s API answered with (the handover rows it acknowledged);
* remind the triage desk of the manual handover queue when its oldest entry waits a working day or more;
* offer the Ombudsman path on complaints still unanswered long after the regional head was alerted.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk
from models.directory import officials_with_roles
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
        for complaint_id, tracking_id in found:
            with transaction(self.sessions) as session:
                complaint = session.get_one(Complaint, complaint_id)
                desk = Desk(session, self.settings, self.calendar, now)
                desk.record_lapor_tracking_id(complaint, SYSTEM, str(tracking_id), via="api")
            log.info("linked to LAPOR! complaint_id=%s", complaint_id)
        return len(found)

    def remind_manual_queue(self, now: datetime) -> int:
        config = self.settings.lapor
        local = self.calendar.local(now)
        if (config.connector != "manual" or not self.calendar.is_working_day(local.date())
                or local.time() < self.settings.notifier.digest_time):
            return 0
        with transaction(self.sessions) as session:
            waiting = [since for since in session.scalars(select(Complaint.lapor_pending_since).where(
                Complaint.lapor_pending_since.is_not(None)).order_by(Complaint.lapor_pending_since)) if since]
            oldest = self.calendar.working_days_elapsed(waiting[0], now) if waiting else 0
            if oldest < config.remind_after_working_days:
                return 0
            return _remind(session, self.settings, len(waiting), oldest, now, local.date().isoformat())

    def offer_ombudsman(self, now: datetime) -> int:
        with self.sessions() as session:
            due = [complaint.id for complaint in due_for_offer(session, self.settings, self.calendar, now)]
        for complaint_id in due:
            with transaction(self.sessions) as session:
                Desk(session, self.settings, self.calendar, now).offer_ombudsman(
                    session.get_one(Complaint, complaint_id), UNANSWERED)
        return len(due)


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
