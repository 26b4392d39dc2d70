"""The process environment as the desk reads it: defaults, spellings, errors naming the variable, hidden secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.environment import BadEnvironment, Environment, secret
from models.logsafety import secrets_of


def test_an_empty_environment_holds_the_defaults() -> None:
    environment = Environment.of({})

    assert environment.database_url is None
    assert environment.aduan_config == Path("config.yaml")
    assert environment.aduan_bind == "127.0.0.1:8000"
    assert environment.port == 8000
    assert environment.trust_proxy is False
    assert environment.session_cookie_secure is None
    assert environment.web_concurrency is None
    assert environment.open311_keys == []


def test_values_are_typed_and_trimmed() -> None:
    environment = Environment.of({"ADUAN_CONFIG": " /etc/aduan/config.yaml ", "PORT": " 8080 ", "TRUST_PROXY": "yes",
                                  "SESSION_COOKIE_SECURE": "false", "WEB_CONCURRENCY": "3",
                                  "PUBLIC_BASE_URL": " https://aduan.example.go.id ", "SECRET_KEY": "  s3cret-key  "})

    assert environment.aduan_config == Path("/etc/aduan/config.yaml")
    assert environment.port == 8080
    assert environment.trust_proxy is True
    assert environment.session_cookie_secure is False
    assert environment.web_concurrency == 3
    assert environment.public_base_url == "https://aduan.example.go.id"
    assert secret(environment.secret_key) == "s3cret-key"


@pytest.mark.parametrize(("spelling", "meaning"), [("1", True), ("true", True), ("TRUE", True), ("on", True),
                                                   ("Y", True), ("yes", True), ("t", True), ("0", False),
                                                   ("false", False), ("off", False), ("no", False), ("N", False)])
def test_a_flag_takes_the_usual_spellings(spelling: str, meaning: bool) -> None:
    assert Environment.of({"TRUST_PROXY": spelling}).trust_proxy is meaning


@pytest.mark.parametrize(("spelling", "number"), [("7", 7), ("+7", 7), ("7_000", 7000), ("7.0", 7), (" 9 ", 9)])
def test_a_number_takes_what_it_took_before(spelling: str, number: int) -> None:
    assert Environment.of({"PORT": spelling}).port == number


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(BadEnvironment) as caught:
        Environment.of({"TRUST_PROXY": "maybe"})

    assert str(caught.value) == "TRUST_PROXY: Input should be a valid boolean, unable to interpret input"


def test_every_bad_value_is_named_in_the_order_of_the_variables() -> None:
    with pytest.raises(BadEnvironment) as caught:
        Environment.of({"PORT": "eighty", "WEB_CONCURRENCY": "two", "SESSION_COOKIE_SECURE": "2"})

    assert str(caught.value).splitlines() == [
        "SESSION_COOKIE_SECURE: Input should be a valid boolean, unable to interpret input",
        "WEB_CONCURRENCY: Input should be a valid integer, unable to parse string as an integer",
        "PORT: Input should be a valid integer, unable to parse string as an integer",
    ]


@pytest.mark.parametrize("spelling", ["0x10", "1e3", "٣", "7.5", "seven"])
def test_a_number_in_another_notation_is_refused(spelling: str) -> None:
    with pytest.raises(BadEnvironment, match="^WEB_CONCURRENCY: Input should be a valid integer"):
        Environment.of({"WEB_CONCURRENCY": spelling})


def test_a_blank_value_counts_as_unset() -> None:
    environment = Environment.of({"PORT": "  ", "SECRET_KEY": "", "TRUST_PROXY": " "})

    assert (environment.port, environment.secret_key, environment.trust_proxy) == (8000, None, False)


def test_reading_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://desk:pw@db/aduan")
    monkeypatch.setenv("PORT", "")  # empty counts as unset
    monkeypatch.setenv("trust_proxy", "1")  # any case, as before
    monkeypatch.setenv("SMTP_USER", "  ops@example.go.id  ")

    environment = Environment.read()

    assert secret(environment.database_url) == "postgresql://desk:pw@db/aduan"
    assert environment.port == 8000
    assert environment.trust_proxy is True
    assert environment.smtp_user == "ops@example.go.id"


def test_reading_a_bad_process_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "many")

    with pytest.raises(BadEnvironment, match="^WEB_CONCURRENCY: Input should be a valid integer"):
        Environment.read()


def test_an_explicit_environment_ignores_the_process_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-process")
    monkeypatch.setenv("PORT", "9999")

    environment = Environment.of({"PUBLIC_BASE_URL": "https://aduan.example.go.id"})

    assert (environment.secret_key, environment.port) == (None, 8000)
    assert environment.replace(trust_proxy=True).secret_key is None


def test_a_secret_never_shows_in_a_repr_or_a_string() -> None:
    environment = Environment.of({"SECRET_KEY": "s3cret-key", "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUV"})

    for shown in (repr(environment), str(environment), repr(environment.secret_key), str(environment.secret_key)):
        assert "s3cret-key" not in shown and "ABCDEFGHIJKLMNOPQRSTUV" not in shown
    assert environment.secret_key is not None and environment.secret_key.get_secret_value() == "s3cret-key"


def test_replace_keeps_the_rest_and_validates_the_change() -> None:
    environment = Environment.of({"SECRET_KEY": "s3cret-key", "PORT": "8080"})

    changed = environment.replace(trust_proxy=True, public_base_url=None, telegram_bot_token="999:wrong")

    assert (changed.trust_proxy, changed.port, secret(changed.secret_key)) == (True, 8080, "s3cret-key")
    assert secret(changed.telegram_bot_token) == "999:wrong"
    assert environment.trust_proxy is False
    with pytest.raises(ValueError, match="(?i)port"):
        environment.replace(port="eighty")


def test_equal_values_make_equal_environments() -> None:
    assert Environment.of({"SECRET_KEY": "a", "PORT": "1"}) == Environment.of({"SECRET_KEY": "a", "PORT": "1"})
    assert Environment.of({"SECRET_KEY": "a"}) != Environment.of({"SECRET_KEY": "b"})


def test_the_variables_are_the_fields_in_upper_case() -> None:
    assert Environment.variables() == [
        "ADUAN_BIND", "ADUAN_CONFIG", "ADUAN_DEVELOPMENT", "CONSOLE_CHAT_ID", "DATABASE_URL", "LAPOR_API_TOKEN",
        "METRICS_TOKEN", "OPEN311_API_KEYS", "PORT", "PROMETHEUS_MULTIPROC_DIR", "PUBLIC_BASE_URL", "SECRET_KEY",
        "SESSION_COOKIE_SECURE", "SMTP_PASSWORD", "SMTP_USER", "TELEGRAM_API_BASE_URL", "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_URL", "TRUST_PROXY", "TWILIO_ACCOUNT_SID", "TWILIO_API_BASE_URL",
        "TWILIO_AUTH_TOKEN", "TWILIO_SMS_FROM", "TWILIO_WHATSAPP_FROM", "WEB_CONCURRENCY"]


def test_the_log_masks_every_secret_the_environment_holds() -> None:
    environment = Environment.of({"SECRET_KEY": "s3cret-key", "SMTP_PASSWORD": "smtp-pass", "SMTP_USER": "ops",
                                  "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUV",
                                  "DATABASE_URL": "postgresql://desk:db-pass@db/aduan", "OPEN311_API_KEYS": "k1,k2"})

    found = set(secrets_of(environment))

    assert {"s3cret-key", "smtp-pass", "ABCDEFGHIJKLMNOPQRSTUV", "db-pass", "k1", "k2"} <= found
    assert "ops" not in found
