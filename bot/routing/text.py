"""Table-independent text handling: character clean-up, tokenising, elongations, a tiny stemmer.

Everything here is a pure function of its arguments. The table-aware steps (slang, fuzzy
vocabulary look-up) live in ``table.py`` and call into this module.
"""

from __future__ import annotations

import operator
import re
import unicodedata

# A chunk is a run of letters and digits; everything else (punctuation, emoji, symbols,
# control characters, lone surrogates) separates chunks and is dropped.
_CHUNK = re.compile(r"[^\W_]+")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")
# Indonesian writes reduplication with a trailing 2 ("gorong2", "anak2"). Only for words of
# four or more letters, so school names such as "sdn2" keep their number.
_REDUPLICATION = re.compile(r"^([^\W\d_]{4,})2$")
# Three or more repeats of a letter never occur in standard Indonesian ("rusakkk").
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLE = re.compile(r"([^\W\d_])\1")
# Cheap pre-checks (any character twice or three times in a row): the letter classes above cost
# several times more per character, and most words have no repeat at all.
_ANY_DOUBLE = re.compile(r"(.)\1")
_ANY_TRIPLE = re.compile(r"(.)\1\1")
# The repeated letter, as a C-level callable: a "\1" template costs four times more per match.
_FIRST_GROUP = operator.itemgetter(1)

# Messages longer than this are cut before processing; a complaint never needs more and it
# bounds the work an adversarial 100k-character paste can cause.
MAX_TEXT_CHARS = 20_000


# Latin letters with marks (after case folding): "é", "è", "ô" ...
_MARKED_LETTER = re.compile("[\u00e0-\u024f\u1e00-\u1eff]")


def clean(text: str) -> str:
    """NFKC + case-fold. Lone surrogates and other non-word characters are dropped later by
    ``chunks`` (they never match a word character), so they need no special handling here."""
    text = text[:MAX_TEXT_CHARS]
    if text.isascii():  # ASCII is already NFKC; skip the costly normalisation
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    if not _MARKED_LETTER.search(text):  # emoji and punctuation need nothing more
        return text
    # Sundanese and Javanese spellings mark vowels ("pagawé", "awéwé"): the letters without marks
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def chunks(cleaned: str) -> list[str]:
    """Alphanumeric chunks of an already cleaned text, in order."""
    return _CHUNK.findall(cleaned)


# On ASCII text the chunks of ``_CHUNK`` after lower-casing are the runs of a-z0-9: one byte
# translation lower-cases letters and blanks everything else, and ``split`` cuts the runs (four
# times faster than the regular expression).
_ASCII_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_ASCII_CHUNKING = bytes((byte | 0x20 if 65 <= byte <= 90 else byte) if (byte | 0x20 if 65 <= byte <= 90 else byte)
                        in _ASCII_ALNUM else 32 for byte in range(256))


def text_chunks(text: str) -> list[str]:
    """``chunks(clean(text))``, faster on the usual ASCII message."""
    text = text[:MAX_TEXT_CHARS]
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_CHUNKING).decode("ascii").split()
    return _CHUNK.findall(clean(text))


def split_chunk(chunk: str) -> list[str]:
    """Split a chunk into letter runs and digit runs, expanding "kata2" reduplication.

    "3kg" -> ["3", "kg"], "gorong2" -> ["gorong", "gorong"], "sdn2" -> ["sdn", "2"].
    """
    doubled = _REDUPLICATION.match(chunk)
    if doubled:
        return [doubled.group(1), doubled.group(1)]
    return _LETTERS_OR_DIGITS.findall(chunk)


def collapse_elongation(word: str) -> str:
    """"rusakkk" -> "rusak", "matiii" -> "mati"; doubles are left alone (handled by the table)."""
    return _ELONGATION.sub(_FIRST_GROUP, word) if _ANY_TRIPLE.search(word) else word


_NO_VOWELS = str.maketrans("", "", "aeiou")


def skeleton(word: str) -> str:
    """"kesehatan" -> "kshtn": the consonants that shorthand keeps."""
    return word.translate(_NO_VOWELS)


def has_double(word: str) -> bool:
    """True when a letter repeats ("sampahh", "rusakkk"): only then can elongation apply."""
    return _ANY_DOUBLE.search(word) is not None and _DOUBLE.search(word) is not None


def may_repeat(word: str) -> bool:
    """A cheap test that ``has_double`` may hold (any character twice in a row): when it fails,
    elongation and double letters cannot apply."""
    return _ANY_DOUBLE.search(word) is not None


# ``may_repeat`` as a C-level callable (a match or None), for the per-word paths that run on every
# new word: no Python frame of its own.
repeated_character = _ANY_DOUBLE.search
# Two vowels anywhere: such a word is no vowel-less shorthand (table._abbreviation).
two_vowels = re.compile(r"[aeiou].*[aeiou]", re.DOTALL).search


def undouble(word: str) -> str:
    """"sampahh" -> "sampah": tried only when the word with its double letters is unknown."""
    return _DOUBLE.sub(_FIRST_GROUP, word)


# --- a deliberately small Indonesian stemmer -------------------------------------------------
# It only feeds an extra matching channel (``kerusakan`` also matches ``rusak``); the word itself
# is always kept. Instead of guessing the one right analysis ("kerusakan": -an or -kan?) it
# returns every plausible root and lets the vocabulary decide which ones mean something.
# Nasal prefixes (me-, pe-) and ber-/ter-/se- are left alone on purpose: stripping them links
# unrelated words far too often (memohon -> pohon, berikan -> ikan, sekarang -> karang,
# tertera -> tera).
_PARTICLES = ("nya", "lah", "kah", "pun", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
MIN_STEM = 4
# Everything the stemmer may take off after a root: a suffix, a particle, both or neither. A word
# whose opening letters (or its letters after "di"/"ke") are a root followed by none of these has no
# root the stemmer can find.
STEM_TAILS = frozenset(suffix + particle for suffix in ("", *_SUFFIXES) for particle in ("", *_PARTICLES))


def stem_candidates(word: str) -> tuple[str, ...]:
    """Plausible roots of ``word`` (never the word itself)."""
    if not word.isalpha() or len(word) <= MIN_STEM:
        return ()
    found: list[str] = []
    for without_suffix, had_an in _suffix_variants(word):
        for root in _prefix_variants(without_suffix, had_an):
            if root != word and len(root) >= MIN_STEM and root not in found:
                found.append(root)
    return tuple(found)


def _suffix_variants(word: str) -> list[tuple[str, bool]]:
    variants = [(word, False)]
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_STEM:
            variants.append((word[: -len(particle)], False))
            break
    for base, _ in list(variants):
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= MIN_STEM:
                variants.append((base[: -len(suffix)], suffix.endswith("an")))
    return variants


def _prefix_variants(word: str, had_an: bool) -> list[str]:
    variants = [word]
    if word.startswith("di") and len(word) - 2 >= MIN_STEM:
        variants.append(word[2:])  # dijalan, diaspal, ditertibkan
    # ke- only as the ke-...-an confix (kerusakan, kemacetan, kebanjiran), never alone
    # (kepada, ketua).
    if had_an and word.startswith("ke") and len(word) - 2 >= MIN_STEM:
        variants.append(word[2:])
    return variants
