"""A private PostgreSQL server for one test, the web app under gunicorn and the looping notifier
as subprocesses, and a client that keeps posting signed Twilio webhooks while the server restarts.

The server is the distribution's own (/usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run
as root, and tests run as root in CI, so initdb and pg_ctl run as the `postgres` OS user in a
directory that user owns; it listens on a free port on 127.0.0.1 only, with its socket in that
directory, so it never touches the machine's shared server on :5432.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
PG_ROOT = Path("/usr/lib/postgresql")
PG_USER = "postgres"
AUTH_TOKEN = "pgrestart-auth-token"
ACCOUNT_SID = "AC" + "5" * 32
WEBHOOK = "/webhooks/twilio/whatsapp"
DATABASE = "aduan"


class PostgresUnavailable(Exception):
    """This machine cannot run a private server (no binaries, no postgres user)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until the condition holds; generous deadlines instead of fixed sleeps."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --- the private server -----------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest installed server's bin directory (the version is not hard-coded)."""
    versions = sorted((path for path in PG_ROOT.glob("*/bin") if (path / "initdb").exists()),
                      key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    if not versions:
        raise PostgresUnavailable(f"no PostgreSQL server binaries under {PG_ROOT}")
    return versions[-1]


def _as_postgres_user() -> list[str]:
    """Run a command as the postgres OS user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        raise PostgresUnavailable(f"running as root and there is no {PG_USER!r} OS user") from None
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    if not Path(runuser).exists():
        raise PostgresUnavailable("running as root and runuser is missing")
    return [runuser, "-u", PG_USER, "--"]


@dataclass
class PrivatePostgres:
    """One initdb'd cluster; `stop()`/`start()` are the restart the test is about."""

    bin: Path
    home: Path
    port: int
    prefix: list[str]

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=timeout,
                                cwd=str(self.home))
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n"
                               f"{result.stderr}\n{self.log_tail()}")

    def initdb(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def start(self) -> None:
        # fsync off: nothing here must survive a power cut, and the machine is shared.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.home} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.home / "server.log"), "-w",
                  "-t", "90", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "90", "-m", mode, "stop")

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        return None

    def ensure_stopped(self) -> None:
        """Whatever happened: stop the server, by pg_ctl, else by the postmaster's own pid."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        with contextlib.suppress(Exception):
            self.stop("immediate")
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def create_database(self) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        finally:
            admin.dispose()

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.home / "server.log").read_text(errors="replace").splitlines()[-lines:])
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh cluster with database `aduan`, running; always stopped and removed afterwards."""
    bin_dir = postgres_bin()
    prefix = _as_postgres_user()
    # Not pytest's tmp_path: its parents are root-only (0700) and the postgres user must reach this one.
    home = Path(tempfile.mkdtemp(prefix="aduan-pgrestart-"))
    server = PrivatePostgres(bin_dir, home, free_port(), prefix)
    try:
        if prefix:
            shutil.chown(home, PG_USER, PG_USER)
        server.initdb()
        server.start()
        server.create_database()
        yield server
    finally:
        server.ensure_stopped()
        shutil.rmtree(home, ignore_errors=True)


# --- the app and the notifier -----------------------------------------------------------------


def service_environment(database_url: str, port: int) -> dict[str, str]:
    """The test's environment without any secret a developer may have exported, plus the app's own."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SMTP_", "TELEGRAM_", "TWILIO_", "DATABASE_URL", "PUBLIC_BASE_URL", "TRUST_PROXY",
                                  "OPEN311_"))}
    return {**env, "DATABASE_URL": database_url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "ADUAN_CONFIG": str(ROOT / "config.yaml"),
            "SECRET_KEY": "pgrestart-secret-key-7d2e9c41b6a85f03e1d4"}


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """Production's command (WHATSAPP.md) with one worker of four threads: one pool holding several
    connections, all of them stale after the restart. (A second worker would double the 2-core
    machine's start-up time and add nothing: each worker's pool recovers on its own.)"""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}",
               "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning", "web:app_from_environment()"]
    with log.open("ab") as sink:
        return subprocess.Popen(command, cwd=str(ROOT), env=env, stdout=sink, stderr=subprocess.STDOUT)


def start_notifier(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The scheduler mode (no --once): it must live through the restart on its own."""
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, str(ROOT / "run_notifier.py"), "--config", str(ROOT / "config.yaml")],
                                cwd=str(ROOT), env=env, stdout=sink, stderr=subprocess.STDOUT)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn and the notifier both stop cleanly on it), SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
            return
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(20)


# --- Twilio, as seen from the app -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no HTTP answer at all (connection refused or reset)
    retry_after: str | None
    body: str


def signed_form(port: int, sender: str, body: str, sid: str | None = None) -> tuple[dict[str, str], str]:
    form = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": ACCOUNT_SID, "From": f"whatsapp:{sender}",
            "To": "whatsapp:+6281100009999", "Body": body, "NumMedia": "0", "ProfileName": "Warga Restart",
            "WaId": sender.removeprefix("+")}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"http://127.0.0.1:{port}{WEBHOOK}", form)
    return form, signature


def post_webhook(port: int, form: dict[str, str], signature: str) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", WEBHOOK, body=urlencode(form).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "X-Twilio-Signature": signature})
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Retry-After"), response.read().decode(errors="replace"))
    except OSError as error:
        return Answer(0, None, repr(error))
    finally:
        connection.close()


def get_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


@dataclass
class Sent:
    form: dict[str, str]
    signature: str
    answer: Answer


@dataclass
class WebhookLoad:
    """Client threads posting a signed 'halo' with a fresh MessageSid each, until stopped."""

    port: int
    threads: int = 2
    senders: int = 40
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    workers: list[threading.Thread] = field(default_factory=list)
    numbers: Iterator[int] = field(default_factory=itertools.count)

    def start(self) -> WebhookLoad:
        self.workers = [threading.Thread(target=self._run, name=f"webhook-load-{n}", daemon=True)
                        for n in range(self.threads)]
        for worker in self.workers:
            worker.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                number = next(self.numbers)
            form, signature = signed_form(self.port, f"+62812{number % self.senders:07d}", "halo")
            answer = post_webhook(self.port, form, signature)
            with self.lock:
                self.sent.append(Sent(form, signature, answer))
            # A short pause between posts: a steady stream, not a flood that buries the 2-core machine.
            self.stopping.wait(0.005)

    def stop(self) -> None:
        self.stopping.set()
        for worker in self.workers:
            worker.join(60)

    def count(self, accept: Callable[[Answer], bool]) -> int:
        with self.lock:
            return sum(1 for item in self.sent if accept(item.answer))

    def snapshot(self) -> list[Sent]:
        with self.lock:
            return list(self.sent)
