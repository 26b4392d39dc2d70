"""A maintained colloquial-Indonesian lexicon from PyPI (indoNLP's slang table, from the Kamus Alay
corpus, MIT) under the project's own slang and regional-speech table.

The package table is only a base layer: the project's entries (Banjar, Javanese, Sundanese,
complaint words) win, and a package entry is skipped when its key is a real Indonesian root word or
a word the routing table itself uses ("smp" is a school here, not "sampai"; "sma" not "sama").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache

from bot.routing.schema import words_of


@lru_cache(maxsize=1)
def package_slang() -> dict[str, str]:
    """indoNLP's slang table (word -> standard form); empty when the package is not installed."""
    try:
        from indoNLP.preprocessing.slang_data import SLANG_DATA
    except ImportError:  # an optional layer: the project's own table still works without it
        return {}
    return {str(word): str(value) for word, value in SLANG_DATA.items()}


def base_slang(project: Mapping[str, tuple[str, ...]], protected: Collection[str],
               roots: Collection[str]) -> dict[str, tuple[str, ...]]:
    """The package entries that may sit under ``project``: keys that are single words, not roots,
    not ``protected`` (the table's own words) and not the project's; their standard forms are
    read through the project's table ("enggak" -> "tidak")."""
    package = package_slang()
    layer: dict[str, tuple[str, ...]] = {}
    for word, value in package.items():
        if len(word) < 2 or not word.isalpha() or word in project or word in protected or word in roots:
            continue
        target = tuple(part for piece in words_of(value) for part in project.get(piece, (piece,)))
        # a standard form that is itself someone's slang would read differently a second time
        # ("s" -> "si" -> "sih"): such entries are left out, so normalising twice changes nothing
        if target and target != (word,) and not any(part in package and part not in project for part in target):
            layer[word] = target
    return layer
