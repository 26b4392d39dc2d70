"""The officials' actions on one complaint: every lifecycle change goes through Desk.act;
moderation and the block list through models.moderation. Not allowed is a 403; a complaint the official
may not even see is a 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from bot.dialog.words import clean
from models.codes import normalize_code
from models.desk import Desk
from models.lifecycle import DomainError, Kind, NotAllowed
from models.moderation import block_reporter, set_public_text, unblock_reporter
from models.permissions import Action, Actor, allowed
from models.tables import Complaint
from web.dashboard.context import Context, login_required
from web.dashboard.security import protect

FORM_ACTIONS = {action.value: action for action in Action
                if action not in {Action.VIEW, Action.REVEAL_IDENTITY, Action.CHANGE_KIND}}
MAX_NOTE = 4000


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("actions", __name__))
    guard = login_required(context)

    @bp.post("/dashboard/c/<code>/act")
    @guard
    def act(code: str) -> Response:
        action = FORM_ACTIONS.get(request.form.get("action", ""))
        if action is None:
            abort(400, description="unknown action")
        note = _note(action)
        target = request.form.get("to_agency") or None
        return _change(context, code, lambda c, desk, actor: desk.act(c, actor, action, note=note,
                                                                       to_agency=target))

    @bp.post("/dashboard/c/<code>/kind")
    @guard
    def change_kind(code: str) -> Response:
        """Correct LAPOR!'s classification (pengaduan / aspirasi / permintaan informasi); audited."""
        try:
            kind = Kind(request.form.get("kind", ""))
        except ValueError:
            abort(400, description="unknown kind")
        note = clean(request.form.get("note") or "")[:MAX_NOTE] or None
        return _change(context, code, lambda c, desk, actor: _changed_kind(desk, c, actor, kind, note))

    @bp.post("/dashboard/c/<code>/moderate")
    @guard
    def moderate(code: str) -> Response:
        text = clean(request.form.get("public_text", ""))[:MAX_NOTE]
        return _change(context, code, lambda c, desk, actor: set_public_text(c, actor, text, desk.now))

    @bp.post("/dashboard/c/<code>/block")
    @guard
    def block(code: str) -> Response:
        reason = clean(request.form.get("note", ""))[:500] or None
        return _change(context, code, lambda c, desk, actor: block_reporter(c, actor, desk.now, reason))

    @bp.post("/dashboard/c/<code>/unblock")
    @guard
    def unblock(code: str) -> Response:
        return _change(context, code, lambda c, desk, actor: unblock_reporter(c, actor, desk.now))

    return bp


def _changed_kind(desk: Desk, complaint: Complaint, actor: Actor, kind: Kind, note: str | None) -> None:
    desk.change_kind(complaint, actor, kind, note)


def _note(action: Action) -> str | None:
    field = "reason" if action == Action.REJECT else "note"
    return clean(request.form.get(field) or "")[:MAX_NOTE] or None


def _change(context: Context, code: str, change: Callable[[Complaint, Desk, Actor], None]) -> Response:
    normal = normalize_code(code, context.settings.region.code_prefix)
    try:
        with context.write() as (db, desk):
            found = db.scalars(select(Complaint).where(Complaint.code == normal)).first() if normal else None
            if found is None or not allowed(g.actor, Action.VIEW, found):
                abort(404)
            change(found, desk, g.actor)
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("inbox.complaint", code=code), 303)
    flash("done", "ok")
    return redirect(url_for("inbox.complaint", code=code), 303)
