"""One citizen message, handled: global commands first, then the conversation state.

A `Turn` lives for one message inside one database transaction. State handlers
are methods named after the state; each returns the replies and sets the next
state on the chat session.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog import words
from bot.dialog.messages import Choice, Inbound, Reply
from bot.dialog.similar import find_similar_open
from bot.dialog.status import status_replies
from bot.dialog.texts import say
from bot.routing import RoutingResult, RoutingTable, classify
from models.codes import find_code
from models.config import Settings
from models.desk import AttachmentIn, Desk, NewComplaint
from models.lifecycle import Kind, Status, label
from models.notices import local_date_text, summary
from models.privacy import INSPECTORATE_AGENCY, identity_hidden
from models.tables import ChatSession, Complaint, Reporter
from models.throttle import WEB_FILINGS, count_of, key_for, record

IDLE = "idle"
# Draft key holding the values of the choices last offered (see engine._offer_numbers_for).
CHOICES_KEY = "_choices"
PHOTO_KINDS = {"photo"}
UNSUPPORTED_MEDIA = {"audio": "pesan suara", "video": "video", "sticker": "stiker", "document": "dokumen"}
MIN_COMPLAINT_CHARS = 8
QUESTION_WORDS = ("bagaimana", "apakah", "kapan", "berapa", "dimana", "di mana", "mohon info", "syarat", "caranya")
SUGGESTION_WORDS = ("saran", "usul", "sebaiknya", "aspirasi", "harapan", "mohon dibangun", "mohon diadakan")


class Turn:
    def __init__(self, db: Session, settings: Settings, desk: Desk, table: RoutingTable,
                 chat: ChatSession, reporter: Reporter, inbound: Inbound, text: str) -> None:
        self.db = db
        self.settings = settings
        self.desk = desk
        self.table = table
        self.chat = chat
        self.reporter = reporter
        self.inbound = inbound
        self.text = text
        # A deep copy: the JSON column only notices changes made by assigning a different value.
        self.draft: dict[str, Any] = copy.deepcopy(chat.draft or {})
        self.text = _numbered_choice(text, self.draft.pop(CHOICES_KEY, []))

    @property
    def lang(self) -> str:
        return self.chat.language or "id"

    @property
    def now(self) -> datetime:
        return self.desk.now

    def reply(self, key: str, **values: Any) -> Reply:
        return Reply(say(key, self.lang, **values))

    def goto(self, state: str) -> None:
        self.chat.state = state
        if state == IDLE:
            self.draft = {}

    # --- entry -----------------------------------------------------------------------------

    def run(self) -> list[Reply]:
        if self.reporter.blocked_at is not None:
            return [self.reply("blocked")]
        replies = self._expire_if_idle()
        replies += self._global_command() or self._by_state()
        self.chat.draft = self.draft
        self.chat.updated_at = self.now
        return replies

    def _expire_if_idle(self) -> list[Reply]:
        idle_limit = timedelta(hours=self.settings.intake.session_idle_hours)
        if self.chat.state == IDLE or self.now - self.chat.updated_at <= idle_limit:
            return []
        self.goto(IDLE)
        return [self.reply("session_expired", hours=self.settings.intake.session_idle_hours)]

    def _global_command(self) -> list[Reply] | None:
        text, first = self.text, words.first_word(self.text)
        commands: list[tuple[bool, Callable[[], list[Reply]]]] = [
            (self.inbound.start_payload is not None or (first == "start" and text.startswith("/")), self._start),
            (words.is_one_of(text, words.CANCEL), self._cancel),
            (words.is_one_of(text, words.HELP), lambda: [self.reply("help")]),
            (words.is_one_of(text, words.ENGLISH), lambda: self._language("en")),
            (words.is_one_of(text, words.INDONESIAN), lambda: self._language("id")),
            (words.is_erase_request(text), self._ask_erase),
            (first in words.STATUS, self._status),
            (words.is_one_of(text, words.REPORT), self._report),
        ]
        for applies, handler in commands:
            if applies:
                return handler()
        return None

    def _by_state(self) -> list[Reply]:
        handler: Callable[[], list[Reply]] = getattr(self, f"state_{self.chat.state}", self.state_idle)
        return handler()

    # --- global commands -------------------------------------------------------------------

    def _start(self) -> list[Reply]:
        self.goto(IDLE)
        replies = [self.reply("welcome", region=self.settings.region.name)]
        if self.inbound.start_payload:
            place = self.inbound.start_payload.replace("_", " ").replace("-", " ").strip()[:200]
            self.draft["location_text"] = place
            self.draft["preset_place"] = True
            replies.append(self.reply("start_place", place=place))
        return replies

    def _cancel(self) -> list[Reply]:
        if self.chat.state == IDLE:
            return [self.reply("nothing_to_cancel")]
        self.goto(IDLE)
        return [self.reply("cancelled")]

    def _language(self, language: str) -> list[Reply]:
        self.chat.language = language
        return [self.reply("language_set")]

    def _ask_erase(self) -> list[Reply]:
        self.goto("confirm_erase")
        yes, photos, no = ("YA", "YA FOTO", "TIDAK") if self.lang == "id" else ("YES", "YES PHOTOS", "NO")
        choices = (Choice(yes, "ya"), Choice(photos, "ya foto"), Choice(no, "tidak"))
        return [Reply(say("erase_confirm", self.lang), choices=choices)]

    def _status(self) -> list[Reply]:
        prefix = self.settings.region.code_prefix
        code = find_code(self.text, prefix)
        return status_replies(self.db, self.settings, self.reporter, self.text, code, self.lang, self.desk.calendar)

    def _report(self) -> list[Reply]:
        limit_reply = self._daily_limit_reached()
        if limit_reply:
            return limit_reply
        preset = {k: v for k, v in self.draft.items() if k in ("location_text", "preset_place")}
        self.goto("await_text")
        self.draft = preset
        return [self.reply("ask_text")]

    # --- states ----------------------------------------------------------------------------

    def state_idle(self) -> list[Reply]:
        feedback = self._feedback_on_answer()
        if feedback is not None:
            return feedback
        if find_code(self.text, self.settings.region.code_prefix):
            return self._status()
        if self._looks_like_complaint(self.text):
            return self._take_complaint_text()
        if self._unsupported_media():
            return self._unsupported_media() + [self.reply("ask_text")]
        return [self.reply("welcome", region=self.settings.region.name)]

    def state_await_text(self) -> list[Reply]:
        if self.draft.get("long_text") and words.is_one_of(self.text, words.CONTINUE):
            self.text = str(self.draft.pop("long_text"))
            return self._accept_text(self.text)
        media = self._unsupported_media()
        if len(self.text) < MIN_COMPLAINT_CHARS and not self._routes_somewhere(self.text):
            return media + [self.reply("text_too_short")]
        return self._take_complaint_text()

    def state_await_location(self) -> list[Reply]:
        location = self.inbound.location
        if location is not None:
            self.draft.update(latitude=location.latitude, longitude=location.longitude)
            if location.address:
                self.draft["location_text"] = location.address[:500]
        elif self.text and not words.is_one_of(self.text, words.SKIP):
            self.draft["location_text"] = self.text[:500]
        elif not self.text and not words.is_one_of(self.text, words.SKIP):
            return self._unsupported_media() + [self._ask_location()]
        return self._ask_photo()

    def state_await_photo(self) -> list[Reply]:
        photos = [a for a in self.inbound.attachments if _is_photo(a.kind, a.content_type)]
        if photos:
            self.draft.setdefault("attachments", []).extend(vars(photo) for photo in photos[:5])
            return self._ask_privacy()
        if words.is_one_of(self.text, words.SKIP) or words.is_one_of(self.text, words.NO):
            return self._ask_privacy()
        return self._unsupported_media() + [self.reply("photo_again")]

    def state_await_privacy(self) -> list[Reply]:
        number = words.choice_number(self.text, 4)
        if number is None:
            return [self.reply("privacy_again")]
        self.draft["anonymous"] = number in (2, 4)
        self.draft["confidential"] = number in (3, 4)
        return self._propose_agency()

    def state_await_agency(self) -> list[Reply]:
        if words.is_one_of(self.text, words.UNKNOWN):
            return self._file(None)
        if words.is_one_of(self.text, words.YES):
            return self._check_similar(self.draft["candidates"][0])
        if words.is_one_of(self.text, words.OTHER) or words.is_one_of(self.text, words.NO):
            return self._ask_pick()
        return [self.reply("confirm_again")]

    def state_await_pick(self) -> list[Reply]:
        options = list(self.draft.get("candidates", []))[:3]
        number = words.choice_number(self.text, len(options) + 1)
        picked = self._agency_named(self.text)
        if number is None and picked is None:
            if words.is_one_of(self.text, words.UNKNOWN):
                return self._file(None)
            return [self.reply("pick_again")]
        if picked is None and number is not None and number > len(options):
            return self._file(None)
        return self._check_similar(picked or options[(number or 1) - 1])

    def state_await_support(self) -> list[Reply]:
        if words.is_one_of(self.text, words.YES):
            return self._support(str(self.draft["similar_code"]))
        if words.is_one_of(self.text, words.NO):
            return self._file(str(self.draft["agency"]))
        return [self._yes_no(say("confirm_again", self.lang))]

    def state_await_rating(self) -> list[Reply]:
        number = words.choice_number(self.text, 5)
        code = str(self.draft.get("rating_code", ""))
        complaint = self.db.scalars(select(Complaint).where(Complaint.code == code)).first()
        self.goto(IDLE)
        if number is None or complaint is None:
            return self.state_idle()
        self.desk.record_rating(complaint, self.reporter, number)
        return [self.reply("rating_thanks", rating=number)]

    def state_confirm_erase(self) -> list[Reply]:
        self.goto(IDLE)
        with_media = words.is_one_of(self.text, words.ERASE_WITH_MEDIA)
        if with_media or words.is_one_of(self.text, words.YES):
            if with_media:
                self._delete_media_files(self.desk.detach_media(self.reporter))
            count = self.desk.erase_reporter(self.reporter)
            return [self.reply("erased", count=count)]
        return [self.reply("erase_kept")]

    def _delete_media_files(self, paths: list[str]) -> None:
        root = self.settings.resolve(self.settings.intake.media_dir).resolve()
        for relative in paths:
            path = (root / relative).resolve()
            if path.is_relative_to(root) and path.is_file():
                path.unlink()

    # --- intake steps ----------------------------------------------------------------------

    def _take_complaint_text(self) -> list[Reply]:
        limit_reply = self._daily_limit_reached()
        if limit_reply:
            return limit_reply
        limit = self.settings.intake.max_text_chars
        if len(self.text) > limit:
            self.goto("await_text")
            self.draft["long_text"] = self.text
            return [self.reply("text_too_long", length=len(self.text), limit=limit)]
        return self._accept_text(self.text)

    def _accept_text(self, text: str) -> list[Reply]:
        self.draft["text"] = text
        self.draft["kind"] = infer_kind(text).value
        self.draft.setdefault("attachments", [])
        self.draft["attachments"].extend(
            vars(a) for a in self.inbound.attachments if _is_photo(a.kind, a.content_type)
        )
        if self.inbound.location is not None:
            return self.state_await_location()
        if self.draft.get("preset_place"):
            return self._ask_photo()
        return [self._ask_location()]

    def _ask_location(self) -> Reply:
        self.goto("await_location")
        reply = say("ask_location", self.lang)
        skip = "LEWATI" if self.lang == "id" else "SKIP"
        return Reply(reply, short=reply[:160], choices=(Choice(skip, "lewati"),), request_location=True)

    def _ask_photo(self) -> list[Reply]:
        if self.draft.get("attachments"):
            return self._ask_privacy()
        self.goto("await_photo")
        skip = "LEWATI" if self.lang == "id" else "SKIP"
        return [Reply(say("ask_photo", self.lang), choices=(Choice(skip, "lewati"),))]

    def _ask_privacy(self) -> list[Reply]:
        self.goto("await_privacy")
        labels = ("Biasa", "Anonim", "Rahasia", "Anonim + rahasia") if self.lang == "id" else (
            "Normal", "Anonymous", "Confidential", "Anonymous + confidential")
        choices = tuple(Choice(text, str(number)) for number, text in enumerate(labels, start=1))
        return [Reply(say("ask_privacy", self.lang), choices=choices)]

    def _propose_agency(self) -> list[Reply]:
        result = classify(str(self.draft["text"]), self.table)
        self.draft["routing"] = result.to_dict()
        self.draft["candidates"] = [c.agency for c in result.candidates if self.settings.has_agency(c.agency)]
        if result.confidential:
            # Misconduct: the Inspectorate is the only choice; the office it accuses is never offered.
            self.draft.update(misconduct=True, subject=result.subject, candidates=[INSPECTORATE_AGENCY])
            return self._confirm_agency(result)
        if not self.draft["candidates"] or result.decision == "triage":
            return self._file(None)
        if result.decision == "ask":
            return self._ask_pick()
        return self._confirm_agency(result)

    def _confirm_agency(self, result: RoutingResult) -> list[Reply]:
        self.goto("await_agency")
        agency = self.settings.agency(self.draft["candidates"][0])
        if agency.kind == "external":
            text = say("confirm_external", self.lang, agency=agency.name, contact=agency.contact)
        else:
            text = say("confirm_agency", self.lang, agency=agency.name)
        if result.confidential:
            text += "\n" + say("confidential_forced", self.lang)
        choices = (Choice("YA", "ya"), Choice("PILIH LAIN", "pilih lain"), Choice("TIDAK TAHU", "tidak tahu"))
        return [Reply(text, short=f"Ke {agency.code}? Balas YA/LAIN/TIDAK TAHU"[:160], choices=choices)]

    def _ask_pick(self) -> list[Reply]:
        options = list(self.draft.get("candidates", []))[:3]
        if not options:
            return self._file(None)
        self.goto("await_pick")
        names = [self.settings.agency(code).name for code in options]
        lines = "\n".join(f"{number}. {name}" for number, name in enumerate(names, start=1))
        unknown = len(options) + 1
        choices = tuple(Choice(name, str(n)) for n, name in enumerate(names, start=1))
        choices += (Choice("Tidak tahu" if self.lang == "id" else "Don't know", str(unknown)),)
        return [Reply(say("pick_agency", self.lang, options=lines, unknown=unknown), choices=choices)]

    def _check_similar(self, agency_code: str) -> list[Reply]:
        self.draft["agency"] = agency_code
        if self.draft.get("misconduct"):
            return self._file(agency_code)  # a misconduct report is never folded into somebody else's
        similar = find_similar_open(
            self.db, self.table, agency_code, str(self.draft["text"]),
            self.draft.get("latitude"), self.draft.get("longitude"), self.now,
        )
        if similar is None or similar.reporter_id == self.reporter.id:
            return self._file(agency_code)
        self.draft["similar_code"] = similar.code
        self.goto("await_support")
        return [self._yes_no(self._similar_text(similar))]

    def _similar_text(self, similar: Complaint) -> str:
        """Never another citizen's own words or code: the moderated public text of a public complaint, or a
        neutral sentence."""
        status = label(similar.status, self.lang)
        if similar.public_text and not similar.confidential and not identity_hidden(similar):
            return say("similar_exists", self.lang, status=status, summary=summary(similar.public_text, 100))
        return say("similar_exists_neutral", self.lang, status=status)

    def _support(self, code: str) -> list[Reply]:
        complaint = self.db.scalars(select(Complaint).where(Complaint.code == code)).one()
        self.desk.add_supporter(complaint, self.reporter)
        self.goto(IDLE)
        return [self.reply("supported")]

    def _file(self, agency_code: str | None) -> list[Reply]:
        limit_reply = self._daily_limit_reached()
        if limit_reply:
            return limit_reply
        complaint = self.desk.file(self._new_complaint(agency_code), dispatch=self.settings.intake.auto_dispatch)
        if self.inbound.client_address:
            record(self.db, WEB_FILINGS, self._filings_key(), self.now)
        self.goto(IDLE)
        return [self._filed_reply(complaint)]

    def _new_complaint(self, agency_code: str | None) -> NewComplaint:
        draft = self.draft
        attachments = [AttachmentIn(**item) for item in draft.get("attachments", [])]
        return NewComplaint(
            reporter=self.reporter,
            text=str(draft["text"]),
            channel=self.inbound.channel,
            kind=Kind(draft.get("kind", Kind.COMPLAINT.value)),
            agency_code=agency_code,
            routing=draft.get("routing"),
            anonymous=bool(draft.get("anonymous", False)),
            confidential=bool(draft.get("confidential", False)),
            latitude=draft.get("latitude"),
            longitude=draft.get("longitude"),
            location_text=draft.get("location_text"),
            attachments=attachments,
            misconduct=bool(draft.get("misconduct", False)),
            subject_agency_code=draft.get("subject"),
        )

    def _filed_reply(self, complaint: Complaint) -> Reply:
        zone = self.desk.calendar.zone
        zone_name = _zone_label(self.settings.region.timezone)
        agency = self.settings.agency(complaint.agency_code) if complaint.agency_code else None
        if complaint.status == Status.FORWARDED and agency is not None:
            text = say("filed_forwarded", self.lang, code=complaint.code, agency=agency.name, contact=agency.contact)
        elif complaint.status == Status.DISPATCHED and agency is not None:
            text = say("filed_dispatched", self.lang, code=complaint.code, agency=agency.name,
                       answer_due=local_date_text(complaint.answer_due_at, zone), zone=zone_name)
        else:
            text = say("filed_triage", self.lang, code=complaint.code,
                       verify_due=local_date_text(complaint.verify_due_at, zone), zone=zone_name)
        return Reply(text, short=f"Laporan tercatat: {complaint.code}. Cek: CEK {complaint.code}",
                     data={"code": complaint.code})

    # --- helpers ---------------------------------------------------------------------------

    def _feedback_on_answer(self) -> list[Reply] | None:
        yes, no = words.is_one_of(self.text, words.YES), words.is_one_of(self.text, words.NO)
        if not (yes or no):
            return None
        query = select(Complaint).where(
            Complaint.reporter_id == self.reporter.id, Complaint.status == Status.ANSWERED.value
        )
        complaint = self.db.scalars(query.order_by(Complaint.answered_at.desc())).first()
        if complaint is None:
            return None
        self.desk.record_feedback(complaint, self.reporter, satisfied=yes)
        if yes:
            self.goto("await_rating")
            self.draft = {"rating_code": complaint.code}
            choices = tuple(Choice(str(n), str(n)) for n in range(1, 6))
            return [Reply(say("feedback_thanks_closed", self.lang, code=complaint.code), choices=choices)]
        return [self.reply("feedback_reopened", code=complaint.code)]

    def _daily_limit_reached(self) -> list[Reply] | None:
        """Per reporter, and for the web chat also per client address: a new cookie is a new reporter."""
        limit = self.settings.intake.max_complaints_per_day
        per_address = self.settings.security.web_filings_per_address_per_day
        under = self.desk.complaints_filed_today(self.reporter) < limit
        if under and self.inbound.client_address:
            under = count_of(self.db, self._filings_key(), self.now) < per_address
        if under:
            return None
        self.goto(IDLE)
        return [self.reply("daily_limit", limit=limit)]

    def _filings_key(self) -> str:
        day = self.desk.calendar.local(self.now).date().isoformat()
        return key_for(self.db, WEB_FILINGS, str(self.inbound.client_address), day)

    def _looks_like_complaint(self, text: str) -> bool:
        if len(text) < MIN_COMPLAINT_CHARS:
            return False
        return len(text.split()) >= 4 or self._routes_somewhere(text)

    def _routes_somewhere(self, text: str) -> bool:
        return bool(text) and classify(text, self.table).decision != "triage"

    def _unsupported_media(self) -> list[Reply]:
        for attachment in self.inbound.attachments:
            if not _is_photo(attachment.kind, attachment.content_type):
                kind = UNSUPPORTED_MEDIA.get(attachment.kind, attachment.kind)
                return [self.reply("media_not_supported", kind=kind)]
        return []

    def _agency_named(self, text: str) -> str | None:
        wanted = text.strip().upper()
        for code in self.draft.get("candidates", []):
            if wanted == code or wanted == self.settings.agency(code).name.upper():
                return str(code)
        return None

    def _yes_no(self, text: str) -> Reply:
        yes, no = ("YA", "TIDAK") if self.lang == "id" else ("YES", "NO")
        return Reply(text, choices=(Choice(yes, "ya"), Choice(no, "tidak")))


def _numbered_choice(text: str, offered: list[str]) -> str:
    """ "2" after choices [ya, tidak] means "tidak"; anything else is kept as typed."""
    number = words.choice_number(text, len(offered)) if offered else None
    return offered[number - 1] if number is not None else text


def infer_kind(text: str) -> Kind:
    """LAPOR!'s three classifications, inferred from wording (officials can change it)."""
    lowered = text.lower()
    if any(word in lowered for word in SUGGESTION_WORDS):
        return Kind.ASPIRATION
    if lowered.rstrip().endswith("?") or lowered.startswith(QUESTION_WORDS):
        return Kind.INFORMATION
    return Kind.COMPLAINT


def _is_photo(kind: str, content_type: str | None) -> bool:
    return kind in PHOTO_KINDS or (content_type or "").startswith("image/")


def _zone_label(timezone: str) -> str:
    return {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(timezone, timezone)
