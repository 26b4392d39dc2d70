"""What an official's reply asks for: a verb (TERIMA, JAWAB, BUKAN, KOORDINASI ...), maybe a code, the rest.

The words are data (understanding/officials.yaml). Lower case, a colon after the verb and no code at all are
normal: "terima", "jawab: sudah diperbaiki kemarin", "bukan wewenang kami". Which complaint a reply without a
code is about is decided elsewhere (bot/dialog/officials.py), from what it replies to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from models.codes import BODY_LENGTH, normalize_code
from models.lifecycle import Kind

VOCABULARY = Path(__file__).parent / "understanding" / "officials.yaml"
VERBS = ("TERIMA", "JAWAB", "SELESAI", "BUKAN", "ALIHKAN", "INFO", "KOORDINASI", "JENIS")
# A reply this long is not an acknowledgement phrase but a message of its own.
PHRASE_REPLY_WORDS = 12
_SPACES = re.compile(r"\s+")
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


@dataclass(frozen=True)
class Vocabulary:
    leading: tuple[tuple[str, str, bool], ...]  # (words, verb, weak), longest first
    phrases: tuple[tuple[str, str], ...]
    never: tuple[str, ...]
    kinds: tuple[tuple[str, Kind], ...]


@cache
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_vocabulary(raw, str(path))


def parse_vocabulary(raw: Any, where: str) -> Vocabulary:
    """Check the file's shape; a mistake names the key (the vocabulary is edited by hand)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("verbs"), dict):
        raise ValueError(f"{where}: verbs: a mapping of verb to its words is required")
    weak = {_flat(word) for word in _words(raw, "weak", where)}
    leading: list[tuple[str, str, bool]] = []
    phrases: list[tuple[str, str]] = []
    for verb, entry in raw["verbs"].items():
        if verb not in VERBS or not isinstance(entry, dict):
            raise ValueError(f"{where}: verbs.{verb}: unknown verb (one of {', '.join(VERBS)})")
        place = f"{where}: verbs.{verb}"
        leading += [(_flat(word), verb, _flat(word) in weak) for word in _words(entry, "leading", place)]
        phrases += [(_flat(word), verb) for word in _words(entry, "phrases", place)]
    kinds = []
    for kind in raw.get("kinds") or {}:
        try:
            member = Kind(kind)
        except ValueError:
            raise ValueError(f"{where}: kinds.{kind}: not a complaint kind") from None
        kinds += [(_flat(name), member) for name in _words(raw["kinds"], kind, f"{where}: kinds")]
    return Vocabulary(
        leading=tuple(sorted(leading, key=lambda item: -len(item[0]))),
        phrases=tuple(phrases),
        never=tuple(sorted((_flat(word) for word in _words(raw, "never", where)), key=len, reverse=True)),
        kinds=tuple(sorted(kinds, key=lambda item: -len(item[0]))),
    )


def _words(entry: Any, key: str, where: str) -> list[str]:
    words = entry.get(key) or []
    if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
        raise ValueError(f"{where}.{key}: a list of words is required")
    return list(words)


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


def parse_command(text: str, prefix: str, words: Vocabulary | None = None) -> OfficialCommand | None:
    """The official's verb, code and the rest of the reply; None when it is not a command at all."""
    words = words or vocabulary()
    flat = _flat(text or "")
    if not flat or any(_starts_with(flat, never) for never in words.never):
        return None
    phrase_verb = _phrase_verb(flat, words)
    for phrase, verb, weak in words.leading:
        if _starts_with(flat, phrase):
            # "siap, segera kami tindak lanjuti": the weak "siap" made strong by the phrase after it.
            return _command(verb, _original_after(text, phrase), prefix, weak and phrase_verb != verb)
    return None if phrase_verb is None else OfficialCommand(phrase_verb, None, "", "")


def _phrase_verb(flat: str, words: Vocabulary) -> str | None:
    if len(flat.split()) > PHRASE_REPLY_WORDS:
        return None
    for phrase, verb in words.phrases:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", flat):
            return verb
    return None


def kind_named(text: str, words: Vocabulary | None = None) -> Kind | None:
    """'aspirasi', 'permintaan informasi', 'keluhan' ... as a complaint kind."""
    flat = _flat(text)
    for name, kind in (words or vocabulary()).kinds:
        if _starts_with(flat, name):
            return kind
    return None


def _starts_with(flat: str, phrase: str) -> bool:
    return flat == phrase or (flat.startswith(phrase) and not flat[len(phrase)].isalnum())


def _original_after(text: str, phrase: str) -> str:
    """The text after the verb's words, with the official's own case and line breaks kept."""
    stripped = text.strip()
    consumed, index = 0, 0
    wanted = phrase.replace(" ", "")
    while index < len(stripped) and consumed < len(wanted):
        if not stripped[index].isspace():
            consumed += 1
        index += 1
    return _AFTER_VERB.sub("", stripped[index:])


def _command(verb: str, after: str, prefix: str, weak: bool) -> OfficialCommand:
    """A code right after the verb ("terima btl-7k2m-9qx0", "JAWAB BTL 7K2M 9QX0 teks") is the code;
    otherwise the whole rest is the note ("jawab: sudah diperbaiki kemarin")."""
    match = _CODE_TOKENS.match(after)
    if match is not None:
        tokens = match.group(1)
        for end in _token_ends(tokens):
            code = normalize_code(tokens[:end], prefix)
            if code is not None and _code_like(tokens[:end]):
                return OfficialCommand(verb, code, tokens[:end], _AFTER_VERB.sub("", after[end:]).strip(), weak)
        first = tokens.split()[0] if tokens.split() else ""
        if _looks_like_a_code(first, prefix):
            # "TERIMA BTL-XXXX-XXXX" mistyped: named so the official can correct it, never acted on.
            return OfficialCommand(verb, None, first, _AFTER_VERB.sub("", after[len(first):]).strip(), weak)
    return OfficialCommand(verb, None, "", after.strip(), weak)


def _token_ends(tokens: str) -> list[int]:
    """End offsets of the first one, two and three tokens, longest first."""
    ends = [match.end() for match in re.finditer(r"[0-9A-Za-z]+", tokens)][:3]
    return sorted(ends, reverse=True)


def _code_like(typed: str) -> bool:
    """As models.codes.find_code: a body typed without its prefix needs a digit (8-letter words are not codes)."""
    compact = "".join(char for char in typed if char.isalnum())
    return len(compact) > BODY_LENGTH or any(char.isdigit() for char in compact)


def _looks_like_a_code(token: str, prefix: str) -> bool:
    compact = token.replace("-", "").upper()
    return compact.startswith(prefix.upper()) and len(compact) >= BODY_LENGTH
