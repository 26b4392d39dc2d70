"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when reachable),
the shipped config, an injected clock and a transcript driver for the dialog engine."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings, load_settings
from models.db import make_engine, make_session_factory, transaction, upgrade_schema
from models.directory import sync_directory
from models.tables import Base

# Property tests run the same generated examples on every run (CI must not turn red by chance, and
# a failure found once must be found again); each test's own @settings still sets its size.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.load_profile("repeatable")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Monday 23 November 2026, 09:00 WITA: an ordinary working morning in Barito Kuala.
MONDAY_MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def postgres_url() -> str | None:
    explicit = os.environ.get("DATABASE_URL_TEST")
    if explicit:
        return explicit
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_PG
    except OSError:
        return None


PG_URL = postgres_url()
if os.environ.get("REQUIRE_POSTGRES") == "1" and PG_URL is None:
    raise RuntimeError("REQUIRE_POSTGRES=1 but no PostgreSQL answers (set DATABASE_URL_TEST)")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# The web app refuses weak or missing keys; every app a test builds (or a server it starts) gets this one
# unless the test sets its own.
TEST_SECRET_KEY = "tests-only-secret-key-5f0c9a7e3b1d46c28e9a0b7d3c5f1e2a"
os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)

# Suite-wide: at teardown, no outgoing payload may carry an anonymous reporter's identity (tests/payload_guard.py).
pytest_plugins = ["payload_guard"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL is not None:
        return
    skip = pytest.mark.skip(reason="no PostgreSQL reachable (set DATABASE_URL_TEST or run one on :5432)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    """One migrated SQLite file holding the shipped config's directory, as the prepare step leaves a
    database; each test gets a copy (faster than migrating and syncing per test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    with transaction(make_session_factory(engine)) as session:
        sync_directory(session, settings)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A private schema in the test database, migrated once, emptied between tests."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL)
    event.listen(engine, "connect", lambda dbapi, _: _set_search_path(dbapi, schema))
    upgrade_schema(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _set_search_path(dbapi_connection: object, schema: str) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f'SET search_path TO "{schema}"')
    cursor.close()
    dbapi_connection.commit()  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
def db_engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine


@pytest.fixture
def sessions(db_engine: Engine, settings: Settings) -> sessionmaker[Session]:
    factory = make_session_factory(db_engine)
    if db_engine.dialect.name != "sqlite":  # a copy of the SQLite template holds the directory already
        with transaction(factory) as session:
            sync_directory(session, settings)
    return factory


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_MORNING)


@pytest.fixture(scope="session")
def routing_table(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.setup import load_routing_table

    return load_routing_table(settings)


@pytest.fixture
def engine(settings: Settings, sessions: sessionmaker[Session], clock: FixedClock, routing_table):  # type: ignore[no-untyped-def]
    from bot.setup import build_engine

    return build_engine(settings, sessions, clock, routing_table)


Chat = Callable[..., str]


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    """Send one message as a citizen and get the bot's replies joined as text."""
    from bot.dialog.messages import Inbound

    def send(text: str = "", chat_id: str = "warga-1", channel: str = "console", **extra: object) -> str:
        inbound = Inbound(channel=channel, chat_id=chat_id, sender_id=chat_id, sender_name=f"Warga {chat_id}",
                          text=text, **extra)  # type: ignore[arg-type]
        return "\n".join(reply.text for reply in engine.handle(inbound))

    return send
