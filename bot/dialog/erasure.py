"""A citizen's "hapus data saya": confirm, then erase their identity (and, if asked, their photos)."""

from __future__ import annotations

from bot.dialog import words
from bot.dialog.context import IDLE, Conversation
from bot.dialog.intake import routes_somewhere
from bot.dialog.messages import Choice, Reply
from bot.dialog.texts import say

LONGER_THAN_AN_ANSWER = 4


def ask_erase(turn: Conversation) -> list[Reply]:
    turn.goto("confirm_erase")
    yes, photos, no = ("YA", "YA FOTO", "TIDAK") if turn.lang == "id" else ("YES", "YES PHOTOS", "NO")
    choices = (Choice(yes, "ya"), Choice(photos, "ya foto"), Choice(no, "tidak"))
    return [Reply(say("erase_confirm", turn.lang), choices=choices)]


def confirm_erase(turn: Conversation) -> list[Reply] | None:
    """Yes erases; anything else keeps the data, and a problem told instead is read afresh (a complaint)."""
    turn.goto(IDLE)
    with_media = words.is_one_of(turn.text, words.ERASE_WITH_MEDIA)
    if with_media or words.is_one_of(turn.text, words.YES):
        if with_media:
            _delete_media_files(turn, turn.desk.detach_media(turn.reporter))
        count = turn.desk.erase_reporter(turn.reporter)
        return [turn.reply("erased", count=count)]
    if len(turn.text.split()) >= LONGER_THAN_AN_ANSWER and routes_somewhere(turn, turn.text):
        return None
    return [turn.reply("erase_kept")]


def _delete_media_files(turn: Conversation, paths: list[str]) -> None:
    root = turn.settings.resolve(turn.settings.intake.media_dir).resolve()
    for relative in paths:
        path = (root / relative).resolve()
        if path.is_relative_to(root) and path.is_file():
            path.unlink()
