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
from models.runtime import open_database
open_database(load_settings(sys.argv[1]))
"""


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_four_processes_starting_together_on_a_fresh_postgresql_database_all_come_up() -> None:
    # What gunicorn -w 4 does on the first boot: each worker migrates and syncs the directory.
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
