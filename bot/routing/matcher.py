"""From raw text to matched keyword phrases.

Each distinct word is looked up once per table (cached), then phrases are found through an
index keyed by their first word, so the cost grows with the message, not with the size of the
keyword table.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.routing import text as tx
from bot.routing.table import RoutingTable

# How many words before a keyword are checked for a place preposition ("di depan kantor PDAM").
LANDMARK_WINDOW = 2


@dataclass(frozen=True)
class PhraseHit:
    phrase_id: int
    first: int  # word position of the first occurrence
    count: int  # number of distinct occurrences
    landmark: bool = False  # only ever seen as a landmark ("depan SD", "dekat pasar")


def analyse(text: str, table: RoutingTable) -> tuple[list[str], list[frozenset[str]]]:
    """Normalised words of ``text`` and, for each, the vocabulary words it stands for."""
    words: list[str] = []
    resolved: list[frozenset[str]] = []
    for chunk in tx.chunks(tx.clean(text)):
        chunk_words, chunk_resolved = table.analyse_chunk(chunk)
        words.extend(chunk_words)
        resolved.extend(chunk_resolved)
    return words, resolved


def normalized_words(text: str, table: RoutingTable) -> list[str]:
    return analyse(text, table)[0]


def find_phrases(words: list[str], resolved: list[frozenset[str]], table: RoutingTable) -> dict[int, PhraseHit]:
    """Every table phrase present in ``words`` (neutral phrases mask the words they cover)."""
    spans = _all_spans(resolved, table)
    blocked = _neutral_positions(spans, table) if table.neutral else set()
    masking = table.masking
    longer = [
        (start, end, len(table.phrases[phrase_id]))
        for phrase_id, occurrences in spans.items()
        if len(table.phrases[phrase_id]) > 1 and phrase_id in masking
        for start, end in occurrences
    ]
    hits: dict[int, PhraseHit] = {}
    for phrase_id, occurrences in spans.items():
        size = len(table.phrases[phrase_id])
        # Longest match wins: "jalan" inside "lampu jalan" or "bpjs" inside "bpjs kesehatan"
        # is not a second, separate clue.
        starts = sorted({
            start for start, end in occurrences
            if start not in blocked and not (longer and _inside_longer(start, end, size, longer))
        })
        if not starts:
            continue
        # "jalan rusak depan SD" is about the road: a keyword right after a place preposition
        # names a landmark, not the problem, and only counts if it also appears elsewhere.
        topical = [start for start in starts if not _after_landmark_word(words, start, table)]
        if topical:
            hits[phrase_id] = PhraseHit(phrase_id, topical[0], len(topical))
        else:
            hits[phrase_id] = PhraseHit(phrase_id, starts[0], len(starts), landmark=True)
    return hits


def _inside_longer(start: int, end: int, size: int, longer: list[tuple[int, int, int]]) -> bool:
    # Words that merely sit in the gap of a longer phrase ("kks" in "kartu KKS KIS" read as
    # "kartu kis") are not part of it: only a phrase sharing the longer one's first or last
    # word, or lying inside a gap-free match, is hidden.
    return any(
        outer_start <= start and end <= outer_end and outer_size > size
        and (start == outer_start or end == outer_end or outer_end - outer_start + 1 == outer_size)
        for outer_start, outer_end, outer_size in longer
    )


def _after_landmark_word(words: list[str], start: int, table: RoutingTable) -> bool:
    landmarks = table.landmarks
    return any(words[position] in landmarks for position in range(max(0, start - LANDMARK_WINDOW), start))


def _all_spans(resolved: list[frozenset[str]], table: RoutingTable) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    index = table.first_word_index
    max_gap = table.settings.max_gap
    present: set[str] = set().union(*resolved)
    for position, candidates in enumerate(resolved):
        for candidate in candidates:
            for phrase_id, tail in index.get(candidate, ()):
                if not tail:
                    spans.setdefault(phrase_id, []).append((position, position))
                elif present.issuperset(tail):  # cheap test before the positional walk
                    end = _phrase_end(tail, position, resolved, max_gap)
                    if end >= 0:
                        spans.setdefault(phrase_id, []).append((position, end))
    return spans


def _phrase_end(tail: tuple[str, ...], start: int, resolved: list[frozenset[str]], max_gap: int) -> int:
    """Position of the phrase's last word when its other words follow in order, else -1."""
    position = start
    for word in tail:
        limit = min(len(resolved), position + max_gap + 2)
        for candidate_position in range(position + 1, limit):
            if word in resolved[candidate_position]:
                position = candidate_position
                break
        else:
            return -1
    return position


def _neutral_positions(spans: dict[int, list[tuple[int, int]]], table: RoutingTable) -> set[int]:
    blocked: set[int] = set()
    for phrase_id in table.neutral & spans.keys():
        for start, end in spans[phrase_id]:
            blocked.update(range(start, end + 1))
    return blocked
