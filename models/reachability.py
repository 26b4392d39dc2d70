"""Whether a person can be reached at an address: the provider's verdict, recorded once for everyone.

A permanent refusal (a number not on WhatsApp, a citizen who blocked the bot, Twilio 21211) marks
every contact at that channel and address unreachable, official or citizen alike, with the reason,
so "why did the Kepala Dinas not get the alert?" has an answer on screen. Unblocking clears it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.tables import OfficialContact, Reporter

REASON_CHARS = 500


def mark_unreachable(session: Session, channel: str, address: str, reason: str, now: datetime) -> None:
    _set(session, channel, address, now, reason[:REASON_CHARS])


def mark_reachable(session: Session, channel: str, address: str) -> None:
    _set(session, channel, address, None, None)


def _set(session: Session, channel: str, address: str, at: datetime | None, reason: str | None) -> None:
    session.execute(update(OfficialContact)
                    .where(OfficialContact.channel == channel, OfficialContact.address == address)
                    .values(unreachable_at=at, unreachable_reason=reason))
    session.execute(update(Reporter)
                    .where(Reporter.channel == channel, Reporter.provider_id == address)
                    .values(unreachable_at=at, unreachable_reason=reason))
