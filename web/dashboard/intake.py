"""Operator intake page (triage only): phone, walk-in, letter and social-media complaints."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from models.config import Role
from models.intake import INTAKE_CHANNELS, IntakeForm, file_for_citizen
from models.lifecycle import DomainError
from web.dashboard.context import Context, login_required
from web.dashboard.security import protect

MAX_TEXT = 4000


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("intake", __name__, template_folder="templates"))
    guard = login_required(context, roles=frozenset({Role.TRIAGE}))

    @bp.get("/dashboard/intake")
    @guard
    def form() -> str:
        return render_template("dashboard/intake.html", channels=INTAKE_CHANNELS,
                               agencies=context.settings.agencies, error=None, values={})

    @bp.post("/dashboard/intake")
    @guard
    def submit() -> Response | tuple[str, int]:
        entry = _form()
        try:
            with context.write() as (_db, desk):
                code = file_for_citizen(desk, g.actor, entry).code
        except DomainError as error:
            return render_template("dashboard/intake.html", channels=INTAKE_CHANNELS, error=str(error),
                                   agencies=context.settings.agencies, values=request.form), 400
        flash("filed_ok", "ok")
        return redirect(url_for("inbox.complaint", code=code), 303)

    return bp


def _form() -> IntakeForm:
    field = request.form.get
    return IntakeForm(channel=field("channel", ""), text=field("text", "")[:MAX_TEXT],
                      name=(field("name") or "").strip()[:200] or None,
                      phone=(field("phone") or "").strip()[:40] or None,
                      agency_code=field("agency") or None, anonymous=field("anonymous") == "1",
                      confidential=field("confidential") == "1",
                      location_text=(field("location") or "").strip()[:500] or None,
                      source=(field("source") or "").strip()[:500] or None)
