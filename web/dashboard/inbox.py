"""The officials' inbox and complaint page (read side).

A complaint an official may not see answers 404, exactly like one that does not exist: no official of
another office can learn that a code is real (or that a report about their office exists).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.dialog.words import clean
from models.codes import normalize_code
from models.config import Role
from models.lifecycle import LABELS, REJECT_LABELS, TRANSITIONS, DomainError, Status
from models.moderation import may_moderate, record_reveal
from models.permissions import Action, Actor, allowed
from models.privacy import identity_hidden, is_inspectorate, shown_text
from models.publication import public_record
from models.tables import Attachment, Complaint
from models.views import complaint_detail, list_notifications
from web.dashboard.context import Context, login_required
from web.dashboard.photos import without_metadata
from web.dashboard.queries import Filters, inbox_page, row_colour
from web.dashboard.responses import response_templates
from web.dashboard.security import language, protect

# The status each page action leads to: a button is shown only when the move is legal now.
TARGETS = {Action.ACKNOWLEDGE: Status.IN_PROGRESS, Action.ANSWER: Status.ANSWERED, Action.CLOSE: Status.CLOSED,
           Action.REJECT: Status.REJECTED, Action.NOT_OUR_AUTHORITY: Status.RECEIVED,
           Action.REROUTE: Status.DISPATCHED, Action.DISPATCH: Status.DISPATCHED}
PAGE_ACTIONS = (Action.ACKNOWLEDGE, Action.ANSWER, Action.CLOSE, Action.REJECT, Action.NOT_OUR_AUTHORITY,
                Action.REROUTE, Action.DISPATCH)
# The inbox's own query keys: nothing else from the query string reaches url_for (no _external, _scheme ...).
FILTER_KEYS = ("q", "status", "agency", "category", "channel", "overdue", "from", "to")


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

    @bp.app_template_filter("shown_text")
    def shown_text_filter(complaint: Complaint) -> str:
        """A hidden reporter's phone numbers and name masked in the complaint's words."""
        return shown_text(complaint)

    @bp.get("/dashboard/")
    @guard
    def index() -> str:
        filters = Filters.from_args(request.args)
        now = context.now()
        rows, total = inbox_page(context.read(), g.actor, filters, now, context.calendar,
                                 context.settings.region.code_prefix)
        return render_template("dashboard/inbox.html", rows=rows, total=total, filters=filters, now=now,
                               colour=row_colour, labels=LABELS[language()], agencies=context.settings.agencies,
                               args=filter_args(), page_size=len(rows), actor=g.actor)

    @bp.get("/dashboard/c/<code>")
    @guard
    def complaint(code: str) -> str:
        return _render_complaint(context, _find(context, code, g.actor), g.actor, reveal=False)

    @bp.post("/dashboard/c/<code>/reveal")
    @guard
    def reveal(code: str) -> str | WerkzeugResponse:
        """The Inspectorate's audited look at a hidden reporter: the reason is stored in the audit event."""
        found = _find(context, code, g.actor)
        if not allowed(g.actor, Action.REVEAL_IDENTITY, found):
            abort(403)
        complaint_id = found.id  # read before the write: the read session is rolled back then
        reason = clean(request.form.get("reason", ""))[:1000]
        try:
            with context.write() as (db, desk):
                record_reveal(db.get_one(Complaint, complaint_id), g.actor, desk.now, reason)
        except DomainError:
            flash("reveal_reason_needed", "error")
            return redirect(url_for("inbox.complaint", code=found.code), 303)
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
        path = _inside(context.settings.resolve(context.settings.intake.media_dir), item.storage_path)
        # Served without EXIF/XMP (GPS of a home, the phone's model), inline, with no file name.
        return Response(without_metadata(path.read_bytes()), mimetype=item.content_type or "application/octet-stream",
                        headers={"Content-Disposition": "inline"})

    return bp


def _find(context: Context, code: str, actor: Actor) -> Complaint:
    normal = normalize_code(code, context.settings.region.code_prefix)
    found = context.read().scalars(select(Complaint).where(Complaint.code == normal)).first() if normal else None
    if found is None:  # a SP4N-LAPOR! tracking id works wherever a code does
        found = context.read().scalars(select(Complaint).where(Complaint.lapor_tracking_id == code.strip())).first()
    if found is None or not allowed(actor, Action.VIEW, found):
        abort(404)
    return found


def filter_args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key in FILTER_KEYS}


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        abort(404)
    return path


def _render_complaint(context: Context, found: Complaint, actor: Actor, reveal: bool) -> str:
    notifications = [n for n, _ in list_notifications(context.read(), complaint_id=found.id)]
    detail = complaint_detail(found, context.calendar, reveal_identity=reveal, notifications=notifications)
    # The office a misconduct report accuses is no choice for anybody but the Inspectorate.
    targets = [a for a in context.settings.agencies
               if a.code != found.subject_agency_code or is_inspectorate(actor)]
    return render_template(
        "dashboard/complaint.html", c=found, d=detail, actor=actor, timeline=_timeline(detail),
        actions=[a.value for a in PAGE_ACTIONS if allowed(actor, a, found) and _legal(found, a)],
        may_reveal=identity_hidden(found) and allowed(actor, Action.REVEAL_IDENTITY, found) and not reveal,
        may_moderate=may_moderate(actor), labels=LABELS[language()], colour=row_colour(found, context.now()),
        templates=response_templates(context.settings), reject_reasons=REJECT_LABELS,
        agencies=targets, statuses=list(Status), is_triage=actor.role == Role.TRIAGE,
        public=public_record(found))


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
