"""Outage switches in front of the fake providers (the fakes themselves stay untouched).

`HttpOutage` sits between a transport and a fake HTTP provider (Bot API, Twilio): "up" forwards each
request, "error" answers HTTP 500 with the provider's error body, "hang" accepts the request and never
answers, so the transport's own timeout has to fire. `TcpOutage` does the same for SMTP at the socket
level: "up" pipes bytes (STARTTLS passes through untouched), "hang" never sends the greeting.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
for _suite in ("whatsapp", "telegram", "notifier", "dashboard"):
    if str(ROOT / "tests" / _suite) not in sys.path:
        sys.path.append(str(ROOT / "tests" / _suite))

# The other suites' fakes, re-exported: a test importing them directly could run before the path is set.
from fake_bot_api import TOKEN, FakeBotApi  # noqa: E402
from fake_twilio import FakeTwilio  # noqa: E402
from live import serving  # noqa: E402
from smtp_server import PASSWORD, USER, Recorder, make_certificate, start_server  # noqa: E402

__all__ = ["PASSWORD", "TOKEN", "USER", "FakeBotApi", "FakeTwilio", "HttpOutage", "Recorder", "TcpOutage",
           "make_certificate", "serving", "start_server"]

# A hung request is let go at the latest after this long (normally when the switch flips back).
HANG_CAP_SECONDS = 30.0
MODES = ("up", "error", "hang")

TELEGRAM_500 = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
TWILIO_500 = {"code": 20500, "message": "Internal Server Error", "status": 500,
              "more_info": "https://www.twilio.com/docs/errors/20500"}


class Switch:
    """The shared part: the current mode, what was seen in each mode, releasing hung requests."""

    def __init__(self) -> None:
        self.mode = "up"
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.release = threading.Event()

    def set(self, mode: str) -> None:
        assert mode in MODES, mode
        with self.lock:
            if mode != self.mode and self.mode == "hang":
                self.release.set()  # hung connections may now close
                self.release = threading.Event()
            self.mode = mode

    def enter(self, what: str) -> tuple[str, threading.Event]:
        with self.lock:
            self.seen[f"{self.mode}:{what}"] += 1
            return self.mode, self.release


class HttpOutage(Switch):
    def __init__(self, upstream: str, error_body: dict[str, Any]) -> None:
        super().__init__()
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.error_body = json.dumps(error_body).encode()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(self))
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def count(self, mode: str, path_end: str = "") -> int:
        with self.lock:
            return sum(n for key, n in self.seen.items() if key.startswith(f"{mode}:") and key.endswith(path_end))

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list[Any], bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=20)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.set("up")
        self.server.shutdown()
        self.server.server_close()


def _proxy_handler(outage: HttpOutage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet tests
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._relay()

        def do_POST(self) -> None:  # noqa: N802
            self._relay()

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            mode, release = outage.enter(self.path.split("?")[0])
            if mode == "hang":
                release.wait(HANG_CAP_SECONDS)
                self.close_connection = True
                return
            if mode == "error":
                self._reply(500, [("Content-Type", "application/json")], outage.error_body)
                return
            skip = {"host", "connection", "content-length", "accept-encoding"}
            headers = {key: value for key, value in self.headers.items() if key.lower() not in skip}
            status, answer_headers, data = outage.forward(self.command, self.path, headers, body)
            passed = [(k, v) for k, v in answer_headers if k.lower() in ("content-type", "retry-after")]
            self._reply(status, passed, data)

        def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class TcpOutage(Switch):
    """A byte pipe to 127.0.0.1:`upstream_port`, or a silent listener while hanging."""

    def __init__(self, upstream_port: int) -> None:
        super().__init__()
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # stopped
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        mode, release = self.enter("connect")
        with client:
            if mode != "up":
                release.wait(HANG_CAP_SECONDS)  # not a byte: the client's timeout fires first
                return
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=20) as server:
                back = threading.Thread(target=_pump, args=(server, client), daemon=True)
                back.start()
                _pump(client, server)
                back.join(HANG_CAP_SECONDS)

    def stop(self) -> None:
        self.set("up")
        self.listener.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        return
