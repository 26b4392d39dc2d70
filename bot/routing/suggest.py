"""Keyword suggestions from officials' corrections (for ``manage.py router report``).

When officials keep moving complaints to another agency, the words those complaints share and
the rest do not are candidates for the routing table. This module only suggests; a person
decides what goes into routing.yaml.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.routing.matcher import normalized_words
from bot.routing.table import RoutingTable

MIN_DOCUMENTS = 2  # a word seen in a single moved complaint is an anecdote, not a pattern


def suggest_keywords(
    moved_texts: Sequence[str],
    other_texts: Sequence[str],
    table: RoutingTable,
    limit: int = 10,
) -> list[tuple[str, float]]:
    """Words and bigrams over-represented in ``moved_texts`` versus ``other_texts``.

    Scored by smoothed log-odds of document frequency, weighted by how many moved texts carry
    the term; deterministic (ties broken alphabetically).
    """
    if not moved_texts or limit <= 0:
        return []
    moved = _document_frequencies(moved_texts, table)
    other = _document_frequencies(other_texts, table)
    n_moved, n_other = len(moved_texts), len(other_texts)
    scored: list[tuple[str, float]] = []
    for term, count in moved.items():
        if count < min(MIN_DOCUMENTS, n_moved):
            continue
        share_moved = (count + 0.5) / (n_moved + 1.0)
        share_other = (other.get(term, 0) + 0.5) / (n_other + 1.0)
        lift = math.log(share_moved / share_other)
        if lift > 0:
            scored.append((term, round(lift * share_moved, 4)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def _document_frequencies(texts: Iterable[str], table: RoutingTable) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(_terms(text, table)))
    return counts


def _terms(text: str, table: RoutingTable) -> list[str]:
    words = [w for w in normalized_words(text, table) if w.isalpha() and len(w) > 2]
    content = [w for w in words if w not in table.stopwords]
    bigrams = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
               if a not in table.stopwords and b not in table.stopwords]
    return content + bigrams
