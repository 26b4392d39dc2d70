"""Token buckets, per transport and per recipient, so we never provoke a provider's 429.

Time here is monotonic pacing, not domain time: it is injected (`monotonic`) so tests and the
benchmark can drive it, and it never decides deadlines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

SAFETY = 0.97


@dataclass
class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up. The one bucket of the notifier: the
    dispatcher's per-channel limiter and the Telegram transport's own limits both use it."""

    rate: float
    capacity: float
    tokens: float | None = None  # None: never used yet, starts full
    updated: float = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        tokens = self._refill(now)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend a token (the balance may go below zero: the next waits that much longer)."""
        self.tokens = self._refill(now) - 1.0

    def full(self, now: float) -> bool:
        """Nothing spent that has not been earned back: the bucket can be forgotten."""
        return self._refill(now) >= self.capacity

    def _refill(self, now: float) -> float:
        saved = self.capacity if self.tokens is None else self.tokens + (now - self.updated) * self.rate
        self.tokens, self.updated = min(self.capacity, saved), now
        return self.tokens


@dataclass(frozen=True)
class Limits:
    """Per-transport limits; `per_group` applies to addresses starting with '-' (Telegram groups)."""

    per_second: float
    per_recipient_per_second: float | None = None
    per_group_per_minute: float | None = None


@dataclass
class RateLimiter:
    limits: dict[str, Limits]
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _overall: dict[str, TokenBucket] = field(default_factory=dict)
    _recipients: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)
    _paused_until: dict[str, float] = field(default_factory=dict)

    def pause(self, channel: str, seconds: float) -> None:
        """A provider's 429: nothing goes out on this channel for `seconds`."""
        until = self.monotonic() + seconds
        self._paused_until[channel] = max(until, self._paused_until.get(channel, 0.0))

    def paused_for(self, channel: str) -> float:
        return max(0.0, self._paused_until.get(channel, 0.0) - self.monotonic())

    def acquire(self, channel: str, address: str, max_wait: float = 2.0) -> float:
        """Take a token for (channel, address) now, or say how long to wait.

        A short wait for the transport's own bucket is slept here (up to `max_wait`); a busy recipient
        is never slept on, because the next message in the batch is usually for someone else:
        the caller defers the row by the returned number of seconds instead.
        """
        overall, recipient = self._buckets(channel, address)
        if overall is None:
            return 0.0
        if recipient is not None:
            busy = recipient.wait_time(self.monotonic())
            if busy > 0:
                return busy
        wait = overall.wait_time(self.monotonic())
        if wait > max_wait:
            return wait
        if wait > 0:
            self.sleep(wait)
        now = self.monotonic()
        overall.take(now)
        if recipient is not None:
            recipient.take(now)
        return 0.0

    def _buckets(self, channel: str, address: str) -> tuple[TokenBucket | None, TokenBucket | None]:
        limits = self.limits.get(channel)
        if limits is None:
            return None, None
        # No saved-up burst and a small margin: a provider counting any sliding second never sees too many.
        overall = self._overall.setdefault(channel, TokenBucket(limits.per_second * SAFETY, 1.0))
        if address.startswith("-") and limits.per_group_per_minute:
            rate: float | None = limits.per_group_per_minute / 60.0
        else:
            rate = limits.per_recipient_per_second
        if rate is None:
            return overall, None
        return overall, self._recipients.setdefault((channel, address), TokenBucket(rate * SAFETY, 1.0))
