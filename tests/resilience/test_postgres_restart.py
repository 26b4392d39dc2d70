"""PostgreSQL restarted under inbound load: the web app and the notifier recover by themselves (pool
pre-ping, retries); inbound webhooks during the gap get 5xx so providers retry, and nothing they
acknowledged is lost."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgrestart_support import (
    Answer,
    PostgresUnavailable,
    PrivatePostgres,
    WebhookLoad,
    free_port,
    get_status,
    post_webhook,
    private_postgres,
    service_environment,
    signed_form,
    start_gunicorn,
    start_notifier,
    stop_process,
    wait_for,
)
from sqlalchemy import select

from models.config import Settings
from models.db import make_engine, make_session_factory
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Complaint, InboundMessage, Notification, Reporter

SUCCESSES_BEFORE = 30
FAILURES_IN_GAP = 10
SUCCESSES_AFTER = 30
CITIZEN = "+6281299990001"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A server of this test's own, so restarting it disturbs nobody; stopped even on failure."""
    try:
        with private_postgres() as server:
            yield server
    except PostgresUnavailable as reason:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"cannot run a private PostgreSQL here: {reason}")


def ok(answer: Answer) -> bool:
    return 200 <= answer.status < 300


def failed(answer: Answer) -> bool:
    return not ok(answer)


def stored_sids(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return set(session.scalars(select(InboundMessage.provider_message_id)))
    finally:
        engine.dispose()


def said(answer: Answer) -> str:
    return "\n".join(message.text or "" for message in ET.fromstring(answer.body).iter("Message"))


def file_a_complaint(port: int) -> str:
    """A citizen's whole WhatsApp conversation, through the restarted database; returns the reply that filed."""
    answer = Answer(0, None, "")
    for text in ("jalan berlubang depan SDN 2 Marabahan rusak parah", "depan SDN 2 Marabahan", "lewati", "1", "ya"):
        answer = post_webhook(port, *signed_form(port, CITIZEN, text))
        assert answer.status == 200, f"{text!r}: {answer.status} {answer.body[:300]}"
    return said(answer)


def notifications_of_citizens_complaint(url: str) -> tuple[str, list[str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            complaint = session.scalars(select(Complaint).join(Reporter, Complaint.reporter_id == Reporter.id)
                                        .where(Reporter.provider_id == CITIZEN)).one()
            statuses = list(session.scalars(select(Notification.status)
                                            .where(Notification.complaint_id == complaint.id)))
            return complaint.code, statuses
    finally:
        engine.dispose()


def logs(*paths: Path) -> str:
    return "\n".join(f"--- {path.name}\n" + path.read_text(errors="replace")[-4000:] for path in paths
                     if path.exists())


@pytest.mark.timeout(180)
def test_a_postgres_restart_under_webhook_load_loses_nothing_acknowledged_and_both_services_recover(
        postgres: PrivatePostgres, settings: Settings, tmp_path: Path) -> None:
    # The prepare step: schema and directory, once, before the services (which never migrate).
    prepare_database(settings, Environment.of({}), postgres.url).engine.dispose()
    port = free_port()
    env = service_environment(postgres.url, port)
    web_log, notifier_log = tmp_path / "gunicorn.log", tmp_path / "notifier.log"
    web = start_gunicorn(env, port, web_log)
    notifier_env = {key: value for key, value in env.items() if not key.startswith("TWILIO_")}
    notifier = start_notifier(notifier_env, notifier_log)
    load = WebhookLoad(port)
    try:
        wait_for(lambda: get_status(port, "/livez") == 200, 90, "gunicorn to answer /livez")
        load.start()
        wait_for(lambda: load.count(ok) >= SUCCESSES_BEFORE, 90, "webhooks stored before the restart")

        postgres.stop("fast")
        wait_for(lambda: load.count(failed) >= FAILURES_IN_GAP, 60, "webhooks refused while the database is down")
        postgres.start()
        recovered_from = load.count(ok)
        wait_for(lambda: load.count(ok) >= recovered_from + SUCCESSES_AFTER, 90,
                 "webhooks stored again after the restart, with the same gunicorn workers")
        load.stop()
        sent = load.snapshot()

        # During the gap: a 503 asking for a retry, never a crash, a reset connection or a 500.
        refused = [item for item in sent if failed(item.answer)]
        assert refused, "the client never hit the gap"
        assert {item.answer.status for item in refused} == {503}, {item.answer.status for item in refused}
        assert all(item.answer.retry_after for item in refused), "a 503 without Retry-After"
        # Everything acknowledged with a 2xx is stored: Twilio will never send those again.
        acknowledged = {item.form["MessageSid"] for item in sent if ok(item.answer)}
        stored = stored_sids(postgres.url)
        assert acknowledged - stored == set(), f"{len(acknowledged - stored)} acknowledged messages were lost"

        # Twilio delivers the refused ones again: each is answered and stored now.
        again = [post_webhook(port, item.form, item.signature) for item in refused]
        assert [answer.status for answer in again] == [200] * len(refused)
        refused_sids = {item.form["MessageSid"] for item in refused}
        assert refused_sids - stored_sids(postgres.url) == set()

        # The notifier, never restarted, delivers the outbox rows of a complaint filed after the restart.
        filed = file_a_complaint(port)
        code, _ = notifications_of_citizens_complaint(postgres.url)
        assert code in filed
        wait_for(lambda: (statuses := notifications_of_citizens_complaint(postgres.url)[1]) != []
                 and set(statuses) == {"sent"}, 90, "the notifier to deliver the new complaint's notifications")
        assert notifier.poll() is None and web.poll() is None, "a service died or was restarted"
        assert get_status(port, "/healthz") == 200
    except BaseException:
        print(logs(web_log, notifier_log), postgres.log_tail(), sep="\n")
        raise
    finally:
        load.stop()
        stop_process(web)
        stop_process(notifier)
