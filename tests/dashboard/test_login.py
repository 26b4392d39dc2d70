"""Officials sign in with scrypt-hashed passwords; failures are throttled; sessions are safe.
(tests/security/test_sessions_and_throttle.py holds the throttle's and the sessions' own rules.)"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models.accounts import BY_ACCOUNT_AND_DEVICE, hash_password, verify_password
from models.db import transaction
from models.tables import Official, Throttle
from tests.dashboard.conftest import PASSWORD, post


def test_passwords_are_stored_as_salted_scrypt_hashes_that_verify() -> None:
    first, second = hash_password("kata-sandi-panjang"), hash_password("kata-sandi-panjang")
    assert first.startswith("scrypt") and first != second
    assert verify_password("kata-sandi-panjang", first)
    assert not verify_password("kata-sandi-salah", first)
    assert not verify_password("apa saja", None)


def test_an_admin_signs_in_sees_the_inbox_and_signs_out(client, login) -> None:
    login("pupr.admin")
    assert client.get("/dashboard/").status_code == 200
    response = post(client, "/dashboard/logout")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_pages_need_a_signed_in_official(client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/dashboard/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_and_counted(client, login, sessions) -> None:
    login("pupr.admin")
    post(client, "/dashboard/logout")
    response = post(client, "/dashboard/login", {"login": "pupr.admin", "password": "salah-sekali-123"})
    assert response.status_code == 401
    with sessions() as db:
        assert [row.count for row in db.scalars(select(Throttle))] == [1]


def test_after_too_many_failures_even_the_right_password_waits(client, login, clock) -> None:
    login("pupr.admin")
    post(client, "/dashboard/logout")
    for _ in range(BY_ACCOUNT_AND_DEVICE.free + 1):
        post(client, "/dashboard/login", {"login": "pupr.admin", "password": "salah-sekali-123"})
    refused = post(client, "/dashboard/login", {"login": "pupr.admin", "password": PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    clock.advance(minutes=16)
    assert post(client, "/dashboard/login", {"login": "pupr.admin", "password": PASSWORD}).status_code == 302


def test_the_session_cookie_is_http_only_and_same_site(client, login) -> None:
    post(client, "/dashboard/login", {"login": "nobody", "password": "x"})
    login("pupr.admin")
    cookie = client.get_cookie("aduan_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_login_refuses_a_form_without_the_csrf_token(client) -> None:
    response = client.post("/dashboard/login", data={"login": "pupr.admin", "password": PASSWORD})
    assert response.status_code == 400


def test_login_never_redirects_to_another_site(client, login, sessions) -> None:
    login("pupr.admin")
    post(client, "/dashboard/logout")
    response = post(client, "/dashboard/login", {"login": "pupr.admin", "password": PASSWORD,
                                                  "next": "//evil.example/"})
    assert response.headers["Location"].endswith("/dashboard/")


def test_changing_the_password_ends_existing_sessions(client, login, sessions) -> None:
    login("pupr.admin")
    with transaction(sessions) as db:
        db.get(Official, "pupr.admin").password_hash = hash_password("yang-baru-sekali")
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_manage_py_sets_a_password_from_stdin(db_engine, sessions, monkeypatch, tmp_path) -> None:
    import manage

    monkeypatch.setenv("DATABASE_URL", str(db_engine.url))
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-baru-99\n"))
    assert manage.main(["officials", "set-password", "dlh.admin"]) == 0
    with sessions() as db:
        stored = db.scalars(select(Official.password_hash).where(Official.id == "dlh.admin")).one()
    assert verify_password("kata-sandi-baru-99", stored)
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert manage.main(["officials", "set-password", "dlh.admin"]) == 1


def test_pages_forbid_framing_and_inline_scripts(client) -> None:
    headers = client.get("/dashboard/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
