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


def prefix_readings(base: str, inner: bool = False) -> list[tuple[str, str]]:
    """(prefix class, remainder) readings of one prefix on ``base``: the remainders as written
    first (longest prefix first), then those with the letter a nasal prefix swallowed restored."""
    prefixes = (_INNER_BY_HEAD if inner else _PREFIXES_BY_HEAD).get(base[:2])
    if prefixes is None:  # most bases start with no prefix at all
        return []
    written: list[tuple[str, str]] = []
    restored: list[tuple[str, str]] = []
    for prefix in prefixes:
        if not base.startswith(prefix) or len(base) - len(prefix) < MIN_ROOT:
            continue
        rest = base[len(prefix):]
        if prefix == "be" and rest == "kerja":  # bekerja
            written.append(("ber", rest))
            continue
        if prefix in ("te", "be") and not rest.startswith("r"):
            continue
        if prefix in ("bel", "pel") and rest != "ajar":
            continue
        for family, swallowed in _NASAL_PREFIXES[prefix]:
            if swallowed:
                if rest[0] in _VOWELS:  # the nasal swallowed a consonant before a vowel only
                    restored.append((family, swallowed + rest))
            elif _written_as_is(prefix, rest):
                written.append((family, rest))
    return written + restored


def _by_first_letters(prefixes: list[str]) -> dict[str, tuple[str, ...]]:
    """Prefixes grouped by their first two letters, longest first as in ``_PREFIXES_BY_LENGTH``."""
    grouped: dict[str, list[str]] = {}
    for prefix in prefixes:
        grouped.setdefault(prefix[:2], []).append(prefix)
    return {head: tuple(group) for head, group in grouped.items()}


_PREFIXES_BY_HEAD = _by_first_letters(_PREFIXES_BY_LENGTH)
_INNER_BY_HEAD = _by_first_letters([prefix for prefix in _PREFIXES_BY_LENGTH if prefix in _INNER_PREFIXES])


_VOWELS = frozenset("aeiou")
# Which first letters of a root keep their nasal prefix as written: mem-buang, men-dengar,
# meng-ambil / meng-gali; before a vowel "mem"/"men" mean a swallowed p/t (memukul, menulis).
_AS_WRITTEN = {"mem": frozenset("bfvp"), "pem": frozenset("bfvp"), "men": frozenset("dcjtsz"),
               "pen": frozenset("dcjtsz"), "meng": _VOWELS | frozenset("ghk"), "peng": _VOWELS | frozenset("ghk"),
               "meny": frozenset(), "peny": frozenset()}


def _written_as_is(prefix: str, rest: str) -> bool:
    allowed = _AS_WRITTEN.get(prefix)
    return allowed is None or rest[0] in allowed


# Words that look like me-...-i, di-...-i, pe-...-i or te-...-i lose their prefix before their
# suffix ("pencari" is pe-cari, not pencar-i; "petani" is pe-tani).
_PREFIX_FIRST = (("me", "i"), ("di", "i"), ("pe", "i"), ("te", "i"))
_PREFIX_FIRST_HEADS = tuple(prefix for prefix, _ in _PREFIX_FIRST)  # all with the suffix -i


class Dictionary:
    """Root words; ``analyse`` finds the root of an affixed form."""

    def __init__(self, roots: frozenset[str]) -> None:
        self.roots = roots
        # Every root a reading finds is the end of a base (the word less its suffixes), less its
        # prefixes, with at most one letter a nasal swallowed put back before it, and has three or
        # more letters: so the base ends in a root's last four letters, or its last three are a
        # three- or four-letter root's. A typo ("jalsn") usually meets neither, and is then told
        # from a word without trying its prefix readings.
        self._endings = frozenset(root[-4:] for root in roots if len(root) >= 4)
        self._short_endings = frozenset(root[-3:] for root in roots if len(root) in (3, 4))

    def is_word(self, word: str) -> bool:
        if word in self.roots or self.analyse(word) is not None:
            return True
        # "di" written against the next word is the preposition: dilapangan, dikecamatan
        return word.startswith("di") and len(word) > 5 and self.analyse(word[2:]) is not None

    def analyse(self, word: str) -> tuple[str, str, str] | None:
        """(prefix classes joined by '+', root, derivational suffix) of the simplest reading that
        ends in a root word, or None. A root word itself is ("", word, "")."""
        roots = self.roots
        if word in roots:
            return "", word, ""
        readings = list(suffix_readings(word))
        prefix_first = word.endswith("i") and word.startswith(_PREFIX_FIRST_HEADS)
        if not prefix_first:
            for base, suffix in readings:
                if base in roots:
                    return "", base, suffix
        endings, short_endings = self._endings, self._short_endings
        if not any(base[-4:] in endings or base[-3:] in short_endings for base, _ in readings):
            return None
        # every base starts like the word: without a prefix's first letters there is no prefix
        prefixed = [(suffix, prefix_readings(base)) for base, suffix in readings] \
            if word[:2] in _PREFIXES_BY_HEAD else []
        for suffix, options in prefixed:
            for family, rest in options:
                if (family, suffix) in _DISALLOWED:
                    continue
                if rest in roots:
                    return family, rest, suffix
        for suffix, options in prefixed:
            for family, rest in options:
                for inner, root in prefix_readings(rest, inner=True):
                    # the suffix may close either prefix: ke-(ter-batas)-an, di-(ke-camat-an)
                    if root in roots and inner != family and not (
                            (inner, suffix) in _DISALLOWED and (family, suffix) in _DISALLOWED):
                        return f"{family}+{inner}", root, suffix
        if prefix_first:
            for base, suffix in readings:
                if base in roots:
                    return "", base, suffix
        return None


# Word families: affixed forms of one root that name the same thing. The plain verb family (di-,
# me-, pe-...-an, ter-, -an, -kan, -i) is one family ("dipungut", "memungut", "pungutan",
# "pemungutan"; "tergenang", "genangan"); ke-...-an, per-, ber- and se- make words of their own
# ("keterangan" is a letter, "penerangan" lighting; "perjalanan" a journey, "berjalan" walking).
_OWN_FAMILY = ("per", "ke", "ber", "se")


def family_key(prefixes: str, root: str) -> str:
    """The family an analysed word belongs to ("per:baik" for perbaikan and diperbaiki)."""
    parts = prefixes.split("+") if prefixes else []
    if "per" in parts:
        return "per:" + root
    if parts and parts[0] in _OWN_FAMILY:
        return parts[0] + ":" + root
    return ":" + root


_VERB_PREFIXES = ("di", "me", "ter")


def is_verb_form(prefixes: str) -> bool:
    """di-, me-, ter- forms (with diper-, memper-) are verbs; the rest of a family are nouns
    (pe-...-an, -an, per-...-an) or agents (pe-: pekerja, pedagang)."""
    return prefixes.split("+")[0] in _VERB_PREFIXES if prefixes else False


def is_act_noun(prefixes: str, suffix: str) -> bool:
    """The act or its result: pe-...-an, per-...-an and bare -an (pemungutan, perbaikan, genangan)."""
    return suffix == "an" and prefixes.split("+")[0] in ("", "pe", "per")


@lru_cache(maxsize=1)
def indonesian() -> Dictionary:
    roots = frozenset(word.strip() for word in StemmerFactory().get_words() if word.strip())
    return Dictionary(roots)
