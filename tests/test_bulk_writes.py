"""Many rows in one statement per table (models/bulk.py): what lands is what was given, in the given order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.bulk import insert_rows
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.outbox import Recipient, outbox_row
from models.tables import ComplaintEvent, Notification

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def alert_rows(payloads: list[dict[str, Any]], copies: int, prefix: str) -> list[dict[str, Any]]:
    """Each payload object sent `copies` times (one alert, several channels), interleaved."""
    return [outbox_row(recipient=Recipient("official", f"o{copy}", "email", f"o{copy}@example.go.id"),
                       purpose="escalation_head", payload=payload, dedup_key=f"{prefix}:{number}:{copy}", now=NOW,
                       checked=True, callback_token=f"{prefix}-{number}-{copy}")
            for copy in range(copies) for number, payload in enumerate(payloads)]


def test_rows_sharing_one_payload_object_each_store_it_in_the_order_given(sessions: sessionmaker[Session]) -> None:
    payloads = [{"text": f"ESKALASI {n}\nbaris \"kutip\" \u00e9", "variables": {"level": n, "list": [1, None]}}
                for n in range(7)]
    rows = alert_rows(payloads, 3, "a")
    with transaction(sessions) as session:
        insert_rows(session, Notification.__table__, rows, skip_duplicates_of="dedup_key")
    with sessions() as session:
        stored = session.execute(select(Notification.dedup_key, Notification.payload).order_by(Notification.id)).all()
    assert [key for key, _ in stored] == [row["dedup_key"] for row in rows]
    assert [payload for _, payload in stored] == [row["payload"] for row in rows]


def test_a_duplicate_key_is_skipped_and_the_other_rows_still_land(sessions: sessionmaker[Session]) -> None:
    first = alert_rows([{"text": "satu"}], 2, "b")
    with transaction(sessions) as session:
        insert_rows(session, Notification.__table__, first, skip_duplicates_of="dedup_key")
    again = alert_rows([{"text": "satu"}, {"text": "dua"}], 2, "b")
    for row in again:
        row["callback_token"] += "-again"
    with transaction(sessions) as session:
        insert_rows(session, Notification.__table__, again, skip_duplicates_of="dedup_key")
    with sessions() as session:
        stored = session.execute(select(Notification.dedup_key, Notification.payload).order_by(Notification.id)).all()
    assert [(key, payload["text"]) for key, payload in stored] == [
        ("b:0:0", "satu"), ("b:0:1", "satu"), ("b:1:0", "dua"), ("b:1:1", "dua")]


def test_audit_rows_with_shared_and_missing_data_keep_each_value(sessions: sessionmaker[Session],
                                                                 settings: Settings) -> None:
    with transaction(sessions) as session:
        desk = Desk(session, settings, calendar_for(settings), NOW)
        reporter = desk.reporter_for("whatsapp", "+6281300000001", "Warga")
        complaint_id = desk.file(NewComplaint(reporter=reporter, text="jalan rusak", channel="whatsapp",
                                              agency_code="PUPR"), dispatch=True).id
    shared = {"level": 1, "recipients": ["pupr.head"]}
    datas: list[dict[str, Any] | None] = [shared, None, shared, {"level": 2}, None]
    rows = [{"complaint_id": complaint_id, "at": NOW, "actor_kind": "system", "actor_id": "system",
             "action": "test", "from_status": None, "to_status": None, "note": f"n{n}", "data": data}
            for n, data in enumerate(datas)]
    with transaction(sessions) as session:
        insert_rows(session, ComplaintEvent.__table__, rows)
    with sessions() as session:
        stored = session.execute(select(ComplaintEvent.note, ComplaintEvent.data).where(ComplaintEvent.action == "test")
                                 .order_by(ComplaintEvent.id)).all()
    assert stored == [(f"n{n}", data) for n, data in enumerate(datas)]


def test_rows_alike_in_every_column_and_a_column_alike_in_all_but_one_row_all_land(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    # PostgreSQL sends a column holding one value in every row once: it must tell "every row" from "almost".
    with transaction(sessions) as session:
        desk = Desk(session, settings, calendar_for(settings), NOW)
        reporter = desk.reporter_for("whatsapp", "+6281300000002", "Warga")
        complaint_id = desk.file(NewComplaint(reporter=reporter, text="lampu mati", channel="whatsapp",
                                              agency_code="PUPR"), dispatch=True).id
    alike = {"complaint_id": complaint_id, "at": NOW, "actor_kind": "system", "actor_id": "system", "action": "same",
             "from_status": None, "to_status": None, "note": "sama", "data": None}
    almost = [{**alike, "action": "almost", "note": None if n < 3 else "beda", "at": NOW.replace(hour=n)}
              for n in range(4)]
    with transaction(sessions) as session:
        insert_rows(session, ComplaintEvent.__table__, [dict(alike), dict(alike)])
        insert_rows(session, ComplaintEvent.__table__, almost)
    with sessions() as session:
        written = ComplaintEvent.action.in_(["same", "almost"])
        stored = session.execute(select(ComplaintEvent.action, ComplaintEvent.note, ComplaintEvent.at)
                                 .where(written).order_by(ComplaintEvent.id)).all()
    assert [(action, note) for action, note, _ in stored] == [("same", "sama"), ("same", "sama"), ("almost", None),
                                                              ("almost", None), ("almost", None), ("almost", "beda")]
    assert [at.hour for _, _, at in stored[2:]] == [0, 1, 2, 3]
