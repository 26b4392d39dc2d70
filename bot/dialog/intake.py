"""Taking a complaint: its text, place, photo, privacy and agency, then filing it (or supporting a similar one)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.dialog import words
from bot.dialog.contact import with_contact_question
from bot.dialog.context import IDLE, NO_PHOTO_CHANNELS, Conversation, is_photo
from bot.dialog.emergencies import emergency_kind
from bot.dialog.messages import Choice, Reply
from bot.dialog.similar import find_similar_open
from bot.dialog.texts import say, say_sms
from bot.dialog.understanding.reading import (
    asks_about_the_service,
    feedback_answer,
    goes_on_after_the_question,
    opens_with_a_question,
    small_talk,
    tells_a_particular_problem,
)
from bot.dialog.urgent import answer_emergency
from bot.dialog.wrongdoor import external_body, first_reply
from bot.routing import RoutingResult, classify
from models.desk import AttachmentIn, NewComplaint
from models.lifecycle import Kind, Status, label
from models.notices import local_date_text, summary
from models.privacy import INSPECTORATE_AGENCY, identity_hidden
from models.questions import CITIZEN, SUPPORT_OFFER, answered, open_questions
from models.tables import Complaint
from models.throttle import WEB_FILINGS, record

MIN_COMPLAINT_CHARS = 8
# A place answer this long that the router can place is (also) the problem told again.
CLARIFYING_WORDS = 4
RETELLING_WORDS = 6
# Draft key: a question about the service that named a kind of problem ("how do I report a broken street
# light?"); it opens the complaint's text when the citizen then tells the problem itself.
ASKED = "asked"
SUGGESTION_WORDS = ("saran", "usul", "sebaiknya", "aspirasi", "harapan", "mohon dibangun", "mohon diadakan")


# --- states ------------------------------------------------------------------------------------

def await_text(turn: Conversation) -> list[Reply]:
    if turn.draft.get("long_text") and words.is_one_of(turn.text, words.CONTINUE):
        turn.text = str(turn.draft.pop("long_text"))
        return accept_text(turn, turn.text)
    media = turn.unsupported_media()
    if not turn.text:
        # A photo or place sent while we wait for the words: kept for the complaint.
        photos = [vars(a) for a in turn.inbound.attachments if is_photo(a.kind, a.content_type)]
        turn.draft.setdefault("attachments", []).extend(photos[:5])
        if turn.inbound.location is not None:
            location = turn.inbound.location
            turn.draft.update(latitude=location.latitude, longitude=location.longitude, preset_place=True)
    talk = small_talk(turn.text)
    if talk is not None:
        return [turn.reply(f"smalltalk_{talk}"), turn.reply("ask_text")]  # "pagi pak" is not the complaint
    answered = answer_service_question(turn)
    if answered is not None:
        return media + answered
    if len(turn.text) < MIN_COMPLAINT_CHARS and not routes_somewhere(turn, turn.text):
        return media + [turn.reply("text_too_short")]
    asked = turn.draft.pop(ASKED, None)
    if asked:
        turn.text = f"{asked}\n{turn.text}"
    return take_complaint_text(turn)


def answer_service_question(turn: Conversation) -> list[Reply] | None:
    """A question about the desk itself ("how do I report ...?", "is this the complaint service?", "cara
    lapor gimana?") gets the help text and files nothing; None when the message is no such question, or also
    tells a particular problem ("can I report the pothole at jl merdeka 5?", "is this the complaint service?
    my drain is blocked"): that one is the complaint.
    A question that names a kind of problem waits for the problem itself, and opens its text."""
    if not asks_about_the_service(turn.text) or tells_a_particular_problem(turn.text) \
            or goes_on_after_the_question(turn.text):
        return None
    if routes_somewhere(turn, turn.text):
        turn.goto("await_text")
        turn.draft[ASKED] = turn.text
    return [turn.reply("help")]


def await_location(turn: Conversation) -> list[Reply]:
    location = turn.inbound.location
    if location is not None:
        turn.draft.update(latitude=location.latitude, longitude=location.longitude)
        if location.address:
            turn.draft["location_text"] = location.address[:500]
    elif turn.text and not words.is_one_of(turn.text, words.SKIP):
        turn.draft["location_text"] = turn.text[:500]
        _clarified_by(turn, turn.text)
    elif not turn.text and not words.is_one_of(turn.text, words.SKIP):
        return turn.unsupported_media() + [ask_location(turn)]
    return ask_photo(turn)


def _offer_answered(turn: Conversation, similar: Complaint, answer: str) -> None:
    for question in open_questions(turn.db, CITIZEN, str(turn.reporter.id), (SUPPORT_OFFER,)):
        if question.complaint_id == similar.id:
            answered(question, answer, turn.now)


def _agrees(text: str) -> bool:
    """"ya", and the natural forms: "iya betul pak", "inggih", "yes"."""
    return words.is_one_of(text, words.YES) or (len(text.split()) <= 4 and feedback_answer(text) == "yes")


def _disagrees(text: str) -> bool:
    return words.is_one_of(text, words.NO) or (len(text.split()) <= 4 and feedback_answer(text) == "no")


def _with_detail_kept(turn: Conversation, ask_again: Reply) -> list[Reply]:
    """Words that are no answer to the question but tell more about the problem are never dropped: they
    join the complaint's text, and the question is asked again (one message: an SMS is one segment)."""
    if "text" not in turn.draft or not looks_like_complaint(turn, turn.text):
        return [ask_again]
    turn.draft["text"] = f"{turn.draft['text']}\n{turn.text}"[:turn.settings.intake.max_text_chars]
    text = f"{say('detail_kept', turn.lang)} {ask_again.text}"
    return [replace(ask_again, text=text, short=ask_again.short and text[:160])]


def _clarified_by(turn: Conversation, answer: str) -> None:
    """An answer to "where?" that tells the problem again, in more words ("itu yg dkt jmbtn ky kmrn", then
    "jalan dkt jembatan desa sungai lulut rusak lagi"): it is the place and part of the complaint's text."""
    text = str(turn.draft.get("text", ""))
    words = len(answer.split())
    if words < CLARIFYING_WORDS or not routes_somewhere(turn, answer):
        return
    if words >= RETELLING_WORDS or not routes_somewhere(turn, text):
        turn.draft["text"] = f"{text}\n{answer}"


def await_photo(turn: Conversation) -> list[Reply]:
    photos = [a for a in turn.inbound.attachments if is_photo(a.kind, a.content_type)]
    if photos:
        turn.draft.setdefault("attachments", []).extend(vars(photo) for photo in photos[:5])
        return ask_privacy(turn)
    if words.is_one_of(turn.text, words.SKIP) or words.is_one_of(turn.text, words.NO):
        return ask_privacy(turn)
    return turn.unsupported_media() + _with_detail_kept(turn, turn.reply("photo_again"))


def await_privacy(turn: Conversation) -> list[Reply]:
    number = words.choice_number(turn.text, 4)
    if number is None:
        return _with_detail_kept(turn, turn.reply("privacy_again"))
    turn.draft["anonymous"] = number in (2, 4)
    turn.draft["confidential"] = number in (3, 4)
    return propose_agency(turn)


def await_agency(turn: Conversation) -> list[Reply]:
    if words.is_one_of(turn.text, words.UNKNOWN):
        return file(turn, None)
    if _agrees(turn.text):
        return check_similar(turn, turn.draft["candidates"][0])
    if words.is_one_of(turn.text, words.OTHER) or _disagrees(turn.text):
        return ask_pick(turn)
    return _with_detail_kept(turn, turn.reply("confirm_again"))


def await_pick(turn: Conversation) -> list[Reply]:
    options = list(turn.draft.get("candidates", []))[:3]
    number = words.choice_number(turn.text, len(options) + 1)
    picked = _agency_named(turn, turn.text)
    if number is None and picked is None:
        if words.is_one_of(turn.text, words.UNKNOWN):
            return file(turn, None)
        return _with_detail_kept(turn, turn.reply("pick_again"))
    if picked is None and number is not None and number > len(options):
        return file(turn, None)
    return check_similar(turn, picked or options[(number or 1) - 1])


def await_support(turn: Conversation) -> list[Reply]:
    if _agrees(turn.text) or "dukung" in turn.text.lower():
        return _support(turn, str(turn.draft["similar_code"]))
    if _disagrees(turn.text):
        similar = turn.db.scalars(select(Complaint).where(Complaint.code == str(turn.draft["similar_code"]))).first()
        if similar is not None:
            _offer_answered(turn, similar, "tidak")
        return file(turn, str(turn.draft["agency"]))
    return _with_detail_kept(turn, turn.yes_no(say("confirm_again", turn.lang)))


# --- steps -------------------------------------------------------------------------------------

def take_complaint_text(turn: Conversation) -> list[Reply]:
    kind = emergency_kind(turn.text)
    if kind is not None:
        # Before any limit or question: the numbers to call are the first thing this citizen reads.
        return answer_emergency(turn, kind)
    limit_reply = turn.daily_limit_reached()
    if limit_reply:
        return limit_reply
    limit = turn.settings.intake.max_text_chars
    if len(turn.text) > limit:
        turn.goto("await_text")
        turn.draft["long_text"] = turn.text
        return [turn.reply("text_too_long", length=len(turn.text), limit=limit)]
    return accept_text(turn, turn.text)


def accept_text(turn: Conversation, text: str) -> list[Reply]:
    turn.draft["text"] = text
    turn.draft["kind"] = infer_kind(text).value
    turn.draft.setdefault("attachments", [])
    turn.draft["attachments"].extend(
        vars(a) for a in turn.inbound.attachments if is_photo(a.kind, a.content_type)
    )
    body = external_body(text, classify(text, turn.table), turn.settings)
    if body is not None:
        turn.draft["told_external"] = body.agency_code
    told = [first_reply(body, turn.lang)] if body is not None else []
    if turn.inbound.location is not None:
        return told + await_location(turn)
    if turn.draft.get("preset_place"):
        return told + ask_photo(turn)
    if body is not None:
        # No wrong door: where to go comes first, the question after it, in one message (one SMS segment).
        return [first_reply(body, turn.lang, then=ask_location(turn))]
    return [ask_location(turn)]


def ask_location(turn: Conversation) -> Reply:
    turn.goto("await_location")
    asked = turn.reply("ask_location")
    return Reply(asked.text, short=asked.short, choices=(Choice(turn.word("choice_skip"), "lewati"),),
                 request_location=True)


def ask_photo(turn: Conversation) -> list[Reply]:
    if turn.draft.get("attachments") or turn.inbound.channel in NO_PHOTO_CHANNELS:
        return ask_privacy(turn)
    turn.goto("await_photo")
    return [Reply(say("ask_photo", turn.lang), choices=(Choice(turn.word("choice_skip"), "lewati"),))]


def ask_privacy(turn: Conversation) -> list[Reply]:
    turn.goto("await_privacy")
    labels = ("privacy_normal", "privacy_anonymous", "privacy_confidential", "privacy_both")
    choices = tuple(Choice(turn.word(key), str(number)) for number, key in enumerate(labels, start=1))
    asked = turn.reply("ask_privacy")
    return [Reply(asked.text, short=asked.short, choices=choices)]


def propose_agency(turn: Conversation) -> list[Reply]:
    result = classify(str(turn.draft["text"]), turn.table)
    turn.draft["routing"] = result.to_dict()
    turn.draft["candidates"] = [c.agency for c in result.candidates if turn.settings.has_agency(c.agency)]
    if result.confidential:
        # Misconduct: the Inspectorate is the only choice; the office it accuses is never offered.
        turn.draft.update(misconduct=True, subject=result.subject, candidates=[INSPECTORATE_AGENCY])
        return _confirm_agency(turn, result)
    if not turn.draft["candidates"] or result.decision == "triage":
        return file(turn, None)
    if result.decision == "ask":
        return ask_pick(turn)
    return _confirm_agency(turn, result)


def _confirm_agency(turn: Conversation, result: RoutingResult) -> list[Reply]:
    turn.goto("await_agency")
    agency = turn.settings.agency(turn.draft["candidates"][0])
    # Where to go was said in the first reply already: the question need not say it again.
    told = turn.draft.get("told_external") == agency.code
    key = "confirm_external" if agency.kind == "external" and not told else "confirm_agency"
    asked = turn.reply(key, agency=agency.name, contact=agency.contact)
    text = asked.text
    if result.confidential:
        text += "\n" + say("confidential_forced", turn.lang)
    choices = (Choice(turn.word("choice_yes"), "ya"), Choice(turn.word("choice_other"), "pilih lain"),
               Choice(turn.word("choice_unknown"), "tidak tahu"))
    return [Reply(text, short=asked.short, choices=choices)]


def ask_pick(turn: Conversation) -> list[Reply]:
    options = list(turn.draft.get("candidates", []))[:3]
    if not options:
        return file(turn, None)
    turn.goto("await_pick")
    names = [turn.settings.agency(code).name for code in options]
    lines = "\n".join(f"{number}. {name}" for number, name in enumerate(names, start=1))
    unknown = len(options) + 1
    choices = tuple(Choice(name, str(n)) for n, name in enumerate(names, start=1))
    choices += (Choice(turn.word("pick_unknown_label"), str(unknown)),)
    # One SMS segment cannot hold three agencies' full names: their codes instead.
    codes = "\n".join(f"{number}. {code}" for number, code in enumerate(options, start=1))
    return [Reply(say("pick_agency", turn.lang, options=lines, unknown=unknown),
                  short=say_sms("pick_agency", turn.lang, options=codes, unknown=unknown), choices=choices)]


def check_similar(turn: Conversation, agency_code: str) -> list[Reply]:
    turn.draft["agency"] = agency_code
    if turn.draft.get("misconduct"):
        return file(turn, agency_code)  # a misconduct report is never folded into somebody else's
    similar = find_similar_open(
        turn.db, turn.table, agency_code, str(turn.draft["text"]),
        turn.draft.get("latitude"), turn.draft.get("longitude"), turn.now,
    )
    if similar is None or similar.reporter_id == turn.reporter.id:
        return file(turn, agency_code)
    turn.draft["similar_code"] = similar.code
    turn.desk.ask_citizen(similar, turn.reporter, SUPPORT_OFFER)  # the yes or no is about this complaint
    turn.goto("await_support")
    return [turn.yes_no(_similar_text(turn, similar), short=_similar_short(turn, similar))]


def _similar_text(turn: Conversation, similar: Complaint) -> str:
    """Never another citizen's own words or code: the moderated public text of a public complaint, or a
    neutral sentence."""
    status = label(similar.status, turn.lang)
    if similar.public_text and not similar.confidential and not identity_hidden(similar):
        return say("similar_exists", turn.lang, status=status, summary=summary(similar.public_text, 100))
    return say("similar_exists_neutral", turn.lang, status=status)


def _similar_short(turn: Conversation, similar: Complaint) -> str:
    return say_sms("similar_exists", turn.lang, status=label(similar.status, turn.lang))


def _support(turn: Conversation, code: str) -> list[Reply]:
    complaint = turn.db.scalars(select(Complaint).where(Complaint.code == code)).one()
    _offer_answered(turn, complaint, "ya")
    turn.desk.add_supporter(complaint, turn.reporter)
    turn.goto(IDLE)
    return [turn.reply("supported")]


def file(turn: Conversation, agency_code: str | None) -> list[Reply]:
    limit_reply = turn.daily_limit_reached()
    if limit_reply:
        return limit_reply
    complaint = turn.desk.file(_new_complaint(turn, agency_code), dispatch=turn.settings.intake.auto_dispatch)
    if turn.inbound.client_address:
        record(turn.db, WEB_FILINGS, turn.filings_key(), turn.now)
    turn.goto(IDLE)
    return [with_contact_question(turn, _filed_reply(turn, complaint))]


def _new_complaint(turn: Conversation, agency_code: str | None) -> NewComplaint:
    draft = turn.draft
    attachments = [AttachmentIn(**item) for item in draft.get("attachments", [])]
    return NewComplaint(
        reporter=turn.reporter,
        text=str(draft["text"]),
        channel=turn.inbound.channel,
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


def _filed_reply(turn: Conversation, complaint: Complaint) -> Reply:
    zone = turn.desk.calendar.zone
    zone_name = _zone_label(turn.settings.region.timezone)
    agency = turn.settings.agency(complaint.agency_code) if complaint.agency_code else None
    if complaint.status == Status.FORWARDED and agency is not None:
        filed = turn.reply("filed_forwarded", code=complaint.code, agency=agency.name, contact=agency.contact)
    elif complaint.status == Status.DISPATCHED and agency is not None:
        filed = turn.reply("filed_dispatched", code=complaint.code, agency=agency.name,
                           answer_due=local_date_text(complaint.answer_due_at, zone), zone=zone_name)
    else:
        filed = turn.reply("filed_triage", code=complaint.code,
                           verify_due=local_date_text(complaint.verify_due_at, zone), zone=zone_name)
    return Reply(filed.text, short=filed.short, data={"code": complaint.code})


# --- helpers -----------------------------------------------------------------------------------

def looks_like_complaint(turn: Conversation, text: str) -> bool:
    if len(text) < MIN_COMPLAINT_CHARS:
        return False
    return len(text.split()) >= 4 or routes_somewhere(turn, text)


def routes_somewhere(turn: Conversation, text: str) -> bool:
    return bool(text) and classify(text, turn.table).decision != "triage"


def _agency_named(turn: Conversation, text: str) -> str | None:
    wanted = text.strip().upper()
    for code in turn.draft.get("candidates", []):
        if wanted == code or wanted == turn.settings.agency(code).name.upper():
            return str(code)
    return None


def infer_kind(text: str) -> Kind:
    """LAPOR!'s three classifications, inferred from wording (officials can change it). A complaint led by a
    question about the desk ("can I report ...") asks to be filed: a complaint, not a request for information."""
    lowered = text.lower()
    if any(word in lowered for word in SUGGESTION_WORDS):
        return Kind.ASPIRATION
    if asks_about_the_service(text.split("\n", 1)[0]):
        return Kind.COMPLAINT
    if lowered.rstrip().endswith("?") or opens_with_a_question(text):
        return Kind.INFORMATION
    return Kind.COMPLAINT


def _zone_label(timezone: str) -> str:
    return {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(timezone, timezone)
