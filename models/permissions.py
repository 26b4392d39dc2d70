"""Who may do what to which complaint: one table, one check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.lifecycle import NotAllowed
from models.roles import Role
from models.tables import Complaint


class Action(StrEnum):
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "ack"
    COORDINATE = "coordinate"
    ANSWER = "answer"
    CLOSE = "close"
    REJECT = "reject"
    NOT_OUR_AUTHORITY = "bukan_wewenang"
    REROUTE = "reroute"
    FORWARD = "forward"
    REVEAL_IDENTITY = "reveal_identity"
    # Correct LAPOR!'s classification (pengaduan / aspirasi / permintaan informasi); no status change.
    CHANGE_KIND = "change_kind"
    VIEW = "view"


@dataclass(frozen=True)
class Actor:
    kind: str  # reporter | official | system
    id: str | None
    role: Role | None = None
    agency_code: str | None = None

    @property
    def audit_id(self) -> str | None:
        return self.id


SYSTEM = Actor("system", "system")

_AGENCY_ACTIONS = frozenset(
    {Action.ACKNOWLEDGE, Action.COORDINATE, Action.ANSWER, Action.CLOSE, Action.NOT_OUR_AUTHORITY, Action.VIEW,
     Action.CHANGE_KIND}
)
_REGION_WIDE: dict[Role, frozenset[Action]] = {
    Role.TRIAGE: frozenset(Action) - {Action.REVEAL_IDENTITY},
    Role.REGIONAL_HEAD: frozenset({Action.REROUTE, Action.DISPATCH, Action.CLOSE, Action.VIEW}),
    Role.SEKDA: frozenset({Action.REROUTE, Action.DISPATCH, Action.CLOSE, Action.VIEW}),
    Role.INSPECTORATE: frozenset({Action.REROUTE, Action.DISPATCH, Action.REVEAL_IDENTITY, Action.VIEW}),
}


def allowed(actor: Actor, action: Action, complaint: Complaint) -> bool:
    if actor.kind == "system":
        return True
    if actor.kind != "official" or actor.role is None:
        return False
    if actor.role in (Role.ADMIN, Role.HEAD):
        return action in _AGENCY_ACTIONS and complaint.agency_code == actor.agency_code
    return action in _REGION_WIDE[actor.role]


def authorize(actor: Actor, action: Action, complaint: Complaint) -> None:
    if not allowed(actor, action, complaint):
        who = f"{actor.role.value if actor.role else actor.kind} {actor.id}"
        raise NotAllowed(f"{who} may not {action.value} complaint {complaint.code}")
