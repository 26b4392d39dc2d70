"""Webhook mode: Telegram's POSTs are accepted only with the secret, processed once, in order."""

from __future__ import annotations

from typing import Any

import pytest
from citizens import Citizen
from fake_bot_api import FakeBotApi
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from telegram_support import BOTH_BACKENDS

from bot.dialog.engine import Engine
from bot.telegram.service import TelegramService
from bot.telegram.webhook import SECRET_HEADER, make_blueprint
from models.config import ConfigError, Settings
from models.environment import Environment
from models.tables import InboundMessage

SECRET = "s3cret-Token_for-tests"
URL = "https://aduan.example.go.id/hooks/telegram"


@pytest.fixture
def webhook_env(environment: Environment) -> Environment:
    return environment.replace(telegram_webhook_url=URL, telegram_webhook_secret=SECRET)


@pytest.fixture
def client(telegram_settings: Settings, tg_engine: Engine, webhook_env: Environment) -> Any:
    app = Flask(__name__)
    app.register_blueprint(make_blueprint(telegram_settings, tg_engine, webhook_env))
    yield app.test_client()
    for function in app.view_functions.values():
        receiver = getattr(function, "__self__", None)
        if receiver is not None and receiver.service is not None:
            receiver.service.stop()


def post(client: Any, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return int(client.post("/hooks/telegram", json=update, headers=headers).status_code)


def test_an_update_with_the_secret_is_answered(client: Any, citizen: Citizen, fake_api: FakeBotApi) -> None:
    update = {"update_id": 1, **citizen.message(text="/bantuan")}
    assert post(client, update) == 200
    assert "LAPOR" in fake_api.texts_to(citizen.chat_id)[0]


@pytest.mark.parametrize("secret", [None, SECRET[:-1]])
def test_an_update_without_the_right_secret_is_refused_and_ignored(
        client: Any, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session],
        secret: str | None) -> None:
    assert post(client, {"update_id": 1, **citizen.message(text="/bantuan")}, secret) == 403
    assert fake_api.texts_to(citizen.chat_id) == []
    with sessions() as db:
        assert db.scalar(select(func.count(InboundMessage.id))) == 0


@BOTH_BACKENDS
def test_a_redelivered_webhook_update_is_answered_once(
        client: Any, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    update = {"update_id": 7, **citizen.message(text="jalan rusak berlubang depan SDN 2 Marabahan")}
    assert post(client, update) == 200 and post(client, update) == 200
    assert len(fake_api.texts_to(citizen.chat_id)) == 1


def test_something_that_is_not_an_update_is_acknowledged_and_dropped(client: Any, fake_api: FakeBotApi) -> None:
    assert post(client, {"hello": "world"}) == 200
    assert not fake_api.calls("sendMessage")


def test_webhook_mode_registers_the_url_and_secret_with_telegram(
        tg_engine: Engine, webhook_env: Environment, fake_api: FakeBotApi) -> None:
    service = TelegramService(tg_engine, webhook_env).register_webhook()
    fake_api.wait_until(lambda: bool(fake_api.calls("setMyCommands")))
    service.stop()
    [registration] = fake_api.calls("setWebhook")
    assert registration.params["url"] == URL and registration.params["secret_token"] == SECRET
    assert not fake_api.calls("getUpdates")


def test_a_webhook_without_a_secret_is_refused_at_start(
        telegram_settings: Settings, tg_engine: Engine, environment: Environment) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        make_blueprint(telegram_settings, tg_engine, environment.replace(telegram_webhook_url=URL))


def test_without_a_webhook_url_the_blueprint_has_no_routes(
        telegram_settings: Settings, tg_engine: Engine, environment: Environment) -> None:
    app = Flask(__name__)
    app.register_blueprint(make_blueprint(telegram_settings, tg_engine, environment))
    assert app.test_client().post("/telegram/webhook", json={"update_id": 1}).status_code == 404


def test_without_a_webhook_url_the_bot_polls_and_answers(
        tg_engine: Engine, environment: Environment, fake_api: FakeBotApi, citizen: Citizen) -> None:
    service = TelegramService(tg_engine, environment).start_polling()
    try:
        assert "LAPOR" in citizen.says("/bantuan")[0]
        assert fake_api.calls("deleteWebhook") and not fake_api.calls("setWebhook")
    finally:
        service.stop()


def test_telegram_unreachable_at_boot_is_retried_without_stopping_the_rest(
        tg_engine: Engine, environment: Environment, fake_api: FakeBotApi, citizen: Citizen,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.telegram.service.NETWORK_BACKOFF_SECONDS", 0.05)
    fake_api.fail_next("getMe", status=502, description="Bad Gateway", retry_after=None)
    service = TelegramService(tg_engine, environment).start_polling()
    try:
        assert "LAPOR" in citizen.says("/bantuan")[0]
        assert len(fake_api.calls("getMe")) == 2
    finally:
        service.stop()


def test_a_refused_token_switches_the_channel_off_without_raising(
        tg_engine: Engine, environment: Environment, fake_api: FakeBotApi) -> None:
    service = TelegramService(tg_engine, environment.replace(telegram_bot_token="999:wrong")).start_polling()
    assert service.polling is not None and service.polling.result(timeout=10) is None
    service.stop()
    assert not fake_api.calls("getUpdates")


@BOTH_BACKENDS
@pytest.mark.parametrize("crafted", [True, 2**61, 10**30, 2**63 + 5, -(2**70)])
def test_a_crafted_update_id_never_silences_the_channel(
        crafted: Any, client: Any, citizen: Citizen, fake_api: FakeBotApi) -> None:
    assert post(client, {"update_id": 500, **citizen.message(text="/bantuan")}) == 200
    assert post(client, {"update_id": crafted, **citizen.message(text="/bantuan")}) < 500
    before = len(fake_api.texts_to(citizen.chat_id))
    assert post(client, {"update_id": 501, **citizen.message(text="/bantuan")}) == 200
    assert len(fake_api.texts_to(citizen.chat_id)) == before + 1, "the next real update went unanswered"


def test_telegram_numbering_from_a_new_random_start_is_still_answered(
        client: Any, citizen: Citizen, fake_api: FakeBotApi) -> None:
    assert post(client, {"update_id": 900_000_000, **citizen.message(text="/bantuan")}) == 200
    assert post(client, {"update_id": 12_345, **citizen.message(text="/bantuan")}) == 200
    assert post(client, {"update_id": 12_345, **citizen.message(text="/bantuan")}) == 200  # redelivered: once
    assert len(fake_api.texts_to(citizen.chat_id)) == 2


def test_json_nested_deeper_than_the_parser_goes_is_a_client_error(client: Any, fake_api: FakeBotApi) -> None:
    for body in ("[" * 100_000 + "]" * 100_000, '{"update_id": 5, "message": ' + '{"a": ' * 50_000 + "1" +
                 "}" * 50_001):
        response = client.post("/hooks/telegram", data=body, content_type="application/json",
                               headers={SECRET_HEADER: SECRET})
        assert response.status_code == 400
    assert not fake_api.calls("sendMessage")


class RecordingEngine(Engine):
    """The real engine, noting the length of every text a wing hands it."""

    lengths: list[int]

    def handle(self, inbound: Any) -> Any:
        self.lengths.append(len(inbound.text))
        return super().handle(inbound)


def test_a_huge_message_is_cut_in_the_wing_before_the_engine_sees_it(
        telegram_settings: Settings, sessions: sessionmaker[Session], clock: Any, routing_table: Any,
        webhook_env: Environment, citizen: Citizen, fake_api: FakeBotApi) -> None:
    from bot.dialog.messages import inbound_limit

    engine = RecordingEngine(telegram_settings, sessions, routing_table, clock)
    engine.lengths = []
    app = Flask("huge")
    app.register_blueprint(make_blueprint(telegram_settings, engine, webhook_env))
    huge = "jalan rusak " * 20_000  # 240,000 characters
    response = app.test_client().post("/hooks/telegram", json={"update_id": 3, **citizen.message(text=huge)},
                                      headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200
    assert engine.lengths and max(engine.lengths) <= inbound_limit(telegram_settings)
    assert "terlalu panjang" in fake_api.texts_to(citizen.chat_id)[0]
