"""Is this a real Indonesian word? The guard that keeps typo tolerance from "correcting" real
words into keywords ("musim" is not "museum", "pembenahan" is not "pembunuhan").

The word list and stemmer are PySastrawi's (about 30,000 root words, a maintained package): a
word is real when it is a root word or when the stemmer reduces it to one. The list is static
data, read once per process on first use.
"""

from __future__ import annotations

from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory


class Dictionary:
    """Root words and a stemmer; ``is_word`` answers for inflected forms too."""

    def __init__(self, roots: frozenset[str], stem: object) -> None:
        self.roots = roots
        self._stem = stem

    def is_word(self, word: str) -> bool:
        if word in self.roots:
            return True
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
