"""Reporter-safety fixtures (issue 12): the dashboard app and its signed-in clients (imported from
tests/dashboard, not copied), a filing helper that names its reporters, and the blind testers' data
(tests/security/data/, copied from their hand-off; never edited here)."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import AttachmentIn, Desk, NewComplaint, calendar_for
from models.tables import Complaint, Notification
from tests.dashboard.conftest import app, chat_form, client, database, environment, login, post  # noqa: F401 - fixtures

DATA = Path(__file__).parent / "data"


def blind(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    channel: str = "whatsapp"
    provider_id: str | None = None

    @property
    def address(self) -> str:
        return self.provider_id or self.phone

    def tokens(self) -> list[str]:
        """Every form in which this person could be recognised."""
        digits = self.phone.lstrip("+")
        national = digits[2:] if digits.startswith("62") else digits
        found = [self.name, self.phone, digits, "0" + national, national, national[-7:]]
        found += [part for part in self.name.split() if len(part) >= 4]
        if self.provider_id:
            found.append(self.provider_id)
        return found


RAHMA = Person("Rahmawati Bjm", "+6281251730462")
UDIN = Person("Udin Tamban", "+6281299112233", channel="telegram", provider_id="5821337790")


@dataclass
class Filing:
    sessions: sessionmaker[Session]
    settings: Settings
    clock: FixedClock
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def file(self, person: Person = RAHMA, text: str = "Jalan berlubang besar di Jl. Pramuka dekat pasar",
             agency: str | None = "PUPR", anonymous: bool = False, misconduct: bool = False,
             subject: str | None = None, latitude: float | None = None, longitude: float | None = None,
             location_text: str | None = None, public_text: str | None = None,
             attachments: tuple[AttachmentIn, ...] = ()) -> str:
        with transaction(self.sessions) as db:
            desk = Desk(db, self.settings, calendar_for(self.settings), self.clock())
            reporter = desk.reporter_for(person.channel, person.address, person.name, person.phone)
            complaint = desk.file(NewComplaint(
                reporter=reporter, text=text, channel=person.channel, agency_code=agency, anonymous=anonymous,
                misconduct=misconduct, subject_agency_code=subject, latitude=latitude, longitude=longitude,
                location_text=location_text, attachments=attachments), dispatch=agency is not None or misconduct)
            complaint.public_text = public_text
            return complaint.code

    def complaint(self, code: str) -> Complaint:
        with self.sessions() as db:
            found = db.scalars(select(Complaint).where(Complaint.code == code)).one()
            found.events, found.reporter  # noqa: B018 - loaded before the session closes
            db.expunge_all()
            return found

    def notifications(self, code: str | None = None) -> list[Notification]:
        with self.sessions() as db:
            query = select(Notification).order_by(Notification.id)
            if code is not None:
                query = query.join(Complaint, Complaint.id == Notification.complaint_id).where(Complaint.code == code)
            rows = list(db.scalars(query))
            db.expunge_all()
            return rows


@pytest.fixture
def filing(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> Filing:
    return Filing(sessions, settings, clock)


def manage_json(db_engine: Any, monkeypatch: pytest.MonkeyPatch, *argv: str) -> Any:
    """`manage.py ARGV` in this process against the test database; its JSON output parsed."""
    import manage

    monkeypatch.setenv("DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    out = io.StringIO()
    with redirect_stdout(out):
        assert manage.main(list(argv)) == 0
    return json.loads(out.getvalue())


def manage_status(db_engine: Any, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    import manage

    monkeypatch.setenv("DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    with redirect_stdout(io.StringIO()):
        return int(manage.main(list(argv)))
