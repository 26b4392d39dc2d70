"""`channels.telegram` and the TELEGRAM_* environment are validated with the key at fault named."""

from __future__ import annotations

from typing import Any

import pytest

from bot.telegram.errors import PUBLIC_API
from bot.telegram.settings import TelegramEnvironment, telegram_config
from models.config import ConfigError, Settings
from models.environment import Environment


def with_section(settings: Settings, section: dict[str, Any]) -> Settings:
    return settings.model_copy(update={"channels": {**settings.channels, "telegram": section}})


def test_the_shipped_section_is_valid(settings: Settings) -> None:
    config = telegram_config(settings)
    assert config.operations_chat is None and config.official_groups == ()


@pytest.mark.parametrize("section, fault", [
    ({"operations_chat": "ops"}, "channels.telegram.operations_chat"),
    ({"official_groups": ["-100x"]}, "channels.telegram.official_groups"),
    ({"places": {"kel anjir": "Anjir"}}, "channels.telegram.places"),
    ({"token": "123:abc"}, "channels.telegram.token: unknown key"),
])
def test_mistakes_name_the_key(settings: Settings, section: dict[str, Any], fault: str) -> None:
    with pytest.raises(ConfigError, match=fault):
        telegram_config(with_section(settings, section))


def test_an_unknown_deep_link_is_used_as_written(settings: Settings) -> None:
    config = telegram_config(with_section(settings, {"places": {"kel_anjir_pasar": "Kelurahan Anjir Pasar"},
                                                     "operations_chat": -1001}))
    assert config.place_for("kel_anjir_pasar") == "Kelurahan Anjir Pasar"
    assert config.place_for("pasar_baru") == "pasar_baru" and config.operations_chat == "-1001"


def test_the_environment_defaults_to_the_public_bot_api() -> None:
    env = TelegramEnvironment.from_environment(Environment.of({"TELEGRAM_BOT_TOKEN": "1:a"}))
    assert env.api_base_url == PUBLIC_API and env.bot_url == f"{PUBLIC_API}/bot" and env.webhook_url is None


def test_a_local_bot_api_server_is_used_for_bot_and_files() -> None:
    env = TelegramEnvironment.from_environment(Environment.of({"TELEGRAM_BOT_TOKEN": "1:a",
                                                               "TELEGRAM_API_BASE_URL": "http://tg:8081/"}))
    assert (env.bot_url, env.file_url) == ("http://tg:8081/bot", "http://tg:8081/file/bot")


@pytest.mark.parametrize("secret", [None, "", "has space", "x" * 257])
def test_a_webhook_needs_a_usable_secret(secret: str | None) -> None:
    environ = {"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_URL": "https://x/hook"}
    if secret is not None:
        environ["TELEGRAM_WEBHOOK_SECRET"] = secret
    with pytest.raises(ConfigError):
        TelegramEnvironment.from_environment(Environment.of(environ))


def test_the_token_and_the_webhook_secret_never_show_in_a_log_line() -> None:
    environment = Environment.of({"TELEGRAM_BOT_TOKEN": "1:very-secret", "TELEGRAM_WEBHOOK_URL": "https://x/hook",
                                  "TELEGRAM_WEBHOOK_SECRET": "hook-secret"})
    shown = repr(TelegramEnvironment.from_environment(environment)) + repr(environment) + str(environment)
    assert "very-secret" not in shown and "hook-secret" not in shown
