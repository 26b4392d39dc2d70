"""Delivery status callbacks move a notification along and explain failures."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from twilio_support import Twilio

from models.db import transaction
from models.outbox import Recipient, enqueue
from models.tables import Notification, OfficialContact, Reporter

ADMIN = "+628110000001"


@pytest.fixture
def queued(sessions, clock) -> Notification:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        enqueue(session, recipient=Recipient("official", "kominfo.triage", "whatsapp", ADMIN), purpose="triage",
                payload={"text": "Laporan perlu verifikasi", "variables": {"code": "BTL-1"}}, dedup_key="t:1",
                now=clock())
        row = session.scalars(select(Notification)).one()
        row.status, row.sent_at, row.attempts = "sent", clock(), 1
    return row


def the_row(sessions) -> Notification:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(Notification)).one()


def callback(twilio: Twilio, token: str, status: str, code: str | None = None, **extra: str):  # type: ignore[no-untyped-def]
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": status, "AccountSid": "AC" + "1" * 32, **extra}
    if code:
        form["ErrorCode"] = code
    return twilio.post(f"/webhooks/twilio/status/{token}", form)


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_progress_statuses_are_recorded(twilio: Twilio, queued, sessions, clock, status) -> None:
    clock.advance(minutes=1)
    assert callback(twilio, queued.callback_token, status).status_code == 204
    row = the_row(sessions)
    assert row.status == status and row.provider_message_id == "SM" + "b" * 32
    assert row.delivered_at == (clock() if status != "sent" else None)


def test_a_late_sent_never_undoes_read(twilio: Twilio, queued, sessions) -> None:
    for status in ("read", "delivered", "sent"):
        callback(twilio, queued.callback_token, status)
    assert the_row(sessions).status == "read"


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_failures_are_recorded_with_their_error_code(twilio: Twilio, queued, sessions, status) -> None:
    assert callback(twilio, queued.callback_token, status, "30008").status_code == 204
    row = the_row(sessions)
    assert row.status == status and "30008" in (row.last_error or "")
    with sessions() as session:
        assert session.scalars(select(OfficialContact.unreachable_at).where(
            OfficialContact.address == ADMIN)).first() is None


def test_63016_queues_the_notification_again_to_go_as_a_template(twilio: Twilio, queued, sessions, clock) -> None:
    clock.advance(minutes=5)
    callback(twilio, queued.callback_token, "undelivered", "63016")
    row = the_row(sessions)
    assert (row.status, row.next_attempt_at) == ("queued", clock())
    assert row.payload["force_template"] is True and row.payload["text"] == "Laporan perlu verifikasi"
    assert "63016" in (row.last_error or "")


def test_a_second_63016_after_the_template_is_a_plain_failure(twilio: Twilio, queued, sessions) -> None:
    callback(twilio, queued.callback_token, "undelivered", "63016")
    callback(twilio, queued.callback_token, "undelivered", "63016")
    assert the_row(sessions).status == "undelivered"


@pytest.mark.parametrize("code", ["21211", "63003"])
def test_a_permanent_code_marks_the_official_unreachable_and_says_why(twilio: Twilio, queued, sessions, clock,
                                                                      code) -> None:
    callback(twilio, queued.callback_token, "failed", code)
    with sessions() as session:
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == ADMIN,
                                                                OfficialContact.channel == "whatsapp")).one()
        assert contact.unreachable_at == clock() and code in (contact.unreachable_reason or "")
    assert the_row(sessions).status == "failed"


def test_a_permanent_code_marks_a_citizen_unreachable(twilio: Twilio, sessions, clock) -> None:
    with transaction(sessions) as session:
        session.add(Reporter(channel="whatsapp", provider_id="+6281255550001", created_at=clock()))
        enqueue(session, recipient=Recipient("reporter", "1", "whatsapp", "+6281255550001"), purpose="status",
                payload={"text": "BTL-1: Dijawab"}, dedup_key="s:1", now=clock())
    callback(twilio, the_row(sessions).callback_token, "failed", "63003")
    with sessions() as session:
        reporter = session.scalars(select(Reporter)).one()
        assert "tidak terdaftar di WhatsApp" in (reporter.unreachable_reason or "")


def test_an_unknown_token_gets_404_and_changes_nothing(twilio: Twilio, queued, sessions) -> None:
    assert callback(twilio, "tidak-ada", "delivered").status_code == 404
    assert the_row(sessions).status == "sent"


def test_an_unsigned_callback_is_refused(twilio: Twilio, queued, sessions) -> None:
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "failed", "ErrorCode": "21211"}
    assert twilio.post(f"/webhooks/twilio/status/{queued.callback_token}", form, signature="eA==").status_code == 403
    assert the_row(sessions).status == "sent"


def test_a_callback_without_status_is_a_400(twilio: Twilio, queued) -> None:
    assert twilio.post(f"/webhooks/twilio/status/{queued.callback_token}", {"MessageSid": "SMx"}).status_code == 400


def test_the_requeued_notification_goes_out_as_a_template(twilio: Twilio, queued, sessions, settings, clock,
                                                          environment, fake_twilio) -> None:
    import io
    import random

    from notifier.dispatcher import Dispatcher
    from notifier.transports import LogTransport
    from notifier.transports.whatsapp import from_environment

    with transaction(sessions) as session:  # Our record says the window is open; Twilio knows better.
        session.execute(update(OfficialContact).where(OfficialContact.address == ADMIN)
                        .values(last_inbound_at=clock()))
    callback(twilio, queued.callback_token, "undelivered", "63016")
    transport = from_environment(settings, environment, clock=clock)
    Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier, "n1", clock,
               random.Random(1)).run_pass()
    [posted] = fake_twilio.messages()
    assert posted["ContentSid"] == "HX00000000000000000000000000000007"
