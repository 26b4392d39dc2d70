"""SP4N-LAPOR!: what a complaint looks like on LAPOR!'s form, the topic mapping, and LAPOR!'s own texts.

Both connectors (docs/LAPOR.md) hand over the same fields: the manual queue shows them to copy into
lapor.go.id, the API connector sends them (renamed by `lapor.api.fields`). An anonymous or misconduct
reporter's identity never leaves: LAPOR!'s form gets "anonim" and the masked words instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from models.config import LaporConfig, Settings
from models.notices import location_text, summary
from models.privacy import identity_hidden, shown_text
from models.tables import Complaint

# The complaint channel of a report that came from LAPOR! (models.notification.Channel.SP4N_LAPOR).
LAPOR_CHANNEL = "SP4N-LAPOR!"
# LAPOR! asks for a short title; ours is the complaint's first words.
TITLE_CHARS = 80
TRACKING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/.]{2,39}$")


@dataclass(frozen=True)
class LaporForm:
    """The fields of LAPOR!'s report form, filled from one complaint (Indonesian labels: what LAPOR! shows)."""

    reference: str
    title: str
    text: str
    category: str
    location: str
    agency: str
    confidential: bool
    anonymous: bool
    filed_at: str
    reporter_name: str | None
    reporter_phone: str | None
    latitude: float | None
    longitude: float | None

    def labelled(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order of LAPOR!'s form, for the copy-ready queue page."""
        pairs = [("Judul", self.title), ("Isi laporan", self.text), ("Kategori", self.category),
                 ("Lokasi", self.location), ("Instansi", self.agency), ("Tanggal kejadian", self.filed_at),
                 ("Rahasia", "Ya" if self.confidential else "Tidak"),
                 ("Anonim", "Ya" if self.anonymous else "Tidak")]
        if self.reporter_name:
            pairs.append(("Nama pelapor", self.reporter_name))
        if self.reporter_phone:
            pairs.append(("Telepon pelapor", self.reporter_phone))
        pairs.append(("Referensi daerah", self.reference))
        return pairs

    def as_text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.labelled())

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def topic_for(config: LaporConfig, category: str | None) -> str:
    """LAPOR!'s topic for one of our categories (config data: `lapor.topics`)."""
    return config.topics.get(category or "", config.default_topic)


def lapor_form(complaint: Complaint, settings: Settings, zone: Any) -> LaporForm:
    hidden = identity_hidden(complaint)
    words = shown_text(complaint)
    agency = settings.agency(complaint.agency_code).name if complaint.agency_code else None
    reporter = complaint.reporter
    return LaporForm(
        reference=complaint.code,
        title=summary(words, TITLE_CHARS),
        text=words,
        category=topic_for(settings.lapor, complaint.category),
        location=location_text(complaint),
        agency=settings.lapor.instansi or agency or settings.region.name,
        # A misconduct report is a whistle-blowing report: closed to the public on LAPOR! as here.
        confidential=complaint.confidential or complaint.misconduct,
        anonymous=hidden,
        filed_at=complaint.created_at.astimezone(zone).strftime("%d-%m-%Y"),
        reporter_name=None if hidden or reporter is None else reporter.name,
        reporter_phone=None if hidden or reporter is None else reporter.phone,
        latitude=complaint.latitude,
        longitude=complaint.longitude,
    )


def create_payload(form: LaporForm) -> dict[str, Any]:
    """The outbox payload of a handover through the API: the form's values, mapped by the transport."""
    return {"text": f"Laporan {form.reference} ke SP4N-LAPOR!", "variables": form.values()}


def status_payload(complaint: Complaint, status: str, note: str | None, at: datetime) -> dict[str, Any]:
    """The outbox payload of one status push (the answer's words go along: LAPOR! shows the follow-up)."""
    variables = {"reference": complaint.code, "tracking_id": complaint.lapor_tracking_id, "status": status,
                 "note": note, "at": at.isoformat()}
    return {"text": f"Status {complaint.code} di SP4N-LAPOR!: {status}", "variables": variables}


def valid_tracking_id(typed: str) -> str | None:
    """LAPOR!'s tracking id as typed (digits, sometimes letters and dashes), or None when it cannot be one."""
    cleaned = typed.strip()
    return cleaned if TRACKING_ID.match(cleaned) else None


# --- LAPOR!'s notification text (the intake page's paste box) ---------------------------------------

_LINE = re.compile(r"^\s*([^:\n]{2,40}?)\s*[:=]\s*(.*)$")
_YES = frozenset({"ya", "y", "yes", "iya", "true", "1"})
MONTHS = {"januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7, "agustus": 8,
          "september": 9, "oktober": 10, "november": 11, "desember": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
          "jun": 6, "jul": 7, "agu": 8, "agt": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12,
          "dec": 12, "may": 5}
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{1,2}):(\d{2}))?")
_WORDED_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?")


def parse_notification(text: str, config: LaporConfig) -> dict[str, str]:
    """The fields found in the text of LAPOR!'s notification ("Nomor Tracking: 1234567" ...).

    Only "label: value" lines are read; a label counts when it is one of `lapor.notification_labels`.
    A value that runs over several lines (the report's text) continues until the next known label.
    """
    labels = {label.lower(): field for field, names in config.notification_labels.items() for label in names}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _LINE.match(line)
        field = labels.get(match.group(1).strip().lower()) if match else None
        if match is not None and field is not None:
            current = field
            found.setdefault(field, []).append(match.group(2).strip())
        elif current is not None and line.strip():
            found[current].append(line.strip())
    return {field: "\n".join(part for part in parts if part).strip() for field, parts in found.items()}


def parse_local_datetime(text: str, zone: Any) -> datetime | None:
    """A date as LAPOR! writes it (03/12/2026 09:15, 2026-12-03, 3 Desember 2026 09.15), in the region's zone."""
    for pattern, order in ((_ISO_DATE, "ymd"), (_NUMERIC_DATE, "dmy"), (_WORDED_DATE, "dMy")):
        match = pattern.search(text or "")
        if match is None:
            continue
        first, second, third, hour, minute = match.groups()
        try:
            if order == "ymd":
                day = date(int(first), int(second), int(third))
            elif order == "dmy":
                day = date(int(third), int(second), int(first))
            else:
                month = MONTHS.get(second.lower())
                if month is None:
                    continue
                day = date(int(third), month, int(first))
            moment = time(int(hour), int(minute)) if hour is not None else time(8, 0)
        except ValueError:
            return None
        return datetime.combine(day, moment, zone)
    return None


def is_yes(text: str | None) -> bool:
    return (text or "").strip().lower() in _YES
