"""The Alembic migrations build exactly the tables the ORM describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text

from models.db import make_engine, upgrade_schema
from models.tables import Base


def test_migrated_schema_matches_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_is_harmless_and_sqlite_runs_in_wal_mode(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade_schema(engine)
    upgrade_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DATABASE_URL_TEST") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STARTUP = """
import sys
from models.config import load_settings
from models.environment import Environment
from models.runtime import prepare_database
prepare_database(load_settings(sys.argv[1]), Environment.read())
"""


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_four_prepare_steps_starting_together_on_a_fresh_postgresql_database_all_succeed() -> None:
    # Two hosts' prepare units and an operator's `aduan db upgrade` at the same moment: each migrates and
    # syncs the directory, taking turns on the advisory lock.
    schema = f"t_start_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        environment = {**os.environ, "DATABASE_URL": url}
        starts = [subprocess.Popen([sys.executable, "-c", STARTUP, str(ROOT / "config.yaml")], cwd=ROOT,
                                   env=environment, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        failures = [process.communicate(timeout=100)[1] for process in starts if process.wait(timeout=100) != 0]
        assert failures == []
        with admin.connect() as connection:
            officials = connection.execute(text(f'SELECT count(*) FROM "{schema}".officials')).scalar_one()
            version = connection.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).all()
        assert officials > 0 and len(version) == 1
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_open_complaint_indexes_match_the_open_statuses_of_the_lifecycle() -> None:
    # A status added to OPEN_STATUSES needs a migration that rebuilds the partial indexes.
    import importlib.util

    from models.tables import OPEN_CONDITION

    path = ROOT / "models" / "migrations" / "versions" / "0003_open_indexes.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.OPEN_CONDITION == OPEN_CONDITION


def test_the_oldest_open_complaints_of_an_agency_are_read_from_the_open_index(tmp_path) -> None:
    from sqlalchemy import select

    from models.tables import Complaint, is_open

    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade_schema(engine)
    oldest = (select(Complaint.code).where(is_open(), Complaint.agency_code == "PUPR")
              .order_by(Complaint.created_at, Complaint.id).limit(10))
    compiled = oldest.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    engine.dispose()
    assert "ix_complaints_open_agency_created" in plan


PARTIAL_INDEXES = {
    "ix_complaints_next_escalation": "next_escalation_at IS NOT NULL",
    "ix_complaints_lapor_pending": "lapor_pending_since IS NOT NULL",
    "ix_complaints_open_agency_created": "status IN (",
    "ix_complaints_open_created": "status IN (",
    "ix_complaints_lapor_tracking_id": "lapor_tracking_id IS NOT NULL",
    "ix_notifications_provider_message_id": "provider_message_id IS NOT NULL",
    "ix_complaints_answered": "answered_at IS NOT NULL",
    "ix_complaints_agency_answered": "answered_at IS NOT NULL",
    "ix_complaints_ombudsman_referred": "ombudsman_referred_at IS NOT NULL",
}


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://"])
def test_the_models_create_each_partial_index_with_its_condition(url: str) -> None:
    # The conditions reach the dialect only when it creates the indexes (so that no process imports both).
    from sqlalchemy import create_mock_engine

    statements: list[str] = []
    engine = create_mock_engine(url, lambda sql, *_, **__: statements.append(str(sql.compile(dialect=engine.dialect))))
    Base.metadata.create_all(engine, checkfirst=False)

    created = {line.split(" ON ")[0].split()[-1]: line for line in statements
               if line.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))}
    for name, condition in PARTIAL_INDEXES.items():
        assert f"WHERE {condition}" in created[name], created[name]
    partial = {name for name, line in created.items() if " WHERE " in line}
    assert partial == set(PARTIAL_INDEXES)


def test_the_open_complaint_condition_on_sqlite_is_the_migrations_own(tmp_path) -> None:
    # The same partial index, built by the models (tests, tools) and by the migrations (every database).
    from sqlalchemy import select

    migrated, created = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}"), create_engine("sqlite://")
    upgrade_schema(migrated)
    Base.metadata.create_all(created)
    query = select(text("sql")).select_from(text("sqlite_master")).where(text("name = 'ix_complaints_open_created'"))
    with migrated.connect() as first, created.connect() as second:
        by_migration, by_models = first.scalar(query), second.scalar(query)
    migrated.dispose()
    assert by_migration is not None and by_models is not None
    assert by_models.split(" WHERE ")[1] == by_migration.split(" WHERE ")[1]


def test_the_revision_the_code_checks_for_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from models.db import MIGRATIONS_DIR, SCHEMA_REVISION

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


def test_a_database_without_the_newest_migration_is_refused_with_the_command_to_run(tmp_path) -> None:
    from alembic import command
    from alembic.config import Config

    from models.db import MIGRATIONS_DIR, SCHEMA_REVISION, SchemaOutOfDate, check_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with pytest.raises(SchemaOutOfDate, match="no schema: run `aduan db upgrade`"):
        check_schema(engine)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    needed = f"at migration 0003, this release needs {SCHEMA_REVISION}: run `aduan db upgrade`"
    with pytest.raises(SchemaOutOfDate, match=needed):
        check_schema(engine)
    upgrade_schema(engine)
    check_schema(engine)
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_upgrading_to_0004_moves_what_app_state_held_into_typed_tables(tmp_path, backend: str) -> None:
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from alembic.config import Config

    from models.db import MIGRATIONS_DIR

    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    engine, cleanup = _empty_database(tmp_path, backend)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
            connection.execute(text("INSERT INTO chat_sessions (channel, chat_id, state, draft, language, updated_at) "
                                    "VALUES ('telegram', '70001', 'idle', '{}', 'id', :at)"),
                               {"at": at.replace(tzinfo=None)})
            rows = {"telegram.last_update_id": "812", "telegram.keyboard.70001": "k-5",
                    "transport_check:email": '{"transport": "email", "ok": false, "detail": "SMTP down", "at": "x"}',
                    "open311:" + "a" * 64: "BTL-AAAA-AAAA", "login:pupr.admin": '{"count": 2, "since": null}'}
            for key, value in rows.items():
                connection.execute(text("INSERT INTO app_state (key, value, updated_at) VALUES (:k, :v, :at)"),
                                   {"k": key, "v": value, "at": at.replace(tzinfo=None)})
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        with engine.connect() as connection:
            left = connection.execute(text("SELECT key FROM app_state")).scalars().all()
            offset = connection.execute(text("SELECT bot_id, last_update_id FROM telegram_offsets")).all()
            keyboard = connection.execute(text("SELECT keyboard_token FROM chat_sessions")).scalar_one()
            check = connection.execute(text("SELECT channel, ok, detail FROM transport_checks")).one()
            repeat = connection.execute(text("SELECT key, complaint_code, expires_at FROM idempotency_keys")).one()
        assert left == ["login:pupr.admin"]  # the login throttle stays where it was
        assert [tuple(row) for row in offset] == [("*", 812)] and keyboard == "k-5"
        assert (check[0], bool(check[1]), check[2]) == ("email", False, "SMTP down")
        expires = repeat[2] if isinstance(repeat[2], datetime) else datetime.fromisoformat(str(repeat[2]))
        assert repeat[1] == "BTL-AAAA-AAAA" and expires == (at + timedelta(minutes=10)).replace(tzinfo=None)
        upgrade_schema(engine)  # 0005 moves failed sign-ins into `throttles`: the old counters mean nothing
        with engine.connect() as connection:
            assert connection.execute(text("SELECT key FROM app_state")).scalars().all() == []
    finally:
        cleanup()


def _empty_database(tmp_path, backend: str):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        return engine, engine.dispose
    schema = f"t_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, cleanup


def test_a_read_only_connection_takes_no_writer_lock_and_refuses_writes(tmp_path) -> None:
    import fcntl
    import os

    from sqlalchemy.exc import OperationalError

    path = tmp_path / "shared.db"
    writer = make_engine(f"sqlite:///{path}")
    upgrade_schema(writer)
    reader = make_engine(f"sqlite:///{path}", read_only=True)
    lock = os.open(str(path) + ".writer-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a writer holds the lock: a reader must not wait for it
        with reader.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM complaints")).scalar() == 0
            with pytest.raises(OperationalError, match="readonly"):
                connection.execute(text("DELETE FROM agencies"))
    finally:
        os.close(lock)
        reader.dispose()
        writer.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_0015_indexes_only_rows_with_an_outside_id_and_lookups_by_one_still_use_the_index(tmp_path,
                                                                                         backend: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import IntegrityError

    from models.db import MIGRATIONS_DIR

    engine, cleanup = _empty_database(tmp_path, backend)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0015")
            command.downgrade(config, "0010")  # the way back works, and the way forth again
            command.upgrade(config, "0015")
        with engine.begin() as connection:
            _complaint_with_lapor_id(connection, 1, "LAPOR-1")
            _complaint_with_lapor_id(connection, 2, None)
            _complaint_with_lapor_id(connection, 3, None)  # NULLs never conflict
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _complaint_with_lapor_id(connection, 4, "LAPOR-1")  # the id stays unique
        with engine.connect() as connection:
            lookups = {"ix_complaints_lapor_tracking_id": "SELECT code FROM complaints WHERE lapor_tracking_id = 'x'",
                       "ix_notifications_provider_message_id":
                           "SELECT id FROM notifications WHERE provider_message_id = 'x'"}
            for index, query in lookups.items():
                assert "IS NOT NULL" in _index_definition(connection, backend, index)
                assert index in _plan(connection, backend, query)
    finally:
        cleanup()


def _complaint_with_lapor_id(connection, number: int, lapor_id: str | None) -> None:  # type: ignore[no-untyped-def]
    if number == 1:
        connection.execute(text("INSERT INTO reporters (id, channel, provider_id, created_at) "
                                "VALUES (1, 'whatsapp', '+62811', '2026-12-05 00:00:00')"))
    connection.execute(text(
        "INSERT INTO complaints (id, code, kind, status, text, reporter_id, channel, anonymous, confidential, "
        "created_at, updated_at, escalation_level, reopen_count, supporter_count, lapor_tracking_id) VALUES "
        "(:id, :code, 'pengaduan', 'received', 'jalan rusak', 1, 'whatsapp', false, false, '2026-12-05 00:00:00', "
        "'2026-12-05 00:00:00', 0, 0, 0, :lapor)"), {"id": number, "code": f"BTL-{number}", "lapor": lapor_id})


def _index_definition(connection, backend: str, index: str) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :name"
    return str(connection.execute(text(query), {"name": index}).scalar_one())


def _plan(connection, backend: str, query: str) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table: make the planner show its index
    return " ".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {query}"))


@pytest.mark.postgres
def test_0016_stores_a_large_outbox_payload_with_lz4_where_postgresql_has_it(tmp_path) -> None:
    import json

    from alembic import command
    from alembic.config import Config

    from models.db import MIGRATIONS_DIR

    engine, cleanup = _empty_database(tmp_path, "postgresql")
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as connection:
            if not connection.execute(text("SELECT count(*) FROM pg_settings WHERE name = "
                                           "'default_toast_compression' AND 'lz4' = ANY(enumvals)")).scalar():
                pytest.skip("this PostgreSQL is built without lz4")
            config.attributes["connection"] = connection
            command.upgrade(config, "0016")
            items = [{"code": f"BTL-{n:09d}", "subject": "jalan berlubang di depan SDN 2", "overdue_days": n % 9}
                     for n in range(3000)]
            payload = json.dumps({"text": "ESKALASI", "items": items})
            connection.execute(text(
                "INSERT INTO notifications (dedup_key, recipient_kind, recipient_id, channel, address, purpose, level, "
                "urgent, payload, status, attempts, next_attempt_at, created_at) VALUES ('bundle', 'official', "
                "'bupati', 'email', 'b@example.go.id', 'escalation_regional', 2, false, CAST(:payload AS json), "
                "'queued', 0, '2026-12-05 00:00:00', '2026-12-05 00:00:00')"), {"payload": payload})
            method, stored = connection.execute(text("SELECT pg_column_compression(payload), payload::text "
                                                     "FROM notifications")).one()
            assert method == "lz4" and stored == payload  # compressed, and read back as written
            command.downgrade(config, "0015")
            column = connection.execute(text(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = 'notifications'::regclass "
                "AND attname = 'payload'")).scalar()
            assert column in ("", "\x00", None)  # back to the server's default
    finally:
        cleanup()


def test_the_digests_week_figures_read_recent_answers_and_referrals_through_their_indexes(tmp_path) -> None:
    # Without them each digest read every complaint of the region's history (bench/digest.py: 14-19x slower
    # among 1,000,000 complaints than among 10,000, until migration 0017).
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from models.tables import Complaint

    since = datetime(2026, 11, 17, tzinfo=UTC)
    statements = {
        "ix_complaints_agency_answered": select(func.count()).where(Complaint.answered_at > since,
                                                                     Complaint.agency_code == "PUPR"),
        "ix_complaints_answered": select(func.count()).where(Complaint.answered_at >= since,
                                                              Complaint.agency_code.is_not(None)),
        "ix_complaints_ombudsman_referred": select(Complaint.code).where(Complaint.ombudsman_referred_at >= since),
    }
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade_schema(engine)
    plans = {}
    with engine.connect() as connection:
        for index, statement in statements.items():
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            plans[index] = " ".join(str(row[-1]) for row in rows)
    engine.dispose()
    assert all(index in plan for index, plan in plans.items()), plans
