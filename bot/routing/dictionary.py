"""Is this a real Indonesian word? The guard that keeps typo tolerance from "correcting" real
words into keywords ("musim" is not "museum", "pembenahan" is not "pembunuhan").

The word list and stemmer are PySastrawi's (about 30,000 root words, a maintained package): a
word is real when it is a root word or when the stemmer reduces it to one. The list is static
data, read once per process on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Words the stemmer can reduce start with a prefix or end with a suffix or particle it knows.
_AFFIXED = re.compile(r"^(?:di|ke|se|me|be|pe|te).{3,}|.{3,}(?:kan|an|i|nya|lah|kah|pun|ku|mu)$")


_PREFIXES = ("", "di", "ke", "se", "ber", "be", "ter", "te", "per", "me", "mem", "men", "meng", "meny", "pe",
             "pem", "pen", "peng", "peny")
_SUFFIXES = ("", "kan", "an", "i", "nya", "lah", "kah", "pun", "ku", "mu")
# nasal prefixes swallow the root's first letter: memukul <- pukul, menulis <- tulis, menyapu <- sapu
_NASAL = {"mem": "p", "pem": "p", "men": "t", "pen": "t", "meng": "k", "peng": "k", "meny": "s", "peny": "s"}
FULL_STEMMER_LENGTH = 10


def _affix_roots(word: str) -> list[str]:
    """Roots left after one prefix and one suffix are taken off (with the nasal letter restored)."""
    found = []
    for prefix in _PREFIXES:
        if not word.startswith(prefix):
            continue
        for suffix in _SUFFIXES:
            if suffix and not word.endswith(suffix):
                continue
            core = word[len(prefix): len(word) - len(suffix)]
            if len(core) < 3:
                continue
            found.append(core)
            if prefix in _NASAL:
                found.append(_NASAL[prefix] + core)
    return found


class Dictionary:
    """Root words and a stemmer; ``is_word`` answers for inflected forms too."""

    def __init__(self, roots: frozenset[str], stem: object) -> None:
        self.roots = roots
        self._stem = stem

    def is_word(self, word: str) -> bool:
        if word in self.roots:
            return True
        if not _AFFIXED.match(word):  # nothing the stemmer could strip: not a real word
            return False
        if any(root in self.roots for root in _affix_roots(word)):
            return True
        # The full stemmer (confixes, prefix rules) costs ~0.1-1 ms a word: only for long words,
        # where stacked affixes hide the root ("pembenahan", "penyelenggaraan").
        if len(word) < FULL_STEMMER_LENGTH:
            return False
        root = self.root(word)
        return root != word and root in self.roots

    def root(self, word: str) -> str:
        return str(self._stem.stem(word))  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def indonesian() -> Dictionary:
    factory = StemmerFactory()
    roots = frozenset(word.strip() for word in factory.get_words() if word.strip())
    # The plain stemmer, not the package's cached one: the router memoises per word on its table.
    stemmer = factory.create_stemmer().delegatedStemmer
    return Dictionary(roots, stemmer)
