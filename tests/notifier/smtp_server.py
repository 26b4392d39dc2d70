"""A local SMTP server (aiosmtpd) with STARTTLS and login, recording what it receives."""

from __future__ import annotations

import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

try:  # the suite-wide payload guard scans what the fake delivered (absent in the crash test's subprocess)
    from payload_guard import capture_outgoing
except ImportError:  # pragma: no cover - run as a plain script
    def capture_outgoing(source: str, recipient: str, content: str) -> None:
        return None

USER, PASSWORD = "notifier", "rahasia"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    messages: list[tuple[list[str], str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        capture_outgoing("smtp", ",".join(envelope.rcpt_tos), self.messages[-1][1])
        return "250 Message accepted"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def start_server(cert: Path, key: Path, port: int | None = None) -> tuple[Controller, Recorder]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port or free_port(), tls_context=context,
                            require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    controller.start()
    return controller, recorder


def serve_forever(cert: Path, key: Path, port: int, log_path: Path) -> None:
    """For the crash test: run in a subprocess, append every received message's notification id to a file."""
    controller, recorder = start_server(cert, key, port)

    async def handle_data(server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content.decode("utf-8", "replace")
        marker = next(line for line in content.splitlines() if line.startswith("X-Aduan-Notification:"))
        with log_path.open("a") as handle:
            handle.write(marker.split(":", 1)[1].strip() + "\n")
        return "250 Message accepted"

    recorder.handle_DATA = handle_data  # type: ignore[method-assign]
    import time

    while True:
        time.sleep(3600)


if __name__ == "__main__":
    import sys

    serve_forever(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
