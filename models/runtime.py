"""Opening the database for a process.

    prepare_database(settings, environment)   schema upgrade + directory sync: `aduan db upgrade`, the prepare step
    open_database(settings, environment)      schema check + directory sync: long-running processes, write commands
    read_database(environment)                schema check only, read-only engine: list/show/status commands

Only the first migrates. The others stop with `SchemaOutOfDate` (one line naming the command to run) when
the schema is missing or older than this release; `read_database` never writes at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import (
    check_schema,
    database_url,
    make_engine,
    make_session_factory,
    serialize_startup,
    transaction,
    upgrade_schema,
)
from models.environment import Environment

if TYPE_CHECKING:  # a read-only command never loads the config schema
    from models.config import Settings


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


def prepare_database(settings: Settings, environment: Environment, url: str | None = None) -> Database:
    """Create or upgrade the schema, then mirror config.yaml's agencies and officials into it."""
    return _synced(settings, make_engine(database_url(environment, url)), upgrade_schema)


def open_database(settings: Settings, environment: Environment, url: str | None = None) -> Database:
    """The database of a process that writes: schema checked (never migrated), directory synced."""
    return _synced(settings, make_engine(database_url(environment, url)), _checked)


def read_database(environment: Environment, url: str | None = None) -> Database:
    """The database of a command that only reads: no write transaction, no directory sync."""
    engine = make_engine(database_url(environment, url), read_only=True)
    _checked(engine)
    return Database(engine, make_session_factory(engine))


def sync(database: Database, settings: Settings) -> None:
    """Directory sync; concurrent starts (two prepare steps, gunicorn's workers) take turns."""
    from models.directory import sync_directory

    with transaction(database.sessions) as session:
        serialize_startup(session.connection())
        sync_directory(session, settings)


def _synced(settings: Settings, engine: Engine, schema_step: Callable[[Engine], None]) -> Database:
    schema_step(engine)
    database = Database(engine, make_session_factory(engine))
    sync(database, settings)
    return database


def _checked(engine: Engine) -> None:
    try:
        check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
