"""A message outside any question: feedback on an answer, a tracking code, a question about the service, a
new complaint, small talk, media sent before the words, or the welcome. The citizen's text is never dropped:
a complaint that also holds something code-like is filed, with a line saying how to look the code up."""

from __future__ import annotations

import re

from bot.dialog.aftercare import feedback_on_answer
from bot.dialog.commands import status
from bot.dialog.context import Conversation, is_photo
from bot.dialog.emergencies import emergency_kind
from bot.dialog.intake import answer_service_question, looks_like_complaint, take_complaint_text
from bot.dialog.lookup import tracking_code
from bot.dialog.messages import Reply
from bot.dialog.understanding.reading import small_talk
from models.codes import CODE_ALPHABET

AWAIT_TEXT = "await_text"


def idle(turn: Conversation) -> list[Reply]:
    if emergency_kind(turn.text) is not None:
        # Whatever else it might be (an answer, small talk), people in danger come first.
        return take_complaint_text(turn)
    feedback = feedback_on_answer(turn)
    if feedback is not None:
        return feedback
    prefix = turn.settings.region.code_prefix
    code = tracking_code(turn.text, prefix)
    if code and not looks_like_complaint(turn, _without_code(turn.text, code)):
        return status(turn)
    if _starts_like_a_code(turn.text, prefix):
        return status(turn)  # "BTL-7K3Q" from a poster: not found, with an example; never the menu
    answered = answer_service_question(turn)
    if answered is not None:
        return answered  # "how do I report ...?" is asked before the complaint, and is none
    if looks_like_complaint(turn, turn.text):
        replies = take_complaint_text(turn)
        return replies + [turn.reply("code_mentioned", code=code)] if code else replies
    talk = small_talk(turn.text)
    if talk is not None or _sticker_only(turn):
        return [turn.reply(f"smalltalk_{talk or 'ack'}")]
    kept = _keep_media_sent_first(turn)
    if kept:
        return kept
    if turn.unsupported_media():
        return turn.unsupported_media() + [turn.reply("ask_text")]
    return [turn.reply("welcome", region=turn.settings.region.name)]


def _keep_media_sent_first(turn: Conversation) -> list[Reply]:
    """A photo or a location before any words: kept in the draft for the complaint that follows."""
    if turn.text:
        return []
    photos = [vars(a) for a in turn.inbound.attachments if is_photo(a.kind, a.content_type)]
    location = turn.inbound.location
    if not photos and location is None:
        return []
    turn.goto(AWAIT_TEXT)
    if photos:
        turn.draft.setdefault("attachments", []).extend(photos[:5])
    if location is not None:
        turn.draft.update(latitude=location.latitude, longitude=location.longitude, preset_place=True)
        if location.address:
            turn.draft["location_text"] = location.address[:500]
    return [turn.reply("media_kept_photo" if photos else "media_kept_location")]


def _starts_like_a_code(text: str, prefix: str) -> bool:
    """A short message that starts with the region's code prefix and a dash or space ("BTL-7K3Q")."""
    return len(text.split()) <= 3 and re.match(rf"\s*{re.escape(prefix)}[\s-]+[0-9A-Za-z]", text, re.I) is not None


def _sticker_only(turn: Conversation) -> bool:
    kinds = {attachment.kind for attachment in turn.inbound.attachments}
    return not turn.text and kinds == {"sticker"}


def _without_code(text: str, code: str) -> str:
    """The text with the code's pieces taken out, to see whether more than a lookup was said."""
    pieces = set(code.split("-")) | {code.replace("-", "")} | {code.split("-", 1)[1].replace("-", "")}
    kept = [word for word in text.split() if _compact(word) not in pieces and _compact(word) != code.replace("-", "")]
    return " ".join(kept)


def _compact(word: str) -> str:
    return "".join(char for char in word.upper() if char in CODE_ALPHABET or char.isalpha())
