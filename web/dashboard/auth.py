"""Officials sign in and out; language switch; the dashboard's static files."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from bot.dialog.words import clean
from models.accounts import authenticate
from models.db import transaction
from web.dashboard.context import Context, password_stamp
from web.dashboard.i18n import LANGUAGES
from web.dashboard.security import protect


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("auth", __name__, template_folder="templates", static_folder="static",
                           static_url_path="/dashboard/static"))

    @bp.get("/dashboard/login")
    def login() -> str:
        return render_template("dashboard/login.html", failed=False, next=request.args.get("next", ""))

    @bp.post("/dashboard/login")
    def login_post() -> Response | tuple[str, int]:
        # Official ids are short plain text; control characters or a novel never reach the lockout table.
        login_id = clean(request.form.get("login", "")).lower()[:64]
        with transaction(context.database.sessions) as db:
            official = authenticate(db, login_id, request.form.get("password", ""), context.now())
            stamp = password_stamp(official) if official is not None else None
        if official is None:
            return render_template("dashboard/login.html", failed=True, next=request.form.get("next", "")), 401
        lang = session.get("lang")
        session.clear()  # a fresh session (and CSRF token) after signing in
        session.update(official_id=official.id, stamp=stamp, lang=lang or "id")
        session.permanent = True
        return redirect(_local(request.form.get("next")) or url_for("inbox.index"))

    @bp.post("/dashboard/logout")
    def logout() -> Response:
        lang = session.get("lang")
        session.clear()
        session["lang"] = lang or "id"
        return redirect(url_for("auth.login"))

    @bp.get("/lang/<code>")
    def switch_language(code: str) -> Response:
        if code in LANGUAGES:
            session["lang"] = code
        return redirect(_local(request.args.get("next")) or url_for("public.track"))

    return bp


def _local(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
