"""The engine's replies as TwiML: one <Message> per piece, buttons as numbered text."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from bot.dialog.messages import Reply
from bot.dialog.texts import say
from bot.whatsapp.segments import sms_segments, whatsapp_bodies


def twiml(replies: list[Reply], channel: str) -> str:
    """One <Message> per piece: SMS pieces are single 160-unit segments, WhatsApp pieces ≤ 1600 chars."""
    response = MessagingResponse()
    for reply in replies:
        for piece in reply_pieces(reply, channel):
            response.message(piece)
    return str(response)


def reply_pieces(reply: Reply, channel: str) -> list[str]:
    if channel == "sms":
        return sms_segments(with_choices(reply.short or reply.text, reply, compact=True))
    return whatsapp_bodies(with_choices(reply.text, reply, compact=False))


def with_choices(text: str, reply: Reply, compact: bool) -> str:
    """Buttons become numbered text; the engine maps a number back to the choice it stood for,
    so a citizen may answer with the number or with the word."""
    choices = reply.choices
    if not choices or _already_listed(text, reply):
        return text
    if all(choice.value.isdigit() for choice in choices):
        if compact:
            return text + "\n" + " ".join(f"{c.value}.{c.label}" for c in choices)
        return text + "\n" + "\n".join(f"{c.value}. {c.label}" for c in choices)
    numbered = enumerate((choice.label for choice in choices), start=1)
    answer = say("reply_with", reply.language)
    return text + "\n" + f"{answer}: " + " / ".join(f"{number} {label}" for number, label in numbered)


def _already_listed(text: str, reply: Reply) -> bool:
    upper = text.upper()
    if all(choice.value.isdigit() for choice in reply.choices):
        return all(f"{choice.value}." in text for choice in reply.choices)
    return all(choice.label.upper() in upper for choice in reply.choices)
