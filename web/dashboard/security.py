"""App-level setup: secret key, session cookie flags, CSRF tokens, language, teardown."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, request, session

from models.config import Settings
from models.environment import Environment, secret
from web.dashboard.context import close_read_session
from web.dashboard.i18n import LANGUAGES, translate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_security(app: Flask, settings: Settings, environment: Environment) -> None:
    app.secret_key = secret(environment.secret_key) or _dev_secret(settings.resolve("var") / "dashboard_secret_key")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="aduan_session",
        SESSION_COOKIE_SECURE=_secure_cookies(settings, environment),
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    app.teardown_appcontext(close_read_session)
    app.context_processor(_template_globals)


def _secure_cookies(settings: Settings, environment: Environment) -> bool:
    if environment.session_cookie_secure is not None:
        return environment.session_cookie_secure
    return settings.region.dashboard_url.startswith("https://")


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
