"""Complaint statuses and the one table of legal transitions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COORDINATING = "coordinating"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    REJECTED = "rejected"
    FORWARDED = "forwarded"


class Kind(StrEnum):
    COMPLAINT = "pengaduan"
    ASPIRATION = "aspirasi"
    INFORMATION = "permintaan_informasi"


class RejectReason(StrEnum):
    UNCLEAR = "tidak_jelas"
    NOT_PUBLIC_SERVICE = "bukan_pelayanan_publik"
    DUPLICATE = "duplikat"
    SPAM = "spam"


LABELS: dict[str, dict[Status, str]] = {
    "id": {
        Status.RECEIVED: "Diterima",
        Status.DISPATCHED: "Didisposisi",
        Status.IN_PROGRESS: "Diproses",
        Status.COORDINATING: "Dalam koordinasi lanjutan",
        Status.ANSWERED: "Dijawab",
        Status.CLOSED: "Selesai",
        Status.REOPENED: "Dibuka kembali",
        Status.REJECTED: "Ditolak",
        Status.FORWARDED: "Diteruskan",
    },
    "en": {
        Status.RECEIVED: "Received",
        Status.DISPATCHED: "Dispatched",
        Status.IN_PROGRESS: "In progress",
        Status.COORDINATING: "In further coordination",
        Status.ANSWERED: "Answered",
        Status.CLOSED: "Closed",
        Status.REOPENED: "Reopened",
        Status.REJECTED: "Rejected",
        Status.FORWARDED: "Forwarded",
    },
}

REJECT_LABELS: dict[RejectReason, str] = {
    RejectReason.UNCLEAR: "laporan tidak jelas",
    RejectReason.NOT_PUBLIC_SERVICE: "bukan pelayanan publik",
    RejectReason.DUPLICATE: "duplikat laporan lain",
    RejectReason.SPAM: "spam",
}

KIND_LABELS: dict[Kind, str] = {
    Kind.COMPLAINT: "Pengaduan",
    Kind.ASPIRATION: "Aspirasi",
    Kind.INFORMATION: "Permintaan informasi",
}

# Every legal move. "Bukan wewenang" and triage returns are moves back to RECEIVED;
# a reroute is DISPATCHED -> DISPATCHED with a new owner.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.DISPATCHED, Status.FORWARDED, Status.REJECTED}),
    Status.DISPATCHED: frozenset(
        {Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING, Status.ANSWERED,
         Status.RECEIVED, Status.FORWARDED, Status.REJECTED}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.DISPATCHED, Status.COORDINATING, Status.ANSWERED, Status.RECEIVED, Status.FORWARDED}
    ),
    Status.COORDINATING: frozenset(
        {Status.DISPATCHED, Status.IN_PROGRESS, Status.ANSWERED, Status.RECEIVED}
    ),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REOPENED: frozenset(
        {Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING, Status.ANSWERED, Status.RECEIVED}
    ),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.FORWARDED: frozenset(),
}

OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING, Status.REOPENED}
)
# A fixed order: partial indexes over open complaints are only used by queries whose condition is
# written exactly as the index's (SQLite compares the two literally).
OPEN_VALUES: tuple[str, ...] = tuple(sorted(status.value for status in OPEN_STATUSES))
FINAL_STATUSES: frozenset[Status] = frozenset({Status.CLOSED, Status.REJECTED, Status.FORWARDED})


class DomainError(Exception):
    """An action the complaint lifecycle does not allow; the message is safe to show."""


class IllegalTransition(DomainError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"illegal transition: {current} -> {target}")
        self.current = current
        self.target = target


class NotAllowed(DomainError):
    """The actor's role does not permit the action on this complaint."""


def check_transition(current: str, target: str) -> None:
    if Status(target) not in TRANSITIONS[Status(current)]:
        raise IllegalTransition(current, target)


def label(status: str, language: str = "id") -> str:
    return LABELS.get(language, LABELS["id"])[Status(status)]
