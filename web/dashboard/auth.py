"""Officials sign in and out; "end all sessions"; language switch; the dashboard's static files.

A successful sign-in leaves a signed device cookie naming the login: that browser is then throttled on its own
counter, so a stranger guessing the same login can slow themselves down but never lock the official out.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from bot.dialog.words import clean
from models.accounts import SignIn, authenticate, end_sessions
from models.config import Role
from models.db import transaction
from web.dashboard.context import Context, login_required, start_session
from web.dashboard.i18n import LANGUAGES
from web.dashboard.limits import limit
from web.dashboard.security import client_address, protect

DEVICE_COOKIE = "aduan_device"
DEVICE_DAYS = 90
# Anything a browser could read as another host or a new header line: never followed after sign-in.
UNSAFE_TARGET = re.compile(r"[\x00-\x1f\x7f\\]")


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("auth", __name__, template_folder="templates", static_folder="static",
                           static_url_path="/dashboard/static"))
    limit(bp, context, "login", lambda: context.settings.security.login_attempts_per_minute,
          methods=frozenset({"POST"}))

    @bp.get("/dashboard/login")
    def login() -> str:
        return render_template("dashboard/login.html", failed=False, wait=0, next=_local(request.args.get("next")))

    @bp.post("/dashboard/login")
    def login_post() -> Response | tuple[str, int, dict[str, str]]:
        # Official ids are short plain text; control characters or a novel never reach the throttle table.
        login_id = clean(request.form.get("login", "")).lower()[:64]
        attempt = SignIn(login_id, client_address(), _known_device(login_id))
        with transaction(context.database.sessions) as db:
            result = authenticate(db, attempt, request.form.get("password", ""), context.now())
            if result.official is not None:
                start_session(context, result.official)
        if result.official is None:
            wait = int(result.retry_after + 0.999)
            headers = {"Retry-After": str(wait)} if wait else {}
            page = render_template("dashboard/login.html", failed=True, wait=wait,
                                   next=_local(request.form.get("next")))
            return page, 429 if wait else 401, headers
        response = redirect(_local(request.form.get("next")) or url_for("inbox.index"))
        _remember_device(response, login_id)
        return response

    @bp.post("/dashboard/logout")
    def logout() -> Response:
        official_id = session.get("official_id")
        if official_id:
            with transaction(context.database.sessions) as db:
                end_sessions(db, str(official_id))  # this browser and any other still signed in
        lang = session.get("lang")
        session.clear()
        session["lang"] = lang or "id"
        return redirect(url_for("auth.login"))

    @bp.post("/dashboard/sessions/end-all")
    @login_required(context, roles=frozenset({Role.TRIAGE}))
    def end_all_sessions() -> Response:
        """The desk's administrator signs every official out (a stolen laptop, a leaked key)."""
        with transaction(context.database.sessions) as db:
            count = end_sessions(db)
        current_app.logger.warning("all dashboard sessions ended by=%s officials=%d", g.actor.id, count)
        session.clear()
        return redirect(url_for("auth.login"))

    @bp.get("/lang/<code>")
    def switch_language(code: str) -> Response:
        if code in LANGUAGES:
            session["lang"] = code
        return redirect(_local(request.args.get("next")) or url_for("public.track"))

    return bp


def _local(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect, no header injection)."""
    if not target or UNSAFE_TARGET.search(target):
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    return target


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="aduan-device")


def _known_device(login_id: str) -> str | None:
    """The device id of this browser if it signed in to this very login before (else None)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("login") != login_id or not isinstance(data.get("device"), str):
        return None
    return str(data["device"])


def _remember_device(response: Response, login_id: str) -> None:
    device = _known_device(login_id) or secrets.token_urlsafe(16)
    response.set_cookie(DEVICE_COOKIE, _devices().dumps({"login": login_id, "device": device}),
                        max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/dashboard")
