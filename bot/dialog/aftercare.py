"""After the agency answered: was it resolved (yes reopens nothing, no reopens), then a 1-5 rating."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog import words
from bot.dialog.context import IDLE, Conversation
from bot.dialog.messages import Choice, Reply
from bot.dialog.texts import say
from models.lifecycle import Status
from models.tables import Complaint


def feedback_on_answer(turn: Conversation) -> list[Reply] | None:
    """A yes or no to the latest answered complaint of this reporter; None when the text is neither."""
    yes, no = words.is_one_of(turn.text, words.YES), words.is_one_of(turn.text, words.NO)
    if not (yes or no):
        return None
    query = select(Complaint).where(
        Complaint.reporter_id == turn.reporter.id, Complaint.status == Status.ANSWERED.value
    )
    complaint = turn.db.scalars(query.order_by(Complaint.answered_at.desc())).first()
    if complaint is None:
        return None
    turn.desk.record_feedback(complaint, turn.reporter, satisfied=yes)
    if yes:
        turn.goto("await_rating")
        turn.draft = {"rating_code": complaint.code}
        choices = tuple(Choice(str(n), str(n)) for n in range(1, 6))
        return [Reply(say("feedback_thanks_closed", turn.lang, code=complaint.code), choices=choices)]
    return [turn.reply("feedback_reopened", code=complaint.code)]


def await_rating(turn: Conversation) -> list[Reply] | None:
    """The rating; None (read it as a fresh message in idle) when the text is not one."""
    number = words.choice_number(turn.text, 5)
    code = str(turn.draft.get("rating_code", ""))
    complaint = turn.db.scalars(select(Complaint).where(Complaint.code == code)).first()
    turn.goto(IDLE)
    if number is None or complaint is None:
        return None
    turn.desk.record_rating(complaint, turn.reporter, number)
    return [turn.reply("rating_thanks", rating=number)]
