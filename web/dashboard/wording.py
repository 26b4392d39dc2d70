"""What officials read on the dashboard: local dates in words and the complaint's history in sentences.

Officials read "Sen, 7 Des 2026 09:06 WITA" and "Diteruskan ke Dinas PUPR oleh sistem", never ISO
timestamps, status codes or outbox purposes. Indonesian first, English second (the page's language).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.lifecycle import KIND_LABELS

DAYS = {"id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
        "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS = {"id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
FULL_MONTHS = {"id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                      "Oktober", "November", "Desember"),
               "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")}

CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram", "email": "e-mail", "sms": "SMS", "web": "web chat",
                 "console": "konsol", "phone": "telepon", "walk_in": "datang langsung", "letter": "surat",
                 "social_media": "media sosial", "open311": "Open311"}
CHANNEL_NAMES_EN = {**CHANNEL_NAMES, "email": "e-mail", "console": "console", "phone": "phone",
                    "walk_in": "walk-in", "letter": "letter", "social_media": "social media"}

# (Indonesian, English) for each outbox purpose: what kind of message it was.
PURPOSES: dict[str, tuple[str, str]] = {
    "new_complaint": ("Peringatan laporan baru", "New-complaint alert"),
    "triage": ("Pemberitahuan verifikator", "Triage notice"),
    "reopened": ("Pemberitahuan laporan dibuka kembali", "Reopened notice"),
    "reminder": ("Pengingat", "Reminder"),
    "verify_overdue": ("Peringatan verifikasi terlambat", "Overdue-verification alert"),
    "escalation_head": ("Eskalasi ke kepala instansi", "Escalation to the agency head"),
    "escalation_regional": ("Eskalasi ke kepala daerah", "Escalation to the regional head"),
    "status": ("Kabar status", "Status update"),
    "digest": ("Ringkasan harian", "Daily digest"),
}
# (Indonesian, English) for each outbox status: what became of the message.
DELIVERY: dict[str, tuple[str, str]] = {
    "queued": ("menunggu dikirim", "waiting to be sent"),
    "sending": ("sedang dikirim", "being sent"),
    "sent": ("terkirim", "sent"),
    "delivered": ("sampai", "delivered"),
    "read": ("dibaca", "read"),
    "failed": ("gagal", "failed"),
    "undelivered": ("tidak sampai", "not delivered"),
    "held": ("digabung dalam satu pesan", "folded into one message"),
    "cancelled": ("dibatalkan", "cancelled"),
    "erased": ("dihapus atas permintaan pelapor", "erased at the reporter's request"),
}
# Sentences for each audit action; {actor}, {to}, {from}, {level}, {note} are filled in.
EVENTS: dict[str, tuple[str, str]] = {
    "file": ("Laporan masuk lewat {channel}", "Filed via {channel}"),
    "intake": ("Laporan dicatat oleh {actor} (sumber: {channel})", "Entered by {actor} (source: {channel})"),
    "dispatch": ("Diteruskan ke {to} oleh {actor}", "Dispatched to {to} by {actor}"),
    "forward": ("Diteruskan ke instansi luar {to} oleh {actor}", "Forwarded to the outside body {to} by {actor}"),
    "reroute": ("Dialihkan dari {from} ke {to} oleh {actor}", "Rerouted from {from} to {to} by {actor}"),
    "acknowledge": ("Diterima dan mulai diproses oleh {actor}", "Acknowledged by {actor}"),
    "coordinate": ("Dalam koordinasi lanjutan ({actor})", "In further coordination ({actor})"),
    "answer": ("Dijawab oleh {actor}", "Answered by {actor}"),
    "close": ("Ditutup oleh {actor}", "Closed by {actor}"),
    "reopen": ("Dibuka kembali oleh {actor}", "Reopened by {actor}"),
    "reject": ("Ditolak oleh {actor}", "Rejected by {actor}"),
    "bukan_wewenang": ("Dikembalikan ke verifikator oleh {actor}: bukan wewenang {from}",
                       "Returned to triage by {actor}: not the authority of {from}"),
    "escalate": ("Eskalasi tingkat {level} oleh sistem", "Escalated to level {level} by the system"),
    "rate": ("Pelapor memberi nilai {note}", "The reporter rated it {note}"),
    "support": ("Warga lain ikut mendukung laporan ini", "Another citizen supported this complaint"),
    "erase_identity": ("Pelapor meminta datanya dihapus", "The reporter asked for their data to be erased"),
    "reveal_identity": ("Identitas pelapor dibuka oleh {actor} (tercatat)",
                        "Reporter's identity revealed by {actor} (on record)"),
    "change_kind": ("Jenis laporan diubah menjadi {to} oleh {actor}", "Kind corrected to {to} by {actor}"),
    "moderate": ("Teks publik diubah oleh {actor}", "Public text edited by {actor}"),
    "block": ("Pelapor diblokir oleh {actor}", "Reporter blocked by {actor}"),
    "unblock": ("Blokir pelapor dibuka oleh {actor}", "Reporter unblocked by {actor}"),
}
SYSTEM = ("sistem", "the system")
# Moves made on filing under the reporter's name that the router, not the citizen, decided.
AUTOMATIC = frozenset({"dispatch", "forward"})
REPORTER = ("pelapor", "the reporter")
DEADLINES: tuple[tuple[str, tuple[str, str]], ...] = (
    ("verify_due_at", ("Batas verifikasi", "Verification due")),
    ("ack_due_at", ("Batas tanggapan awal", "First response due")),
    ("answer_due_at", ("Batas jawaban", "Answer due")),
    ("reply_due_at", ("Batas konfirmasi pelapor", "Reporter's confirmation due")),
)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def local_moment(instant: datetime | str | None, zone: ZoneInfo, lang: str = "id") -> str:
    """'Sen, 7 Des 2026 09:06 WITA' (or 'Mon, 7 Dec 2026 09:06 WITA')."""
    if not instant:
        return "-"
    moment = (datetime.fromisoformat(instant) if isinstance(instant, str) else instant).astimezone(zone)
    return f"{local_date(moment, zone, lang)} {moment:%H:%M} {moment.tzname()}"


def local_date(instant: datetime | str | None, zone: ZoneInfo, lang: str = "id") -> str:
    """'Sen, 7 Des 2026': the day, short, in the page's language."""
    if not instant:
        return "-"
    moment = (datetime.fromisoformat(instant) if isinstance(instant, str) else instant).astimezone(zone)
    names, months = DAYS.get(lang, DAYS["id"]), MONTHS.get(lang, MONTHS["id"])
    return f"{names[moment.weekday()]}, {moment.day} {months[moment.month - 1]} {moment.year}"


def month_title(month: str, lang: str = "id") -> str:
    """'2026-11' -> 'November 2026'."""
    year, number = month.split("-")
    return f"{FULL_MONTHS.get(lang, FULL_MONTHS['id'])[int(number) - 1]} {year}"


def due_date(instant: datetime | str | None, zone: ZoneInfo, lang: str = "id") -> str:
    """A deadline stored as the end of a day (midnight) is the day before: 'Sen, 7 Des 2026'."""
    if not instant:
        return "-"
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return local_date(moment - timedelta(seconds=1), zone, lang)


@dataclass(frozen=True)
class Deadline:
    label: str
    day: str
    passed: bool


def deadline_rows(complaint: Any, now: datetime, zone: ZoneInfo, lang: str) -> list[Deadline]:
    """The complaint's set deadlines, labelled in words, with whether each has passed."""
    rows = []
    for attribute, names in DEADLINES:
        instant = getattr(complaint, attribute)
        if instant is not None:
            rows.append(Deadline(_pick(names, lang), due_date(instant, zone, lang), instant < now))
    return rows


def channel_name(channel: str | None, lang: str = "id") -> str:
    names = CHANNEL_NAMES_EN if lang == "en" else CHANNEL_NAMES
    return names.get(channel or "", channel or "-")


@dataclass(frozen=True)
class Line:
    """One entry of the complaint's history, as a sentence."""
    at: str
    sentence: str
    detail: str
    kind: str  # "event" or "notification"
    failed: bool = False


class Narrator:
    """Turns audit events and outbox rows into sentences, naming agencies and officials."""

    def __init__(self, agencies: Mapping[str, str], officials: Mapping[str, str], zone: ZoneInfo, lang: str):
        self.agencies, self.officials, self.zone, self.lang = agencies, officials, zone, lang

    def agency(self, code: str | None) -> str:
        if not code:
            return _pick(("verifikator", "triage"), self.lang)
        return self.agencies.get(code, code)

    def actor(self, kind: str | None, actor_id: str | None) -> str:
        if kind == "official" and actor_id:
            return self.officials.get(actor_id, actor_id)
        if kind == "reporter":
            return _pick(REPORTER, self.lang)
        return _pick(SYSTEM, self.lang)

    def event(self, event: Mapping[str, Any]) -> Line:
        raw = event.get("data")
        data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        template = EVENTS.get(event["action"])
        note = event.get("note") or ""
        actor = self.actor(event.get("actor_kind"), event.get("actor_id"))
        if event["action"] in AUTOMATIC and event.get("actor_kind") == "reporter":
            actor = _pick(SYSTEM, self.lang)  # routed on filing: the router chose, not the citizen
        if template is None:
            sentence = f"{event['action']} ({actor})"
        else:
            sentence = _pick(template, self.lang).format(
                actor=actor,
                to=self._target(event["action"], data), **{"from": self.agency(data.get("from"))},
                level=data.get("level", ""), note=note,
                channel=channel_name(data.get("channel") or event.get("channel"), self.lang))
        shown_note = "" if event["action"] in {"rate", "intake", "escalate"} else note
        return Line(local_moment(event.get("at"), self.zone, self.lang), sentence, shown_note, "event")

    def _target(self, action: str, data: Mapping[str, Any]) -> str:
        if action == "change_kind":
            kind = str(data.get("to", ""))
            return KIND_LABELS.get(kind, kind) if self.lang != "en" else kind  # type: ignore[call-overload]
        return self.agency(data.get("to"))

    def notification(self, item: Mapping[str, Any]) -> Line:
        """'Peringatan WhatsApp ke Admin PUPR terkirim'."""
        purpose = _pick(PURPOSES.get(item["purpose"], (item["purpose"], item["purpose"])), self.lang)
        if item["recipient_kind"] == "official":
            recipient = self.officials.get(item["recipient_id"], item["recipient_id"])
        elif item["recipient_kind"] == "reporter":
            recipient = _pick(REPORTER, self.lang)
        else:
            recipient = _pick(("petugas operasional", "operations"), self.lang)
        status = _pick(DELIVERY.get(item["status"], (item["status"], item["status"])), self.lang)
        link = _pick(("ke", "to"), self.lang)
        sentence = f"{purpose} {channel_name(item['channel'], self.lang)} {link} {recipient} {status}"
        attempts = int(item.get("attempts") or 0)
        if attempts > 1:
            sentence += _pick((f" (dicoba {attempts} kali)", f" ({attempts} attempts)"), self.lang)
        failed = item["status"] in {"failed", "undelivered"}
        return Line(local_moment(item.get("at"), self.zone, self.lang), sentence, item.get("last_error") or "",
                    "notification", failed)
