"""Cheap answers to cheap attacks on the public doors: a per-address request budget and cached aggregates.

Both live in this process and follow the engine's clock (tests drive it). nginx's `limit_req` (deploy/nginx.conf)
is the budget across processes; this one holds when the app runs without it, and per door.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request

from web.dashboard.context import Context
from web.dashboard.security import client_address

MAX_TRACKED = 20_000
T = TypeVar("T")


@dataclass
class _Bucket:
    tokens: float
    at: float


class RequestBudget:
    """A token bucket per (door, client address): `per_minute` requests, refilled continuously."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def take(self, door: str, client: str, per_minute: int, now: datetime) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        moment = now.timestamp()
        rate = per_minute / 60.0
        with self._lock:
            if len(self._buckets) > MAX_TRACKED:
                self._forget_full(moment, rate, per_minute)
            bucket = self._buckets.get((door, client))
            if bucket is None:
                bucket = self._buckets[(door, client)] = _Bucket(float(per_minute), moment)
            bucket.tokens = min(float(per_minute), bucket.tokens + max(0.0, moment - bucket.at) * rate)
            bucket.at = moment
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate

    def _forget_full(self, moment: float, rate: float, capacity: int) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (moment - bucket.at) * rate >= capacity:
                del self._buckets[key]


def limit(blueprint: Blueprint, context: Context, door: str, per_minute: Callable[[], int],
          methods: frozenset[str] = frozenset({"GET", "HEAD", "POST"}), json: bool = False) -> Blueprint:
    """Answer 429 (with Retry-After) to a client address past its budget on this blueprint."""
    budget = _budget(context)

    @blueprint.before_request
    def _check() -> Response | tuple[Response, int] | None:
        if request.method not in methods:
            return None
        wait = budget.take(door, client_address(), per_minute(), context.now())
        if wait <= 0:
            return None
        headers = {"Retry-After": str(max(1, int(wait + 0.999)))}
        if json:
            response = jsonify([{"code": 429, "description": "too many requests"}])
            response.status_code = 429
            response.headers.update(headers)
            return response
        return Response("Terlalu banyak permintaan; coba lagi sebentar. / Too many requests.", 429, headers,
                        mimetype="text/plain")

    return blueprint


def _budget(context: Context) -> RequestBudget:
    found: Any = context.__dict__.setdefault("_request_budget", RequestBudget())
    assert isinstance(found, RequestBudget)
    return found


class TimedCache:
    """Values recomputed at most every `seconds` (by the engine's clock); one computation at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, seconds: float, now: datetime, compute: Callable[[], T]) -> T:
        moment = now.timestamp()
        with self._lock:
            found = self._values.get(key)
            if found is not None and 0 <= moment - found[0] < seconds:
                value: T = found[1]
                return value
            value = compute()
            self._values[key] = (moment, value)
            return value
