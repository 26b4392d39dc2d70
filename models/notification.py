"""The outbox's vocabulary: who a notification is for, on which channel, where it stands, what it carries.

Enums like complaint `Status`: their values are the strings stored in the database (unchanged from
before they were enums), so old rows read back as members and `status == "sent"` still holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Required, TypedDict


class Channel(StrEnum):
    """Where a message reaches a person: the providers, and the channels complaints come in by."""

    WHATSAPP = "whatsapp"
    SMS = "sms"
    TELEGRAM = "telegram"
    EMAIL = "email"
    CONSOLE = "console"
    WEB = "web"
    OPEN311 = "open311"
    # Operator intake (models/intake.py): a reporter who phoned or walked in is told through the log.
    PHONE = "phone"
    WALK_IN = "walk_in"
    LETTER = "letter"
    SOCIAL_MEDIA = "social_media"
    # A report that came from the national SP4N-LAPOR! (entered by an operator; its reporter is told there).
    SP4N_LAPOR = "SP4N-LAPOR!"
    # The LAPOR! integration API (notifier/transports/lapor.py): handovers and status pushes.
    LAPOR_API = "lapor_api"


class RecipientKind(StrEnum):
    OFFICIAL = "official"
    REPORTER = "reporter"
    OPERATIONS = "operations"
    # The national SP4N-LAPOR! system (a handover or a status push through its API).
    LAPOR = "lapor"
    # An outside office the citizen asked us to write to (the Ombudsman RI representative office).
    OFFICE = "office"


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    # Provider delivery callbacks (Twilio's StatusCallback) move a sent message on.
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    # A regional leader's share of one escalation pass, folded into one bundle when the pass ends
    # (models/bundles.py); the dispatcher never sends a held row.
    HELD = "held"
    # A message to a reporter who asked to be erased (HAPUS DATA SAYA): never sent, address and text wiped.
    CANCELLED = "cancelled"


# Messages about the day or the month, not about one complaint: the notifier sends them after every
# alert and every answer to a citizen that is due at the same time.
BULK_PURPOSES = frozenset({"digest", "recap", "ops_summary", "self_check"})


class NotificationPayload(TypedDict, total=False):
    """What a transport renders: the text, a short form for SMS, the template variables of WhatsApp."""

    text: Required[str]
    short: str
    # Fill an approved WhatsApp template's placeholders (its `variables` name them in order).
    variables: dict[str, Any]
    # Set by a "outside the 24-hour window" callback: send the approved template, not free text.
    force_template: bool
    # A bundle's complaints (models/bundles.py): code, agency, subject, level, days overdue.
    items: list[dict[str, Any]]


_PAYLOAD_TYPES: dict[str, type | tuple[type, ...]] = {"text": str, "short": str, "variables": dict,
                                                      "force_template": bool, "items": list}


def as_payload(values: Mapping[str, Any]) -> NotificationPayload:
    """Check a payload's keys and types before it is stored; raises ValueError naming the key."""
    for key, value in values.items():
        expected = _PAYLOAD_TYPES.get(key)
        if expected is None:
            raise ValueError(f"notification payload: unknown key {key!r}")
        if not isinstance(value, expected):
            raise ValueError(f"notification payload: {key} must be {getattr(expected, '__name__', expected)}")
    if "text" not in values:
        raise ValueError("notification payload: text is required")
    payload: NotificationPayload = {"text": values["text"]}
    payload.update(values)  # type: ignore[typeddict-item]  # keys and types checked above
    return payload
