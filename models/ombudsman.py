"""The recorded Ombudsman path: the offer to the citizen, the summary for the Ombudsman RI office, and
which complaints are due for an offer because they stayed unanswered after the regional head was alerted.

UU 37/2008 Pasal 24: the Ombudsman takes a report once the citizen complained to the provider without a
proper resolution; the desk's record (code, dates, what happened) is that proof. Identity goes to the
office only when the citizen agreed to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.config import OmbudsmanOfficeConfig, Settings
from models.lifecycle import OPEN_VALUES, label
from models.notices import local_date_text, location_text
from models.privacy import shown_text
from models.tables import Complaint, ComplaintEvent
from models.workdays import WorkingCalendar

# The escalation level at which the region's leadership (the regional head) was alerted (models/escalation.py).
REGIONAL_LEVEL = 2
CONSENT_WORD = "OMBUDSMAN"
WITH_IDENTITY = "IDENTITAS"
CLOSED_UNSATISFIED = "closed_unsatisfied"
UNANSWERED = "unanswered_after_regional_head"


def contact_line(office: OmbudsmanOfficeConfig) -> str:
    parts = [office.name, office.email]
    parts += [value for value in (office.phone, office.website) if value]
    return ", ".join(parts)


def offer_text(complaint: Complaint, office: OmbudsmanOfficeConfig, zone: Any) -> str:
    """What the citizen reads: the offer and the two answers (without and with their identity)."""
    filed = complaint.created_at.astimezone(zone).strftime("%d-%m-%Y")
    code = complaint.code
    return (
        f"Laporan {code} (dilaporkan {filed}) belum terselesaikan dengan baik. Anda dapat membawanya ke "
        f"{office.name}. Balas {CONSENT_WORD} {code} agar kami kirimkan ringkasannya tanpa identitas Anda, atau "
        f"{CONSENT_WORD} {code} {WITH_IDENTITY} bila nama dan nomor Anda boleh disertakan.\n"
        f"Your complaint can go to the Ombudsman RI: reply {CONSENT_WORD} {code} (without your identity) or "
        f"{CONSENT_WORD} {code} {WITH_IDENTITY} (with it)."
    )


def next_steps_text(complaint: Complaint, office: OmbudsmanOfficeConfig, with_identity: bool) -> str:
    who = "beserta identitas Anda" if with_identity else "tanpa identitas Anda"
    return (
        f"Ringkasan laporan {complaint.code} sudah kami kirim ke {office.name} ({who}). Ombudsman memeriksa "
        "kelengkapan laporan dalam 14 hari dan dapat menghubungi Anda untuk data tambahan; simpan kode ini. "
        f"Kontak: {contact_line(office)}.\n"
        f"The summary of {complaint.code} was sent to {office.name}; they may contact you for more details."
    )


def referral_mail(complaint: Complaint, settings: Settings, calendar: WorkingCalendar,
                  with_identity: bool) -> dict[str, Any]:
    """The office's e-mail: the first line is the subject. Identity and unmasked words only with consent."""
    zone = calendar.zone
    agency = settings.agency(complaint.agency_code).name if complaint.agency_code else "(belum didisposisi)"
    reporter = complaint.reporter
    lines = [
        f"Rujukan laporan pengaduan {complaint.code} dari {settings.region.name}",
        f"Kode laporan: {complaint.code}",
        f"Nomor tracking SP4N-LAPOR!: {complaint.lapor_tracking_id or '-'}",
        f"Instansi terlapor: {agency}",
        f"Status: {label(complaint.status)}",
        f"Dilaporkan: {complaint.created_at.astimezone(zone).strftime('%d-%m-%Y')}",
        f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}",
        f"Lokasi: {location_text(complaint)}",
        f"Isi laporan: {shown_text(complaint, reveal_identity=with_identity)}",
        f"Jawaban instansi: {complaint.answer_text or '(belum ada)'}",
    ]
    if with_identity and reporter is not None and reporter.erased_at is None:
        lines.append(f"Pelapor (atas persetujuannya): {reporter.name or '-'}, {reporter.phone or reporter.provider_id}")
    else:
        lines.append("Pelapor: identitas tidak disertakan (pelapor tidak menyetujui)")
    lines.append("Riwayat:")
    lines += [f"- {event.at.astimezone(zone).strftime('%d-%m-%Y %H:%M')} {event.action}"
              + (f" -> {label(event.to_status)}" if event.to_status else "") for event in complaint.events]
    return {"text": "\n".join(lines), "variables": {"code": complaint.code}}


def due_for_offer(session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime) -> list[Complaint]:
    """Open complaints the regional head was alerted about `offer_after_working_days` ago, still unanswered."""
    if settings.ombudsman.office is None:
        return []
    candidates = session.scalars(select(Complaint).where(
        Complaint.status.in_(OPEN_VALUES), Complaint.escalation_level >= REGIONAL_LEVEL,
        Complaint.ombudsman_offered_at.is_(None), Complaint.answered_at.is_(None)).order_by(Complaint.id))
    due = []
    for complaint in candidates:
        alerted = regional_alert_at(session, complaint)
        if alerted is not None and calendar.working_days_elapsed(alerted, now) >= \
                settings.ombudsman.offer_after_working_days:
            due.append(complaint)
    return due


def regional_alert_at(session: Session, complaint: Complaint) -> datetime | None:
    """When the sweep climbed to the regional rung (its escalate event at that level)."""
    events = session.scalars(select(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.action == "escalate").order_by(ComplaintEvent.id))
    for event in events:
        if isinstance(event.data, dict) and int(event.data.get("level", 0) or 0) >= REGIONAL_LEVEL:
            return event.at
    return None
