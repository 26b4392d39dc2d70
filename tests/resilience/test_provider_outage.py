"""Provider outages: Telegram, Twilio and SMTP answer 500 or hang past the transport's timeout, then recover.

The notifier runs in this process on the injected clock, so backoff is observed without waiting for it;
the transports are the real ones, talking HTTP/SMTP to the fake providers behind an outage switch.
What admins see is read through the real admin command (`manage.py`) and the web app's /metrics.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import ssl
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from outage_support import (
    PASSWORD,
    ROOT,
    TELEGRAM_500,
    TOKEN,
    TWILIO_500,
    USER,
    FakeBotApi,
    FakeTwilio,
    HttpOutage,
    Recorder,
    TcpOutage,
    make_certificate,
    serving,
    start_server,
)
from sqlalchemy import select
from twilio.rest import Client

from bot.setup import build_engine
from bot.whatsapp.config import whatsapp_config
from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.runtime import Database, prepare_database
from models.tables import Notification, OfficialContact
from notifier.backoff import BACKOFF_BASE_SECONDS
from notifier.ratelimit import RateLimiter
from notifier.service import Notifier, rate_limits
from notifier.transports import LogTransport
from notifier.transports.email import EmailConfig, EmailTransport
from notifier.transports.telegram import TelegramTransport
from notifier.transports.whatsapp import RoutedHttpClient, WhatsAppTransport
from tests.conftest import TEST_SECRET_KEY
from web import create_app

# Far below the shipped 15-20 s: a hung provider costs the test this much real time per attempt.
TRANSPORT_TIMEOUT = 1.0
JITTER = (0.8, 1.2)  # notifier.backoff.retry_delay: base * 2**(attempt-1) * uniform(0.8, 1.2)
TWILIO_SID, TWILIO_TOKEN = "AC" + "5" * 32, "outage-test-token"


@pytest.fixture
def database(tmp_path: Path, settings: Settings, sqlite_template: Path) -> Iterator[tuple[Database, str]]:
    """A real SQLite file, so `manage.py` in another process reads what the notifier wrote."""
    shutil.copy(sqlite_template, tmp_path / "outage.db")
    url = f"sqlite:///{tmp_path / 'outage.db'}"
    database = prepare_database(settings, Environment.of({}), url)
    yield database, url
    database.engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Starts at the real now: `manage.py status` counts the last day's failures on the wall clock."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[TcpOutage, Recorder]]:
    controller, recorder = start_server(*certificate)
    outage = TcpOutage(controller.port)
    yield outage, recorder
    outage.stop()
    controller.stop()


@pytest.fixture
def telegram() -> Iterator[tuple[HttpOutage, FakeBotApi]]:
    api = FakeBotApi().start()
    outage = HttpOutage(api.url, TELEGRAM_500)
    yield outage, api
    outage.stop()
    api.stop()


@pytest.fixture
def twilio() -> Iterator[tuple[HttpOutage, FakeTwilio]]:
    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    outage = HttpOutage(fake.base_url, TWILIO_500)
    yield outage, fake
    outage.stop()
    fake.stop()


def on_clock(clock: FixedClock) -> Callable[[], float]:
    """Rate-limit pacing on the injected clock: retries minutes apart (virtual) are milliseconds apart in real
    time, and real-time buckets would defer them over and over (or sleep) for nothing."""
    return lambda: clock().timestamp()


def no_sleep(seconds: float) -> None:
    return None


def telegram_transport(outage: HttpOutage, clock: FixedClock) -> TelegramTransport:
    return TelegramTransport(TOKEN, outage.url, client=httpx.Client(timeout=TRANSPORT_TIMEOUT),
                             clock=on_clock(clock), sleep=no_sleep)


def whatsapp_transport(outage: HttpOutage, settings: Settings, clock: FixedClock) -> WhatsAppTransport:
    client = Client(TWILIO_SID, TWILIO_TOKEN, http_client=RoutedHttpClient(outage.url, timeout=TRANSPORT_TIMEOUT))
    return WhatsAppTransport(client, whatsapp_config(settings, require_templates=True), "+6281100009999", None,
                             clock=clock)


def email_transport(outage: TcpOutage, certificate: tuple[Path, Path]) -> EmailTransport:
    config = EmailConfig(host="127.0.0.1", port=outage.port, sender="aduan@baritokuala.example.org",
                         timeout_seconds=TRANSPORT_TIMEOUT)
    return EmailTransport(config, USER, PASSWORD, tls_context=ssl.create_default_context(cafile=str(certificate[0])))


def notifier_with(settings: Settings, database: Database, clock: FixedClock, **transports: object) -> Notifier:
    limiter = RateLimiter(rate_limits(settings), monotonic=on_clock(clock), sleep=no_sleep)
    return Notifier(settings, database.sessions, clock, transports=dict(transports),  # type: ignore[arg-type]
                    fallback=LogTransport(io.StringIO()), limiter=limiter, owner="outage-test")


def alert(database: Database, clock: FixedClock, official: str, channel: str, code: str) -> None:
    """An escalation alert as the ladder writes it, to one of the official's contacts."""
    with transaction(database.sessions) as session:
        address = session.scalars(select(OfficialContact.address).where(
            OfficialContact.official_id == official, OfficialContact.channel == channel)).one()
        enqueue(session, recipient=Recipient("official", official, channel, address), purpose="escalation_head",
                payload={"text": f"ESKALASI {code}: jalan rusak belum ditanggapi",
                         "variables": {"code": code, "agency": "PUPR", "summary": "jalan rusak"}},
                dedup_key=f"{code}:escalation_head:1:official-{official}:{channel}", now=clock(), level=1)


class Drive:
    """Run delivery passes on the injected clock, jumping to the next row that is due, and remember
    at which (virtual) instant each attempt of each row was made."""

    def __init__(self, notifier: Notifier, database: Database, clock: FixedClock) -> None:
        self.notifier = notifier
        self.sessions = database.sessions
        self.clock = clock
        self.attempted_at: dict[int, list[datetime]] = defaultdict(list)

    def one_pass(self, before: Callable[[datetime], None] = lambda now: None) -> None:
        with self.sessions() as session:
            due = session.scalar(select(Notification.next_attempt_at).where(Notification.status == "queued")
                                 .order_by(Notification.next_attempt_at).limit(1))
        if due is not None and due > self.clock():
            self.clock.set(due)
        before(self.clock())
        attempts_before = self._attempts()
        self.notifier.dispatch()
        for row_id, attempts in self._attempts().items():
            if attempts > attempts_before.get(row_id, 0):
                self.attempted_at[row_id].append(self.clock())

    def until_settled(self, before: Callable[[datetime], None] = lambda now: None, passes: int = 80) -> None:
        for _ in range(passes):
            if not self.pending():
                return
            self.one_pass(before)
        raise AssertionError(f"still pending after {passes} passes: {self.pending()}")

    def pending(self) -> list[int]:
        with self.sessions() as session:
            return list(session.scalars(select(Notification.id).where(Notification.status.in_(["queued", "sending"]))))

    def rows(self) -> list[Notification]:
        with self.sessions() as session:
            return list(session.scalars(select(Notification).order_by(Notification.id)))

    def _attempts(self) -> dict[int, int]:
        with self.sessions() as session:
            return {row_id: attempts for row_id, attempts in session.execute(
                select(Notification.id, Notification.attempts))}


def manage(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "--config", str(ROOT / "config.yaml"), *args],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=90, check=False)


def exposed(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A Prometheus exposition as (name, labels) -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def backoff_bounds(attempt: int) -> tuple[float, float]:
    """The wait after failed attempt number `attempt` (1-based)."""
    base = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
    return base * JITTER[0], base * JITTER[1]


@pytest.mark.timeout(90)
def test_a_telegram_outage_of_500s_then_hangs_loses_nothing_and_retries_with_growing_backoff(
        settings: Settings, database: tuple[Database, str], clock: FixedClock, telegram) -> None:  # type: ignore[no-untyped-def]
    db, url = database
    outage, api = telegram
    start = clock()
    chats = {}
    with db.sessions() as session:
        contacts = list(session.scalars(select(OfficialContact).where(OfficialContact.channel == "telegram")
                                        .order_by(OfficialContact.id).limit(4)))
    for number, contact in enumerate(contacts):
        alert(db, clock, contact.official_id, "telegram", f"BTL-TG0{number}")
        chats[contact.address] = f"ESKALASI BTL-TG0{number}: jalan rusak belum ditanggapi"
    drive = Drive(notifier_with(settings, db, clock, telegram=telegram_transport(outage, clock)), db, clock)

    def provider_at(now: datetime) -> None:
        # Attempt 1 (t=0) and 2 (t=24..36 s) get 500s, attempt 3 (t=72..108 s) hangs, attempt 4 (t>=168 s) works.
        elapsed = (now - start).total_seconds()
        outage.set("error" if elapsed < 50 else "hang" if elapsed < 150 else "up")

    drive.one_pass(provider_at)
    listed = json.loads(manage(url, "notifications", "list", "--json").stdout)
    assert {(row["status"], row["attempts"], row["last_error"]) for row in listed} == {
        ("queued", 1, "telegram HTTP 500: Internal Server Error")}, "admins see every row waiting and why"
    drive.until_settled(provider_at)

    rows = drive.rows()
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {("sent", 4, None)}
    for chat, text in chats.items():
        assert api.texts_to(chat) == [text], "delivered exactly once after the recovery"
    assert (outage.count("error", "/sendMessage"), outage.count("hang", "/sendMessage")) == (8, 4)
    for row in rows:
        times = drive.attempted_at[row.id]
        gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
        assert len(gaps) == 3 and gaps == sorted(gaps) and len(set(gaps)) == 3, gaps
        for attempt, gap in enumerate(gaps, start=1):
            low, high = backoff_bounds(attempt)
            assert low <= gap <= high, (attempt, gap)
    second_tries = {drive.attempted_at[row.id][1] for row in rows}
    assert len(second_tries) > 1, "jitter spreads the retries instead of a thundering herd"


@pytest.mark.timeout(90)
def test_an_official_whose_whatsapp_is_down_gets_the_alert_by_email_and_admins_see_the_failure(
        settings: Settings, database: tuple[Database, str], clock: FixedClock, twilio, smtp, certificate,
        routing_table) -> None:  # type: ignore[no-untyped-def]
    db, url = database
    whatsapp_outage, fake_twilio = twilio
    smtp_outage, mailbox = smtp
    alert(db, clock, "pupr.head", "whatsapp", "BTL-WA01")
    notifier = notifier_with(settings, db, clock, whatsapp=whatsapp_transport(whatsapp_outage, settings, clock),
                             email=email_transport(smtp_outage, certificate))
    drive = Drive(notifier, db, clock)
    whatsapp_outage.set("error")  # Twilio answers 500 for the whole test

    drive.until_settled()

    failed, fallback = drive.rows()
    assert (failed.channel, failed.status, failed.attempts) == ("whatsapp", "failed", settings.notifier.max_attempts)
    assert failed.last_error is not None and failed.last_error.startswith("20500")
    assert (fallback.channel, fallback.status) == ("email", "sent")
    assert fallback.dedup_key == f"{failed.dedup_key}>email"
    assert [rcpt for rcpt, _ in mailbox.messages] == [["kepala.pupr@baritokuala.example.org"]]
    assert f"X-Aduan-Notification: {fallback.id}" in mailbox.messages[0][1]
    assert "ESKALASI BTL-WA01" in mailbox.messages[0][1]
    assert whatsapp_outage.count("error") == settings.notifier.max_attempts and fake_twilio.messages() == []

    status = json.loads(manage(url, "status", "--json").stdout)
    assert status["failed_last_day"] == [{"channel": "whatsapp", "reason": failed.last_error, "count": 1}]
    assert status["depth"] == {"failed": 1, "sent": 1}
    app = create_app(settings, Environment.of({"SECRET_KEY": TEST_SECRET_KEY}), database=db,
                     engine=build_engine(settings, db.sessions, clock, routing_table))
    with serving(app) as base:
        metrics = exposed(httpx.get(f"{base}/metrics", timeout=30).text)
    assert metrics[("aduan_outbox_failed", ())] == 1
    assert metrics[("aduan_outbox_notifications", (("status", "failed"),))] == 1


@pytest.mark.timeout(90)
def test_a_failed_self_check_alerts_the_operators_by_email_once_smtp_stops_hanging(
        settings: Settings, database: tuple[Database, str], clock: FixedClock, telegram, smtp,
        certificate) -> None:  # type: ignore[no-untyped-def]
    db, url = database
    telegram_outage, _ = telegram
    smtp_outage, mailbox = smtp
    notifier = notifier_with(settings, db, clock, telegram=telegram_transport(telegram_outage, clock),
                             email=email_transport(smtp_outage, certificate))
    telegram_outage.set("error")
    smtp_outage.set("hang")

    results = {result.transport: result for result in notifier.self_check()}
    assert not results["telegram"].ok and "Internal Server Error" in results["telegram"].detail
    assert not results["email"].ok
    down = manage(url, "status")
    assert down.returncode == 1
    assert "transport telegram  FAILED Internal Server Error" in down.stdout
    assert "transport email     FAILED" in down.stdout

    drive = Drive(notifier, db, clock)
    drive.one_pass()  # the operators' alert: SMTP accepts the connection but never greets
    (waiting,) = drive.rows()
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.last_error is not None and waiting.last_error.startswith("SMTP unavailable")
    smtp_outage.set("up")
    drive.until_settled()

    (sent,) = drive.rows()
    assert (sent.status, sent.attempts, sent.recipient_id, sent.channel) == ("sent", 2, "kominfo.ops", "email")
    assert backoff_bounds(1)[0] <= (drive.attempted_at[sent.id][1] - drive.attempted_at[sent.id][0]).total_seconds()
    assert [rcpt for rcpt, _ in mailbox.messages] == [["ops@baritokuala.example.org"]]
    assert "Kanal telegram GAGAL uji mandiri" in mailbox.messages[0][1]

    telegram_outage.set("up")
    clock.advance(minutes=settings.notifier.self_check_minutes)
    assert all(result.ok for result in notifier.self_check())
    recovered = manage(url, "status")
    assert recovered.returncode == 0, recovered.stdout
    assert "transport telegram  OK" in recovered.stdout and "transport email     OK" in recovered.stdout
