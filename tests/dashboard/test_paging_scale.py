"""At 100,000 complaints the inbox pages through the indexes instead of sorting the table."""

from __future__ import annotations

from sqlalchemy import text

from models.config import Role
from models.db import transaction
from models.desk import calendar_for
from models.permissions import Actor
from web.dashboard.queries import Filters, inbox_query

COUNT = 100_000
SQLITE_ROWS = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {COUNT})
INSERT INTO complaints (code, kind, status, text, agency_code, reporter_id, channel, anonymous, confidential,
                        created_at, updated_at, escalation_level, reopen_count, supporter_count)
SELECT 'T-' || i, 'pengaduan', 'dispatched', 'keluhan nomor ' || i, CASE i % 2 WHEN 0 THEN 'PUPR' ELSE 'DLH' END,
       1, 'telegram', 0, 0, datetime('2026-01-01', '+' || i || ' minutes'),
       datetime('2026-01-01', '+' || i || ' minutes'), 0, 0, 0 FROM n
"""
POSTGRES_ROWS = f"""
INSERT INTO complaints (code, kind, status, text, agency_code, reporter_id, channel, anonymous, confidential,
                        created_at, updated_at, escalation_level, reopen_count, supporter_count)
SELECT 'T-' || i, 'pengaduan', 'dispatched', 'keluhan nomor ' || i, CASE i % 2 WHEN 0 THEN 'PUPR' ELSE 'DLH' END,
       1, 'telegram', false, false, timestamp '2026-01-01' + i * interval '1 minute',
       timestamp '2026-01-01' + i * interval '1 minute', 0, 0, 0 FROM generate_series(1, {COUNT}) AS i
"""
REPORTER = "INSERT INTO reporters (id, channel, provider_id, created_at) VALUES (1, 'telegram', 'x', '2026-01-01')"


def _fill(db_engine) -> None:  # type: ignore[no-untyped-def]
    with db_engine.begin() as connection:
        connection.execute(text(REPORTER))
        sqlite = db_engine.dialect.name == "sqlite"
        connection.execute(text(SQLITE_ROWS if sqlite else POSTGRES_ROWS))
        connection.execute(text("ANALYZE" if sqlite else "ANALYZE complaints"))


def _plan(db_engine, query) -> str:  # type: ignore[no-untyped-def]
    compiled = query.compile(db_engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if db_engine.dialect.name == "sqlite" else "EXPLAIN "
    with db_engine.connect() as connection:
        return "\n".join(" ".join(str(c) for c in row) for row in connection.execute(text(explain + str(compiled))))


def test_paging_through_100k_complaints_uses_the_indexes(db_engine, sessions, settings, clock, login, client) -> None:
    _fill(db_engine)
    calendar = calendar_for(settings)
    triage = Actor("official", "kominfo.triage", Role.TRIAGE)
    admin = Actor("official", "pupr.admin", Role.ADMIN, "PUPR")
    for actor in (triage, admin):
        for page in (1, 1500):
            plan = _plan(db_engine, inbox_query(actor, Filters(page=page), clock(), calendar, "BTL"))
            assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # no sorting of the table
            assert "ix_complaints_created" in plan or "ix_complaints_agency_created" in plan, plan
    login("kominfo.triage")
    first = client.get("/dashboard/").get_data(as_text=True)
    assert "100000 hasil" in first and "T-100000" in first and "T-99951" in first and "T-99950" not in first
    deep = client.get("/dashboard/?page=2000").get_data(as_text=True)
    assert "T-50<" in deep and "T-1<" in deep and 'rel="next"' not in deep
    with transaction(sessions) as db:
        assert db.scalar(text("SELECT COUNT(*) FROM complaints")) == COUNT
