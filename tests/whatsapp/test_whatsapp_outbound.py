"""The notifier's WhatsApp transport against a fake Twilio: the 24-hour window, templates, errors."""

from __future__ import annotations

import io
import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from twilio_support import ACCOUNT_SID, AUTH_TOKEN, PUBLIC

from models.config import ConfigError
from models.db import transaction
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.tables import Notification, OfficialContact
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport, OutgoingMessage, TransportError
from notifier.transports.whatsapp import from_environment

ADMIN = "+628110000001"  # kominfo.triage in config.yaml


def outgoing(clock, last_inbound_hours: float | None, purpose: str = "new_complaint",
             **payload: object) -> OutgoingMessage:
    last = None if last_inbound_hours is None else clock() - timedelta(hours=last_inbound_hours)
    body = {"text": "LAPORAN BARU BTL-7K2M-9QXA\nIsi: jalan rusak",
            "variables": {"code": "BTL-7K2M-9QXA", "agency": "Dinas PUPR", "summary": "jalan rusak"}, **payload}
    return OutgoingMessage(notification_id=7, channel="whatsapp", address=ADMIN, purpose=purpose, payload=body,
                           callback_token="tok-7", recipient_last_inbound_at=last)


@pytest.fixture
def transport(settings, environment, clock):  # type: ignore[no-untyped-def]
    made = from_environment(settings, environment, clock=clock)
    assert made is not None
    return made


def test_inside_the_window_free_text_goes_out_with_a_status_callback(transport, clock, fake_twilio) -> None:
    result = transport.send(outgoing(clock, last_inbound_hours=2))
    [posted] = fake_twilio.messages()
    assert posted["Body"].startswith("LAPORAN BARU") and "ContentSid" not in posted
    assert (posted["To"], posted["From"]) == (f"whatsapp:{ADMIN}", "whatsapp:+6281100009999")
    assert posted["StatusCallback"] == f"{PUBLIC}/webhooks/twilio/status/tok-7"
    assert result.provider_message_id and result.provider_message_id.startswith("SM")
    assert fake_twilio.requests[0].auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert fake_twilio.requests[0].path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.mark.parametrize("hours", [None, 23.75, 30])
def test_outside_the_window_or_its_margin_the_approved_template_is_sent(transport, clock, fake_twilio,
                                                                       hours) -> None:
    transport.send(outgoing(clock, last_inbound_hours=hours))
    [posted] = fake_twilio.messages()
    assert posted["ContentSid"] == "HX00000000000000000000000000000001" and "Body" not in posted
    assert json.loads(posted["ContentVariables"]) == {"1": "BTL-7K2M-9QXA", "2": "Dinas PUPR", "3": "jalan rusak"}


def test_a_purpose_without_its_own_template_uses_the_default(transport, clock, fake_twilio) -> None:
    transport.send(outgoing(clock, last_inbound_hours=None, purpose="reminder"))
    assert fake_twilio.messages()[0]["ContentSid"] == "HX00000000000000000000000000000008"


def test_a_long_free_text_goes_out_in_pieces_of_at_most_1600(transport, clock, fake_twilio) -> None:
    transport.send(outgoing(clock, 1, text="\n".join(f"Laporan {n}: jalan rusak di desa" for n in range(150))))
    bodies = [m["Body"] for m in fake_twilio.messages()]
    assert len(bodies) >= 3 and all(len(body) <= 1600 for body in bodies)


def test_sms_recipients_get_the_short_form_without_window_rules(transport, clock, fake_twilio) -> None:
    message = outgoing(clock, None, purpose="status", short="BTL-7K2M-9QXA: Dijawab")
    transport.send(OutgoingMessage(**{**vars(message), "channel": "sms", "address": "+6285255550002"}))
    [posted] = fake_twilio.messages()
    assert (posted["Body"], posted["To"], posted["From"]) == ("BTL-7K2M-9QXA: Dijawab", "+6285255550002",
                                                              "+6281100009999")


def test_429_asks_to_retry_after_the_providers_delay(transport, clock, fake_twilio) -> None:
    fake_twilio.fail_next(429, 20429, "Too Many Requests", retry_after="7")
    with pytest.raises(TransportError) as error:
        transport.send(outgoing(clock, 1))
    assert error.value.retry_after == 7.0 and not error.value.permanent


def test_a_server_error_is_transient(transport, clock, fake_twilio) -> None:
    fake_twilio.fail_next(500, 20500, "Internal error")
    with pytest.raises(TransportError) as error:
        transport.send(outgoing(clock, 1))
    assert not error.value.permanent and error.value.retry_after is None


@pytest.mark.parametrize("code", [21211, 63003, 21610])
def test_an_invalid_number_is_permanent(transport, clock, fake_twilio, code) -> None:
    fake_twilio.fail_next(400, code, "The 'To' number is not valid")
    with pytest.raises(TransportError) as error:
        transport.send(outgoing(clock, 1))
    assert error.value.permanent and str(code) in str(error.value)


def test_a_synchronous_63016_falls_back_to_the_template(transport, clock, fake_twilio) -> None:
    fake_twilio.fail_next(400, 63016, "Outside the allowed window")
    transport.send(outgoing(clock, 1))
    assert [("ContentSid" in m) for m in fake_twilio.messages()] == [False, True]


def test_the_dispatcher_marks_a_permanently_failing_official_unreachable(sessions, settings, clock, transport,
                                                                        fake_twilio) -> None:
    with transaction(sessions) as session:
        enqueue(session, recipient=Recipient("official", "kominfo.triage", "whatsapp", ADMIN), purpose="triage",
                payload={"text": "Laporan perlu verifikasi", "variables": {"code": "BTL-1", "reason": "x"}},
                dedup_key="t:1", now=clock())
    fake_twilio.fail_next(400, 21211, "Invalid 'To' Phone Number")
    dispatcher = Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier,
                            "n1", clock, random.Random(1))
    assert dispatcher.run_pass().failed == 1
    with sessions() as session:
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == ADMIN,
                                                                OfficialContact.channel == "whatsapp")).one()
        assert contact.unreachable_at == clock() and "21211" in (contact.unreachable_reason or "")


def test_the_dispatcher_sends_free_text_to_an_official_who_wrote_recently(sessions, settings, clock, transport,
                                                                          fake_twilio) -> None:
    with transaction(sessions) as session:
        session.execute(update(OfficialContact).where(OfficialContact.address == ADMIN)
                        .values(last_inbound_at=clock() - timedelta(hours=1)))
        enqueue(session, recipient=Recipient("official", "kominfo.triage", "whatsapp", ADMIN), purpose="triage",
                payload={"text": "Laporan perlu verifikasi", "variables": {"code": "BTL-1", "reason": "x"}},
                dedup_key="t:1", now=clock())
    dispatcher = Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier,
                            "n1", clock, random.Random(1))
    assert dispatcher.run_pass().sent == 1
    assert fake_twilio.messages()[0]["Body"] == "Laporan perlu verifikasi"
    with sessions() as session:
        row = session.scalars(select(Notification)).one()
        assert row.status == "sent" and row.provider_message_id == "SM" + f"{1:032x}"


def test_no_credentials_means_no_transport(settings) -> None:
    assert from_environment(settings, Environment.of({})) is None


def test_a_missing_template_for_a_needed_purpose_is_a_config_error_at_start(settings, environment) -> None:
    whatsapp = dict(settings.channels["whatsapp"])
    whatsapp["templates"] = {k: v for k, v in whatsapp["templates"].items() if k != "escalation_head"}
    broken = settings.model_copy(update={"channels": {**settings.channels, "whatsapp": whatsapp}})
    with pytest.raises(ConfigError, match="channels.whatsapp.templates: missing template for escalation_head"):
        from_environment(broken, environment)


def test_a_malformed_content_sid_names_its_key_path(settings, environment) -> None:
    whatsapp = dict(settings.channels["whatsapp"])
    whatsapp["templates"] = {**whatsapp["templates"], "digest": {"content_sid": "HX123"}}
    broken = settings.model_copy(update={"channels": {**settings.channels, "whatsapp": whatsapp}})
    with pytest.raises(ConfigError, match=r"channels\.whatsapp\.templates\.digest\.content_sid: 'HX123'"):
        from_environment(broken, environment)


def test_the_self_check_fetches_the_account(transport, fake_twilio) -> None:
    assert "active" in transport.check()
    fake_twilio.account_status = "suspended"
    with pytest.raises(TransportError, match="suspended"):
        transport.check()
