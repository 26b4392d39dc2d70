"""A fake Telegram Bot API on 127.0.0.1 for end-to-end tests: the real python-telegram-bot HTTP
stack (and the notifier's transport) talk to it exactly as they would to api.telegram.org.

It queues updates the test injects, answers the methods the bot uses, records every request,
and can be told to answer 429 (flood control), 400 or 403 (blocked) for the next call.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

try:  # the suite-wide payload guard scans what the fake delivered (absent outside pytest)
    from payload_guard import capture_outgoing
except ImportError:  # pragma: no cover - used from a plain script
    def capture_outgoing(source: str, recipient: str, content: str) -> None:
        return None

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Aduan Batola", "username": "aduan_batola_bot"}
# Parameters Telegram sends as JSON-serialised strings inside form bodies.
JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "scope"}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    chat_id: str | None = None


@dataclass
class FakeState:
    token: str
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    redeliveries: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)
    next_update_id: int = 500
    next_message_id: int = 9000


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.state = FakeState(token)
        self.changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       name="fake-bot-api", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeBotApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        with self.changed:
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # --- what the test does ----------------------------------------------------------------

    def inject(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self.changed:
            update.setdefault("update_id", self.state.next_update_id)
            self.state.next_update_id = max(self.state.next_update_id, update["update_id"]) + 1
            self.state.updates.append(update)
            self.changed.notify_all()
            return int(update["update_id"])

    def redeliver(self, update: dict[str, Any]) -> None:
        """Serve this update once more, whatever offset the bot confirms (a redelivery)."""
        with self.changed:
            self.state.redeliveries.append(update)
            self.changed.notify_all()

    def fail_next(self, method: str, status: int = 429, description: str = "Too Many Requests: retry after 1",
                  retry_after: int | None = 1, chat_id: str | None = None) -> None:
        with self.changed:
            failure = Failure(status, description, retry_after, chat_id)
            self.state.failures.setdefault(method, []).append(failure)

    def block(self, chat_id: int | str) -> None:
        """The citizen blocked the bot: every send to this chat is refused with 403."""
        with self.changed:
            self.state.blocked.add(str(chat_id))

    def add_file(self, file_id: str, data: bytes) -> None:
        with self.changed:
            self.state.files[file_id] = data

    # --- what the test looks at ------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        with self.changed:
            found = [c for c in self.state.calls if method is None or c.method == method]
        if chat_id is not None:
            found = [c for c in found if str(c.params.get("chat_id")) == str(chat_id)]
        return found

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.calls("sendMessage", chat_id)]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake Bot API: condition not met within {timeout} s")
                self.changed.wait(min(left, 0.05))

    def wait_processed(self, update_id: int, timeout: float = 10.0) -> None:
        """The bot asked for updates after `update_id`: it has finished with that one."""
        def confirmed() -> bool:
            offsets = [int(c.params.get("offset") or 0) for c in self.state.calls if c.method == "getUpdates"]
            return any(offset > update_id for offset in offsets)
        self.wait_until(confirmed, timeout)

    # --- what the server does --------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.changed:
            self.state.calls.append(Call(method, params, time.monotonic()))
            self.changed.notify_all()
            failure = self._failure_for(method, params)
        if "chat_id" in params and method.startswith(("send", "edit")):
            capture_outgoing("telegram", str(params["chat_id"]), json.dumps(params, ensure_ascii=False, default=str))
        if failure is not None:
            return failure
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        handler = _METHODS.get(method)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return 200, {"ok": True, "result": handler(self, params)}

    def _failure_for(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        chat = str(params.get("chat_id", ""))
        if method.startswith("send") and chat in self.state.blocked:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        with self.changed:
            queue = self.state.failures.get(method, [])
            failure = next((f for f in queue if f.chat_id in (None, chat)), None)
            if failure is None:
                return None
            queue.remove(failure)
        body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
        if failure.retry_after is not None:
            body["parameters"] = {"retry_after": failure.retry_after}
        return failure.status, body

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 5.0)
        deadline = time.monotonic() + wait
        with self.changed:
            # Like Telegram: asking with an offset confirms (and forgets) everything before it.
            self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
            while not (self.state.updates or self.state.redeliveries) and time.monotonic() < deadline:
                self.changed.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            ready = self.state.redeliveries + [u for u in self.state.updates if u["update_id"] >= offset]
            self.state.redeliveries = []
            return ready

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        with self.changed:
            self.state.next_message_id += 1
            message_id = self.state.next_message_id
        chat_id = int(params["chat_id"])
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        if chat_id < 0:
            chat["title"] = "Grup"
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, **content}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=str(params.get("text", "")))

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        data = self.state.files.get(file_id, b"")
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(data),
                "file_path": f"photos/{file_id}.jpg"}

    def file_bytes(self, path: str) -> bytes | None:
        file_id = path.rsplit("/", 1)[-1].removesuffix(".jpg")
        with self.changed:
            self.state.calls.append(Call("download", {"path": path}, time.monotonic()))
            self.changed.notify_all()
            return self.state.files.get(file_id)


_METHODS: dict[str, Callable[[FakeBotApi, dict[str, Any]], Any]] = {
    "getMe": lambda api, _: BOT_USER,
    "sendMessage": FakeBotApi._send_message,
    "sendPhoto": lambda api, params: api._message(params, photo=[
        {"file_id": "sent-photo", "file_unique_id": "sent-photo", "width": 1, "height": 1}]),
    "answerCallbackQuery": lambda api, _: True,
    "setMyCommands": lambda api, _: True,
    "deleteWebhook": lambda api, _: True,
    "setWebhook": lambda api, _: True,
    "editMessageReplyMarkup": lambda api, _: True,
    "getFile": FakeBotApi._get_file,
}


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._dispatch()

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            return

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            file_prefix, api_prefix = f"/file/bot{api.state.token}/", f"/bot{api.state.token}/"
            if path.startswith(file_prefix):
                data = api.file_bytes(path.removeprefix(file_prefix))
                self._reply_bytes(200 if data is not None else 404, data or b"", "image/jpeg")
                return
            if not path.startswith(api_prefix):
                self._reply_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            params = {**_single(parse_qs(parts.query)), **self._body()}
            status, body = api.answer(path.removeprefix(api_prefix), params)
            self._reply_json(status, body)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if not raw:
                return {}
            if kind == "application/json":
                return dict(json.loads(raw))
            fields = _single(parse_qs(raw.decode("utf-8"), keep_blank_values=True))
            return {key: json.loads(value) if key in JSON_PARAMS else value for key, value in fields.items()}

        def _reply_json(self, status: int, body: dict[str, Any]) -> None:
            self._reply_bytes(status, json.dumps(body).encode(), "application/json")

        def _reply_bytes(self, status: int, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _single(fields: dict[str, list[str]]) -> dict[str, Any]:
    return {key: values[-1] for key, values in fields.items()}
