"""The second look at a message in which no keyword was found: regional and colloquial verb forms.

Banjar, Javanese and Sundanese build verbs with their own affixes around the same roots as
Indonesian: Banjar "mambegal" (ma- + begal), "manabang" (ma- + tabang/tebang), "bajualan";
Javanese "ngopeni" (ng- + openi), "dipanggilke", "nyapu"; Sundanese "ngabersihkeun",
"dikawinkeun". Colloquial Indonesian drops "me-" ("nyolong", "ngangkut"). When the first look found
nothing, each word is read once more with these affixes taken off (the letter a nasal prefix
swallowed restored) and stands for the keyword word its root is. Only then: on messages the table
already understands, a word is never re-read this way.
"""

from __future__ import annotations

from collections.abc import Iterator

# prefix -> letters its nasal may have swallowed ("" keeps the root as written)
_PREFIXES: dict[str, tuple[str, ...]] = {
    "mang": ("", "k", "g"), "many": ("s", "c"), "mam": ("p", "b", ""), "man": ("t", "d", ""), "ma": ("",),
    "ba": ("",), "ta": ("",), "ka": ("",), "pa": ("",), "sa": ("",),
    "nga": ("",), "ng": ("k", "g", ""), "ny": ("s", "c"), "m": ("p", "b"), "n": ("t", "d"),
    "di": ("",), "ke": ("",), "ter": ("",), "ber": ("",), "me": ("",), "pe": ("",),
    "meng": ("", "k"), "meny": ("s",), "mem": ("p", ""), "men": ("t", ""),
    "peng": ("", "k"), "peny": ("s",), "pem": ("p", ""), "pen": ("t", ""),
}
_SUFFIXES = ("akan", "keunana", "keun", "kena", "aken", "ake", "ke", "kan", "an", "na", "ne", "nya", "e", "i", "a")
MIN_ROOT = 3


def regional_roots(word: str) -> Iterator[str]:
    """Roots ``word`` may carry under Banjar, Javanese, Sundanese or colloquial affixes, simplest
    reading first (a suffix, a prefix, then both)."""
    bases = [word] + [word[: -len(s)] for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= MIN_ROOT]
    yield from bases[1:]
    for base in bases:
        for prefix, swallowed in _PREFIXES.items():
            if base.startswith(prefix) and len(base) - len(prefix) >= MIN_ROOT:
                rest = base[len(prefix):]
                for letter in swallowed:
                    yield letter + rest
