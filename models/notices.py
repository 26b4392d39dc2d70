"""Texts of outgoing notifications (officials' alerts and citizens' status relays).

Officials' texts never carry a hidden reporter's identity (anonymous or misconduct): the only place a
reporter's name enters them is `reporter_line`, which checks it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models.lifecycle import KIND_LABELS, Kind, Status, label
from models.privacy import identity_hidden, shown_text
from models.tables import Complaint

OMBUDSMAN = "Ombudsman RI: telepon 137, WhatsApp 0821-3737-3737, ombudsman.go.id"
OFFICIAL_COMMANDS = "Balas: TERIMA {code} | JAWAB {code} <teks> | BUKAN {code} <alasan> | INFO {code}"
SUMMARY_CHARS = 280


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def reporter_line(complaint: Complaint) -> str:
    if complaint.misconduct:
        return "Pelapor: (dirahasiakan; hanya Inspektorat)"
    if identity_hidden(complaint):
        return "Pelapor: (anonim)"
    name = complaint.reporter.name if complaint.reporter else None
    return f"Pelapor: {name or '(tanpa nama)'}"


def local_date_text(instant: datetime | None, zone: Any) -> str:
    if instant is None:
        return "-"
    # A deadline is the end of its day: show the day itself, not the midnight after it.
    return (instant.astimezone(zone) - timedelta(seconds=1)).strftime("%d-%m-%Y")


def official_alert(complaint: Complaint, agency_name: str, heading: str, zone: Any) -> dict[str, Any]:
    """Payload for an agency admin/head or a regional official."""
    lines = [
        f"{heading} {complaint.code}",
        f"Instansi: {agency_name}",
        f"Jenis: {KIND_LABELS[Kind(complaint.kind)]}",
        f"Isi: {summary(shown_text(complaint))}",
        reporter_line(complaint),
        f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}",
        OFFICIAL_COMMANDS.format(code=complaint.code),
    ]
    if complaint.confidential:
        lines.insert(2, "RAHASIA: jangan diteruskan ke pihak lain.")
    if complaint.location_text or complaint.latitude is not None:
        lines.insert(4, f"Lokasi: {location_text(complaint)}")
    return {
        "text": "\n".join(lines),
        "variables": {"code": complaint.code, "agency": agency_name, "summary": summary(shown_text(complaint), 120)},
    }


def triage_alert(complaint: Complaint, reason: str, zone: Any) -> dict[str, Any]:
    lines = [
        f"Laporan perlu verifikasi {complaint.code}",
        f"Alasan: {reason}",
        f"Isi: {summary(shown_text(complaint))}",
        reporter_line(complaint),
        f"Batas verifikasi: {local_date_text(complaint.verify_due_at, zone)}",
        f"Balas: ALIHKAN {complaint.code} <KODE_INSTANSI> | INFO {complaint.code}",
    ]
    return {"text": "\n".join(lines), "variables": {"code": complaint.code, "reason": reason}}


def location_text(complaint: Complaint) -> str:
    parts = []
    if complaint.location_text:
        parts.append(complaint.location_text)
    if complaint.latitude is not None and complaint.longitude is not None:
        # A hidden reporter's pin is often their home: about 100 m is enough to find the problem.
        digits = 3 if identity_hidden(complaint) else 5
        parts.append(f"{complaint.latitude:.{digits}f},{complaint.longitude:.{digits}f}")
    return " ".join(parts) or "-"


def status_relay(
    complaint: Complaint, agency_name: str | None, note: str | None, zone: Any, extra: str | None = None,
    supporter: bool = False,
) -> dict[str, Any]:
    """Payload telling a reporter (or supporter) what happened to their complaint.

    A supporter hears the status change only: the agency's answer and notes are meant for the reporter.
    """
    if supporter:
        note = extra = None
    status = Status(complaint.status)
    lines = [f"Laporan {complaint.code}: {label(status)}"]
    if agency_name and status in {Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING}:
        lines.append(f"Ditangani oleh: {agency_name}")
    if status == Status.DISPATCHED:
        lines.append(f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}")
    if note:
        lines.append(("Jawaban: " if status == Status.ANSWERED else "Catatan: ") + note)
    if status == Status.ANSWERED and not supporter:
        lines.append(f"Apakah masalah Anda sudah selesai? Balas YA atau TIDAK (kode {complaint.code}).")
    if extra:
        lines.append(extra)
    short = f"{complaint.code}: {label(status)}"
    return {
        "text": "\n".join(lines),
        "short": short,
        "variables": {"code": complaint.code, "status": label(status)},
    }


def ombudsman_hint(complaint: Complaint, zone: Any) -> str:
    filed = complaint.created_at.astimezone(zone).strftime("%d-%m-%Y")
    return (
        f"Jika Anda belum puas, Anda dapat melapor ke {OMBUDSMAN}, "
        f"dengan menyebut kode {complaint.code} (dilaporkan {filed})."
    )
