"""Texts of outgoing notifications (officials' alerts and citizens' status relays).

Officials' texts never carry a hidden reporter's identity (anonymous or misconduct): the only place a
reporter's name enters them is `reporter_line`, which checks it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from models.lifecycle import KIND_LABELS, Kind, Status, label
from models.privacy import identity_hidden, shown_text
from models.tables import Complaint

OMBUDSMAN = "Ombudsman RI: telepon 137, WhatsApp 0821-3737-3737, ombudsman.go.id"
# Officials reply to the alert itself, in their own words; the code is optional (bot/dialog/officials.py).
OFFICIAL_COMMANDS = ("Balas pesan ini: TERIMA | JAWAB <jawaban> | KOORDINASI <catatan> | BUKAN <alasan> | INFO "
                     "(kode {code} boleh ditulis, boleh tidak)")
SUMMARY_CHARS = 280
# The agency's answer inside an approved template (a WhatsApp template variable holds at most 1,024).
ANSWER_TEMPLATE_CHARS = 700


class Named(Protocol):
    @property
    def name(self) -> str | None: ...
    @property
    def provider_id(self) -> str: ...


class AlertSubject(Protocol):
    """What an official's alert reads of a complaint: a `Complaint`, or the escalation sweep's lighter row."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def anonymous(self) -> bool: ...
    @property
    def confidential(self) -> bool: ...
    @property
    def misconduct(self) -> bool: ...
    @property
    def masked_text(self) -> str | None: ...
    @property
    def location_text(self) -> str | None: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def answer_due_at(self) -> datetime | None: ...
    @property
    def verify_due_at(self) -> datetime | None: ...
    @property
    def reporter(self) -> Named | None: ...


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def reporter_line(complaint: AlertSubject) -> str:
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


def official_alert(complaint: AlertSubject, agency_name: str, heading: str, zone: Any,
                   link: str | None = None) -> dict[str, Any]:
    """Payload for an agency admin/head or a regional official; `link` is the signed page link."""
    shown = shown_text(complaint)  # masking a hidden reporter's name runs regular expressions: once
    lines = [
        f"{heading} {complaint.code}",
        f"Instansi: {agency_name}",
        f"Jenis: {KIND_LABELS[Kind(complaint.kind)]}",
        f"Isi: {summary(shown)}",
        reporter_line(complaint),
        f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}",
    ]
    if complaint.confidential:
        lines.insert(2, "RAHASIA: jangan diteruskan ke pihak lain.")
    if complaint.location_text or complaint.latitude is not None:
        lines.insert(4, f"Lokasi: {location_text(complaint)}")
    tracking_id = getattr(complaint, "lapor_tracking_id", None)
    if tracking_id:  # the answer must reach LAPOR! too (docs/LAPOR.md)
        lines.append(f"SP4N-LAPOR!: {tracking_id}")
    return _with_link(lines, OFFICIAL_COMMANDS.format(code=complaint.code), link, _has_photo(complaint), {
        "code": complaint.code, "agency": agency_name, "summary": summary(shown, 120)})


def _has_photo(complaint: AlertSubject) -> bool:
    return any(getattr(a, "kind", None) == "photo" for a in getattr(complaint, "attachments", None) or [])


def _with_link(lines: list[str], commands: str, link: str | None, photo: bool,
               variables: dict[str, Any]) -> dict[str, Any]:
    """Chat text with the reply commands; e-mail text without them (e-mail replies are never read)."""
    if link:
        lines = [*lines, f"Buka: {link}"]
        if photo:
            lines.append(f"Foto: {link}#foto")
    return {"text": "\n".join([*lines, commands]), "email_text": "\n".join(lines), "variables": variables}


def triage_alert(complaint: AlertSubject, reason: str, zone: Any, link: str | None = None) -> dict[str, Any]:
    lines = [
        f"Laporan perlu verifikasi {complaint.code}",
        f"Alasan: {reason}",
        f"Isi: {summary(shown_text(complaint))}",
        reporter_line(complaint),
        f"Batas verifikasi: {local_date_text(complaint.verify_due_at, zone)}",
    ]
    commands = f"Balas: ALIHKAN {complaint.code} <KODE_INSTANSI> | INFO {complaint.code}"
    return _with_link(lines, commands, link, _has_photo(complaint), {"code": complaint.code, "reason": reason})


def location_text(complaint: AlertSubject) -> str:
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
    supporter: bool = False, language: str = "id",
) -> dict[str, Any]:
    """Payload telling a reporter (or supporter) what happened to their complaint, in their language.

    A supporter hears the status change only: the agency's answer and notes are meant for the reporter.
    """
    if supporter:
        note = extra = None
    words = _RELAY_WORDS.get(language, _RELAY_WORDS["id"])
    status = Status(complaint.status)
    lines = [f"{words['complaint']} {complaint.code}: {label(status, language)}"]
    if agency_name and status in {Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING}:
        lines.append(f"{words['handled_by']}: {agency_name}")
    if status == Status.DISPATCHED:
        lines.append(f"{words['answer_due']}: {local_date_text(complaint.answer_due_at, zone)}")
    if note:
        lines.append((words["answer"] if status == Status.ANSWERED else words["note"]) + note)
    if status == Status.ANSWERED and not supporter:
        lines.append(words["solved"].format(code=complaint.code))
    if extra:
        lines.append(extra)
    short = f"{complaint.code}: {label(status, language)}"
    payload: dict[str, Any] = {
        "text": "\n".join(lines),
        "short": short,
        "variables": {"code": complaint.code, "status": label(status, language)},
    }
    if status == Status.ANSWERED and note and not supporter:
        # Outside WhatsApp's 24-hour window the approved `answer` template carries the answer itself and
        # "sudah selesai?", not just "Dijawab": the citizen can read it and reply to it.
        payload["variables"]["answer"] = summary(note, ANSWER_TEMPLATE_CHARS)
        payload["template"] = "answer"
    return payload


_RELAY_WORDS = {
    "id": {"complaint": "Laporan", "handled_by": "Ditangani oleh", "answer_due": "Batas jawaban",
           "answer": "Jawaban: ", "note": "Catatan: ",
           "solved": "Apakah masalah Anda sudah selesai? Balas YA atau TIDAK (kode {code})."},
    "en": {"complaint": "Complaint", "handled_by": "Handled by", "answer_due": "Answer due",
           "answer": "Answer: ", "note": "Note: ",
           "solved": "Is your problem solved? Reply YES or NO (code {code})."},
}


def ombudsman_hint(complaint: Complaint, zone: Any) -> str:
    filed = complaint.created_at.astimezone(zone).strftime("%d-%m-%Y")
    return (
        f"Jika Anda belum puas, Anda dapat melapor ke {OMBUDSMAN}, "
        f"dengan menyebut kode {complaint.code} (dilaporkan {filed})."
    )


BUNDLE_LISTED = 10
BUNDLE_SUBJECT_CHARS = 70


def escalation_bundle(items: list[dict[str, Any]], dashboard_url: str) -> dict[str, Any]:
    """One message to a regional official listing every complaint a sweep pass escalated to them.

    `items` come oldest overdue first, each with `code`, `agency`, `subject`, `state`, `overdue_days`,
    `anonymous` and `confidential`. The text lists the first ones (a WhatsApp message holds about 1,600
    characters) and sends the reader to the dashboard for the rest; the variables fill the approved
    `escalation_regional` template outside WhatsApp's 24-hour window.
    """
    count = len(items)
    lines = [f"ESKALASI: {count} laporan lewat batas waktu, terlama lebih dulu"]
    for number, item in enumerate(items[:BUNDLE_LISTED], 1):
        overdue = item["overdue_days"]
        late = f"terlambat {overdue} hari kerja" if overdue else "lewat batas hari ini"
        who = " (anonim)" if item["anonymous"] else ""
        lines.append(f"{number}. {item['code']} ({item['agency']}): {item['state']}, {late}{who}")
        subject = "RAHASIA: isi hanya di dasbor" if item["confidential"] else summary(
            item["subject"], BUNDLE_SUBJECT_CHARS)
        lines.append(f"   {subject}")
    if count > BUNDLE_LISTED:
        lines.append(f"…dan {count - BUNDLE_LISTED} laporan lainnya.")
    lines.append(f"Dasbor: {dashboard_url}")
    codes = [item["code"] for item in items]
    agencies = list(dict.fromkeys(item["agency"] for item in items))
    variables = {
        "code": ", ".join(codes[:2]) + (f" dan {count - 2} lainnya" if count > 2 else ""),
        "agency": ", ".join(agencies[:3]) + (" dll." if len(agencies) > 3 else ""),
        "summary": f"{count} laporan belum ditindaklanjuti; rinciannya di dasbor",
        "count": count,
    }
    return {"text": "\n".join(lines), "variables": variables}
