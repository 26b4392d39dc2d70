"""Moderation: the public version of a complaint and the block list, each change audited.

The original text stays in `Complaint.text`; the moderated text goes to `public_text`.
Only the triage role (admin instansi) moderates.
"""

from __future__ import annotations

from datetime import datetime

from models.config import Role
from models.lifecycle import DomainError, NotAllowed
from models.permissions import Action, Actor, authorize
from models.tables import Complaint, ComplaintEvent, Reporter

MODERATORS = frozenset({Role.TRIAGE})


def may_moderate(actor: Actor) -> bool:
    return actor.kind == "official" and actor.role in MODERATORS


def set_public_text(complaint: Complaint, actor: Actor, public_text: str, now: datetime) -> None:
    _require(actor, complaint)
    before = complaint.public_text
    complaint.public_text = public_text.strip() or None
    complaint.updated_at = now
    _audit(complaint, actor, "moderate", now, {"before": before, "after": complaint.public_text})


def block_reporter(complaint: Complaint, actor: Actor, now: datetime, reason: str | None = None) -> None:
    """Put the complaint's reporter on the block list (polite answer, nothing routed)."""
    _require(actor, complaint)
    reporter: Reporter = complaint.reporter
    if reporter.blocked_at is None:
        reporter.blocked_at = now
        # The reporter is the complaint's own: no id in the audit data, which officials read.
        _audit(complaint, actor, "block_reporter", now, None, reason)


def unblock_reporter(complaint: Complaint, actor: Actor, now: datetime) -> None:
    _require(actor, complaint)
    reporter: Reporter = complaint.reporter
    if reporter.blocked_at is not None:
        reporter.blocked_at = None
        _audit(complaint, actor, "unblock_reporter", now, None)


MIN_REVEAL_REASON = 10


def record_reveal(complaint: Complaint, actor: Actor, now: datetime, reason: str) -> None:
    """Audit that an official looked at a hidden reporter's identity (inspectorate only), and why."""
    authorize(actor, Action.REVEAL_IDENTITY, complaint)
    reason = reason.strip()
    if len(reason) < MIN_REVEAL_REASON:
        raise DomainError(f"a reveal needs its reason (at least {MIN_REVEAL_REASON} characters)")
    _audit(complaint, actor, "reveal_identity", now, {"reason": reason}, reason)


def _require(actor: Actor, complaint: Complaint) -> None:
    if not may_moderate(actor):
        raise NotAllowed(f"{actor.id} may not moderate complaint {complaint.code}")


def _audit(complaint: Complaint, actor: Actor, action: str, now: datetime, data: dict[str, object] | None,
           note: str | None = None) -> None:
    complaint.events.append(ComplaintEvent(at=now, actor_kind=actor.kind, actor_id=actor.audit_id, action=action,
                                           from_status=None, to_status=None, note=note, data=data))
