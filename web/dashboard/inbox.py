"""The officials' inbox and complaint page (read side)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, g, render_template, request, send_file
from sqlalchemy import select
from werkzeug.wrappers import Response

from models.codes import normalize_code
from models.config import Role
from models.lifecycle import LABELS, REJECT_LABELS, TRANSITIONS, Status
from models.moderation import may_moderate, record_reveal
from models.permissions import Action, Actor, allowed
from models.tables import Attachment, Complaint
from models.views import complaint_detail, list_notifications
from web.dashboard.context import Context, login_required
from web.dashboard.queries import Filters, inbox_page, row_colour
from web.dashboard.responses import response_templates
from web.dashboard.security import language, protect

# The status each page action leads to: a button is shown only when the move is legal now.
TARGETS = {Action.ACKNOWLEDGE: Status.IN_PROGRESS, Action.ANSWER: Status.ANSWERED, Action.CLOSE: Status.CLOSED,
           Action.REJECT: Status.REJECTED, Action.NOT_OUR_AUTHORITY: Status.RECEIVED,
           Action.REROUTE: Status.DISPATCHED, Action.DISPATCH: Status.DISPATCHED}
PAGE_ACTIONS = (Action.ACKNOWLEDGE, Action.ANSWER, Action.CLOSE, Action.REJECT, Action.NOT_OUR_AUTHORITY,
                Action.REROUTE, Action.DISPATCH)


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("inbox", __name__, template_folder="templates"))
    guard = login_required(context)

    @bp.app_template_filter("local_time")
    def local_time(value: datetime | str | None) -> str:
        """An instant in the region's time zone, e.g. '2026-11-23 09:00 WITA'."""
        if not value:
            return "-"
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        return instant.astimezone(context.calendar.zone).strftime("%Y-%m-%d %H:%M %Z")

    @bp.get("/dashboard/")
    @guard
    def index() -> str:
        filters = Filters.from_args(request.args)
        now = context.now()
        rows, total = inbox_page(context.read(), g.actor, filters, now, context.calendar,
                                 context.settings.region.code_prefix)
        return render_template("dashboard/inbox.html", rows=rows, total=total, filters=filters, now=now,
                               colour=row_colour, labels=LABELS[language()], agencies=context.settings.agencies,
                               args=request.args.to_dict(), page_size=len(rows), actor=g.actor)

    @bp.get("/dashboard/c/<code>")
    @guard
    def complaint(code: str) -> str:
        return _render_complaint(context, _find(context, code, g.actor), g.actor, reveal=False)

    @bp.post("/dashboard/c/<code>/reveal")
    @guard
    def reveal(code: str) -> str:
        found = _find(context, code, g.actor)
        if not allowed(g.actor, Action.REVEAL_IDENTITY, found):
            abort(403)
        complaint_id = found.id  # read before the write: the read session is rolled back then
        with context.write() as (db, desk):
            record_reveal(db.get_one(Complaint, complaint_id), g.actor, desk.now)
        context.read().expire_all()
        return _render_complaint(context, _find(context, code, g.actor), g.actor, reveal=True)

    # Bounded like the database's integer ids; a bigger number is simply not an attachment (404).
    @bp.get("/dashboard/c/<code>/attachment/<int(max=2147483647):attachment_id>")
    @guard
    def attachment(code: str, attachment_id: int) -> Response:
        found = _find(context, code, g.actor)
        item = context.read().get(Attachment, attachment_id)
        if item is None or item.complaint_id != found.id or not item.storage_path:
            abort(404)
        return send_file(_inside(context.settings.resolve(context.settings.intake.media_dir), item.storage_path),
                         mimetype=item.content_type or "application/octet-stream")

    return bp


def _find(context: Context, code: str, actor: Actor) -> Complaint:
    normal = normalize_code(code, context.settings.region.code_prefix)
    found = context.read().scalars(select(Complaint).where(Complaint.code == normal)).first() if normal else None
    if found is None:
        abort(404)
    if not allowed(actor, Action.VIEW, found):
        abort(403)
    return found


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        abort(404)
    return path


def _render_complaint(context: Context, found: Complaint, actor: Actor, reveal: bool) -> str:
    notifications = [n for n, _ in list_notifications(context.read(), complaint_id=found.id)]
    detail = complaint_detail(found, context.calendar, reveal_identity=reveal, notifications=notifications)
    return render_template(
        "dashboard/complaint.html", c=found, d=detail, actor=actor, timeline=_timeline(detail),
        actions=[a.value for a in PAGE_ACTIONS if allowed(actor, a, found) and _legal(found, a)],
        may_reveal=found.anonymous and allowed(actor, Action.REVEAL_IDENTITY, found) and not reveal,
        may_moderate=may_moderate(actor), labels=LABELS[language()], colour=row_colour(found, context.now()),
        templates=response_templates(context.settings), reject_reasons=REJECT_LABELS,
        agencies=context.settings.agencies, statuses=list(Status), is_triage=actor.role == Role.TRIAGE)


def _legal(found: Complaint, action: Action) -> bool:
    if action == Action.REROUTE and found.agency_code is None:
        return False
    if action == Action.DISPATCH and found.agency_code is not None:
        return False
    return TARGETS[action] in TRANSITIONS[Status(found.status)]


def _timeline(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Events and notifications in one list, oldest first."""
    items = [{"kind": "event", "at": e["at"], **e} for e in detail["events"]]
    items += [{"kind": "notification", "at": n["created_at"], **n} for n in detail.get("notifications", [])]
    return sorted(items, key=lambda item: (item["at"] or "", item["kind"] == "notification"))
