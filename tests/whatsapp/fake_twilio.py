"""A fake Twilio REST server on 127.0.0.1: records what is posted, serves media (or holds a download
open until released, for the kill tests), fails on request."""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

try:  # the suite-wide payload guard scans what the fake delivered (absent outside pytest)
    from payload_guard import capture_outgoing
except ImportError:  # pragma: no cover - used from a plain script
    def capture_outgoing(source: str, recipient: str, content: str) -> None:
        return None


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None


@dataclass
class Failure:
    status: int
    code: int
    message: str = "fake failure"
    retry_after: str | None = None


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    requests: list[Recorded] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    held: dict[str, threading.Event] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    account_status: str = "active"

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, status: int, code: int, message: str = "fake failure", retry_after: str | None = None) -> None:
        self.failures.append(Failure(status, code, message, retry_after))

    def add_media(self, name: str, data: bytes, content_type: str) -> str:
        self.media[name] = (data, content_type)
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages/MM1/Media/{name}"

    def add_redirect(self, name: str, location: str) -> str:
        """A media URL that answers 302 to `location` (as Twilio's answer with its CDN)."""
        self.redirects[name] = location
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages/MM1/Media/{name}"

    def hold(self, name: str) -> None:
        """A download of this media waits (after it is recorded) until `release`."""
        self.held[name] = threading.Event()

    def release(self, name: str) -> None:
        self.held.pop(name).set()

    def messages(self) -> list[dict[str, str]]:
        return [r.form for r in self.requests if r.path.endswith("/Messages.json")]

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet tests
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The client died mid-request (the kill -9 tests): like Twilio, accept nothing of it.
                    self.close_connection = True
                    return
                raw = body.decode()
                form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
                fake.requests.append(Recorded("POST", self.path, form, _auth(self.headers.get("Authorization"))))
                if self.path.endswith("/Messages.json"):
                    capture_outgoing("twilio", form.get("To", ""), json.dumps(form, ensure_ascii=False))
                if fake.failures:
                    failure = fake.failures.popleft()
                    body = {"code": failure.code, "message": failure.message, "status": failure.status}
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    return self._json(failure.status, body, headers)
                sid = f"SM{len(fake.requests):032x}"
                return self._json(201, {"sid": sid, "status": "queued", "to": form.get("To"),
                                        "from": form.get("From"), "body": form.get("Body")})

            def do_GET(self) -> None:
                name = self.path.rsplit("/", 1)[-1]
                fake.requests.append(Recorded("GET", self.path, {}, _auth(self.headers.get("Authorization"))))
                if _auth(self.headers.get("Authorization")) != (fake.account_sid, fake.auth_token):
                    return self._json(401, {"code": 20003, "message": "Authenticate"})
                if self.path.endswith(f"/Accounts/{fake.account_sid}.json"):
                    return self._json(200, {"sid": fake.account_sid, "status": fake.account_status})
                if name in fake.redirects:
                    self.send_response(302)
                    self.send_header("Location", fake.redirects[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if name not in fake.media:
                    return self._json(404, {"code": 20404, "message": "not found"})
                gate = fake.held.get(name)
                if gate is not None:
                    gate.wait(timeout=30)
                data, content_type = fake.media[name]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password
