"""Fixtures for the WhatsApp/SMS channel: the Flask app, signed posts, a fake Twilio server, and the
notifier's job runner with the wing's photo downloads, as `aduan notifier` wires them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_twilio import FakeTwilio
from flask import Flask
from twilio_support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN, PUBLIC, Twilio

from bot.whatsapp.media import MediaDownloads
from models.config import Settings
from models.environment import Environment
from models.runtime import Database
from notifier.jobs import JobReport, JobRunner
from tests.conftest import TEST_SECRET_KEY
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
def environment(fake_twilio: FakeTwilio) -> Environment:
    return Environment.of({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                           "PUBLIC_BASE_URL": PUBLIC, "TWILIO_API_BASE_URL": fake_twilio.base_url,
                           "TWILIO_WHATSAPP_FROM": "+6281100009999", "SECRET_KEY": TEST_SECRET_KEY})


@pytest.fixture
def app(wa_settings, db_engine, sessions, engine, environment) -> Flask:  # type: ignore[no-untyped-def]
    return create_app(wa_settings, environment, database=Database(db_engine, sessions), engine=engine)


@pytest.fixture
def download_photos(wa_settings, sessions, environment, clock) -> Callable[[], JobReport]:  # type: ignore[no-untyped-def]
    """One pass of the notifier's job runner with the photo downloads, at the test's clock."""
    downloads = MediaDownloads.configured(sessions, wa_settings, environment)
    return JobRunner(sessions, {downloads.kind: downloads}, "test-notifier", clock).run_pass


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
