"""The conversation's states, declared: which step answers in each state and what that state accepts.

The ConversationHandler idea without its library. Global commands (`bot/dialog/commands.py`) are tried
before the state's handler in every state. A handler returns its replies and moves the chat to the next
state; a handler that returns None hands the message to `idle` (it was not an answer to the question).
A state not in the table (a chat saved by an older version) is treated as `idle`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.dialog import aftercare, erasure, intake
from bot.dialog.context import IDLE, Conversation
from bot.dialog.idle import idle
from bot.dialog.messages import Reply

Handler = Callable[[Conversation], list[Reply] | None]


@dataclass(frozen=True)
class State:
    handler: Handler
    accepts: str  # what a person may send in this state, for readers and the docs


STATES: dict[str, State] = {
    IDLE: State(idle, "an answer to an open question (yes/no/partly), a tracking code, a complaint's text, "
                      "small talk, a photo or location sent before the words, anything else"),
    "await_text": State(intake.await_text, "the complaint's text (a photo or place is kept); LANJUT to keep an "
                                           "over-long text"),
    "await_location": State(intake.await_location, "a shared location, a place described in words, LEWATI"),
    "await_photo": State(intake.await_photo, "photos, LEWATI or no"),
    "await_privacy": State(intake.await_privacy, "1-4: normal, anonymous, confidential, both"),
    "await_agency": State(intake.await_agency, "yes, another agency, don't know"),
    "await_pick": State(intake.await_pick, "a number or an agency's code or name, don't know"),
    "await_support": State(intake.await_support, "yes (support the similar complaint) or no (file a new one)"),
    "await_rating": State(aftercare.await_rating, "1-5 as digits, words or stars; anything else is read afresh"),
    aftercare.AWAIT_WHICH: State(aftercare.await_which, "which complaint an answer was about: its number, code "
                                                        "or topic; anything else is read afresh"),
    "confirm_erase": State(erasure.confirm_erase, "yes, yes with photos, anything else keeps the data"),
}


def answer_in_state(turn: Conversation) -> list[Reply]:
    state = STATES.get(turn.chat.state, STATES[IDLE])
    replies = state.handler(turn)
    return replies if replies is not None else idle(turn)
