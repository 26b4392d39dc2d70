"""One citizen message, handled: global commands first, then the conversation state.

The steps live by job: `intake` (a new complaint), `aftercare` (feedback and rating), `commands` (words
that work in every state), `erasure`, `idle`; `states` declares which answers in which state.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dialog.commands import global_command
from bot.dialog.context import CHOICES_KEY, IDLE, Conversation
from bot.dialog.intake import infer_kind
from bot.dialog.messages import Reply
from bot.dialog.states import answer_in_state
from bot.dialog.understanding.reading import writes_english

__all__ = ["CHOICES_KEY", "IDLE", "Turn", "infer_kind"]


class Turn(Conversation):
    def run(self) -> list[Reply]:
        if self.reporter.blocked_at is not None:
            return [self.reply("blocked")]
        replies = self._expire_if_idle()
        self._follow_the_citizens_language()
        replies += global_command(self) or answer_in_state(self)
        self.chat.draft = self.draft
        self.chat.updated_at = self.now
        return replies

    def _follow_the_citizens_language(self) -> None:
        """A citizen who writes English gets English from now on, relays and reminders included (the
        reporter's language); one who chose a language keeps it on every chat."""
        if self.reporter.language and self.chat.language != self.reporter.language:
            self.chat.language = self.reporter.language
        if self.lang != "en" and writes_english(self.text):
            self.chat.language = self.reporter.language = "en"

    def _expire_if_idle(self) -> list[Reply]:
        idle_limit = timedelta(hours=self.settings.intake.session_idle_hours)
        if self.chat.state == IDLE or self.now - self.chat.updated_at <= idle_limit:
            return []
        self.goto(IDLE)
        return [self.reply("session_expired", hours=self.settings.intake.session_idle_hours)]
