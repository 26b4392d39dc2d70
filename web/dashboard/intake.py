"""Operator intake page (triage only): phone, walk-in, letter and social-media complaints."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.dialog.words import clean
from bot.routing import classify
from models.config import Role
from models.desk import Desk
from models.intake import INTAKE_CHANNELS, IntakeForm, file_for_citizen
from models.lifecycle import DomainError
from web.dashboard.context import Context, login_required
from web.dashboard.misconduct import misconduct_in
from web.dashboard.repeats import file_once
from web.dashboard.security import protect

MAX_TEXT = 4000
# Each rendered form carries a nonce; the same form sent again within this time is the same complaint.
RESUBMIT_WINDOW = timedelta(days=1)


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("intake", __name__, template_folder="templates"))
    guard = login_required(context, roles=frozenset({Role.TRIAGE}))

    @bp.get("/dashboard/intake")
    @guard
    def form() -> str:
        return render_template("dashboard/intake.html", channels=INTAKE_CHANNELS,
                               agencies=context.settings.agencies, error=None, values={}, suggestion=None,
                               nonce=secrets.token_urlsafe(16))

    @bp.post("/dashboard/intake")
    @guard
    def submit() -> Response | tuple[str, int]:
        text = _field("text")[:MAX_TEXT]
        result = classify(text, context.engine.table) if text else None
        routing = result.to_dict() if result is not None else None
        nonce = (request.form.get("nonce") or "").strip()[:64]
        if request.form.get("preview"):
            # "Which agency?": the router's reading, preselected; nothing is filed yet.
            suggestion = _suggestion(context, routing)
            values = dict(request.form.items())
            if suggestion and not values.get("agency"):
                values["agency"] = suggestion["code"]
            return render_template("dashboard/intake.html", channels=INTAKE_CHANNELS, error=None,
                                   agencies=context.settings.agencies, values=values, suggestion=suggestion,
                                   nonce=nonce or secrets.token_urlsafe(16)), 200
        entry = _form(routing)
        reading = misconduct_in(result, entry.agency_code)
        entry = replace(entry, misconduct=reading.misconduct, subject_agency_code=reading.subject_agency_code)

        def file(_db: Session, desk: Desk) -> str:
            return file_for_citizen(desk, g.actor, entry).code

        try:
            if nonce:
                code = file_once(context, _submission_key(g.actor.id, nonce), RESUBMIT_WINDOW, file)
            else:  # a form from before nonces (or a script): nothing to recognise a repeat by
                with context.write() as (db, desk):
                    code = file(db, desk)
        except DomainError as error:
            return render_template("dashboard/intake.html", channels=INTAKE_CHANNELS, error=str(error),
                                   agencies=context.settings.agencies, values=request.form, suggestion=None,
                                   nonce=nonce or secrets.token_urlsafe(16)), 400
        flash("filed_ok", "ok")
        return redirect(url_for("inbox.complaint", code=code), 303)

    return bp


def _submission_key(operator_id: str, nonce: str) -> str:
    return "intake:" + hashlib.sha256(f"{operator_id}\n{nonce}".encode()).hexdigest()


def _field(name: str) -> str:
    # What an operator pastes (a letter, a social-media post) may carry control characters.
    return clean(request.form.get(name) or "")


def _suggestion(context: Context, routing: dict[str, Any] | None) -> dict[str, Any] | None:
    """The router's best regional or external agency for the text, with the words that decided it."""
    for candidate in (routing or {}).get("candidates") or []:
        if context.settings.has_agency(candidate["agency"]):
            agency = context.settings.agency(candidate["agency"])
            return {"code": agency.code, "name": agency.name, "keywords": candidate.get("keywords") or []}
    return None


def _form(routing: dict[str, Any] | None) -> IntakeForm:
    field = _field
    return IntakeForm(channel=field("channel"), text=field("text")[:MAX_TEXT],
                      name=field("name")[:200] or None,
                      phone=field("phone")[:40] or None,
                      email=field("email")[:200] or None,
                      agency_code=field("agency") or None, anonymous=field("anonymous") == "1",
                      confidential=field("confidential") == "1",
                      location_text=field("location")[:500] or None,
                      source=field("source")[:500] or None, routing=routing)
