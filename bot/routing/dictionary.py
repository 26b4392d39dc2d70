"""Is this a real Indonesian word, and what is its root? The guard that keeps typo tolerance from
"correcting" real words into keywords ("musim" is not "museum", "pembenahan" is not "pembunuhan"),
and the morphology that links affixed forms of one root ("dipungut", "pungutan").

The word list is PySastrawi's (about 30,000 root words, a maintained package). The affix analysis
is our own and cheap (string slicing, no regular expressions): PySastrawi's stemmer costs about
0.1 ms a word and gets common words wrong ("kerusakan" -> "rusa", "berikan" -> "ikan") because it
strips prefixes before checking the simpler readings. Here the readings are tried simplest first,
as a reader would: the word itself, then suffixes only, then one prefix, then two; the first one
that ends in a dictionary root wins. Combinations Indonesian does not form (ke-...-kan, di-...-an,
be-...-i, ...) are skipped. The list is static data, read once per process on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

MIN_ROOT = 3
_PARTICLES = ("lah", "kah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_DERIVATIONAL = ("kan", "an", "i")
# prefix as written -> (prefix class, letter the nasal swallowed or ""). Classes: the prefix
# family that decides which forms belong together ("pe" covers pe-, pem-, pen-, peng-, peny-).
_NASAL_PREFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "meng": (("me", ""), ("me", "k")),  # mengambil <- ambil, mengirim <- kirim
    "menge": (("me", ""),),  # mengecat <- cat
    "meny": (("me", "s"),),  # menyapu <- sapu
    "mem": (("me", ""), ("me", "p")),  # membuang <- buang, memukul <- pukul
    "men": (("me", ""), ("me", "t")),  # mendengar <- dengar, menulis <- tulis
    "me": (("me", ""),),  # melihat <- lihat, merusak <- rusak
    "peng": (("pe", ""), ("pe", "k")),
    "penge": (("pe", ""),),
    "peny": (("pe", "s"),),
    "pem": (("pe", ""), ("pe", "p")),
    "pen": (("pe", ""), ("pe", "t")),
    "pe": (("pe", ""),),
    "per": (("per", ""),),  # perbaikan, perumahan
    "pel": (("pe", ""),),  # pelajar <- ajar
    "di": (("di", ""),),
    "ke": (("ke", ""),),
    "se": (("se", ""),),
    "ter": (("ter", ""),),
    "te": (("ter", ""),),  # terasa <- rasa (te- before r)
    "ber": (("ber", ""),),
    "be": (("ber", ""),),  # berantai <- rantai (be- before r)
    "bel": (("ber", ""),),  # belajar <- ajar
}
_PREFIXES_BY_LENGTH = sorted(_NASAL_PREFIXES, key=len, reverse=True)
# A second prefix inside the first: diperbaiki, memperbaiki, keberadaan, kepemimpinan,
# berkelanjutan, bersebelahan, menyetujui.
_INNER_PREFIXES = frozenset(("per", "ber", "ter", "pe", "pem", "pen", "peng", "peny", "penge", "pel", "bel", "be",
                             "te", "ke", "se"))
# Affix pairs Indonesian does not form (so "kerusakan" is ke-rusak-an, not ke-rusa-kan).
_DISALLOWED = frozenset((("ber", "i"), ("di", "an"), ("ke", "i"), ("ke", "kan"), ("me", "an"), ("se", "i"),
                         ("se", "kan"), ("ter", "an")))


def suffix_readings(word: str) -> Iterator[tuple[str, str]]:
    """(base, derivational suffix) readings, fewest letters removed first."""
    yield word, ""
    bases = [word]
    for group in (_PARTICLES, _POSSESSIVES):
        for ending in group:
            base = bases[-1]
            if base.endswith(ending) and len(base) - len(ending) >= MIN_ROOT:
                bases.append(base[: -len(ending)])
                yield bases[-1], ""
                break
    for base in bases:
        for suffix in _DERIVATIONAL:
            if base.endswith(suffix) and len(base) - len(suffix) >= MIN_ROOT:
                yield base[: -len(suffix)], suffix


def prefix_readings(base: str, inner: bool = False) -> Iterator[tuple[str, str]]:
    """(prefix class, remainder) readings of one prefix on ``base``, longest prefix first."""
    for prefix in _PREFIXES_BY_LENGTH:
        if inner and prefix not in _INNER_PREFIXES:
            continue
        if not base.startswith(prefix) or len(base) - len(prefix) < MIN_ROOT:
            continue
        rest = base[len(prefix):]
        if prefix in ("te", "be") and not rest.startswith("r") and rest != "kerja":
            continue
        if prefix in ("bel", "pel") and rest != "ajar":
            continue
        if prefix == "be" and rest == "kerja":  # bekerja
            yield "ber", rest
            continue
        for family, swallowed in _NASAL_PREFIXES[prefix]:
            yield family, swallowed + rest


class Dictionary:
    """Root words; ``analyse`` finds the root of an affixed form."""

    def __init__(self, roots: frozenset[str]) -> None:
        self.roots = roots

    def is_word(self, word: str) -> bool:
        if word in self.roots or self.analyse(word) is not None:
            return True
        # "di" written against the next word is the preposition: dilapangan, dikecamatan
        return word.startswith("di") and len(word) > 5 and self.analyse(word[2:]) is not None

    def analyse(self, word: str) -> tuple[str, str, str] | None:
        """(prefix classes joined by '+', root, derivational suffix) of the simplest reading that
        ends in a root word, or None. A root word itself is ("", word, "")."""
        roots = self.roots
        readings = list(suffix_readings(word))
        for base, suffix in readings:
            if base in roots:
                return "", base, suffix
        for base, suffix in readings:
            for family, rest in prefix_readings(base):
                if (family, suffix) in _DISALLOWED:
                    continue
                if rest in roots:
                    return family, rest, suffix
        for base, suffix in readings:
            for family, rest in prefix_readings(base):
                for inner, root in prefix_readings(rest, inner=True):
                    # the suffix may close either prefix: ke-(ter-batas)-an, di-(ke-camat-an)
                    if root in roots and inner != family and not (
                            (inner, suffix) in _DISALLOWED and (family, suffix) in _DISALLOWED):
                        return f"{family}+{inner}", root, suffix
        return None


@lru_cache(maxsize=1)
def indonesian() -> Dictionary:
    roots = frozenset(word.strip() for word in StemmerFactory().get_words() if word.strip())
    return Dictionary(roots)
