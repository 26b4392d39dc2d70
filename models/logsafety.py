"""Log lines that carry no secret and tie no person to a complaint.

Every entry point (`aduan web` and its workers, gunicorn's factory, `aduan telegram`, `aduan notifier`,
`aduan console`, deploy/prepare_database.py) calls `configure_logging` once at start. It installs a log
record factory, so every record of every library (httpx, python-telegram-bot, twilio, gunicorn's access
and error logs, SQLAlchemy) is cleaned when it is made, before any handler or formatter sees it:

* every secret the environment holds (bot token and its secret half, Twilio auth token, SECRET_KEY, SMTP
  password, the webhook secret, Open311 keys, the database URL's password) becomes `***`, and so does any
  Bot API token in a URL (`/bot<id>:<secret>/`) and any password inside a URL (`scheme://user:pw@`),
  whether configured or not;
* in a line that names a complaint code, everything that identifies a person becomes `***`: phone numbers
  and chat or account ids (runs of six digits or more), e-mail addresses, IPv4 addresses, and the values of
  `chat=`, `phone=`, `name=`, `address=`, `recipient=`, `sender=`, `email=`. A line may name a number, or a
  code, never both (UU 27/2022; issue 12, class 5).

Tracebacks are formatted and cleaned when the record is made, and uncaught exceptions (main thread or
any other) go through logging, so they are cleaned too.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from models.environment import Environment, Secret, secret

MASK = "***"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Shorter configured "secrets" (a test's "x") would mask half of every line; real ones are far longer.
MIN_SECRET_CHARS = 6

BOT_TOKEN = re.compile(r"(?<![A-Za-z0-9])(bot)?\d{3,}:[A-Za-z0-9_-]{20,}")
BOT_PATH = re.compile(r"/bot[^/\s?#\"']+")
URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@")
COMPLAINT_CODE = re.compile(r"\b[A-Z]{2,5}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
PERSON_PATTERNS = (
    re.compile(r"(?P<key>\b(?:chat|chat_id|phone|name|address|recipient|sender|email|to_address)=)"
               r"(?P<value>'[^']*'|\"[^\"]*\"|\S+)"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),
    # Chat and account ids, phone numbers (E.164 or national, also grouped "0812 3456 7890"); not a value after
    # `=` (notification=1234567 is a row id), nor dates and times.
    re.compile(r"(?<![\w.=])[+-]?\d{6,}(?!\w)"),
    re.compile(r"(?<![\w.=])\+?\d{2,4}[ -]\d{3,4}[ -]\d{3,5}(?!\w)"),
)


class Redactor:
    """Cleans one text: secrets always, people only beside a complaint code."""

    def __init__(self, secrets: Iterable[str]) -> None:
        found = {value for value in secrets if value and len(value) >= MIN_SECRET_CHARS}
        self.secrets = sorted(found, key=len, reverse=True)  # a longer secret first: its parts are masked whole

    def __call__(self, text: str, beside_code: bool = False) -> str:
        """`beside_code`: mask people even without a code in `text` (it is in another part of the record)."""
        for value in self.secrets:
            if value in text:
                text = text.replace(value, MASK)
        if "/bot" in text or ":" in text:
            text = BOT_PATH.sub("/bot" + MASK, text)
            text = BOT_TOKEN.sub(MASK, text)
            text = URL_PASSWORD.sub(lambda match: match.group("head") + MASK + "@", text)
        if beside_code or COMPLAINT_CODE.search(text):
            text = _without_people(text)
        return text


def _without_people(text: str) -> str:
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:  # the codes themselves survive the masks below
        codes.append(match.group(0))
        return f"\x00{len(codes) - 1}\x00"

    text = COMPLAINT_CODE.sub(keep, text)
    key_values, *others = PERSON_PATTERNS
    text = key_values.sub(lambda match: match.group("key") + MASK, text)
    for pattern in others:
        text = pattern.sub(MASK, text)
    return re.sub("\x00(\\d+)\x00", lambda match: codes[int(match.group(1))], text)


def secrets_of(environment: Environment) -> list[str]:
    """Every secret value the environment carries (each `Secret` field, present and future), and the secret
    parts of composite ones."""
    fields = [getattr(environment, field.name) for field in dataclasses.fields(environment)]
    values = [field.get_secret_value() for field in fields if isinstance(field, Secret)]
    token = secret(environment.telegram_bot_token) or ""
    if ":" in token:
        values.append(token.split(":", 1)[1])
    values.extend(environment.open311_keys)
    database_url = secret(environment.database_url) or ""
    try:
        password = urlsplit(database_url).password
    except ValueError:
        password = None
    values.append(password or "")
    return values


def clean_record(record: logging.LogRecord, redact: Redactor) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a broken format: logging reports it itself when it formats the record
        return record
    trace = ""
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        trace = logging.Formatter().formatException(record.exc_info)
    # The message and its traceback are printed together: a code in one and a chat id in the other pair up.
    beside_code = bool(COMPLAINT_CODE.search(message) or COMPLAINT_CODE.search(trace))
    # Always the formatted text: the handler then does not format the arguments a second time.
    record.msg, record.args = redact(message, beside_code), None
    if trace:
        record.exc_text = redact(trace, beside_code)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, beside_code)
    return record


_ORIGINAL_FACTORY = logging.getLogRecordFactory()


_INSTALLED: list[Redactor] = []


def install_redaction(redact: Redactor) -> None:
    """Clean every record made from now on in this process (and in processes forked from it). Secrets of a
    redaction installed before are kept: a later, more general one never unmasks them."""
    if _INSTALLED:
        redact = Redactor([*_INSTALLED[-1].secrets, *redact.secrets])
    _INSTALLED[:] = [redact]

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean_record(_ORIGINAL_FACTORY(*args, **kwargs), redact)

    logging.setLogRecordFactory(factory)


def configure_logging(environment: Environment, level: int = logging.INFO, quiet: Iterable[str] = (),
                      quiet_level: int = logging.WARNING) -> None:
    """The process's logging: one format on stderr, every record cleaned, uncaught errors logged."""
    install_redaction(Redactor(secrets_of(environment)))
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for name in quiet:
        logging.getLogger(name).setLevel(quiet_level)
    _log_uncaught_errors()


def _log_uncaught_errors() -> None:
    """Python prints an uncaught traceback itself (uncleaned): send it through logging instead."""
    log = logging.getLogger("aduan.uncaught")

    def main_thread(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.critical("uncaught error", exc_info=(kind, error, trace))

    def other_thread(arguments: threading.ExceptHookArgs) -> None:
        if arguments.exc_type is SystemExit:
            return
        log.critical("uncaught error in thread %s", arguments.thread.name if arguments.thread else "?",
                     exc_info=(arguments.exc_type, arguments.exc_value or arguments.exc_type(),
                               arguments.exc_traceback))

    sys.excepthook = main_thread
    threading.excepthook = other_thread
