"""Transports and delivery: SMTP with STARTTLS, fallback to the next channel, 429 pauses, rate limits."""

from __future__ import annotations

import io
import random
import ssl
from pathlib import Path

import pytest
from smtp_server import PASSWORD, USER, make_certificate, start_server
from sqlalchemy import select

from models.db import transaction
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.tables import Complaint, Notification, OfficialContact
from notifier.dispatcher import Dispatcher
from notifier.ratelimit import Limits, RateLimiter
from notifier.service import build_transports
from notifier.transports import LogTransport, OutgoingMessage, SendResult, TransportError
from notifier.transports.email import EmailConfig, EmailTransport, from_environment


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(certificate):  # type: ignore[no-untyped-def]
    controller, recorder = start_server(*certificate)
    yield controller, recorder
    controller.stop()


def email_transport(smtp, certificate, password: str = PASSWORD) -> EmailTransport:  # type: ignore[no-untyped-def]
    controller, _ = smtp
    config = EmailConfig(host="127.0.0.1", port=controller.port, sender="aduan@batola.example.org")
    context = ssl.create_default_context(cafile=str(certificate[0]))
    return EmailTransport(config, USER, password, tls_context=context)


def message(number: int = 1, address: str = "kepala.pupr@baritokuala.example.org") -> OutgoingMessage:
    return OutgoingMessage(number, "email", address, "escalation", {"text": "ESKALASI BTL-1\nIsi: jalan rusak"})


def test_email_goes_out_over_starttls_with_login(smtp, certificate) -> None:
    result = email_transport(smtp, certificate).send(message())
    received = smtp[1].messages
    assert received[0][0] == ["kepala.pupr@baritokuala.example.org"]
    assert "Subject: ESKALASI BTL-1" in received[0][1] and "X-Aduan-Notification: 1" in received[0][1]
    assert result.provider_message_id and "n1" in result.provider_message_id


def test_an_email_alert_carries_the_link_and_no_reply_commands_nobody_reads(smtp, certificate) -> None:
    payload = {"text": "LAPORAN BARU BTL-1\nBuka: https://x.id/l/BTL-1.a.b\nBalas: TERIMA BTL-1 | INFO BTL-1",
               "email_text": "LAPORAN BARU BTL-1\nBuka: https://x.id/l/BTL-1.a.b"}
    email_transport(smtp, certificate).send(OutgoingMessage(2, "email", "admin@x.id", "new_complaint", payload))
    body = smtp[1].messages[0][1]
    assert "Buka: https://x.id/l/BTL-1.a.b" in body and "Balas:" not in body and "TERIMA" not in body


def test_wrong_smtp_password_fails_the_self_check_and_is_retryable(smtp, certificate) -> None:
    transport = email_transport(smtp, certificate, password="salah")
    assert transport.check().ok is False
    with pytest.raises(TransportError) as error:
        transport.send(message())
    assert error.value.permanent is False
    assert email_transport(smtp, certificate).check().ok is True


def test_a_refused_mailbox_is_a_permanent_failure(smtp, certificate) -> None:
    smtp[1].refuse.add("hilang@baritokuala.example.org")
    with pytest.raises(TransportError) as error:
        email_transport(smtp, certificate).send(message(address="hilang@baritokuala.example.org"))
    assert error.value.permanent is True


def test_email_is_configured_only_when_a_host_is_given(settings) -> None:
    assert from_environment(settings, Environment.of({})) is None
    configured = settings.model_copy(update={"channels": {**settings.channels, "email": {"host": "smtp.x.id"}}})
    transport = from_environment(configured, Environment.of({"SMTP_USER": "u", "SMTP_PASSWORD": "p"}))
    assert transport is not None and transport.user == "u" and transport.password == "p"


def test_build_transports_builds_only_the_services_whose_secrets_are_set(settings) -> None:
    assert build_transports(settings, Environment.of({})) == {}
    configured = settings.model_copy(update={"channels": {**settings.channels, "email": {"host": "smtp.x.id"}}})
    assert isinstance(build_transports(configured, Environment.of({}))["email"], EmailTransport)
    twilio = Environment.of({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t",
                             "TWILIO_WHATSAPP_FROM": "+6281100009999"})
    both = build_transports(settings, twilio)
    assert set(both) == {"whatsapp", "sms"} and both["sms"] is both["whatsapp"]
    staging = settings.model_copy(update={"notifier": settings.notifier.model_copy(
        update={"transports": {"whatsapp": "log"}})})
    assert build_transports(staging, twilio)["whatsapp"].name == "log"


class Scripted:
    """A provider that answers from a script: 'ok', 'permanent', 'transient' or 'slow-down'."""

    def __init__(self, name: str, script: dict[str, str] | None = None) -> None:
        self.name = name
        self.script = script or {}
        self.sent: list[tuple[str, str]] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        outcome = self.script.get(message.address, "ok")
        if outcome == "permanent":
            raise TransportError("63024 invalid recipient", permanent=True)
        if outcome == "slow-down":
            raise TransportError("429 Too Many Requests", retry_after=30)
        if outcome == "transient":
            raise TransportError("HTTP 503 Service Unavailable")
        self.sent.append((message.address, message.text))
        return SendResult(f"{self.name}-{message.notification_id}")


def queue_alert(sessions, clock, official: str, channel: str, address: str, key: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        enqueue(session, recipient=Recipient("official", official, channel, address), purpose="escalation",
                payload={"text": f"ESKALASI {key}"}, dedup_key=key, now=clock())


def dispatcher(sessions, settings, clock, transports, limiter=None) -> Dispatcher:  # type: ignore[no-untyped-def]
    return Dispatcher(sessions, transports, LogTransport(io.StringIO()), settings.notifier, "t", clock,
                      random.Random(1), limiter=limiter)


def test_whatsapp_permanent_failure_falls_back_to_the_officials_email(sessions, settings, clock) -> None:
    queue_alert(sessions, clock, "pupr.head", "whatsapp", "+62811100102", "BTL-X:escalation:1:pupr.head")
    whatsapp = Scripted("whatsapp", {"+62811100102": "permanent"})
    email = Scripted("email")
    report = dispatcher(sessions, settings, clock, {"whatsapp": whatsapp, "email": email}).run_pass()
    assert report.failed == 1 and report.fallbacks == 1 and report.sent == 1
    assert email.sent == [("kepala.pupr@baritokuala.example.org", "ESKALASI BTL-X:escalation:1:pupr.head")]
    with sessions() as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.id)))
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == "+62811100102")).one()
    assert [(r.channel, r.status) for r in rows] == [("whatsapp", "failed"), ("email", "sent")]
    assert rows[1].dedup_key == "BTL-X:escalation:1:pupr.head>email"
    assert rows[0].last_error == "63024 invalid recipient" and contact.unreachable_reason == rows[0].last_error


def test_an_outage_that_outlasts_the_retries_falls_back_but_leaves_the_contact_reachable(
        sessions, settings, clock) -> None:
    queue_alert(sessions, clock, "pupr.head", "whatsapp", "+62811100102", "BTL-X:escalation:1:pupr.head")
    email = Scripted("email")
    notifier = dispatcher(sessions, settings, clock,
                          {"whatsapp": Scripted("whatsapp", {"+62811100102": "transient"}), "email": email})
    for _ in range(settings.notifier.max_attempts):
        notifier.run_pass()
        clock.advance(hours=2)
    with sessions() as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.id)))
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == "+62811100102")).one()
    assert [(r.channel, r.status, r.attempts) for r in rows] == [
        ("whatsapp", "failed", settings.notifier.max_attempts), ("email", "sent", 1)]
    assert email.sent == [("kepala.pupr@baritokuala.example.org", "ESKALASI BTL-X:escalation:1:pupr.head")]
    assert contact.unreachable_at is None and contact.unreachable_reason is None


def test_a_failed_alert_does_not_fall_back_to_an_email_that_already_carries_it(
        sessions, settings, clock, desk) -> None:
    code = desk.file()
    with transaction(sessions) as session:
        complaint_id = session.scalars(select(Complaint.id).where(Complaint.code == code)).one()
        for channel, address in (("whatsapp", "+62811100102"), ("email", "kepala.pupr@baritokuala.example.org")):
            enqueue(session, recipient=Recipient("official", "pupr.head", channel, address), purpose="escalation",
                    payload={"text": f"ESKALASI {code}"}, dedup_key=f"{code}:escalation:1:pupr.head:{channel}",
                    now=clock(), complaint_id=complaint_id, level=1)
    email = Scripted("email")
    report = dispatcher(sessions, settings, clock, {
        "whatsapp": Scripted("whatsapp", {"+62811100102": "permanent"}), "email": email,
        "telegram": Scripted("telegram")}).run_pass()
    assert report.failed == 1 and report.fallbacks == 0
    to_the_head = [sent for sent in email.sent if sent[0] == "kepala.pupr@baritokuala.example.org"]
    assert to_the_head == [("kepala.pupr@baritokuala.example.org", f"ESKALASI {code}")]


def test_a_429_pauses_the_whole_transport_without_burning_attempts(sessions, settings, clock) -> None:
    queue_alert(sessions, clock, "pupr.admin", "telegram", "8190010001", "a")
    queue_alert(sessions, clock, "perkim.admin", "telegram", "8190020001", "b")
    telegram = Scripted("telegram", {"8190010001": "slow-down"})
    report = dispatcher(sessions, settings, clock, {"telegram": telegram}).run_pass()
    assert telegram.sent == [] and report.retried == 1 and report.deferred == 1
    with sessions() as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.id)))
    assert [r.attempts for r in rows] == [1, 0]
    assert all(r.status == "queued" for r in rows)
    assert (rows[0].next_attempt_at - clock()).total_seconds() == 30


def test_token_buckets_hold_telegram_to_one_message_per_second_per_chat() -> None:
    now = [0.0]
    limiter = RateLimiter({"telegram": Limits(30, 1, 20)}, monotonic=lambda: now[0],
                          sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    assert limiter.acquire("telegram", "8190010001") == 0
    assert 1 / 0.97 - 0.01 <= limiter.acquire("telegram", "8190010001") <= 1 / 0.97 + 0.01  # defer, not sleep
    assert limiter.acquire("telegram", "8190010002") == 0  # another chat: only the overall bucket waits
    assert 1 / (30 * 0.97) - 0.001 <= now[0] <= 1 / (30 * 0.97) + 0.001
    now[0] += 1
    assert limiter.acquire("telegram", "-100200", max_wait=0) == 0
    assert limiter.acquire("telegram", "-100200", max_wait=0) > 2.9  # groups: 20 per minute
    assert limiter.acquire("email", "x@y.z") == 0  # no limits configured: never waits


def test_a_channel_config_does_not_list_keeps_its_providers_published_limits(settings) -> None:
    from notifier.ratelimit import Limits
    from notifier.service import rate_limits

    bare = settings.model_copy(update={"notifier": settings.notifier.model_copy(update={"rate_limits": {}})})
    assert rate_limits(bare) == {"telegram": Limits(30, 1, 20), "whatsapp": Limits(80)}
    faster = settings.model_copy(update={"notifier": settings.notifier.model_copy(
        update={"rate_limits": {"whatsapp": settings.notifier.rate_limits["whatsapp"].model_copy(
            update={"per_second": 200})}})})
    assert rate_limits(faster) == {"telegram": Limits(30, 1, 20), "whatsapp": Limits(200)}
