"""Everything the desk reads from the process environment, read once into one typed object.

The entry points (the `aduan` command line, gunicorn's config and app factory, deploy/prepare_database.py)
build it with `Environment.read()` at start and hand it down; nothing else in `models`, `bot`, `notifier`
or `web` looks at `os.environ` (a test keeps it that way). Tests and subprocesses build it explicitly
with `Environment.of({...})`. Secrets are `Secret`, so a log line or a traceback never shows them.
Each field is the variable of the same name in upper case (`database_url` is `DATABASE_URL`); an
empty value counts as unset. README.md and deploy/env.example document every one (a test checks).

A frozen dataclass read by hand rather than a pydantic-settings model: every command starts by reading it,
and importing pydantic-settings and building its model cost every command 85-90 ms of CPU, of the 0.5 s
a read-only command may take (issue 17). The rules are pydantic-settings' own, kept
(tests/test_environment.py pins them): a name in any case, surrounding blanks trimmed, pydantic's
spellings of flags and numbers and its messages.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_type_hints

# Read by the prometheus_client library itself in every worker process (see web/metrics.py).
METRICS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
HIDDEN = "**********"


class BadEnvironment(ValueError):
    """A variable with a value that cannot be used; the message names the variable."""


class Secret:
    """A value that shows as `**********` in a repr, a log line or a traceback; `get_secret_value()` reads it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{HIDDEN}')"

    def __str__(self) -> str:
        return HIDDEN

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Environment:
    # --- every process ---------------------------------------------------------------------
    database_url: Secret | None = None
    aduan_config: Path = Path("config.yaml")

    # --- web app ------------------------------------------------------------------------------
    public_base_url: str | None = None
    trust_proxy: bool = False
    secret_key: Secret | None = None
    session_cookie_secure: bool | None = None
    open311_api_keys: Secret | None = None
    aduan_bind: str = "127.0.0.1:8000"
    web_concurrency: int | None = None
    prometheus_multiproc_dir: Path | None = None
    # Bearer token for /metrics; unset: only a direct request from this host (no proxy in between) may scrape.
    metrics_token: Secret | None = None

    # --- Telegram -----------------------------------------------------------------------------
    telegram_bot_token: Secret | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: Secret | None = None
    telegram_api_base_url: str | None = None

    # --- Twilio (WhatsApp and SMS) --------------------------------------------------------------
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret | None = None
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_api_base_url: str | None = None

    # --- SP4N-LAPOR! integration API (lapor.connector: api) ---------------------------------------
    lapor_api_token: Secret | None = None

    # --- e-mail -------------------------------------------------------------------------------
    smtp_user: str | None = None
    smtp_password: Secret | None = None

    # --- developer machines -------------------------------------------------------------------
    # 1 on a developer machine only (`make run`): a missing SECRET_KEY becomes a random key under var/.
    aduan_development: bool = False
    console_chat_id: str | None = None
    port: int = 8000

    @classmethod
    def read(cls) -> Environment:
        """The process environment, validated; raises BadEnvironment naming the variable at fault."""
        # As pydantic-settings read it: a name in any case; an empty value is unset, a blank one is "".
        return cls._validated({name.lower(): value for name, value in os.environ.items() if value != ""})

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Environment:
        """An environment given explicitly (tests, the environment of a subprocess): nothing else is read."""
        return cls._validated({name.lower(): value for name, value in values.items()
                               if value is not None and value.strip()})

    @classmethod
    def variables(cls) -> list[str]:
        """The names of every variable the desk reads."""
        return sorted(name.upper() for name in _readers())

    def replace(self, **values: Any) -> Environment:
        """A copy with some variables changed (by field name), validated like the original."""
        current = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return type(self)._validated(current | values)

    @classmethod
    def _validated(cls, values: Mapping[str, Any]) -> Environment:
        """Each known variable read by its field's type; unknown names are ignored, every bad value is named."""
        typed: dict[str, Any] = {}
        problems: list[str] = []
        for name, reader in _readers().items():
            if name in values:
                try:
                    typed[name] = reader(values[name])
                except ValueError as error:
                    problems.append(f"{name.upper()}: {error}")
        if problems:
            raise BadEnvironment("\n".join(problems))
        return cls(**typed)

    @property
    def open311_keys(self) -> list[str]:
        raw = self.open311_api_keys.get_secret_value() if self.open311_api_keys else ""
        return [key.strip() for key in raw.split(",") if key.strip()]

    def export_metrics_directory(self, directory: Path) -> None:
        """Name the directory prometheus_client's multiprocess mode shares between worker processes.

        The library reads the variable itself when each worker imports it, so it must be in the process
        environment before the workers start: the one place the desk writes to `os.environ`."""
        os.environ[METRICS_DIRECTORY_VARIABLE] = str(directory)


def secret(value: Secret | None) -> str | None:
    return value.get_secret_value() if value is not None else None


# --- reading one value the way pydantic read it (its messages too, which name what was wrong) ----------------
TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
FALSE_WORDS = frozenset({"0", "off", "f", "false", "n", "no"})
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")
NOT_A_BOOLEAN = "Input should be a valid boolean, unable to interpret input"
NOT_AN_INTEGER = "Input should be a valid integer, unable to parse string as an integer"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return value.strip()


def _secret(value: Any) -> Secret:
    return value if isinstance(value, Secret) else Secret(_text(value))


def _path(value: Any) -> Path:
    return value if isinstance(value, Path) else Path(_text(value))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = value.lower() if isinstance(value, str) else None  # not trimmed: pydantic did not trim flags either
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(NOT_A_BOOLEAN)


def _number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError("Input should be a valid integer")
    written = value.strip()
    if not WHOLE_NUMBER.fullmatch(written):  # ASCII digits only: int() alone would take "٣"
        raise ValueError(NOT_AN_INTEGER)
    return int(written.split(".")[0])


READERS: dict[type, Callable[[Any], Any]] = {str: _text, Secret: _secret, Path: _path, bool: _flag, int: _number}


@cache
def _readers() -> dict[str, Callable[[Any], Any]]:
    """Field name -> the function reading its value; the fields' types are the one list of the variables."""
    readers = {}
    for name, hint in get_type_hints(Environment).items():
        kinds = [kind for kind in get_args(hint) or (hint,) if kind is not type(None)]
        readers[name] = _optional(READERS[kinds[0]]) if len(kinds) < len(get_args(hint)) else READERS[kinds[0]]
    return readers


def _optional(reader: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else reader(value)
