"""An emergency's turn: whom to call first, then the complaint filed at once as an emergency.

No location, photo or privacy questions stand between a citizen and the numbers: what came with the message
(a shared location, a photo, a place preset by a QR code) is kept; the desk routes it by its kind (BPBD, the
damkar) and alerts the officials on duty, day or night (`models/desk.py: Desk.file`).
"""

from __future__ import annotations

from bot.dialog.context import IDLE, Conversation, is_photo
from bot.dialog.messages import Reply
from bot.dialog.texts import say, say_sms
from models.config import NumberKind, Settings
from models.desk import AttachmentIn, NewComplaint
from models.lifecycle import Kind
from models.throttle import WEB_FILINGS, record

NUMBER_ORDER: tuple[NumberKind, ...] = ("general", "fire", "ambulance", "police")
MAX_PHOTOS = 5


def answer_emergency(turn: Conversation, kind: str) -> list[Reply]:
    """File it before anything else can go wrong, and answer with the numbers to call now."""
    complaint = turn.desk.file(_emergency_complaint(turn, kind), dispatch=True)
    if turn.inbound.client_address:
        record(turn.db, WEB_FILINGS, turn.filings_key(), turn.now)
    turn.goto(IDLE)
    return [first_reply(turn.settings, complaint.code, str(complaint.agency_code), turn.lang)]


def _emergency_complaint(turn: Conversation, kind: str) -> NewComplaint:
    """The message's text, with whatever place and photos came with it or before it (kept in the draft)."""
    draft, location = turn.draft, turn.inbound.location
    photos = [vars(a) for a in turn.inbound.attachments if is_photo(a.kind, a.content_type)]
    kept = [AttachmentIn(**item) for item in [*draft.get("attachments", []), *photos][:MAX_PHOTOS]]
    place = (location.address if location is not None else None) or draft.get("location_text")
    return NewComplaint(
        reporter=turn.reporter,
        text=turn.text[:turn.settings.intake.max_text_chars],
        channel=turn.inbound.channel,
        kind=Kind.COMPLAINT,
        latitude=location.latitude if location is not None else draft.get("latitude"),
        longitude=location.longitude if location is not None else draft.get("longitude"),
        location_text=str(place)[:500] if place else None,
        attachments=kept,
        emergency_kind=kind,
    )


def numbers_text(settings: Settings, language: str) -> str:
    """ "112, damkar 113, ambulans 119, polisi 110": the general number bare, the others with their label."""
    numbers = settings.emergency.national_numbers
    parts = []
    for kind in NUMBER_ORDER:
        number = numbers.get(kind)
        if number:
            parts.append(number if kind == "general" else f"{say(f'number_{kind}', language)} {number}")
    return ", ".join(parts)


def first_reply(settings: Settings, code: str, agency_code: str, language: str) -> Reply:
    """What an emergency is answered with first: whom to call now, then that it is filed and on its way."""
    numbers = numbers_text(settings, language)
    regional = settings.emergency.regional_numbers
    local = say("emergency_regional", language, numbers="; ".join(regional.values())) if regional else ""
    agency = settings.agency(agency_code)
    text = say("emergency_first", language, numbers=numbers, regional=local, code=code, agency=agency.name)
    short = say_sms("emergency_first", language, numbers=numbers, code=code, agency_code=agency.code)
    return Reply(text, short=short, data={"code": code, "emergency": True})
