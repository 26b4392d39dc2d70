"""Database engine, sessions, the schema check and schema upgrades.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the bot, the
notifier and the admin CLI can share one file. PostgreSQL is used as is. Read-only
engines (the admin's list/show/status commands) never take the writer lock and are
refused any write by the database itself.

Only `upgrade_schema` migrates, and only `aduan db upgrade` and the prepare step call it;
every other process checks that the schema is the one this release needs
(`check_schema`) and stops with one clear line when it is not.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from models.environment import Environment, secret

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE_PATH = Path("var") / "aduan.db"
# The newest migration in models/migrations/versions; a test keeps the two equal. Written here so
# that checking the schema costs one SELECT, not loading Alembic and every migration script.
SCHEMA_REVISION = "0017"
UPGRADE_HINT = "run `aduan db upgrade` (or deploy/prepare_database.py) first"


class SchemaOutOfDate(Exception):
    """The database has no schema, or not the one this release needs; the message says what to run."""


def database_url(environment: Environment, explicit: str | None = None) -> str:
    """The URL in force: an explicit one, else DATABASE_URL, else SQLite under var/."""
    url = explicit or secret(environment.database_url)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str, read_only: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        path = make_url(url).database
        if read_only:
            # A deferred BEGIN reads a consistent snapshot without queueing behind the writers.
            event.listen(engine, "connect", _query_only)
            event.listen(engine, "begin", _begin_deferred)
        elif path and path != ":memory:":
            WriterQueue(Path(path).with_name(Path(path).name + ".writer-lock")).install(engine)
        else:
            event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if read_only:
        event.listen(engine, "connect", _read_only_postgres)
    return engine


class WriterQueue:
    """Queue SQLite writers on an OS file lock instead of SQLite's busy handler.

    Every writing transaction takes the write lock (BEGIN IMMEDIATE) so claims see a consistent view.
    Read-only sessions (`make_read_session_factory`) never queue here: in WAL mode a deferred BEGIN
    reads a consistent snapshot while a writer works, so a page view can never hold up a webhook.
    When two processes want it at once, SQLite's busy handler sleeps 1, 2, 5 ... 100 ms between
    tries, which wastes most of the time the lock is free; waiting on a file lock wakes at once.
    The wait is bounded like SQLite's busy timeout, so a mistake can never hang a worker.
    """

    def __init__(self, lock_path: Path, timeout_seconds: float = 30.0) -> None:
        self.lock_path = lock_path
        self.timeout_seconds = timeout_seconds
        self._files: dict[int, int] = {}

    def install(self, engine: Engine) -> None:
        event.listen(engine, "connect", self._open)
        event.listen(engine, "close", self._close)
        event.listen(engine, "begin", self._begin)
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._release(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._release(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    def _open(self, dbapi_connection: Any, _record: Any) -> None:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        self._files[id(dbapi_connection)] = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def _close(self, dbapi_connection: Any, _record: Any) -> None:
        descriptor = self._files.pop(id(dbapi_connection), None)
        if descriptor is not None:
            os.close(descriptor)

    def _begin(self, connection: Any) -> None:
        if _read_only(connection):
            connection.exec_driver_sql("BEGIN")
            return
        descriptor = self._files[id(connection.connection.dbapi_connection)]
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"database writer lock busy for {self.timeout_seconds:.0f} s") from None
                time.sleep(0.0002)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            raise

    def _release(self, dbapi_connection: Any) -> None:
        # The pool hands over its proxy when it resets a returned connection; unwrap it.
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        descriptor = self._files.get(id(raw))
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN" if _read_only(connection) else "BEGIN IMMEDIATE")


READ_ONLY = "aduan_read_only"


def insert_or_on_conflict(table: Any, dialect_name: str) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT for the database in use (PostgreSQL, else SQLite). Only that
    database's dialect is imported: importing both cost every command about 20 ms of its start (issue 17)."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _read_only(connection: Any) -> bool:
    return bool(connection.get_execution_options().get(READ_ONLY))


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=1")
    cursor.close()


def _read_only_postgres(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only (pages, exports): on SQLite they never take the writer lock.

    Writing through one is a bug; SQLite would still serialise it through its own busy handler.
    """
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


# Any fixed number: every process of the desk takes the same PostgreSQL advisory lock.
STARTUP_LOCK_KEY = 0x416475616E  # "Aduan"


def serialize_startup(connection: Connection) -> None:
    """Make concurrent starts (several gunicorn workers on a fresh database) take turns for the
    rest of this transaction. SQLite needs nothing: its transactions already take the write lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK_KEY})


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at; None when it has no schema at all."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):  # no alembic_version table: nothing was ever migrated
        return None


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutOfDate unless the database is at the migration this release needs."""
    found = schema_revision(engine)
    if found == SCHEMA_REVISION:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise SchemaOutOfDate(f"the database {where} has no schema: {UPGRADE_HINT}")
    raise SchemaOutOfDate(f"the database {where} is at migration {found}, this release needs "
                          f"{SCHEMA_REVISION}: {UPGRADE_HINT}")


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    with engine.begin() as connection:
        serialize_startup(connection)
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
