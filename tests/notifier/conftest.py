"""Helpers for the notifier tests: file complaints, act as officials, run the sweep at a local time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import official_actor
from models.escalation import SweepReport, sweep
from models.permissions import Action
from models.tables import Complaint, Notification

WITA = ZoneInfo("Asia/Makassar")
REPORTER_NAME = "Siti Aminah"
REPORTER_PHONE = "+6281299990001"


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


class Desk_:
    """A tiny driver over the Desk for scenario tests."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.calendar = calendar_for(settings)

    def file(self, agency: str | None = "PUPR", anonymous: bool = False, text: str = "jalan berlubang",
             dispatch: bool = True, phone: str = REPORTER_PHONE, name: str = REPORTER_NAME) -> str:
        with transaction(self.sessions) as session:
            desk = Desk(session, self.settings, self.calendar, self.clock())
            reporter = desk.reporter_for("whatsapp", phone, name, phone)
            complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel="whatsapp",
                                               agency_code=agency, anonymous=anonymous), dispatch=dispatch)
            return complaint.code

    def act(self, code: str, official: str, action: Action, note: str | None = None,
            to: str | None = None) -> None:
        with transaction(self.sessions) as session:
            complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
            desk = Desk(session, self.settings, self.calendar, self.clock())
            desk.act(complaint, official_actor(session, official), action, note, to)

    def feedback(self, code: str, satisfied: bool) -> None:
        with transaction(self.sessions) as session:
            complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
            desk = Desk(session, self.settings, self.calendar, self.clock())
            desk.record_feedback(complaint, complaint.reporter, satisfied)

    def sweep_at(self, instant: datetime) -> SweepReport:
        self.clock.set(instant)
        return sweep(self.sessions, self.settings, self.calendar, self.clock())

    def complaint(self, code: str) -> Complaint:
        with self.sessions() as session:
            complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
            complaint.events  # noqa: B018 - load before the session closes
            return complaint

    def notifications(self, purpose: str | None = None) -> list[Notification]:
        with self.sessions() as session:
            query = select(Notification).order_by(Notification.id)
            if purpose:
                query = query.where(Notification.purpose == purpose)
            return list(session.scalars(query))


@pytest.fixture
def desk(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> Desk_:
    return Desk_(sessions, settings, clock)


Recipients = Callable[[list[Notification]], set[str]]


def recipients(rows: list[Notification]) -> set[str]:
    return {row.recipient_id for row in rows}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (skipped when none answers)")
