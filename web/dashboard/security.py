"""App-level setup: secret key, session cookie flags, CSRF tokens, security headers, language, teardown.

The app refuses to start with a missing, short or placeholder SECRET_KEY (anyone who knows the key can
sign a session cookie), except in the explicit development mode `make run` uses (ADUAN_DEVELOPMENT=1),
where a random key kept under var/ is fine.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request, session

from models.config import Settings
from models.environment import Environment, secret
from web.dashboard.context import close_read_session
from web.dashboard.i18n import LANGUAGES, translate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


MIN_SECRET_CHARS = 32
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "replace_me", "placeholder", "example",
                "your-secret", "secret-key-here", "xxxxxxxx")
# Pages that show personal data (officials' pages, the citizen's own chat): never kept by a browser or proxy.
PRIVATE_PATHS = ("/dashboard", "/chat")


class InsecureDeployment(RuntimeError):
    """The app would run with settings an attacker can exploit; the message says what to fix."""


def init_security(app: Flask, settings: Settings, environment: Environment) -> None:
    app.secret_key = secret_key(environment, settings)
    app.config["ADUAN_TRUST_PROXY"] = environment.trust_proxy
    app.after_request(_every_response)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="aduan_session",
        SESSION_COOKIE_SECURE=_secure_cookies(settings, environment),
        PERMANENT_SESSION_LIFETIME=settings.security.session_hours * 3600,
    )
    app.teardown_appcontext(close_read_session)
    app.context_processor(_template_globals)


def _secure_cookies(settings: Settings, environment: Environment) -> bool:
    if environment.session_cookie_secure is not None:
        return environment.session_cookie_secure
    return settings.region.dashboard_url.startswith("https://")


def secret_key(environment: Environment, settings: Settings) -> str:
    key = secret(environment.secret_key) or ""
    if key:
        problem = weak_secret(key)
        if problem and not environment.aduan_development:
            raise InsecureDeployment(f"SECRET_KEY {problem}; generate one with "
                                     "python3 -c 'import secrets; print(secrets.token_hex(32))'")
        return key
    if environment.aduan_development:
        return _dev_secret(settings.resolve("var") / "dashboard_secret_key")
    raise InsecureDeployment("SECRET_KEY is not set (ADUAN_DEVELOPMENT=1 generates a local key for development)")


def weak_secret(key: str) -> str | None:
    """Why a key is unfit to sign sessions, or None."""
    if len(key) < MIN_SECRET_CHARS:
        return f"is too short ({len(key)} characters; at least {MIN_SECRET_CHARS})"
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDERS):
        return "is a placeholder"
    if len(set(key)) < 10:
        return "repeats too few characters to be random"
    return None


def client_address() -> str:
    """The client's address: the proxy's X-Forwarded-For only when TRUST_PROXY=1 (nginx overwrites it)."""
    if current_app.config.get("ADUAN_TRUST_PROXY"):
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return (request.remote_addr or "-")[:64]


def _every_response(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith(PRIVATE_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response


def _dev_secret(path: Path) -> str:
    """A generated key kept under var/ so sessions survive restarts on a developer machine."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="CSRF token missing or wrong")


HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def protect(blueprint: Blueprint) -> Blueprint:
    """CSRF on every state-changing request; strict security headers on every page (no inline script)."""
    blueprint.before_request(check_csrf)
    blueprint.after_request(_security_headers)
    return blueprint


def _security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "id"


def _template_globals() -> dict[str, Any]:
    lang = language()
    return {"csrf_token": csrf_token, "lang": lang, "t": lambda key, **values: translate(key, lang, **values)}
