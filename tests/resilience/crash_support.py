"""Helpers for the kill -9 tests: the real entry points as subprocesses, a fake Twilio to count deliveries.

Test directories are not packages, so the fake servers of the channel suites are found by putting
their directories on ``sys.path`` (their module names are unique in the tree).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
for _suite in ("whatsapp", "telegram", "notifier"):
    if str(ROOT / "tests" / _suite) not in sys.path:
        sys.path.append(str(ROOT / "tests" / _suite))

from fake_twilio import FakeTwilio  # noqa: E402

ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "crash-test-token"
SENDER = "+6281100009999"
PUBLIC = "https://lapor.baritokuala.example.go.id"
CALLBACK_PREFIX = f"{PUBLIC}/webhooks/twilio/status/"


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's own environment without any channel secret a developer may have exported."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SMTP_", "TELEGRAM_", "TWILIO_", "DATABASE_URL", "PUBLIC_BASE_URL"))}
    return {**env, **extra}


def twilio_environment(fake: FakeTwilio, database_url: str) -> dict[str, str]:
    return clean_environment(DATABASE_URL=database_url, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                             TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_API_BASE_URL=fake.base_url,
                             TWILIO_WHATSAPP_FROM=SENDER, PUBLIC_BASE_URL=PUBLIC)


def start_fake_twilio() -> FakeTwilio:
    return FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()


def deliveries_by_token(fake: FakeTwilio) -> Counter[str]:
    """How often each notification reached Twilio, keyed by its unguessable callback token
    (every message the transport creates carries its own status-callback URL)."""
    return Counter(form["StatusCallback"].removeprefix(CALLBACK_PREFIX) for form in list(fake.messages()))


def start_notifier_once(config: Path, env: dict[str, str], now: str, log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "run_notifier.py"), "--config", str(config), "--once",
                             "--now", now], cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until the condition holds; generous deadlines, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def kill_hard(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGKILL (no cleanup handlers run, like a power cut) and reap the process."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(30)


class ConsoleBot:
    """`run_bot.py --console` with piped stdin; replies are read on a thread so waits can time out."""

    def __init__(self, config: Path, env: dict[str, str], chat_id: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run_bot.py"), "--console", "--config", str(config), "--chat-id", chat_id],
            cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.transcript: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def say(self, text: str, expect: str, timeout: float = 60.0) -> str:
        """Type one line and wait for the reply containing `expect`; returns everything read meanwhile."""
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        return self.wait_for_output(expect, timeout)

    def wait_for_output(self, expect: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while not any(expect in line for line in seen):
            left = deadline - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and self.lines.empty()):
                raise AssertionError(f"bot never said {expect!r}; transcript:\n{''.join(self.transcript + seen)}")
            try:
                seen.append(self.lines.get(timeout=min(left, 0.5)))
            except queue.Empty:
                continue
        # A reply may span several lines (choices, deadlines): take what has already arrived too.
        while not self.lines.empty():
            seen.append(self.lines.get())
        self.transcript += seen
        return "".join(seen)

    def kill(self) -> None:
        kill_hard(self.process)

    def close(self) -> None:
        """End of input (Ctrl-D) for a clean exit; SIGKILL if it does not go."""
        try:
            if self.process.stdin is not None and not self.process.stdin.closed:
                self.process.stdin.close()
            self.process.wait(20)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            pass
        kill_hard(self.process)
