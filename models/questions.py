"""Open questions: what the desk asked a person, about which complaint, and whether they answered.

A reply is bound to the question it answers: the message the person replied to when their app says so
(WhatsApp's OriginalRepliedMessageSid, Telegram's reply_to_message), else their latest open question. The
answer then applies to that question's complaint only. Officials' alerts use the same table with audience
"official" (person_id is the official's id).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.tables import Complaint, Notification, OpenQuestion

CITIZEN = "citizen"
OFFICIAL = "official"
# What was asked.
SOLVED = "solved"            # "sudah selesai?" after the agency's answer
RATING = "rating"            # "1-5?" after a yes
SUPPORT_OFFER = "support_offer"  # "a similar complaint exists: support it?"
CLARIFY = "clarify"          # "about which complaint / did you mean yes?" after an unclear answer
SUPERSEDED = "superseded"


def ask(session: Session, audience: str, person_id: str, complaint: Complaint, kind: str, now: datetime,
        notification_id: int | None = None, provider_message_id: str | None = None) -> OpenQuestion:
    """Record a question; an older open question of the same kind about the same complaint is superseded."""
    session.execute(
        update(OpenQuestion)
        .where(OpenQuestion.audience == audience, OpenQuestion.person_id == person_id,
               OpenQuestion.complaint_id == complaint.id, OpenQuestion.kind == kind,
               OpenQuestion.answered_at.is_(None))
        .values(answered_at=now, answer=SUPERSEDED)
    )
    question = OpenQuestion(audience=audience, person_id=person_id, complaint_id=complaint.id, kind=kind,
                            asked_at=now, notification_id=notification_id, provider_message_id=provider_message_id)
    session.add(question)
    session.flush()
    return question


def open_questions(session: Session, audience: str, person_id: str,
                   kinds: tuple[str, ...] | None = None) -> list[OpenQuestion]:
    """The person's unanswered questions, newest first."""
    query = select(OpenQuestion).where(OpenQuestion.audience == audience, OpenQuestion.person_id == person_id,
                                       OpenQuestion.answered_at.is_(None))
    if kinds is not None:
        query = query.where(OpenQuestion.kind.in_(kinds))
    return list(session.scalars(query.order_by(OpenQuestion.asked_at.desc(), OpenQuestion.id.desc())))


def replied_to(session: Session, audience: str, person_id: str, provider_message_id: str) -> OpenQuestion | None:
    """The question carried by the message the person replied to (open or not), or None when unknown."""
    direct = select(OpenQuestion).where(OpenQuestion.audience == audience, OpenQuestion.person_id == person_id,
                                        OpenQuestion.provider_message_id == provider_message_id)
    found = session.scalars(direct.order_by(OpenQuestion.id.desc())).first()
    if found is not None:
        return found
    carried = (select(OpenQuestion).join(Notification, Notification.id == OpenQuestion.notification_id)
               .where(OpenQuestion.audience == audience, OpenQuestion.person_id == person_id,
                      Notification.provider_message_id == provider_message_id))
    return session.scalars(carried.order_by(OpenQuestion.id.desc())).first()


def complaint_replied_to(session: Session, recipient_kind: str, recipient_id: str,
                         provider_message_id: str) -> int | None:
    """The complaint of any message the desk sent this person that they replied to (a status relay, an
    alert), when no question was recorded with it."""
    query = select(Notification.complaint_id).where(Notification.recipient_kind == recipient_kind,
                                                    Notification.recipient_id == recipient_id,
                                                    Notification.provider_message_id == provider_message_id)
    return session.scalar(query)


def answered(question: OpenQuestion, answer: str, now: datetime) -> None:
    question.answered_at = now
    question.answer = answer[:40]
