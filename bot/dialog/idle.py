"""A message outside any question: feedback on an answer, a tracking code, a new complaint, or the welcome."""

from __future__ import annotations

from bot.dialog.aftercare import feedback_on_answer
from bot.dialog.commands import status
from bot.dialog.context import Conversation
from bot.dialog.intake import looks_like_complaint, take_complaint_text
from bot.dialog.messages import Reply
from models.codes import find_code


def idle(turn: Conversation) -> list[Reply]:
    feedback = feedback_on_answer(turn)
    if feedback is not None:
        return feedback
    if find_code(turn.text, turn.settings.region.code_prefix):
        return status(turn)
    if looks_like_complaint(turn, turn.text):
        return take_complaint_text(turn)
    if turn.unsupported_media():
        return turn.unsupported_media() + [turn.reply("ask_text")]
    return [turn.reply("welcome", region=turn.settings.region.name)]
