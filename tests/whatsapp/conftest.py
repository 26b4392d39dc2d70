"""Fixtures for the WhatsApp/SMS channel: the Flask app, signed posts, a fake Twilio server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_twilio import FakeTwilio
from flask import Flask
from twilio_support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN, PUBLIC, Twilio

from models.config import Settings
from models.runtime import Database
from web import create_app


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def wa_settings(settings: Settings, tmp_path: Path) -> Settings:
    intake = settings.intake.model_copy(update={"media_dir": str(tmp_path / "media")})
    return settings.model_copy(update={"intake": intake})


@pytest.fixture
def environ(fake_twilio: FakeTwilio) -> dict[str, str]:
    return {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC,
            "TWILIO_API_BASE_URL": fake_twilio.base_url, "TWILIO_WHATSAPP_FROM": "+6281100009999"}


@pytest.fixture
def app(wa_settings, db_engine, sessions, engine, environ) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    flask_app = create_app(wa_settings, database=Database(db_engine, sessions), engine=engine, environ=environ)
    yield flask_app
    flask_app.extensions["aduan.media"].close()


@pytest.fixture
def twilio(app: Flask) -> Twilio:
    return Twilio(app.test_client())


Message = Callable[..., dict[str, str]]


@pytest.fixture
def message() -> Message:
    """A Twilio inbound form; each call gets a fresh MessageSid unless one is given."""
    counter = iter(range(1, 10_000))

    def build(body: str = "", sender: str = f"whatsapp:{CITIZEN}", **extra: Any) -> dict[str, str]:
        form = {"MessageSid": f"SM{next(counter):032x}", "AccountSid": ACCOUNT_SID, "From": sender,
                "To": "whatsapp:+6281100009999", "Body": body, "NumMedia": "0", "ProfileName": "Siti Aminah",
                "WaId": sender.removeprefix("whatsapp:+")}
        form.update({key: str(value) for key, value in extra.items()})
        return form

    return build
