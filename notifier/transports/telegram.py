"""Telegram Bot API transport: sendMessage over plain HTTP, within Telegram's rate limits.

`send()` returns a SendResult or raises TransportError. Limits (Telegram's published ones) are kept
with token buckets inside the transport: 30 messages/s overall, 1/s per chat, 20/min per group.
A wait longer than `max_wait` is not slept here: the error's retry_after reschedules the row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

import httpx

from models.config import Settings
from notifier.transports.base import CheckResult, OutgoingMessage, SendResult, TransportError

PUBLIC_API = "https://api.telegram.org"
TIMEOUT_SECONDS = 15.0
MESSAGE_LIMIT = 4096
# Answers that mean this recipient cannot be reached at all; anything else is worth retrying.
PERMANENT = ("bot was blocked by the user", "chat not found", "user is deactivated", "bot was kicked",
             "have no rights to send", "peer_id_invalid")


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def full(self, now: float) -> bool:
        return self.wait(now) == 0.0 and self.tokens >= self.capacity


class RateLimits:
    """Telegram's limits. Capacities are 1 (no bursts) so no window ever holds more than allowed."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.overall = TokenBucket(30.0, 1.0, clock())
        self.chats: dict[str, TokenBucket] = {}
        self.lock = threading.Lock()

    def reserve(self, chat_id: str, max_wait: float) -> float:
        """Take a slot for this chat and return how long to wait for it; raise if that is too long."""
        with self.lock:
            now = self.clock()
            chat = self._chat(chat_id, now)
            wait = max(self.overall.wait(now), chat.wait(now))
            if wait > max_wait:
                raise TransportError(f"telegram rate limit for chat {chat_id}", retry_after=wait)
            self.overall.take()
            chat.take()
            return wait

    def _chat(self, chat_id: str, now: float) -> TokenBucket:
        if len(self.chats) > 10_000:
            self.chats = {key: bucket for key, bucket in self.chats.items() if not bucket.full(now)}
        group = chat_id.startswith("-")
        return self.chats.setdefault(chat_id, TokenBucket(20 / 60 if group else 1.0, 1.0, now))


def retry_seconds(value: object) -> float:
    """Telegram's retry_after, given as seconds (Bot API JSON) or a timedelta (PTB 22's RetryAfter)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    try:
        return max(1.0, float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0


class TelegramTransport:
    name = "telegram"

    def __init__(self, token: str, base_url: str = PUBLIC_API, client: httpx.Client | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 max_wait: float = 5.0) -> None:
        self.url = f"{base_url.rstrip('/')}/bot{token}"
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS)
        self.limits = RateLimits(clock)
        self.sleep = sleep
        self.max_wait = max_wait

    def send(self, message: OutgoingMessage) -> SendResult:
        chat_id = message.address
        wait = self.limits.reserve(chat_id, self.max_wait)
        if wait > 0:
            self.sleep(wait)
        body = {"chat_id": chat_id, "text": message.text[:MESSAGE_LIMIT], "link_preview_options": {"is_disabled": True}}
        try:
            response = self.client.post(f"{self.url}/sendMessage", json=body)
        except httpx.HTTPError as error:
            raise TransportError(f"telegram unreachable: {error!r}") from error
        return _result(response)

    def check(self) -> CheckResult:
        """Self-test for the notifier's health check: does Telegram accept our token?"""
        try:
            answer = self.client.post(f"{self.url}/getMe").json()
        except (httpx.HTTPError, ValueError) as error:
            return CheckResult(self.name, False, f"unreachable: {error!r}")
        if not answer.get("ok"):
            return CheckResult(self.name, False, str(answer.get("description", "refused")))
        return CheckResult(self.name, True, f"@{answer['result'].get('username', '?')}")


def _result(response: httpx.Response) -> SendResult:
    try:
        answer = response.json()
    except ValueError:
        raise TransportError(f"telegram HTTP {response.status_code}: not JSON") from None
    if answer.get("ok"):
        return SendResult(provider_message_id=str(answer["result"]["message_id"]))
    description = str(answer.get("description", ""))
    code = int(answer.get("error_code") or response.status_code)
    retry_after = (answer.get("parameters") or {}).get("retry_after")
    if code == 429 or retry_after is not None:
        raise TransportError(f"telegram flood control: {description}", retry_after=retry_seconds(retry_after))
    if code in (400, 403) and any(marker in description.lower() for marker in PERMANENT):
        raise TransportError(f"telegram: {description}", permanent=True)
    # 401/404 mean our token or URL is wrong, 5xx is Telegram's trouble: not the recipient's fault.
    raise TransportError(f"telegram HTTP {code}: {description}")


def from_environment(settings: Settings, environ: Mapping[str, str]) -> TelegramTransport | None:
    """The transport for TELEGRAM_BOT_TOKEN (and TELEGRAM_API_BASE_URL); None without a token."""
    token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return None
    return TelegramTransport(token, (environ.get("TELEGRAM_API_BASE_URL") or PUBLIC_API).strip())
