"""Classes 7 and 8: the app refuses weak secrets; sessions carry a per-official version (logout, password change,
"end all sessions"), an absolute lifetime, and exist only for officials with a password; sign-in failures slow the
guesser down per address and per account, never locking a known official out, atomically even under concurrent
attempts on PostgreSQL; failures are logged without the password; login ids are not published."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select, update

from models.accounts import BY_ACCOUNT, BY_ACCOUNT_AND_ADDRESS, BY_ADDRESS, hash_password
from models.db import transaction
from models.environment import Environment
from models.tables import Official, Throttle
from tests.dashboard.conftest import PASSWORD, TEST_SECRET_KEY, post
from tests.dashboard.live import serving
from web.dashboard import install_dashboard
from web.dashboard.security import InsecureDeployment

WRONG = "salah-sekali-123"


def build(settings: Any, database: Any, engine: Any, monkeypatch: pytest.MonkeyPatch, **env: str) -> Flask:
    app = Flask("secret-test")
    install_dashboard(app, settings, database, engine, Environment.of(env))
    return app


@pytest.mark.parametrize("key", ["", "test-secret-key", "CHANGE-ME-64-hex-characters", "x" * 64,
                                 "change-me-" + "a1b2c3d4e5" * 4, "secret"])
def test_the_app_refuses_to_start_with_a_missing_short_or_placeholder_secret_key(
        key: str, settings: Any, database: Any, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureDeployment):
        build(settings, database, engine, monkeypatch, **({"SECRET_KEY": key} if key else {}))


def test_development_mode_and_a_strong_key_start(settings: Any, database: Any, engine: Any, tmp_path: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    local = settings.model_copy(update={"base_dir": tmp_path})
    app = build(local, database, engine, monkeypatch, ADUAN_DEVELOPMENT="1")
    assert len(str(app.secret_key)) >= 32 and (tmp_path / "var" / "dashboard_secret_key").exists()
    strong = secrets.token_hex(32)
    assert build(settings, database, engine, monkeypatch, SECRET_KEY=strong).secret_key == strong


def test_logout_ends_the_officials_sessions_on_every_browser(app: Any, login: Any) -> None:
    office, home = login("pupr.admin", app.test_client()), login("pupr.admin", app.test_client())
    assert office.get("/dashboard/").status_code == home.get("/dashboard/").status_code == 200
    post(office, "/dashboard/logout")
    assert home.get("/dashboard/").status_code == 302


def test_a_new_password_ends_every_session(app: Any, login: Any, sessions: Any) -> None:
    from models.accounts import set_password

    browser = login("pupr.admin", app.test_client())
    with transaction(sessions) as db:
        set_password(db, "pupr.admin", PASSWORD)  # even the same password: a new hash, a new session version
    assert browser.get("/dashboard/").status_code == 302


def test_the_administrator_ends_all_sessions(app: Any, login: Any) -> None:
    others = [login(official, app.test_client()) for official in ("pupr.admin", "bupati", "inspektur")]
    admin = login("kominfo.triage", app.test_client())
    assert post(others[0], "/dashboard/sessions/end-all").status_code == 403  # an agency admin may not
    assert post(admin, "/dashboard/sessions/end-all").status_code == 302
    assert all(browser.get("/dashboard/").status_code == 302 for browser in [*others, admin])


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app: Any, login: Any, clock: Any,
                                                              settings: Any) -> None:
    browser = login("pupr.admin", app.test_client())
    for _ in range(settings.security.session_hours - 1):
        clock.advance(hours=1)
        assert browser.get("/dashboard/").status_code == 200
    clock.advance(hours=1, seconds=1)
    assert browser.get("/dashboard/").status_code == 302


def test_an_official_without_a_password_has_no_session_even_with_a_cookie_signed_by_the_real_key(
        client: Any, sessions: Any) -> None:
    with sessions() as db:
        version = db.get(Official, "bupati").session_version
    with client.session_transaction() as session:  # what a forger with the key could put in the cookie
        session.update(official_id="bupati", stamp=hashlib.sha256(b"").hexdigest()[:16], version=version,
                       issued=1_790_000_000.0)
    assert client.get("/dashboard/").status_code == 302


def test_a_stranger_guessing_cannot_lock_out_an_official_who_signed_in_before(
        app: Any, login: Any, clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    official = login("pupr.admin", app.test_client())  # this browser keeps its signed device cookie
    post(official, "/dashboard/logout")
    stranger = app.test_client()
    caplog.set_level(logging.WARNING, logger="aduan.accounts")
    statuses = [post(stranger, "/dashboard/login", {"login": "pupr.admin", "password": f"{WRONG}{n}"}).status_code
                for n in range(BY_ACCOUNT.free + 5)]
    assert statuses[0] == 401 and statuses[-1] == 429
    assert post(official, "/dashboard/login", {"login": "pupr.admin", "password": PASSWORD}).status_code == 302
    failures = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    throttled = [r.getMessage() for r in caplog.records if "login throttled" in r.getMessage()]
    assert failures and throttled and all("pupr.admin" in line for line in failures + throttled)
    assert not any(WRONG in r.getMessage() or PASSWORD in r.getMessage() for r in caplog.records)


def test_failures_back_off_exponentially_and_never_for_good(app: Any, login: Any, clock: Any,
                                                            sessions: Any) -> None:
    login("pupr.admin", app.test_client())
    guesser = app.test_client()
    waits = []
    for _ in range(BY_ACCOUNT_AND_ADDRESS.free + 4):
        response = post(guesser, "/dashboard/login", {"login": "pupr.admin", "password": WRONG})
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(seconds=int(response.headers["Retry-After"]))
            post(guesser, "/dashboard/login", {"login": "pupr.admin", "password": WRONG})
    assert waits == sorted(waits) and waits[-1] > waits[0]
    clock.advance(seconds=BY_ADDRESS.cap_seconds + BY_ACCOUNT_AND_ADDRESS.cap_seconds)
    assert post(guesser, "/dashboard/login", {"login": "pupr.admin", "password": PASSWORD}).status_code == 302
    with sessions() as db:  # counters hold keyed hashes, never an address or a login in clear
        keys = list(db.scalars(select(Throttle.key)))
    assert keys and not any("127.0.0.1" in key or "pupr" in key for key in keys)


def test_an_old_scrypt_hash_still_signs_in_and_is_replaced_by_a_werkzeug_hash(client: Any, sessions: Any) -> None:
    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    with transaction(sessions) as db:
        db.execute(update(Official).where(Official.id == "dlh.admin")
                   .values(password_hash=f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"))
    assert post(client, "/dashboard/login", {"login": "dlh.admin", "password": PASSWORD}).status_code == 302
    with sessions() as db:
        stored = db.get(Official, "dlh.admin").password_hash
    assert stored.startswith("scrypt:") and client.get("/dashboard/").status_code == 200


def test_no_login_id_is_published(client: Any, settings: Any) -> None:
    everything = client.get("/open311/v2/discovery.json").get_data(as_text=True)
    everything += client.get("/open311/v2/services.json").get_data(as_text=True)
    everything += client.get("/ringkasan").get_data(as_text=True) + client.get("/lacak").get_data(as_text=True)
    everything += client.get("/dashboard/login").get_data(as_text=True)
    for official, _agency in settings.all_officials():
        assert official.id not in everything, official.id


@pytest.mark.postgres
@pytest.mark.timeout(180)
@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)
def test_concurrent_failed_sign_ins_on_postgresql_are_counted_exactly_and_never_500(
        settings: Any, database: Any, engine: Any, sessions: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    many = settings.model_copy(update={"security": settings.security.model_copy(
        update={"login_attempts_per_minute": 10_000})})
    with transaction(sessions) as db:
        db.get(Official, "pupr.admin").password_hash = hash_password(PASSWORD)
    app = Flask("throttle-race")
    install_dashboard(app, many, database, engine, Environment.of({"SECRET_KEY": TEST_SECRET_KEY}))
    attempts, workers = 24, 8
    barrier = threading.Barrier(workers)

    def guess(number: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as http:
            page = http.get("/dashboard/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            if number < workers:
                barrier.wait(timeout=60)
            return http.post("/dashboard/login", data={"csrf_token": token, "login": "pupr.admin",
                                                       "password": f"{WRONG}{number}"}).status_code

    with serving(app) as base, ThreadPoolExecutor(workers) as pool:
        statuses = list(pool.map(guess, range(attempts)))
    assert all(status in (401, 429) for status in statuses), statuses
    counted = statuses.count(401)
    with sessions() as db:
        account = db.scalar(select(func.max(Throttle.count)).where(Throttle.key.like(f"{BY_ACCOUNT.name}:%")))
    assert account == counted  # every refused-and-checked attempt counted once: no lost update


def test_the_gunicorn_factory_refuses_to_boot_without_a_strong_key(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ADUAN_DEVELOPMENT"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'boot.db'}", ADUAN_CONFIG=str(root / "config.yaml"))
    prepared = subprocess.run([sys.executable, "manage.py", "db", "upgrade"], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)
    assert prepared.returncode == 0, prepared.stderr[-500:]  # a ready database: only the key can stop the boot
    for key in (None, "CHANGE-ME-64-hex-characters"):
        if key:
            env["SECRET_KEY"] = key
        started = subprocess.run([sys.executable, "-c", "import web; web.app_from_environment()"], cwd=root,
                                 env=env, capture_output=True, text=True, timeout=120)
        assert started.returncode != 0 and "SECRET_KEY" in started.stderr, started.stderr[-500:]
        if key:
            assert key not in started.stderr  # the refusal never repeats the key itself


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_the_command_line_ends_every_officials_sessions_or_one(app: Any, login: Any, db_engine: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import manage

    browsers = {official: login(official, app.test_client()) for official in ("pupr.admin", "bupati", "inspektur")}
    monkeypatch.setenv("DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    assert manage.main(["officials", "end-sessions", "bupati"]) == 0
    assert browsers["bupati"].get("/dashboard/").status_code == 302
    assert browsers["pupr.admin"].get("/dashboard/").status_code == 200
    assert manage.main(["officials", "end-sessions", "nobody.here"]) == 1
    assert manage.main(["officials", "end-sessions"]) == 0
    assert all(browser.get("/dashboard/").status_code == 302 for browser in browsers.values())
