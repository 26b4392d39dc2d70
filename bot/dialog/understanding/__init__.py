"""Understanding what people type, from data: each `*.yaml` here is a vocabulary of meanings.

A vocabulary file maps a meaning to phrases per language or register (`id`, `slang`, `banjar`, `jv`, `en`):

    meanings:
      yes:
        id: [ya, sudah, sudah beres]
        banjar: [sudah bujur]

A phrase matches when its words appear in the text as whole words, in order and next to each other,
after both are normalised the same way (lower case, punctuation as spaces, a letter held down for three or
more times read once: "bangeeet" is "banget"); an emoji is a word of its own, punctuation is none.
Other modules (feedback, small talk, emergencies, external bodies) each read their own file through
`vocabulary(name)`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_HELD_LETTER = re.compile(r"([a-z])\1{2,}")
_INVISIBLE = re.compile("[\ufe0e\ufe0f\u200d\u200b]")


def tokens(text: str) -> tuple[str, ...]:
    lowered = _INVISIBLE.sub("", text.lower())
    lowered = _HELD_LETTER.sub(r"\1", lowered)
    # Words and symbols (emoji, stars); punctuation and emoji modifiers (skin tones) are not words.
    return tuple(t for t in _TOKEN.findall(lowered) if t[0].isalnum() or unicodedata.category(t[0]) == "So")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    meaning: str
    language: str


@dataclass(frozen=True)
class Match:
    phrase: Phrase
    start: int  # index of the first word in the text's tokens

    @property
    def end(self) -> int:
        return self.start + len(self.phrase.words)


class Vocabulary:
    def __init__(self, name: str, phrases: list[Phrase]) -> None:
        self.name = name
        # Longest first: "tidak puas" wins over "puas" where both start at the same word.
        self.phrases = sorted(phrases, key=lambda p: -len(p.words))
        self._by_first: dict[str, list[Phrase]] = {}
        for phrase in self.phrases:
            self._by_first.setdefault(phrase.words[0], []).append(phrase)

    @property
    def meanings(self) -> set[str]:
        return {phrase.meaning for phrase in self.phrases}

    def matches(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right, the longest phrase at each position."""
        words = tokens(text)
        found: list[Match] = []
        position = 0
        while position < len(words):
            match = self._longest_at(words, position)
            if match is None:
                position += 1
                continue
            found.append(match)
            position = match.end
        return found

    def meanings_in(self, text: str) -> list[str]:
        """The meanings found, in the order they first appear."""
        seen: list[str] = []
        for match in self.matches(text):
            if match.phrase.meaning not in seen:
                seen.append(match.phrase.meaning)
        return seen

    def languages_in(self, text: str) -> set[str]:
        return {match.phrase.language for match in self.matches(text)}

    def covered(self, text: str) -> float:
        """The share of the text's words that belong to a phrase of this vocabulary (0.0 for no words)."""
        words = tokens(text)
        if not words:
            return 0.0
        return sum(len(m.phrase.words) for m in self.matches(text)) / len(words)

    def _longest_at(self, words: tuple[str, ...], position: int) -> Match | None:
        for phrase in self._by_first.get(words[position], ()):
            if words[position:position + len(phrase.words)] == phrase.words:
                return Match(phrase, position)
        return None


def read_vocabulary(path: Path) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    meanings = raw.get("meanings")
    if not isinstance(meanings, dict):
        raise ValueError(f"{path.name}: meanings: expected a mapping of meaning to languages")
    phrases: list[Phrase] = []
    for meaning, by_language in meanings.items():
        if not isinstance(meaning, str):
            raise ValueError(f"{path.name}: meanings: {meaning!r} is not text; quote it "
                             "(YAML reads yes/no as booleans)")
        if not isinstance(by_language, dict):
            raise ValueError(f"{path.name}: meanings.{meaning}: expected a mapping of language to phrases")
        for language, listed in by_language.items():
            if not isinstance(listed, list):
                raise ValueError(f"{path.name}: meanings.{meaning}.{language}: expected a list of phrases")
            for text in listed:
                if not isinstance(text, str):
                    raise ValueError(f"{path.name}: meanings.{meaning}.{language}: {text!r} is not text; quote it "
                                     "(YAML reads yes, no, y, n, on, off as booleans and digits as numbers)")
                words = tokens(text)
                if not words:
                    raise ValueError(f"{path.name}: meanings.{meaning}.{language}: empty phrase {text!r}")
                phrases.append(Phrase(words, str(meaning), str(language)))
    return Vocabulary(path.stem, phrases)


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary `bot/dialog/understanding/<name>.yaml`, read once per process."""
    return read_vocabulary(HERE / f"{name}.yaml")
