"""Status by code: full detail to the reporter, the same minus the agency's answer to a supporter (the answer
is meant for the reporter); others see status only; confidential complaints are invisible to anyone else."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.messages import Reply
from bot.dialog.texts import say
from models.codes import code_shaped, example_code
from models.config import Settings
from models.desk import find_open_complaints_of
from models.lifecycle import Status, label
from models.notices import local_date_text
from models.tables import Complaint, Reporter, Supporter
from models.workdays import WorkingCalendar


def status_replies(db: Session, settings: Settings, reporter: Reporter, text: str, code: str | None,
                   language: str, calendar: WorkingCalendar) -> list[Reply]:
    example = example_code(settings.region.code_prefix)
    if code is None:
        typed = code_shaped(text, settings.region.code_prefix)
        if typed is not None:
            return [Reply(say("status_not_found", language, code=typed, example=example))]
        return [_mine(db, reporter, language) or Reply(say("status_need_code", language, example=example))]
    complaint = db.scalars(select(Complaint).where(Complaint.code == code)).first()
    involved = complaint is not None and _is_involved(db, complaint, reporter)
    if complaint is None or (complaint.confidential and not involved):
        return [Reply(say("status_not_found", language, code=code, example=example))]
    if involved:
        return [_full(settings, complaint, language, calendar, with_answer=complaint.reporter_id == reporter.id)]
    created = local_date_text_day(complaint, calendar)
    return [Reply(say("status_public", language, code=complaint.code,
                      status=label(complaint.status, language), created=created))]


def _is_involved(db: Session, complaint: Complaint, reporter: Reporter) -> bool:
    if complaint.reporter_id == reporter.id:
        return True
    query = select(Supporter.id).where(Supporter.complaint_id == complaint.id,
                                       Supporter.reporter_id == reporter.id)
    return db.scalar(query) is not None


def _full(settings: Settings, complaint: Complaint, language: str, calendar: WorkingCalendar,
          with_answer: bool) -> Reply:
    agency = settings.agency(complaint.agency_code).name if complaint.agency_code else "-"
    due_at = complaint.verify_due_at if complaint.status == Status.RECEIVED else complaint.answer_due_at
    heading = "Answer" if language == "en" else "Jawaban"
    answer = f"\n{heading}: {complaint.answer_text}" if complaint.answer_text and with_answer else ""
    text = say("status_full", language, code=complaint.code, status=label(complaint.status, language),
               agency=agency, created=local_date_text_day(complaint, calendar),
               due=local_date_text(due_at, calendar.zone), answer=answer)
    return Reply(text, short=f"{complaint.code}: {label(complaint.status, language)}")


def _mine(db: Session, reporter: Reporter, language: str) -> Reply | None:
    complaints = find_open_complaints_of(db, reporter)[:10]
    if not complaints:
        return None
    lines = "\n".join(f"{c.code}: {label(c.status, language)}" for c in complaints)
    return Reply(say("status_mine", language, lines=lines))


def local_date_text_day(complaint: Complaint, calendar: WorkingCalendar) -> str:
    return calendar.local(complaint.created_at).strftime("%d-%m-%Y")

