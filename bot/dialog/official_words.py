"""What an official's reply asks for: a verb (TERIMA, JAWAB, BUKAN, KOORDINASI ...), maybe a code, the rest.

The words are data (understanding/officials.yaml, understanding/official_kinds.yaml, in the format of
bot/dialog/understanding). Lower case, a colon after the verb and no code at all are
normal: "terima", "jawab: sudah diperbaiki kemarin", "bukan wewenang kami". Which complaint a reply without a
code is about is decided elsewhere (bot/dialog/officials.py), from what it replies to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.dialog.understanding import Match, Vocabulary, tokens, vocabulary
from models.codes import BODY_LENGTH, normalize_code
from models.lifecycle import Kind

VERBS = ("TERIMA", "JAWAB", "SELESAI", "BUKAN", "ALIHKAN", "INFO", "KOORDINASI", "JENIS")
# A reply this long is not an acknowledgement phrase but a message of its own.
PHRASE_REPLY_WORDS = 12
_WORD = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_AFTER_VERB = re.compile(r"^[\s:.,;\-–—!]*")
_CODE_TOKENS = re.compile(r"^([0-9A-Za-z]+(?:[\s\-‐‑‒–—_]+[0-9A-Za-z]+){0,2})")


@dataclass(frozen=True)
class OfficialCommand:
    verb: str
    code: str | None
    typed_code: str
    rest: str
    # Said with a weak word ("siap", "bukan"): acts only with a code, on a reply to an alert or by a button.
    weak: bool = False


NOT_A_COMMAND = "not a command"
WEAK = " weak"
ANYWHERE = " anywhere"


def checked(words: Vocabulary, where: str) -> Vocabulary:
    """Every meaning of the officials' file is a verb, a verb's weak or anywhere form, or "not a command"."""
    known = {NOT_A_COMMAND} | {verb + form for verb in VERBS for form in ("", WEAK, ANYWHERE)}
    for meaning in sorted(words.meanings - known):
        raise ValueError(f"{where}: meanings.{meaning}: not a verb (one of {', '.join(VERBS)}, "
                         f"'<VERB> weak', '<VERB> anywhere' or '{NOT_A_COMMAND}')")
    return words


def officials_vocabulary() -> Vocabulary:
    return checked(vocabulary("officials"), "officials.yaml")


def parse_command(text: str, prefix: str, words: Vocabulary | None = None) -> OfficialCommand | None:
    """The official's verb, code and the rest of the reply; None when it is not a command at all."""
    words = words or officials_vocabulary()
    found = words.matches(text or "")
    leading = found[0] if found and found[0].start == 0 else None
    if leading is not None and leading.phrase.meaning == NOT_A_COMMAND:
        return None
    anywhere = _anywhere_verb(text, found)
    if leading is not None and not leading.phrase.meaning.endswith(ANYWHERE):
        verb, _, form = leading.phrase.meaning.partition(" ")
        after = _after_words(text, len(leading.phrase.words))
        # "siap, segera kami tindak lanjuti": the weak "siap" made strong by the phrase after it.
        return _command(verb, after, prefix, weak=bool(form) and anywhere != verb)
    return None if anywhere is None else OfficialCommand(anywhere, None, "", "")


def _anywhere_verb(text: str, found: list[Match]) -> str | None:
    if len(tokens(text or "")) > PHRASE_REPLY_WORDS:
        return None
    meanings = (match.phrase.meaning for match in found if match.phrase.meaning.endswith(ANYWHERE))
    return next((meaning.removesuffix(ANYWHERE) for meaning in meanings), None)


def kind_named(text: str, words: Vocabulary | None = None) -> Kind | None:
    """'aspirasi', 'permintaan informasi', 'keluhan' ... as a complaint kind (the first one named)."""
    meanings = (words or vocabulary("official_kinds")).meanings_in(text)
    return Kind(meanings[0]) if meanings else None


def _after_words(text: str, count: int) -> str:
    """The text after its first `count` words (as the vocabulary counts them), with the official's own case
    and line breaks kept, and the colon or comma after the verb dropped."""
    seen = 0
    for token in _WORD.finditer(text):
        if token.group()[0].isalnum() or unicodedata.category(token.group()[0]) == "So":
            seen += 1
            if seen == count:
                return _AFTER_VERB.sub("", text[token.end():])
    return ""


def _command(verb: str, after: str, prefix: str, weak: bool) -> OfficialCommand:
    """A code right after the verb ("terima btl-7k2m-9qx0", "JAWAB BTL 7K2M 9QX0 teks") is the code;
    otherwise the whole rest is the note ("jawab: sudah diperbaiki kemarin")."""
    match = _CODE_TOKENS.match(after)
    if match is not None:
        typed = match.group(1)
        for end in _token_ends(typed):
            code = normalize_code(typed[:end], prefix)
            if code is not None and _code_like(typed[:end]):
                return OfficialCommand(verb, code, typed[:end], _AFTER_VERB.sub("", after[end:]).strip(), weak)
        first = typed.split()[0] if typed.split() else ""
        if _looks_like_a_code(first, prefix):
            # "TERIMA BTL-XXXX-XXXX" mistyped: named so the official can correct it, never acted on.
            return OfficialCommand(verb, None, first, _AFTER_VERB.sub("", after[len(first):]).strip(), weak)
    return OfficialCommand(verb, None, "", after.strip(), weak)


def _token_ends(typed: str) -> list[int]:
    """End offsets of the first one, two and three tokens, longest first."""
    ends = [match.end() for match in re.finditer(r"[0-9A-Za-z]+", typed)][:3]
    return sorted(ends, reverse=True)


def _code_like(typed: str) -> bool:
    """As models.codes.find_code: a body typed without its prefix needs a digit (8-letter words are not codes)."""
    compact = "".join(char for char in typed if char.isalnum())
    return len(compact) > BODY_LENGTH or any(char.isdigit() for char in compact)


def _looks_like_a_code(token: str, prefix: str) -> bool:
    compact = token.replace("-", "").upper()
    return compact.startswith(prefix.upper()) and len(compact) >= BODY_LENGTH
