"""Reading a short message for what it means: a yes/no/partly to "sudah selesai?", a rating, small talk,
English, a question about the service. Pure functions over the vocabularies in this package (the words are
data, the rules are here)."""

from __future__ import annotations

import re
import unicodedata

from bot.dialog.understanding import Match, tokens, vocabulary

YES, NO, PARTLY = "yes", "no", "partly"
STARS = {"⭐", "🌟", "★", "✨"}
# A yes/no whose first phrase starts this far into the message still answers the question
# ("alhamdulillah pak, sudah diperbaiki"); later, it is more likely a new story that uses the word.
ANSWER_WITHIN_WORDS = 4
SHORT_ANSWER_WORDS = 12
LONG_ANSWER_WORDS = 30
# Words after a "no" that turn it into "not any more": "tidak bocor lagi", "gak mati lagi".
NO_MORE = {"lagi"}
STILL = {"masih", "msh", "masi", "belum", "blm", "belom", "durung", "urung", "isih", "balum", "still"}
FRAME = "frame"
# Meanings of questions.yaml.
SERVICE, ASKING_TO, ACT, OPENING, ASKING, DETAIL = "service", "asking_to", "act", "opening", "asking", "detail"
# Words other than a greeting or an opening that may stand before a service question ("ok so how do I ...").
WORDS_BEFORE_A_SERVICE_QUESTION = 2
# A clause this long after a service question tells something of its own ("thanks" or "pak" does not).
CLAUSE_WORDS = 3
_CLAUSE_BREAK = re.compile(r"[,.!?;:\n]+")
# "4/5, took a while", "5. mantap": a rating first, then a comment.
_LEADING_RATING = re.compile(r"^\s*([1-5])\s*(?:/\s*5|dari\s*5)?\s*(?:[,.!;:]|$)")


def feedback_answer(text: str) -> str | None:
    """yes, no or partly when the message answers "is it solved?", else None."""
    matches = vocabulary("feedback").matches(text)
    if not matches:
        return None
    answer = _meaning(text, matches)
    return answer if _answers_near_the_start(text, matches, answer) else None


def _meaning(text: str, matches: list[Match]) -> str:
    meanings = {match.phrase.meaning for match in matches}
    if PARTLY in meanings:
        return PARTLY
    if NO in meanings and _no_more(text, matches):
        return YES if YES in meanings or not (set(tokens(text)) & STILL) else PARTLY
    if YES in meanings and NO in meanings:
        return PARTLY  # "sudah dicek tapi belum diperbaiki": not solved; the note says partly
    return YES if YES in meanings else NO


def rating_in(text: str) -> int | None:
    """1-5 from "4", "4/5", "nilai 4", "⭐⭐⭐⭐", "empat", "bagus banget"; None when the message is no rating."""
    words = tokens(text)
    stars = sum(1 for word in words if word in STARS)
    if stars and all(word in STARS for word in words):
        return min(stars, 5)
    leading = _LEADING_RATING.match(text)
    if leading:
        return int(leading.group(1))
    numbers = [word for word in words if word.isdigit()]
    if numbers:
        return _digit_rating(text, words, numbers)
    matches = [m for m in vocabulary("rating").matches(text) if m.phrase.meaning != FRAME]
    if not matches:
        return None
    covered = sum(len(m.phrase.words) for m in matches) + _politeness_words(text)
    if covered * 2 < len(words):
        return None
    return int(matches[0].phrase.meaning)


def _digit_rating(text: str, words: tuple[str, ...], numbers: list[str]) -> int | None:
    """"4", "4/5", "nilai 4 pak": one number 1-5 (and perhaps "5" as the scale), every other word a frame or
    politeness; "jalan rusak 3 bulan" is no rating."""
    if numbers[0] not in {"1", "2", "3", "4", "5"} or len(numbers) > 2 or (len(numbers) == 2 and numbers[1] != "5"):
        return None
    others = len(words) - len(numbers)
    framing = sum(len(m.phrase.words) for m in vocabulary("rating").matches(text) if m.phrase.meaning == FRAME)
    return int(numbers[0]) if framing + _politeness_words(text) >= others else None


def small_talk(text: str) -> str | None:
    """thanks, ack, greeting, farewell or laughter when the whole message is politeness; None otherwise."""
    words = tokens(text)
    if not words:
        return None
    if all(_is_symbol(word) for word in words):
        return "ack"
    talk = vocabulary("smalltalk")
    matches = talk.matches(text)
    if sum(len(m.phrase.words) for m in matches) + sum(1 for w in words if _is_symbol(w)) < len(words):
        return None
    kinds = [m.phrase.meaning for m in matches if m.phrase.meaning != "filler"]
    for preferred in ("thanks", "greeting", "farewell", "ack", "laughter"):
        if preferred in kinds:
            return preferred
    return None


def writes_english(text: str) -> bool:
    """Clearly English: two English words and no Indonesian one, or three and twice as many as Indonesian."""
    languages = vocabulary("language")
    counts = {"en": 0, "id": 0}
    for match in languages.matches(text):
        counts[match.phrase.meaning] = counts.get(match.phrase.meaning, 0) + len(match.phrase.words)
    if counts["id"] == 0:
        return counts["en"] >= 2
    return counts["en"] >= 3 and counts["en"] > 2 * counts["id"]


def _answers_near_the_start(text: str, matches: list[Match], answer: str) -> bool:
    """An answer starts with it ("belum, lubangnya masih ada") or is mostly made of it; a long new story
    that happens to start with "ya" is not an answer. A "not (yet) solved" may go on longer ("blm pak, yg di
    blok D udh ditambal tp dpn no 21 sampe blok F masih hancur"): closing by mistake costs more."""
    words = tokens(text)
    limit = SHORT_ANSWER_WORDS if answer == YES else LONG_ANSWER_WORDS
    if matches[0].start < ANSWER_WITHIN_WORDS and len(words) <= limit:
        return True
    feedback_words = sum(len(m.phrase.words) for m in matches)
    return (feedback_words + _politeness_words(text)) * 2 >= len(words)


def _no_more(text: str, matches: list[Match]) -> bool:
    words = tokens(text)
    return any(match.phrase.meaning == NO and NO_MORE & set(words[match.end:match.end + 4]) for match in matches)


def _politeness_words(text: str) -> int:
    return sum(len(m.phrase.words) for m in vocabulary("smalltalk").matches(text))


def _is_symbol(word: str) -> bool:
    return not word[0].isalnum() and unicodedata.category(word[0]) == "So"


def asks_about_the_service(text: str) -> bool:
    """The message asks about this desk itself ("how do I report ...?", "is this the complaint service?",
    "kaya apa caranya malapur?"): a service question at its start, after at most a greeting or an opening."""
    words = tokens(text)
    matches = vocabulary("questions").matches(text)
    start = _service_question_start(matches)
    if start is None:
        return False
    before = words[:start]
    opening = sum(len(m.phrase.words) for m in matches if m.phrase.meaning == OPENING and m.end <= start)
    politeness = sum(len(m.phrase.words) for m in vocabulary("smalltalk").matches(" ".join(before)))
    return len(before) - opening - politeness <= WORDS_BEFORE_A_SERVICE_QUESTION


def _service_question_start(matches: list[Match]) -> int | None:
    """Where the first service question starts: a whole one, or "how do I" followed by "report"."""
    if not matches:
        return None
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        if match.phrase.meaning == SERVICE:
            return match.start
        if match.phrase.meaning == ASKING_TO and following is not None and following.phrase.meaning == ACT \
                and following.start == match.end:
            return match.start
    return None


def tells_a_particular_problem(text: str) -> bool:
    """A place or a time that makes the message one problem, not a kind of problem: a street, a number,
    "in front of", "since last week"."""
    if any(word.isdigit() for word in tokens(text)):
        return True
    return DETAIL in vocabulary("questions").meanings_in(text)


def goes_on_after_the_question(text: str) -> bool:
    """A sentence of its own after the service question ("what is this garbage on my street, nobody collects
    it", "is this the complaint service? my drain is blocked"): the citizen is telling, not only asking."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(text) if clause.strip()]
    asked = next((n for n in range(len(clauses)) if asks_about_the_service(" ".join(clauses[:n + 1]))), None)
    if asked is None:
        return False
    return any(len(tokens(clause)) >= CLAUSE_WORDS for clause in clauses[asked + 1:])


def opens_with_a_question(text: str) -> bool:
    """A question word first ("kapan jalan ini diperbaiki", "why is the light still off")."""
    matches = vocabulary("questions").matches(text)
    return bool(matches) and matches[0].start == 0 and matches[0].phrase.meaning in (ASKING, ASKING_TO, SERVICE)
