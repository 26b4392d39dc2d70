"""The inline buttons under an official's alert: what their callback data looks like, shared by the
notifier's transport (which draws them) and the adapter (which reads a press). Light on purpose: no
python-telegram-bot.

The data carries the alert's own unguessable token (`notifications.callback_token`, 32 random characters),
never a complaint code or a row id: a forged or replayed press names no alert, or one sent to somebody else,
and the dialog refuses it (bot/dialog/officials.py checks the presser is the alert's recipient).
"""

from __future__ import annotations

PREFIX = "al"
# Purposes whose alerts an agency official acts on with TERIMA / JAWAB / BUKAN / KOORDINASI.
ALERT_PURPOSES = frozenset({"new_complaint", "reopened", "escalation_head", "reminder"})
_LETTERS = {"TERIMA": "T", "JAWAB": "J", "BUKAN": "B", "KOORDINASI": "K"}
_VERBS = {letter: verb for verb, letter in _LETTERS.items()}
# Telegram allows 64 bytes of callback data.
DATA_LIMIT = 64


def alert_button_data(verb: str, token: str) -> str | None:
    """"al|T|<token>" for the TERIMA button of the alert with this token; None if it cannot be a button."""
    letter = _LETTERS.get(verb)
    data = f"{PREFIX}|{letter}|{token}"
    return data if letter is not None and token and len(data.encode()) <= DATA_LIMIT else None


def parse_alert_button(data: str | None) -> tuple[str, str] | None:
    """(verb, token) of an alert button's data; None for any other button (the citizens' keyboards)."""
    parts = (data or "").split("|")
    if len(parts) != 3 or parts[0] != PREFIX or parts[1] not in _VERBS or not parts[2]:
        return None
    return _VERBS[parts[1]], parts[2]
