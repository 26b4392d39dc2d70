"""Opening the database for an entry point: engine, schema upgrade, directory sync."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.config import Settings
from models.db import (
    database_url,
    make_engine,
    make_session_factory,
    serialize_startup,
    transaction,
    upgrade_schema,
)
from models.directory import sync_directory


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


def open_database(settings: Settings, url: str | None = None, upgrade: bool = True) -> Database:
    engine = make_engine(database_url(url))
    if upgrade:
        upgrade_schema(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        serialize_startup(session.connection())
        sync_directory(session, settings)
    return Database(engine, sessions)
