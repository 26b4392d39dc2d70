"""SP4N-LAPOR! on the dashboard: the manual handover queue ("perlu dicatat di SP4N-LAPOR!") with copy-ready
form fields and a tracking-id field, and the intake of reports that arrived through LAPOR! (a short form,
or the text of LAPOR!'s notification pasted in). Triage only; every change goes through the Desk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from bot.dialog.words import clean
from models.config import Role
from models.desk import NewComplaint
from models.lapor import is_yes, lapor_form, parse_local_datetime, parse_notification
from models.lifecycle import DomainError
from models.notification import Channel
from models.tables import Complaint
from web.dashboard.context import Context, login_required
from web.dashboard.security import language, protect

QUEUE_SIZE = 200
MAX_TEXT = 4000

TEXTS = {
    "queue": ("Perlu dicatat di SP4N-LAPOR!", "To be recorded in SP4N-LAPOR!"),
    "queue_empty": ("Tidak ada laporan yang menunggu.", "Nothing is waiting."),
    "waiting": ("menunggu sejak", "waiting since"),
    "copy": ("Salin semua isian", "Copy all fields"),
    "tracking_id": ("Nomor tracking LAPOR!", "LAPOR! tracking id"),
    "record": ("Simpan nomor tracking", "Save tracking id"),
    "linked": ("Nomor tracking tersimpan.", "Tracking id saved."),
    "intake": ("Laporan dari SP4N-LAPOR!", "Report from SP4N-LAPOR!"),
    "paste": ("Tempel teks notifikasi LAPOR!", "Paste LAPOR!'s notification text"),
    "read_paste": ("Baca teks", "Read the text"),
    "filed_at": ("Tanggal laporan di LAPOR!", "Filed on LAPOR!"),
    "dispatched_at": ("Tanggal disposisi ke daerah", "Forwarded to the region on"),
    "text": ("Isi laporan", "Report text"),
    "title": ("Judul", "Title"),
    "agency": ("Instansi tujuan", "Agency"),
    "location": ("Lokasi", "Location"),
    "anonymous": ("Anonim", "Anonymous"),
    "confidential": ("Rahasia", "Confidential"),
    "submit": ("Masukkan ke meja aduan", "Enter into the desk"),
    "bad_date": ("Tanggal tidak terbaca (mis. 03-12-2026 09:15).", "Date not understood (e.g. 03-12-2026 09:15)."),
    "connector_off": ("Konektor LAPOR! tidak aktif (lapor.connector: off).", "The LAPOR! connector is off."),
    "api_note": ("Konektor API aktif: laporan dikirim otomatis; antrean ini menampilkan yang belum dibalas LAPOR!.",
                 "API connector on: reports are sent automatically; this queue shows those LAPOR! has not answered."),
    "lapor": ("SP4N-LAPOR!", "SP4N-LAPOR!"),
    "pending": ("Menunggu dicatat di SP4N-LAPOR! sejak", "Waiting to be recorded in SP4N-LAPOR! since"),
    "ombudsman": ("Dirujuk ke Ombudsman", "Referred to the Ombudsman"),
    "ombudsman_offered": ("Jalur Ombudsman ditawarkan kepada pelapor", "Ombudsman path offered to the reporter"),
    "record_consent": ("Catat persetujuan pelapor (rujuk ke Ombudsman)", "Record the reporter's consent (refer)"),
    "with_identity": ("Identitas pelapor boleh disertakan", "The reporter's identity may be included"),
}


def lt(key: str) -> str:
    """The dashboard's language for this module's own words."""
    indonesian, english = TEXTS[key]
    return english if language() == "en" else indonesian


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("lapor", __name__, template_folder="templates"))
    guard = login_required(context, roles=frozenset({Role.TRIAGE}))

    @bp.app_context_processor
    def _words() -> dict[str, Any]:
        return {"lt": lt}

    @bp.get("/dashboard/lapor")
    @guard
    def queue() -> str:
        rows = list(context.read().scalars(select(Complaint).where(Complaint.lapor_pending_since.is_not(None))
                                           .order_by(Complaint.lapor_pending_since, Complaint.id).limit(QUEUE_SIZE)))
        zone = context.calendar.zone
        items = [{"c": c, "form": lapor_form(c, context.settings, zone),
                  "age": context.calendar.working_days_elapsed(c.lapor_pending_since or c.created_at, context.now())}
                 for c in rows]
        return render_template("dashboard/lapor_queue.html", items=items, connector=context.settings.lapor.connector)

    @bp.post("/dashboard/lapor/<code>/tracking")
    @guard
    def record(code: str) -> Response | tuple[str, int]:
        typed = clean(request.form.get("tracking_id") or "")[:40]
        try:
            with context.write() as (db, desk):
                complaint = db.scalars(select(Complaint).where(Complaint.code == code)).first()
                if complaint is None:
                    abort(404)
                desk.record_lapor_tracking_id(complaint, g.actor, typed)
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for("lapor.queue"), 303)
        flash(lt("linked"), "ok")
        return redirect(url_for("lapor.queue"), 303)

    @bp.post("/dashboard/c/<code>/ombudsman")
    @guard
    def refer(code: str) -> Response:
        """The triage desk records a consent the citizen gave by phone or in person."""
        try:
            with context.write() as (db, desk):
                complaint = db.scalars(select(Complaint).where(Complaint.code == code)).first()
                if complaint is None:
                    abort(404)
                desk.refer_to_ombudsman(complaint, g.actor, with_identity=request.form.get("with_identity") == "1")
        except DomainError as error:
            flash(str(error), "error")
        return redirect(url_for("inbox.complaint", code=code), 303)

    @bp.get("/dashboard/lapor/intake")
    @guard
    def intake() -> str:
        return _intake_page(context, {}, None)

    @bp.post("/dashboard/lapor/intake")
    @guard
    def intake_submit() -> Response | tuple[str, int] | str:
        if request.form.get("read_paste"):
            return _intake_page(context, _from_paste(context, clean(request.form.get("paste") or "")), None)
        values = {key: clean(request.form.get(key) or "") for key in FIELDS}
        try:
            code = _file(context, values)
        except DomainError as error:
            return _intake_page(context, values, str(error)), 400
        flash("filed_ok", "ok")
        return redirect(url_for("inbox.complaint", code=code), 303)

    return bp


FIELDS = ("tracking_id", "title", "text", "agency", "location", "filed_at", "dispatched_at", "anonymous",
          "confidential")


def _intake_page(context: Context, values: dict[str, str], error: str | None) -> str:
    return render_template("dashboard/lapor_intake.html", values=values, error=error,
                           agencies=[a for a in context.settings.agencies if a.kind == "regional"])


def _from_paste(context: Context, text: str) -> dict[str, str]:
    """The form prefilled from LAPOR!'s notification; the operator checks it before filing."""
    found = parse_notification(text[:MAX_TEXT * 2], context.settings.lapor)
    values = {key: found.get(key, "") for key in FIELDS}
    values["agency"] = _agency_for(context, found.get("agency", ""), found.get("category", ""))
    for key in ("anonymous", "confidential"):
        values[key] = "1" if is_yes(found.get(key)) else ""
    for key in ("filed_at", "dispatched_at"):
        moment = parse_local_datetime(found.get(key, ""), context.calendar.zone)
        values[key] = moment.strftime("%Y-%m-%dT%H:%M") if moment else found.get(key, "")
    return values


def _agency_for(context: Context, agency_text: str, category: str) -> str:
    """An agency from LAPOR!'s words: its name or code, else the one agency whose category maps to the topic."""
    words = agency_text.strip().lower()
    for agency in context.settings.agencies:
        if words and (words == agency.code.lower() or words in agency.name.lower()):
            return agency.code
    topics = {topic.lower(): ours for ours, topic in context.settings.lapor.topics.items()}
    ours = topics.get(category.strip().lower())
    matches = [a.code for a in context.settings.agencies if ours and a.category == ours and a.kind == "regional"]
    return matches[0] if len(matches) == 1 else ""


def _file(context: Context, values: dict[str, str]) -> str:
    zone = context.calendar.zone
    filed_at = _moment(values["filed_at"], zone)
    dispatched_at = _moment(values["dispatched_at"], zone) if values["dispatched_at"] else None
    if filed_at is None or (values["dispatched_at"] and dispatched_at is None):
        raise DomainError(lt("bad_date"))
    text = "\n".join(part for part in (values["title"], values["text"]) if part)[:MAX_TEXT]
    if len(text.strip()) < 10:
        raise DomainError("the complaint text is too short")
    agency = values["agency"] or None
    if agency is not None and not context.settings.has_agency(agency):
        raise DomainError(f"unknown agency code {agency!r}")
    with context.write() as (_db, desk):
        tracking = values["tracking_id"].strip()
        reporter = desk.reporter_for(Channel.SP4N_LAPOR, f"lapor:{tracking}")
        draft = NewComplaint(reporter=reporter, text=text, channel=Channel.SP4N_LAPOR, agency_code=agency,
                             anonymous=values["anonymous"] == "1", confidential=values["confidential"] == "1",
                             location_text=values["location"][:500] or None)
        return desk.file_from_lapor(draft, g.actor, tracking, filed_at, dispatched_at).code


def _moment(text: str, zone: Any) -> datetime | None:
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return parse_local_datetime(text, zone)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
