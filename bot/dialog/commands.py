"""Words that work in every state: start, cancel, help, language, erase, status, report."""

from __future__ import annotations

from collections.abc import Callable

from bot.dialog import words
from bot.dialog.context import IDLE, Conversation
from bot.dialog.erasure import ask_erase
from bot.dialog.lookup import tracking_code, without_addresses
from bot.dialog.messages import Reply
from bot.dialog.status import status_replies


def global_command(turn: Conversation) -> list[Reply] | None:
    """The replies of the command this text is, or None when it is none (the state decides)."""
    text, first = turn.text, words.first_word(turn.text)
    commands: list[tuple[bool, Callable[[], list[Reply]]]] = [
        (turn.inbound.start_payload is not None or (first == "start" and text.startswith("/")),
         lambda: start(turn)),
        (words.is_one_of(text, words.CANCEL), lambda: cancel(turn)),
        (words.is_one_of(text, words.HELP), lambda: [turn.reply("help")]),
        (words.is_one_of(text, words.ENGLISH), lambda: language(turn, "en")),
        (words.is_one_of(text, words.INDONESIAN), lambda: language(turn, "id")),
        (words.is_erase_request(text), lambda: ask_erase(turn)),
        (first in words.STATUS, lambda: status(turn)),
        (words.is_one_of(text, words.REPORT), lambda: report(turn)),
    ]
    for applies, handler in commands:
        if applies:
            return handler()
    return None


def start(turn: Conversation) -> list[Reply]:
    turn.goto(IDLE)
    replies = [turn.reply("welcome", region=turn.settings.region.name)]
    if turn.inbound.start_payload:
        place = turn.inbound.start_payload.replace("_", " ").replace("-", " ").strip()[:200]
        turn.draft["location_text"] = place
        turn.draft["preset_place"] = True
        replies.append(turn.reply("start_place", place=place))
    return replies


def cancel(turn: Conversation) -> list[Reply]:
    if turn.chat.state == IDLE:
        return [turn.reply("nothing_to_cancel")]
    turn.goto(IDLE)
    return [turn.reply("cancelled")]


def language(turn: Conversation, chosen: str) -> list[Reply]:
    turn.chat.language = chosen
    turn.reporter.language = chosen
    return [turn.reply("language_set")]


def status(turn: Conversation) -> list[Reply]:
    prefix = turn.settings.region.code_prefix
    code = tracking_code(turn.text, prefix)
    # Addresses are blanked so "cek laporan jalan RT 02 RW 07" is not answered "kode RT02-RW07 tidak ada".
    text = without_addresses(turn.text)
    return status_replies(turn.db, turn.settings, turn.reporter, text, code, turn.lang, turn.desk.calendar)


def report(turn: Conversation) -> list[Reply]:
    limit_reply = turn.daily_limit_reached()
    if limit_reply:
        return limit_reply
    kept = ("location_text", "preset_place", "latitude", "longitude", "attachments")  # a place or photo sent first
    preset = {k: v for k, v in turn.draft.items() if k in kept}
    turn.goto("await_text")
    turn.draft = preset
    return [turn.reply("ask_text")]
