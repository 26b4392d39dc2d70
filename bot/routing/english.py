"""English and mixed English/Indonesian complaints, read into the Indonesian the routing table knows.

Expats and young citizens write "there's a huge pothole near the mosque" or "pak, the streetlight
di gang mawar is dead". The table (routing.yaml) is Indonesian, so such a message reached no
agency. ``read_as_indonesian`` (what ``classify`` calls on the words it already made) and
``to_indonesian`` first decide cheaply whether a message is English at all (the share of English
marker words: function words such as the/is/my/near and the glossary's English-only words); an
Indonesian message comes back untouched, so the glossary can never change its reading. An
English or mixed one is rewritten word by word through the glossary (``english.yaml`` beside the
table): "pothole" -> "jalan berlubang", "asked me for" -> "minta", "ID card" -> "ktp"; English
function words are dropped and Indonesian words pass through. The table's own phrase matching (with
its gaps) then reads the result like any Indonesian message: "asked me for 200k" becomes
"minta 200 ribu", which the misconduct rule already knows.

Words that are Indonesian too ("air" is water, "no" is nomor in "no 12", "man" a madrasah) take their
English meaning only next to an English word ("the air stinks", "no water").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.routing import text as tx
from bot.routing.dictionary import indonesian
from bot.routing.schema import RoutingTableError, words_of

GLOSSARY_FILE = Path(__file__).resolve().parent / "english.yaml"
# Longest glossary phrase, in words, that the rewriting tries at each position.
MAX_PHRASE_WORDS = 6
# Function words allowed between two words of a phrase ("light has been broken").
MAX_SKIPPED = 3


@dataclass(frozen=True)
class Glossary:
    """What ``english.yaml`` says, indexed for the rewriting."""

    # words that mark English (function words, English-only glossary words and their inflections)
    markers: frozenset[str]
    # words dropped when rewriting (function words without a meaning of their own, "s" of "there's")
    dropped: frozenset[str]
    shared: frozenset[str]  # glossary words that are Indonesian too: English only beside English
    # dropped words that may stand inside a phrase ("not" may not: it has a meaning of its own)
    skippable: frozenset[str]
    numbered: frozenset[str]  # shared words that name a number ("no 12", "MAN 2"): kept before one
    after_number: Mapping[str, tuple[str, ...]]
    # first word -> (phrase words, Indonesian words), longest phrase first
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]
    min_words: int
    min_share: float


def to_indonesian(text: str, glossary: Glossary | None = None) -> str:
    """``text`` itself when it is not English; else its words rewritten into Indonesian."""
    glossary = glossary if glossary is not None else english_glossary()
    chunks = tx.text_chunks(text)
    # The usual Indonesian message holds no marker at all: one set operation, then it goes on as is.
    # Chunks of letters and digits ("i0i", "3kg") are judged by the words the router cuts them into,
    # so a text reads the same before and after normalising.
    words = chunks if all(chunk.isalpha() for chunk in chunks) else _pieces(chunks)
    if glossary.markers.isdisjoint(words) or not is_english(words, glossary):
        return text
    return " ".join(rewrite(words, glossary))


def _pieces(chunks: list[str]) -> list[str]:
    return [piece for chunk in chunks for piece in (tx.split_chunk(chunk) if not chunk.isalpha() else (chunk,))]


def read_as_indonesian(text: str, words: Collection[str]) -> str | None:
    """The Indonesian reading of ``text`` when it is English, else None. ``words`` are the words the
    router already made of it (slang applied): a message none of whose words is a marker, nearly
    every Indonesian one, costs one set operation on words whose hashes are cached, and its text is
    not cut into words a second time. (Markers the slang rewrites, "to" or "street", only count in
    a message holding another marker.)"""
    glossary = english_glossary()
    if glossary.markers.isdisjoint(words):
        return None
    english = to_indonesian(text, glossary)
    return None if english is text else english


def is_english(chunks: list[str], glossary: Glossary) -> bool:
    """Enough of the message's words mark English (a pasted "please" in a long Indonesian report
    does not; "streetlight broken" does), or all of them do (a one-word "pothole")."""
    markers = glossary.markers
    found = sum(1 for chunk in chunks if chunk in markers)
    return found == len(chunks) or found >= glossary.min_words and found >= glossary.min_share * len(chunks)


def rewrite(chunks: list[str], glossary: Glossary) -> list[str]:
    """The words of an English (or mixed) message in the table's Indonesian."""
    words = _pieces(chunks)
    forms = [_forms(word) for word in words]
    out: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if position and words[position - 1].isdigit() and word in glossary.after_number:
            out += glossary.after_number[word]
            position += 1
            continue
        found = _longest_phrase(position, words, forms, glossary)
        if found is not None:
            size, meaning = found
            out += meaning
            position += size
            continue
        if word not in glossary.dropped:
            out.append(word)
        position += 1
    return out


def _longest_phrase(position: int, words: list[str], forms: list[tuple[str, ...]],
                    glossary: Glossary) -> tuple[int, tuple[str, ...]] | None:
    """(words consumed, meaning) of the glossary phrase with the most words starting here."""
    best: tuple[int, int, tuple[str, ...]] | None = None  # (phrase words, words consumed, meaning)
    for first in forms[position]:
        for phrase, meaning in glossary.phrases.get(first, ()):  # most words first
            if best is not None and len(phrase) <= best[0]:
                break
            end = _phrase_end(phrase, position, forms, glossary.skippable)
            if end < 0:
                continue
            if len(phrase) == 1 and phrase[0] in glossary.shared and not _beside_english(position, words, glossary):
                continue
            best = (len(phrase), end - position + 1, meaning)
            break
    return None if best is None else (best[1], best[2])


def _phrase_end(phrase: tuple[str, ...], position: int, forms: list[tuple[str, ...]],
                skippable: frozenset[str]) -> int:
    """Where ``phrase`` ends when it starts at ``position``, or -1. Function words the phrase does
    not name may stand between its words ("the light has been broken", "asked us for money")."""
    at = position
    for word in phrase[1:]:
        at += 1
        skipped = 0
        while at < len(forms) and word not in forms[at] and forms[at][0] in skippable and skipped < MAX_SKIPPED:
            at += 1
            skipped += 1
        if at >= len(forms) or word not in forms[at]:
            return -1
    return at


def _beside_english(position: int, words: list[str], glossary: Glossary) -> bool:
    """Next to an English word; a word that names a number stays itself before one ("house no 12",
    "MAN 2")."""
    if position + 1 < len(words) and words[position + 1].isdigit() and words[position] in glossary.numbered:
        return False
    markers = glossary.markers
    return (position > 0 and words[position - 1] in markers) or (
        position + 1 < len(words) and words[position + 1] in markers)


def _forms(word: str) -> tuple[str, ...]:
    """The word and the base forms its English ending may hide: potholes, flooded, leaking,
    clogged, bullies. Only the glossary decides which of them mean anything."""
    forms = [word]
    if len(word) > 3 and word.isalpha():
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
        if word.endswith("es"):
            forms.append(word[:-2])
        if word.endswith("s") and not word.endswith("ss"):
            forms.append(word[:-1])
        for ending in ("ed", "ing"):
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                base = word[: -len(ending)]
                forms += [base, base + "e"]
                if len(base) > 3 and base[-1] == base[-2]:
                    forms.append(base[:-1])  # clogged, dumping -> clog, dump
                if base.endswith("i"):
                    forms.append(base[:-1] + "y")  # bullied -> bully
    return tuple(forms)


def _inflections(word: str) -> tuple[str, ...]:
    """Plural, past and -ing forms of an English word, so that "potholes" or "flooded" mark a
    message as English as their base forms do."""
    if not word.isalpha() or len(word) < 3:
        return ()
    stem = word[:-1] if word.endswith("e") else word
    plural = word[:-1] + "ies" if word.endswith("y") and word[-2] not in "aeiou" else (
        word + "es" if word.endswith(("s", "x", "ch", "sh")) else word + "s")
    past = word[:-1] + "ied" if word.endswith("y") and word[-2] not in "aeiou" else stem + "ed"
    return plural, past, stem + "ing"


# --- loading -------------------------------------------------------------------------------------

def _unique_mapping(loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> dict[Any, Any]:
    """A glossary key written twice would silently keep the last meaning: refuse it instead."""
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} written twice", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node)
    return mapping


def _unique_key_loader(safe_loader: type[Any]) -> type[Any]:
    loader: type[Any] = type("UniqueKeyLoader", (safe_loader,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
    return loader


# On libyaml's parser when PyYAML was built with it: the pure-Python one took a quarter of a second for
# the glossary, most of `aduan router classify`'s start.
_UNIQUE_KEY_LOADER = _unique_key_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def english_glossary() -> Glossary:
    """The shipped glossary; its words that are Indonesian root words count as shared."""
    return load_glossary(GLOSSARY_FILE, indonesian().roots)


def load_glossary(path: Path, indonesian_words: Collection[str] = ()) -> Glossary:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UNIQUE_KEY_LOADER)  # noqa: S506 (a SafeLoader)
    except OSError as exc:
        raise RoutingTableError(f"{path.name}: cannot read file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RoutingTableError(f"{path.name}: not valid YAML: {exc}") from exc
    return build_glossary(raw, path.name, indonesian_words)


def build_glossary(raw: object, name: str = "english.yaml", indonesian_words: Collection[str] = ()) -> Glossary:
    """Validate parsed YAML (errors name the key path) and index it. One-word glossary entries
    that are among ``indonesian_words`` are shared (English only beside English); inflections that
    are Indonesian words never mark English."""
    if not isinstance(raw, dict):
        raise RoutingTableError(f"{name}: expected a mapping at the top")
    detect = raw.get("detect", {})
    if not isinstance(detect, dict):
        raise RoutingTableError(f"{name}: detect: expected a mapping")
    min_words, min_share = detect.get("min_words", 2), detect.get("min_share", 0.2)
    if not isinstance(min_words, int) or min_words < 1:
        raise RoutingTableError(f"{name}: detect.min_words: expected a whole number >= 1, got {min_words!r}")
    if not isinstance(min_share, int | float) or not 0 <= min_share <= 1:
        raise RoutingTableError(f"{name}: detect.min_share: expected a number from 0 to 1, got {min_share!r}")
    function_words = _word_list(raw, "function_words", name)
    dropped = _word_list(raw, "drop", name)
    shared = _word_list(raw, "shared", name)
    numbered = _word_list(raw, "numbered", name)
    glossary = _meanings(raw, "glossary", name)
    after_number = _meanings(raw, "after_number", name)
    unknown = sorted(shared - {phrase[0] for phrase in glossary if len(phrase) == 1})
    if unknown:
        raise RoutingTableError(f"{name}: shared[{unknown[0]!r}]: not a one-word glossary entry")
    singles = {phrase[0] for phrase in glossary if len(phrase) == 1}
    # function words were chosen as English markers: a homonym in the dictionary ("not") does not demote one
    shared = shared | (singles & frozenset(indonesian_words) - function_words)
    english_only = singles - shared
    markers = set(function_words) | english_only
    for word in english_only:
        markers.update(form for form in _inflections(word) if form not in indonesian_words)
    phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for phrase, meaning in glossary.items():
        phrases.setdefault(phrase[0], []).append((phrase, meaning))
    return Glossary(
        markers=frozenset(markers - shared),
        dropped=frozenset(function_words | dropped),
        shared=frozenset(shared),
        skippable=frozenset(function_words | dropped) - {phrase[0] for phrase in glossary if len(phrase) == 1},
        numbered=numbered,
        after_number={phrase[0]: meaning for phrase, meaning in after_number.items()},
        phrases={first: tuple(sorted(entries, key=lambda entry: -len(entry[0]))) for first, entries in phrases.items()},
        min_words=min_words,
        min_share=float(min_share),
    )


def _word_list(raw: Mapping[str, Any], key: str, name: str) -> frozenset[str]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise RoutingTableError(f"{name}: {key}: expected a list of words")
    words: set[str] = set()
    for position, word in enumerate(value):
        if not isinstance(word, str) or words_of(word) != (word,):
            raise RoutingTableError(f"{name}: {key}[{position}]: expected one lower-case word, got {word!r} "
                                    "(quote yes/no/on/off)")
        words.add(word)
    return frozenset(words)


def _meanings(raw: Mapping[str, Any], key: str, name: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise RoutingTableError(f"{name}: {key}: expected a mapping of English words to Indonesian ones")
    meanings: dict[tuple[str, ...], tuple[str, ...]] = {}
    for english, meaning in value.items():
        path = f"{name}: {key}[{english!r}]"
        if not isinstance(english, str) or not isinstance(meaning, str):
            raise RoutingTableError(f"{path}: expected words on both sides (quote yes/no/on/off), got {meaning!r}")
        phrase = words_of(english)
        if not phrase or len(phrase) > MAX_PHRASE_WORDS:
            raise RoutingTableError(f"{path}: expected 1 to {MAX_PHRASE_WORDS} words")
        if phrase in meanings:
            raise RoutingTableError(f"{path}: the same words as another entry")
        meanings[phrase] = words_of(meaning)
    return meanings


def glossary_words(glossary: Glossary) -> Iterable[str]:
    """Every Indonesian word the glossary writes (for checks against the table)."""
    for entries in glossary.phrases.values():
        for _, meaning in entries:
            yield from meaning
    for meaning in glossary.after_number.values():
        yield from meaning
