"""What the Telegram adapter needs to know: `channels.telegram` from config.yaml (validated with
key paths) and the secrets and endpoints that only ever come from the environment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.telegram.errors import PUBLIC_API
from models.config import TELEGRAM_CHAT, ConfigError, Settings, parse_section
from models.environment import Environment, secret

# Telegram's own limits: deep-link payloads are 1-64 of [A-Za-z0-9_-]; secret tokens 1-256 of the same.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    operations_chat: str | None = None
    official_groups: tuple[str, ...] = ()
    places: dict[str, str] = Field(default_factory=dict)

    @field_validator("operations_chat", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> str | None:
        return None if value is None else _telegram_chat(value)

    @field_validator("official_groups", mode="before")
    @classmethod
    def _group_ids(cls, value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list of group chat ids")
        return tuple(_telegram_chat(item) for item in value)

    @field_validator("places")
    @classmethod
    def _payloads(cls, value: dict[str, str]) -> dict[str, str]:
        for payload in value:
            if not PAYLOAD.match(payload):
                raise ValueError(f"{payload!r} is not a deep-link payload (1-64 of A-Z a-z 0-9 _ -)")
        return value

    def place_for(self, payload: str) -> str:
        """The place a QR code's payload names; an unknown payload is used as written."""
        return self.places.get(payload, payload)


def _telegram_chat(value: object) -> str:
    text = str(value)
    if not TELEGRAM_CHAT.match(text):
        raise ValueError(f"{value!r} is not a Telegram chat id (digits, negative for groups)")
    return text


def telegram_config(settings: Settings) -> TelegramConfig:
    return parse_section(settings, "telegram", TelegramConfig)


@dataclass(frozen=True)
class TelegramEnvironment:
    token: str = field(repr=False)
    api_base_url: str = PUBLIC_API
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, environment: Environment) -> TelegramEnvironment:
        """TELEGRAM_*; fails loudly on a webhook without a usable secret."""
        token = secret(environment.telegram_bot_token)
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
        base = (environment.telegram_api_base_url or PUBLIC_API).rstrip("/")
        webhook = environment.telegram_webhook_url
        webhook_secret = secret(environment.telegram_webhook_secret)
        if webhook is not None and (webhook_secret is None or not SECRET.match(webhook_secret)):
            raise ConfigError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)")
        return cls(token, base, webhook, webhook_secret)

    @property
    def bot_id(self) -> str:
        """The bot's numeric id, the token's first part: offsets are kept per bot."""
        return self.token.split(":", 1)[0][:40]

    @property
    def bot_url(self) -> str:
        return f"{self.api_base_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.api_base_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/telegram/webhook"
