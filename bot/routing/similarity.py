"""Near-duplicate detection ("same problem, many reporters") and distances between reports."""

from __future__ import annotations

import math

from rapidfuzz import fuzz

from bot.routing.classify import classify
from bot.routing.english import to_indonesian
from bot.routing.matcher import normalized_words
from bot.routing.table import RoutingTable

# Two complaints of the same agency at or above this similarity are shown as "serupa".
# Chosen on tests/routing/duplicate_pairs.yaml (see docs/ROUTING.md for precision/recall).
DUPLICATE_THRESHOLD: float = 72.0
EARTH_RADIUS_M = 6_371_008.8


def content_words(text: str, table: RoutingTable) -> list[str]:
    """Words that carry meaning, with typos and inflections mapped onto table vocabulary."""
    words: list[str] = []
    # an English report and its Indonesian twin share the words the router reads (english.py)
    for word in normalized_words(to_indonesian(text), table):
        if word in table.stopwords:
            continue
        resolved = table.resolve(word)
        # A unique vocabulary reading ("jalam" -> "jalan", "kerusakan" -> "rusak") unifies
        # spellings; ambiguous readings keep the word as written.
        words.append(next(iter(resolved)) if len(resolved) == 1 else word)
    return words


def text_similarity(a: str, b: str, table: RoutingTable) -> float:
    """0..100: how likely two texts describe the same problem.

    Blends three views, weights chosen on tests/routing/duplicate_pairs.yaml:
    * word overlap of the content words (robust to order, slang, typos and extra detail);
    * overlap of the problem words the table knows ("lampu jalan mati" and "jalan rusak" at the
      same address share most words but not what is wrong);
    * agreement of the routing score profiles (synonyms such as "pju" / "lampu jalan" land on
      the same agency even when no word is shared).
    """
    words_a, words_b = content_words(a, table), content_words(b, table)
    if not words_a or not words_b:
        return 0.0
    joined_a, joined_b = " ".join(words_a), " ".join(words_b)
    surface = 0.75 * fuzz.token_set_ratio(joined_a, joined_b) + 0.25 * fuzz.token_sort_ratio(joined_a, joined_b)
    topic = _jaccard({w for w in words_a if w in table.vocabulary}, {w for w in words_b if w in table.vocabulary})
    profile = _cosine(_profile(a, table), _profile(b, table))
    return round(0.4 * surface + 0.2 * topic + 0.4 * profile, 2)


def _jaccard(a: set[str], b: set[str]) -> float:
    return 100.0 * len(a & b) / len(a | b) if a | b else 0.0


def _profile(text: str, table: RoutingTable) -> dict[str, float]:
    return {candidate.agency: candidate.score for candidate in classify(text, table).candidates}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    if not norm:
        return 0.0
    return 100.0 * sum(score * b.get(agency, 0.0) for agency, score in a.items()) / norm


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
