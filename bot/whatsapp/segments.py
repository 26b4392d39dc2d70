"""Splitting a message to fit a channel: 160-unit SMS segments, 1600-character WhatsApp bodies.

Shared by the TwiML replies (replies.py) and the outbound transport (notifier/transports/whatsapp.py),
so a citizen's phone shows the same pieces either way. Splits fall on paragraph, line or word
boundaries; only a single word longer than the limit is cut.
"""

from __future__ import annotations

from collections.abc import Callable

SMS_LIMIT = 160
UCS2_LIMIT = 70
WHATSAPP_LIMIT = 1600
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two units (an escape plus the character).
GSM_EXTENDED = set("^{}\\[~]|€\f")
# Typographic characters that would force the whole SMS into UCS-2 (70 per segment).
GSM_LOOKALIKES = str.maketrans({
    "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "•": "-",
    "·": "-", "\t": " ",
})


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Pieces of at most `limit` units, broken at the widest boundary that fits."""
    return [piece for piece in _split(text.strip(), limit, measure, SEPARATORS) if piece]


SEPARATORS = ("\n\n", "\n", " ")


def _split(text: str, limit: int, measure: Callable[[str], int], separators: tuple[str, ...]) -> list[str]:
    if measure(text) <= limit:
        return [text.strip()]
    if not separators:
        cut = _longest_prefix(text, limit, measure)
        return [text[:cut], *_split(text[cut:], limit, measure, ())]
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current.strip())
        smaller = _split(part, limit, measure, finer)
        pieces.extend(smaller[:-1])
        current = smaller[-1]
    return [*pieces, current.strip()]


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    cut = min(len(text), limit)
    while cut > 1 and measure(text[:cut]) > limit:
        cut -= 1
    return cut


def gsm_text(text: str) -> str:
    """Replace typographic look-alikes so ordinary Indonesian text stays in the GSM-7 alphabet."""
    return text.translate(GSM_LOOKALIKES)


def is_gsm(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENDED for char in text)


def gsm_units(text: str) -> int:
    return sum(2 if char in GSM_EXTENDED else 1 for char in text)


def sms_segments(text: str) -> list[str]:
    """Standalone SMS pieces: 160 GSM-7 units each, or 70 characters when UCS-2 is unavoidable."""
    text = gsm_text(text)
    if is_gsm(text):
        return split_text(text, SMS_LIMIT, gsm_units)
    return split_text(text, UCS2_LIMIT)


def whatsapp_bodies(text: str) -> list[str]:
    return split_text(text, WHATSAPP_LIMIT)
