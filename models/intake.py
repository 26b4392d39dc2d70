"""Operator intake: complaints received by phone, walk-in, letter or social media, entered by
the triage operator; they enter the same lifecycle (Desk.file) and the entry is audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from models.config import Role
from models.contacts import email_address
from models.desk import Desk, NewComplaint
from models.lifecycle import DomainError, NotAllowed
from models.permissions import Actor
from models.tables import Complaint, ComplaintEvent

INTAKE_CHANNELS = ("phone", "walk_in", "letter", "social_media")


@dataclass(frozen=True)
class IntakeForm:
    channel: str
    text: str
    name: str | None = None
    phone: str | None = None
    # Where the reporter hears back when they left no number (models/contacts.py).
    email: str | None = None
    agency_code: str | None = None
    anonymous: bool = False
    confidential: bool = False
    location_text: str | None = None
    source: str | None = None  # e.g. the Facebook post or letter number
    routing: dict[str, Any] | None = None  # the router's reading of the text (shown to triage, teaches the router)
    # Misconduct by civil servants, as the router read the text: filed with the Inspectorate whatever office the
    # operator picked, and the office it accuses (the router's subject, else the one picked) is its subject.
    misconduct: bool = False
    subject_agency_code: str | None = None


def file_for_citizen(desk: Desk, operator: Actor, form: IntakeForm) -> Complaint:
    if operator.kind != "official" or operator.role != Role.TRIAGE:
        raise NotAllowed(f"{operator.id} may not enter complaints")
    if form.channel not in INTAKE_CHANNELS:
        raise DomainError(f"channel must be one of {', '.join(INTAKE_CHANNELS)}")
    if len(form.text.strip()) < 10:
        raise DomainError("the complaint text is too short")
    if form.agency_code and not desk.settings.has_agency(form.agency_code):
        raise DomainError(f"unknown agency code {form.agency_code!r}")
    provider_id = f"{form.channel}:{form.phone}" if form.phone else f"{form.channel}:{secrets.token_hex(8)}"
    if form.email and email_address(form.email) is None:
        raise DomainError("the e-mail address is not valid")
    reporter = desk.reporter_for(form.channel, provider_id, form.name, form.phone, form.email)
    draft = NewComplaint(reporter=reporter, text=form.text.strip(), channel=form.channel,
                         agency_code=form.agency_code or None, anonymous=form.anonymous,
                         confidential=form.confidential, location_text=form.location_text or None,
                         routing=form.routing, misconduct=form.misconduct,
                         subject_agency_code=form.subject_agency_code)
    complaint = desk.file(draft, dispatch=bool(form.agency_code))
    complaint.events.append(ComplaintEvent(at=desk.now, actor_kind=operator.kind, actor_id=operator.audit_id,
                                           action="intake", note=form.source, data={"channel": form.channel}))
    desk.session.flush()
    return complaint
