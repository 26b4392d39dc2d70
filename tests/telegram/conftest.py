"""Fixtures for the Telegram channel: a fake Bot API on 127.0.0.1, the adapter polling it in its
own thread exactly as in production, and citizens who type, tap buttons and share things.

Database: these threaded end-to-end tests run on SQLite; the ones touching the adapter's own SQL
(AppState, reporters, the outbox) also run on PostgreSQL via `@BOTH_BACKENDS`. That keeps the
directory well under a minute while every query is still exercised on both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from telegram_support import OFFICIALS_GROUP, OPERATIONS_CHAT, POLL_TIMEOUT, StartBot

from bot.dialog.engine import Engine
from bot.setup import build_engine
from bot.telegram.service import TelegramService
from models.clock import FixedClock
from models.config import Settings
from models.db import make_engine
from models.environment import Environment
from models.tables import Base


@pytest.fixture(params=["sqlite"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[DatabaseEngine]:
    """The root fixture's databases, SQLite only unless a test asks for both (see the docstring)."""
    if request.param == "postgresql":
        engine: DatabaseEngine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield engine
        return
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def telegram_settings(settings: Settings, tmp_path: Path) -> Settings:
    section = {"operations_chat": OPERATIONS_CHAT, "official_groups": [OFFICIALS_GROUP],
               "places": {"kel_anjir_pasar": "Kelurahan Anjir Pasar"}}
    intake = settings.intake.model_copy(update={"media_dir": str(tmp_path / "media"), "max_media_bytes": 50_000})
    return settings.model_copy(update={"channels": {**settings.channels, "telegram": section}, "intake": intake})


@pytest.fixture
def tg_engine(telegram_settings: Settings, sessions: sessionmaker[Session], clock: FixedClock,
              routing_table: Any) -> Engine:
    return build_engine(telegram_settings, sessions, clock, routing_table)


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture
def environment(fake_api: FakeBotApi) -> Environment:
    return Environment.of({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url})


@pytest.fixture
def start_bot(tg_engine: Engine, environment: Environment) -> Iterator[StartBot]:
    """Start (or restart) the polling adapter; every one started is stopped at the end."""
    started: list[TelegramService] = []

    def start() -> TelegramService:
        service = TelegramService(tg_engine, environment, poll_timeout=POLL_TIMEOUT).start().start_polling()
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def bot(start_bot: StartBot) -> TelegramService:
    return start_bot()


@pytest.fixture
def citizen(fake_api: FakeBotApi) -> Citizen:
    return Citizen(fake_api, 70001, "Siti Aminah", "siti_btl")


@pytest.fixture
def neighbour(fake_api: FakeBotApi) -> Citizen:
    return Citizen(fake_api, 70002, "Budi", "budi_mrb")
