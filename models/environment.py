"""Everything the desk reads from the process environment, read once into one typed object.

The entry points (the `aduan` command line, gunicorn's config and app factory, deploy/prepare_database.py)
build it with `Environment.read()` at start and hand it down; nothing else in `models`, `bot`, `notifier`
or `web` looks at `os.environ` (a test keeps it that way). Tests and subprocesses build it explicitly
with `Environment.of({...})`. Secrets are `SecretStr`, so a log line or a traceback never shows them.
Each field is the variable of the same name in upper case (`database_url` is `DATABASE_URL`); an
empty value counts as unset. README.md and deploy/env.example document every one (a test checks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

# Read by the prometheus_client library itself in every worker process (see web/metrics.py).
METRICS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


_EXPLICIT: ContextVar[bool] = ContextVar("aduan_explicit_environment", default=False)


class BadEnvironment(ValueError):
    """A variable with a value that cannot be used; the message names the variable."""


class Environment(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_ignore_empty=True,
                                      str_strip_whitespace=True)

    # --- every process ---------------------------------------------------------------------
    database_url: SecretStr | None = None
    aduan_config: Path = Path("config.yaml")

    # --- web app ------------------------------------------------------------------------------
    public_base_url: str | None = None
    trust_proxy: bool = False
    secret_key: SecretStr | None = None
    session_cookie_secure: bool | None = None
    open311_api_keys: SecretStr | None = None
    aduan_bind: str = "127.0.0.1:8000"
    web_concurrency: int | None = None
    prometheus_multiproc_dir: Path | None = None
    # Bearer token for /metrics; unset: only a direct request from this host (no proxy in between) may scrape.
    metrics_token: SecretStr | None = None

    # --- Telegram -----------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str | None = None

    # --- Twilio (WhatsApp and SMS) --------------------------------------------------------------
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_api_base_url: str | None = None

    # --- SP4N-LAPOR! integration API (lapor.connector: api) ---------------------------------------
    lapor_api_token: SecretStr | None = None

    # --- e-mail -------------------------------------------------------------------------------
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None

    # --- developer machines -------------------------------------------------------------------
    # 1 on a developer machine only (`make run`): a missing SECRET_KEY becomes a random key under var/.
    aduan_development: bool = False
    console_chat_id: str | None = None
    port: int = 8000

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # An environment given explicitly (`of`, `replace`) is exactly what was given: the process environment
        # of the test run or of the parent process must not leak into it.
        return (init_settings,) if _EXPLICIT.get() else (init_settings, env_settings)

    @classmethod
    def _explicit(cls, values: Mapping[str, Any]) -> Environment:
        token = _EXPLICIT.set(True)
        try:
            return cls(**values)
        finally:
            _EXPLICIT.reset(token)

    @classmethod
    def read(cls) -> Environment:
        """The process environment, validated; raises BadEnvironment naming the variable at fault."""
        try:
            return cls()
        except ValidationError as error:
            raise BadEnvironment(_describe(error)) from None

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Environment:
        """An environment given explicitly (tests, the environment of a subprocess)."""
        # Blank counts as unset, as pydantic-settings' env_ignore_empty does for the process environment.
        known = {name.lower(): value for name, value in values.items()
                 if name.lower() in cls.model_fields and value is not None and value.strip()}
        try:
            return cls._explicit(known)
        except ValidationError as error:
            raise BadEnvironment(_describe(error)) from None

    @classmethod
    def variables(cls) -> list[str]:
        """The names of every variable the desk reads."""
        return sorted(name.upper() for name in cls.model_fields)

    def replace(self, **values: Any) -> Environment:
        """A copy with some variables changed (by field name), validated like the original."""
        return type(self)._explicit({**self.model_dump(), **values})

    @property
    def open311_keys(self) -> list[str]:
        raw = self.open311_api_keys.get_secret_value() if self.open311_api_keys else ""
        return [key.strip() for key in raw.split(",") if key.strip()]

    def export_metrics_directory(self, directory: Path) -> None:
        """Name the directory prometheus_client's multiprocess mode shares between worker processes.

        The library reads the variable itself when each worker imports it, so it must be in the process
        environment before the workers start: the one place the desk writes to `os.environ`."""
        os.environ[METRICS_DIRECTORY_VARIABLE] = str(directory)


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item.get("loc", ())).upper() or "environment"
        lines.append(f"{name}: {item.get('msg', 'invalid')}")
    return "\n".join(lines)
