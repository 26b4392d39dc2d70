"""Telegram Bot API transport: sendMessage over plain HTTP, within Telegram's rate limits.

`send()` returns a SendResult or raises TransportError. Telegram's published limits and what its
refusals mean come from the Telegram wing (bot/telegram/errors.py), shared with the adapter; they are
kept with token buckets inside the transport: 30 messages/s overall, 1/s per chat, 20/min per group.
A wait longer than `max_wait` is not slept here: the error's retry_after reschedules the row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from bot.telegram.errors import (
    MESSAGE_LIMIT,
    MESSAGES_PER_SECOND,
    PER_CHAT_PER_SECOND,
    PER_GROUP_PER_MINUTE,
    PUBLIC_API,
    is_group,
    is_permanent,
    retry_seconds,
)
from models.config import Settings
from models.environment import Environment, secret
from notifier.lanes import MAX_IN_FLIGHT
from notifier.ratelimit import Limits, TokenBucket
from notifier.transports.base import CheckResult, OutgoingMessage, SendResult, TransportError

TIMEOUT_SECONDS = 15.0
# The dispatcher's buckets for this channel unless `notifier.rate_limits.telegram` says otherwise.
LIMITS = Limits(MESSAGES_PER_SECOND, PER_CHAT_PER_SECOND, PER_GROUP_PER_MINUTE)


class RateLimits:
    """Telegram's limits. Capacities are 1 (no bursts) so no window ever holds more than allowed."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.overall = TokenBucket(MESSAGES_PER_SECOND, 1.0)
        self.chats: dict[str, TokenBucket] = {}
        self.lock = threading.Lock()

    def reserve(self, chat_id: str, max_wait: float) -> float:
        """Take a slot for this chat and return how long to wait for it; raise if that is too long."""
        with self.lock:
            now = self.clock()
            chat = self._chat(chat_id, now)
            wait = max(self.overall.wait_time(now), chat.wait_time(now))
            if wait > max_wait:
                raise TransportError(f"telegram rate limit for chat {chat_id}", retry_after=wait)
            self.overall.take(now)
            chat.take(now)
            return wait

    def _chat(self, chat_id: str, now: float) -> TokenBucket:
        if len(self.chats) > 10_000:
            self.chats = {key: bucket for key, bucket in self.chats.items() if not bucket.full(now)}
        rate = PER_GROUP_PER_MINUTE / 60 if is_group(chat_id) else PER_CHAT_PER_SECOND
        return self.chats.setdefault(chat_id, TokenBucket(rate, 1.0))


class TelegramTransport:
    name = "telegram"

    def __init__(self, token: str, base_url: str = PUBLIC_API, client: httpx.Client | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 max_wait: float = 5.0) -> None:
        self.url = f"{base_url.rstrip('/')}/bot{token}"
        # One keep-alive client for every lane of the dispatcher (httpx.Client is thread-safe).
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, limits=httpx.Limits(
            max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT))
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
    if code in (400, 403) and is_permanent(description):
        raise TransportError(f"telegram: {description}", permanent=True)
    # 401/404 mean our token or URL is wrong, 5xx is Telegram's trouble: not the recipient's fault.
    raise TransportError(f"telegram HTTP {code}: {description}")


def from_environment(settings: Settings, environment: Environment) -> TelegramTransport | None:
    """The transport for TELEGRAM_BOT_TOKEN (and TELEGRAM_API_BASE_URL); None without a token."""
    token = secret(environment.telegram_bot_token)
    if not token:
        return None
    return TelegramTransport(token, environment.telegram_api_base_url or PUBLIC_API)
