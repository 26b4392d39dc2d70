"""A fake SP4N-LAPOR! integration API on 127.0.0.1, speaking the contract configured in the tests
(`lapor.api` as docs/LAPOR.md describes it): bearer token, idempotency keys, a create that answers with a
tracking id under data.tracking_id, and follow-ups posted to /laporan/<tracking id>/tindak-lanjut.

Like LAPOR! behind a proper API gateway, a request repeated with the same idempotency key gets the first
answer again and changes nothing. Failures can be queued; a follow-up can be held open (after it was
applied) until released, for the kill tests.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "lapor-test-token"
FOLLOW_UP = re.compile(r"^/api/laporan/([^/]+)/tindak-lanjut$")


@dataclass
class Received:
    path: str
    key: str | None
    body: dict[str, Any]


@dataclass
class FakeLapor:
    requests: list[Received] = field(default_factory=list)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # tracking id -> report
    follow_ups: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # applied, in order
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # idempotency key -> answer
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    hold_follow_ups: threading.Event | None = None
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api"

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))

    def hold(self) -> None:
        """Follow-ups are applied and then left unanswered until `release` (a notifier can die meanwhile)."""
        self.hold_follow_ups = threading.Event()

    def release(self) -> None:
        if self.hold_follow_ups is not None:
            self.hold_follow_ups.set()

    def handle(self, path: str, key: str | None, token: str | None,
               body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.requests.append(Received(path, key, body))
            if self.failures:
                status, headers = self.failures.popleft()
                return status, {"error": "fake failure"}, headers
            return (*self._answer(path, key, token, body), {})

    def _answer(self, path: str, key: str | None, token: str | None,
                body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if token != f"Bearer {TOKEN}":
            return 401, {"error": "unauthorized"}
        if key is None:
            return 400, {"error": "Idempotency-Key required"}
        if key in self.answers:
            return self.answers[key]
        answer = self._apply(path, body)
        if answer[0] < 300:
            self.answers[key] = answer
        return answer

    def _apply(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/api/laporan":
            if not body.get("isi") or not body.get("judul"):
                return 422, {"error": "judul dan isi wajib"}
            tracking_id = str(4_800_000 + len(self.reports) + 1)
            self.reports[tracking_id] = body
            return 201, {"status": "ok", "data": {"tracking_id": tracking_id}}
        match = FOLLOW_UP.match(path)
        if match and match.group(1) in self.reports:
            self.follow_ups.append((match.group(1), body))
            return 200, {"status": "ok"}
        return 404, {"error": "laporan tidak ditemukan"}

    def start(self) -> FakeLapor:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet tests
                pass

            def do_GET(self) -> None:
                self._send(200, {"status": "ok"}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                status, answer, extra = fake.handle(self.path, self.headers.get("Idempotency-Key"),
                                                    self.headers.get("Authorization"), body)
                if FOLLOW_UP.match(self.path) and fake.hold_follow_ups is not None:
                    fake.hold_follow_ups.wait(300)
                self._send(status, answer, extra)

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the notifier was killed meanwhile
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def api_config(fake: FakeLapor) -> dict[str, Any]:
    """The `lapor` section for a region whose developer account speaks this fake's contract."""
    return {"connector": "api", "instansi": "Pemerintah Kabupaten Barito Kuala",
            "api": {"base_url": fake.base_url, "tracking_id_field": "data.tracking_id"}}
