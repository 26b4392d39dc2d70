"""Health and Prometheus metrics for operators."""

from __future__ import annotations

from sqlalchemy import update

from models.db import transaction
from models.tables import Notification


def test_healthz_reports_the_database_and_the_outbox_lag(client, file_complaint, clock) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "outbox_lag_seconds": 0.0}
    file_complaint("Jalan rusak", agency="PUPR")
    clock.advance(minutes=5)
    assert client.get("/healthz").get_json()["outbox_lag_seconds"] == 300.0


def test_healthz_fails_when_the_database_is_gone(client, database, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr("sqlalchemy.orm.Session.execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "fail"


def test_metrics_count_complaints_overdue_and_the_outbox(client, file_complaint, clock, sessions) -> None:
    file_complaint("Jalan rusak", agency="PUPR")
    file_complaint("Sampah", agency=None)
    with transaction(sessions) as db:
        db.execute(update(Notification).where(Notification.id == 1).values(status="failed"))
    clock.advance(days=20)
    response = client.get("/metrics")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'aduan_complaints{status="dispatched"} 1' in text
    assert 'aduan_complaints{status="received"} 1' in text
    assert 'aduan_complaints_overdue{agency="PUPR"} 1' in text
    assert 'aduan_complaints_overdue{agency="-"} 1' in text
    assert "aduan_outbox_failed 1" in text
    assert "# TYPE aduan_outbox_notifications gauge" in text


def test_metrics_include_request_latency_per_blueprint(client) -> None:
    client.get("/open311/v2/services.json")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'aduan_http_request_seconds_count{blueprint="open311"} 1' in text
    assert 'aduan_http_request_seconds_bucket{blueprint="open311",le="+Inf"} 1' in text


def test_healthz_is_degraded_when_the_outbox_lags_or_a_channel_fails_its_self_check(
        client, file_complaint, clock, sessions) -> None:
    from models.tables import TransportCheck

    file_complaint("Jalan rusak", agency="PUPR")
    clock.advance(minutes=14)  # notifier.health_lag_seconds is 900
    assert client.get("/healthz").get_json()["status"] == "ok"
    clock.advance(minutes=2)
    lagging = client.get("/healthz")
    assert lagging.status_code == 200
    assert lagging.get_json()["status"] == "degraded"
    assert lagging.get_json()["problems"] == ["outbox lag 960 s > 900 s"]
    with transaction(sessions) as db:
        db.execute(update(Notification).values(status="sent"))
        db.add(TransportCheck(channel="whatsapp", transport="twilio", ok=False, detail="401", checked_at=clock()))
    assert client.get("/healthz").get_json()["problems"] == ["channel whatsapp self-check failed"]
