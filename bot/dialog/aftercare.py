"""After the agency answered: is it solved, then a 1-5 rating; each answer bound to the complaint asked about.

The question a reply answers is the one carried by the message the person replied to (`Inbound.reply_to`),
else their open "sudah selesai?" question, else (older chats, no question recorded) their one answered
complaint. With two possible complaints and nothing in the reply telling them apart, the bot asks which,
never guesses. A supporter's answer is their opinion (an audit event), never the reporter's dispute.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.dialog import words
from bot.dialog.context import IDLE, Conversation
from bot.dialog.lookup import tracking_code
from bot.dialog.messages import Choice, Reply
from bot.dialog.texts import say
from bot.dialog.understanding import tokens, vocabulary
from bot.dialog.understanding.reading import NO, PARTLY, YES, feedback_answer, rating_in, small_talk
from models.lifecycle import Status
from models.notices import summary
from models.notification import RecipientKind
from models.questions import (
    CITIZEN,
    RATING,
    SOLVED,
    SUPERSEDED,
    answered,
    complaint_replied_to,
    open_questions,
    replied_to,
)
from models.tables import Complaint, OpenQuestion, Supporter

AWAIT_WHICH = "await_which"
# Words a pick may add to its complaint's own ("yg lampu *depan* itu"); more make it a new message.
MAX_NEW_WORDS_IN_A_PICK = 1
TOPIC_MIN_CHARS = 4


def feedback_on_answer(turn: Conversation) -> list[Reply] | None:
    """The replies when this message answers "sudah selesai?"; None when it is not about that."""
    answer = feedback_answer(turn.text)
    if answer is None and small_talk(turn.text) not in ("thanks", "ack"):
        return None  # no question to look up: most messages (a greeting, a new complaint) stop here
    questions = _candidates(turn)
    if not questions:
        return None
    if answer is None:
        return _unsure(turn, questions)
    if len(questions) > 1:
        chosen = _by_topic(turn, questions)
        if chosen is None:
            return _ask_which(turn, questions, answer)
        questions = [chosen]
    return apply_answer(turn, questions[0], answer)


def apply_answer(turn: Conversation, question: OpenQuestion, answer: str) -> list[Reply]:
    """The answer applies to the question's complaint and to nothing else."""
    complaint = turn.db.get(Complaint, question.complaint_id)
    assert complaint is not None  # a question's complaint is never deleted
    answered(question, answer, turn.now)
    turn.goto(IDLE)
    if complaint.reporter_id != turn.reporter.id:
        turn.desk.record_supporter_opinion(complaint, turn.reporter, satisfied=answer == YES,
                                           note=f"pendukung: {answer}: {turn.text[:200]}")
        return [turn.reply("supporter_opinion", code=complaint.code)]
    if answer == YES:
        turn.desk.record_feedback(complaint, turn.reporter, satisfied=True)
        turn.desk.ask_citizen(complaint, turn.reporter, RATING)
        turn.goto("await_rating")
        turn.draft = {"rating_code": complaint.code}
        choices = tuple(Choice(str(n), str(n)) for n in range(1, 6))
        return [Reply(say("feedback_thanks_closed", turn.lang, code=complaint.code), choices=choices)]
    said = "baru sebagian selesai" if answer == PARTLY else "belum selesai"
    # The reporter's own words go with the reopening: the agency reads what is still wrong.
    turn.desk.record_feedback(complaint, turn.reporter, satisfied=False, note=f"pelapor: {said}: {turn.text[:300]}")
    return [turn.reply("feedback_partly" if answer == PARTLY else "feedback_reopened", code=complaint.code)]


def await_rating(turn: Conversation) -> list[Reply] | None:
    """The rating; None (read it as a fresh message in idle) when the text is not one."""
    number = rating_in(turn.text)
    code = str(turn.draft.get("rating_code", ""))
    complaint = turn.db.scalars(select(Complaint).where(Complaint.code == code)).first()
    turn.goto(IDLE)
    if number is None or complaint is None:
        return None
    turn.desk.record_rating(complaint, turn.reporter, number)
    for question in open_questions(turn.db, CITIZEN, str(turn.reporter.id), (RATING,)):
        if question.complaint_id == complaint.id:
            answered(question, str(number), turn.now)
    return [turn.reply("rating_thanks", rating=number)]


def await_which(turn: Conversation) -> list[Reply] | None:
    """The person says which complaint their earlier answer was about: a number, a code or its topic."""
    ids = [int(i) for i in turn.draft.get("which_questions", [])]
    answer = str(turn.draft.get("which_answer", ""))
    questions = [q for q in (turn.db.get(OpenQuestion, i) for i in ids) if q is not None and _still_open(turn, q)]
    turn.goto(IDLE)
    if not questions or answer not in (YES, NO, PARTLY):
        return None
    chosen = _picked(turn, questions)
    if chosen is None or _says_more_than_a_pick(turn, chosen):
        return None
    return apply_answer(turn, chosen, feedback_answer(turn.text) or answer)


# --- which question -----------------------------------------------------------------------------

def _candidates(turn: Conversation) -> list[OpenQuestion]:
    """The open "sudah selesai?" questions this message may answer, the replied-to one alone if known."""
    person = str(turn.reporter.id)
    questions = [q for q in open_questions(turn.db, CITIZEN, person, (SOLVED,)) if _still_open(turn, q)]
    if not questions:
        questions = _implicit_questions(turn)
    if turn.inbound.reply_to:
        bound = replied_to(turn.db, CITIZEN, person, turn.inbound.reply_to)
        complaint_id = bound.complaint_id if bound is not None else complaint_replied_to(
            turn.db, RecipientKind.REPORTER.value, person, turn.inbound.reply_to)
        if complaint_id is not None:
            bound_questions = [q for q in questions if q.complaint_id == complaint_id]
            return bound_questions or _asked_by_the_relay(turn, complaint_id)
    return questions


def _asked_by_the_relay(turn: Conversation, complaint_id: int) -> list[OpenQuestion]:
    """A reply to a relay about an answered complaint this person reported or supports, with no question
    recorded for them (a supporter's relay records none): the relay is what they answer, so the question is
    recorded now and bound to that complaint alone, never to another of theirs."""
    complaint = turn.db.get(Complaint, complaint_id)
    if complaint is None or complaint.status != Status.ANSWERED or feedback_answer(turn.text) is None:
        return []
    if not _reports_or_supports(turn, complaint):
        return []
    turn.desk.ask_citizen(complaint, turn.reporter, SOLVED)
    person = str(turn.reporter.id)
    return [q for q in open_questions(turn.db, CITIZEN, person, (SOLVED,)) if q.complaint_id == complaint_id]


def _reports_or_supports(turn: Conversation, complaint: Complaint) -> bool:
    if complaint.reporter_id == turn.reporter.id:
        return True
    joined = select(Supporter.id).where(Supporter.complaint_id == complaint.id,
                                        Supporter.reporter_id == turn.reporter.id)
    return turn.db.scalar(joined) is not None


def _implicit_questions(turn: Conversation) -> list[OpenQuestion]:
    """Answered complaints of this reporter asked before questions were recorded: asked now, so the answer
    still binds to one of them."""
    query = select(Complaint).where(Complaint.reporter_id == turn.reporter.id,
                                    Complaint.status == Status.ANSWERED.value)
    if feedback_answer(turn.text) is None:
        return []
    complaints = list(turn.db.scalars(query.order_by(Complaint.answered_at.desc())))
    if not complaints:
        return []
    for complaint in complaints:
        turn.desk.ask_citizen(complaint, turn.reporter, SOLVED)
    return [q for q in open_questions(turn.db, CITIZEN, str(turn.reporter.id), (SOLVED,)) if _still_open(turn, q)]


def _still_open(turn: Conversation, question: OpenQuestion) -> bool:
    """A question about a complaint that is no longer answered (closed by the office, reopened) is stale."""
    if question.answered_at is not None:
        return False
    complaint = turn.db.get(Complaint, question.complaint_id)
    if complaint is None or complaint.status != Status.ANSWERED:
        answered(question, SUPERSEDED, turn.now)
        return False
    return True


def _by_topic(turn: Conversation, questions: list[OpenQuestion]) -> OpenQuestion | None:
    """The one question whose complaint the message names: by code, or by a content word of its text
    ("yg lampu udah nyala")."""
    return _picked_by_code(turn, questions) or _picked_by_words(turn, questions)


def _picked(turn: Conversation, questions: list[OpenQuestion]) -> OpenQuestion | None:
    number = words.choice_number(turn.text, len(questions))
    if number is not None:
        return questions[number - 1]
    return _by_topic(turn, questions)


def _says_more_than_a_pick(turn: Conversation, question: OpenQuestion) -> bool:
    """A reply to "which one?" names a complaint by its own words ("yg lampu"); a message with words of its
    own ("jalan rusak parah depan SDN 3 ...") is a new message that shares a word, never a pick: taking it as
    one would change a complaint nobody chose and drop the new text."""
    own = _content_words(turn.text) - _content_words(_complaint(turn, question).text)
    return len(own) > MAX_NEW_WORDS_IN_A_PICK


def _picked_by_code(turn: Conversation, questions: list[OpenQuestion]) -> OpenQuestion | None:
    code = tracking_code(turn.text, turn.settings.region.code_prefix)
    if code is None:
        return None
    return next((q for q in questions if _complaint(turn, q).code == code), None)


def _picked_by_words(turn: Conversation, questions: list[OpenQuestion]) -> OpenQuestion | None:
    said = _content_words(turn.text)
    if not said:
        return None
    named = [q for q in questions if said & _content_words(_complaint(turn, q).text)]
    return named[0] if len(named) == 1 else None


def _content_words(text: str) -> set[str]:
    """Words that name a topic, cut to their first 5 letters ("lampunya" and "lampu" meet)."""
    known = {w for name in ("feedback", "smalltalk") for p in vocabulary(name).phrases for w in p.words}
    return {word[:5] for word in tokens(text) if len(word) >= TOPIC_MIN_CHARS and word.isalpha() and word not in known}


def _complaint(turn: Conversation, question: OpenQuestion) -> Complaint:
    complaint = turn.db.get(Complaint, question.complaint_id)
    assert complaint is not None
    return complaint


# --- asking -------------------------------------------------------------------------------------

def _unsure(turn: Conversation, questions: list[OpenQuestion]) -> list[Reply] | None:
    """Thanks or an ok after "sudah selesai?": not a yes; answer politely and ask once, naming the complaint."""
    talk = small_talk(turn.text)
    if talk not in ("thanks", "ack") or len(questions) != 1:
        return None
    complaint = _complaint(turn, questions[0])
    ask = say("ask_solved_again", turn.lang, code=complaint.code, summary=_about(turn, complaint))
    return [turn.reply(f"smalltalk_{talk}"), turn.yes_no(ask)]


def _ask_which(turn: Conversation, questions: list[OpenQuestion], answer: str) -> list[Reply]:
    turn.goto(AWAIT_WHICH)
    turn.draft = {"which_answer": answer, "which_questions": [q.id for q in questions[:5]]}
    complaints = [_complaint(turn, q) for q in questions[:5]]
    lines = "\n".join(f"{n}. {c.code} ({_about(turn, c)})" for n, c in enumerate(complaints, start=1))
    choices = tuple(Choice(c.code, str(n)) for n, c in enumerate(complaints, start=1))
    text = say("ask_which", turn.lang, options=lines)
    return [Reply(text, short=text[:160], choices=choices, data=_asks_which())]


def _about(turn: Conversation, complaint: Complaint) -> str:
    """A few words naming the complaint: the reporter's own text, or for a supporter its public summary."""
    if complaint.reporter_id == turn.reporter.id:
        return summary(complaint.text, 50)
    return summary(complaint.public_text, 50) if complaint.public_text and not complaint.confidential else "-"


def _asks_which() -> dict[str, Any]:
    return {"asks_which": True}
