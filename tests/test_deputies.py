"""A Plt. (deputy) receives the alerts and digests of the official they stand in for, only within the dates
set in config `deputies`; the config refuses a deputy who is not an official."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.config import ConfigError, DeputyConfig, Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.tables import Notification


def _with_deputy(settings: Settings) -> Settings:
    away = DeputyConfig(holder="pupr.admin", deputy="pupr.head", start=date(2026, 11, 23), end=date(2026, 11, 27))
    return settings.model_copy(update={"deputies": (away,)})


def _file(sessions, settings, clock, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    with transaction(sessions) as db:
        desk = Desk(db, settings, calendar_for(settings), clock())
        reporter = desk.reporter_for("telegram", f"warga-{text[:8]}", "Warga", None)
        complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel="telegram", agency_code="PUPR"),
                              dispatch=True)
        complaint_id = complaint.id
    with sessions() as db:
        return set(db.scalars(select(Notification.recipient_id).where(
            Notification.complaint_id == complaint_id, Notification.purpose == "new_complaint")))


def test_the_deputy_hears_the_new_complaint_alerts_while_the_admin_is_away(sessions, settings, clock) -> None:
    deputised = _with_deputy(settings)
    # Monday 23 November 2026: inside the range.
    assert _file(sessions, deputised, clock, "Jalan berlubang di Jl. Pramuka") == {"pupr.admin", "pupr.head"}
    clock.advance(days=7)  # Monday 30 November: the admin is back
    assert _file(sessions, deputised, clock, "Jalan retak di Jl. Veteran") == {"pupr.admin"}
    assert _file(sessions, settings, clock, "Drainase tersumbat di pasar") == {"pupr.admin"}


def test_a_deputy_must_be_an_official_and_the_range_must_be_ordered(settings) -> None:
    raw = settings.model_dump(exclude={"base_dir"})
    with pytest.raises((ConfigError, ValueError), match="deputies"):
        Settings.model_validate({**raw, "deputies": [
            {"holder": "pupr.admin", "deputy": "tidak.ada", "start": "2026-12-01", "end": "2026-12-05"}]})
    with pytest.raises(ValueError, match="before start"):
        DeputyConfig(holder="pupr.admin", deputy="pupr.head", start=date(2026, 12, 5), end=date(2026, 12, 1))


def test_the_deputy_of_an_agency_head_gets_the_escalation_too(sessions, settings, clock) -> None:
    from models.escalation import sweep

    away = DeputyConfig(holder="pupr.head", deputy="pupr.admin", start=date(2026, 11, 23), end=date(2026, 12, 31))
    deputised = settings.model_copy(update={"deputies": (away,)})
    _file(sessions, deputised, clock, "Jalan berlubang di Jl. Pramuka")
    clock.advance(days=3)  # Thursday, past the acknowledgement deadline: the head is alerted
    sweep(sessions, deputised, calendar_for(deputised), clock())
    with sessions() as db:
        told = set(db.scalars(select(Notification.recipient_id).where(Notification.purpose == "escalation_head")))
    assert told == {"pupr.head", "pupr.admin"}
