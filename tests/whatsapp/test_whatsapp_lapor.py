"""A complaint filed on WhatsApp (the signed Twilio webhook, as in production) is handed to SP4N-LAPOR! by the
notifier through the API connector and acknowledged by a local fake of the configured contract."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_twilio import FakeTwilio
from flask import Flask
from sqlalchemy import select
from twilio_support import Twilio

from models.config import Settings, parse_settings
from models.environment import Environment
from models.runtime import Database
from models.tables import Complaint
from notifier.service import Notifier, build_transports
from web import create_app

sys.path.append(str(Path(__file__).resolve().parents[1] / "notifier"))
from fake_lapor import TOKEN, FakeLapor, api_config  # noqa: E402

CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def fake_lapor() -> Iterator[FakeLapor]:
    fake = FakeLapor().start()
    yield fake
    fake.stop()


@pytest.fixture
def lapor_settings(wa_settings: Settings, fake_lapor: FakeLapor) -> Settings:
    raw = wa_settings.model_dump(mode="json", exclude={"base_dir"})
    raw["lapor"] = {**raw["lapor"], **api_config(fake_lapor)}
    return parse_settings(raw, base_dir=wa_settings.base_dir)


@pytest.fixture
def engine(lapor_settings: Settings, sessions: Any, clock: Any, routing_table: Any) -> Any:
    from bot.setup import build_engine

    return build_engine(lapor_settings, sessions, clock, routing_table)


@pytest.fixture
def app(lapor_settings, db_engine, sessions, engine, environment) -> Flask:  # type: ignore[no-untyped-def]
    return create_app(lapor_settings, environment, database=Database(db_engine, sessions), engine=engine)


def test_a_whatsapp_complaint_is_sent_to_lapor_and_acknowledged(
        twilio: Twilio, message: Any, lapor_settings: Settings, sessions: Any, clock: Any, environment: Environment,
        fake_lapor: FakeLapor, fake_twilio: FakeTwilio) -> None:
    answer = ""
    for said in ("jalan berlubang depan SDN 2 Marabahan", "lewati", "lewati", "1", "ya"):
        response = twilio.post("/webhooks/twilio/whatsapp", message(said))
        assert response.status_code == 200
        answer = response.get_data(as_text=True)
    found = CODE.search(answer)
    assert found is not None
    code = found.group(0)
    transports = build_transports(lapor_settings, environment.replace(lapor_api_token=TOKEN))
    Notifier(lapor_settings, sessions, clock, transports).run_once()
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
    [(tracking_id, report)] = fake_lapor.reports.items()
    assert complaint.channel == "whatsapp" and complaint.lapor_tracking_id == tracking_id
    assert report["id_referensi"] == code and report["nama_pelapor"] == "Siti Aminah"
    assert fake_twilio.messages(), "the agency's admins were alerted on WhatsApp as well"
