"""From raw text to matched keyword phrases.

Each distinct word is looked up once per table (cached), then phrases are found through an
index keyed by their first word, so the cost grows with the message, not with the size of the
keyword table.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.routing import text as tx
from bot.routing.table import ADDRESS, HIDDEN, LANDMARK, MAX_REPEATS, TOPIC, RoutingTable

__all__ = ["ADDRESS", "HIDDEN", "LANDMARK", "TOPIC", "Hit", "analyse", "find_hits", "normalized_words"]


# One found phrase as scoring reads it: (phrase id, first seen in the opening words, further
# mentions capped at two, kind). A message's hits, sorted, are its "hit profile": the verdict
# depends on nothing else, so it is cached per profile (see classify.py).
Hit = tuple[int, bool, int, int]


def analyse(text: str, table: RoutingTable) -> tuple[list[str], list[tuple[str, ...]]]:
    """Normalised words of ``text`` and, for each, the vocabulary words it stands for."""
    words: list[str] = []
    readings: list[tuple[str, ...]] = []
    cache = table.chunk_cache
    for chunk in tx.chunks(tx.clean(text)):
        chunk_words, chunk_readings = cache.get(chunk) or table.analyse_chunk(chunk)
        words += chunk_words
        readings += chunk_readings
    return words, readings


def normalized_words(text: str, table: RoutingTable) -> list[str]:
    return analyse(text, table)[0]


def find_hits(words: list[str], readings: list[tuple[str, ...]], table: RoutingTable) -> tuple[Hit, ...]:
    """Every table phrase present in ``words`` (neutral phrases mask the words they cover), sorted."""
    spans = _all_spans(readings, table)
    if not spans:
        return ()
    sizes = table.phrase_sizes
    neutral = table.neutral.intersection(spans)
    blocked = _positions(spans, neutral) if neutral else _NO_POSITIONS
    longer = [
        (start, end, sizes[phrase_id])
        for phrase_id in table.masking_multiword.intersection(spans)
        for start, end in spans[phrase_id]
    ]
    address = (_NO_POSITIONS if table.address_markers.keys().isdisjoint(words)
               else _address_positions(words, longer, table))
    landmarks = table.landmarks
    lead_words = table.settings.lead_words
    hits: list[Hit] = []
    for phrase_id, occurrences in spans.items():
        size = sizes[phrase_id]
        # Longest match wins: "jalan" inside "lampu jalan" or "bpjs" inside "bpjs kesehatan"
        # is not a second, separate clue.
        unblocked = [span for span in occurrences if span[0] not in blocked] if blocked else occurrences
        if longer:
            starts = sorted({start for start, end in unblocked if not _inside_longer(start, end, size, longer)})
        elif len(unblocked) == 1:
            starts = [unblocked[0][0]]
        else:
            starts = sorted({start for start, _ in unblocked})
        if not starts:
            if unblocked and phrase_id in table.rule_terms:
                hits.append((phrase_id, unblocked[0][0] < lead_words, 0, HIDDEN))
            continue
        # "jalan rusak depan SD" is about the road: a keyword right after a place preposition or
        # inside an address names a place, not the problem, and only counts if it also appears
        # elsewhere.
        placed = [start for start in starts if start not in address] if address else starts
        # a keyword one or two words after a place preposition is a landmark ("di depan kantor PDAM")
        topical = [start for start in placed
                   if not (start and (words[start - 1] in landmarks or start > 1 and words[start - 2] in landmarks))]
        chosen, kind = (topical, TOPIC) if topical else (placed, LANDMARK) if placed else (starts, ADDRESS)
        hits.append((phrase_id, chosen[0] < lead_words, min(len(chosen) - 1, MAX_REPEATS), kind))
    hits.sort()
    return tuple(hits)


_NO_POSITIONS: frozenset[int] = frozenset()


def _positions(spans: dict[int, list[tuple[int, int]]], phrase_ids: Collection[int]) -> set[int]:
    covered: set[int] = set()
    for phrase_id in phrase_ids:
        for start, end in spans[phrase_id]:
            covered.update(range(start, end + 1))
    return covered


def _address_positions(words: list[str], longer: list[tuple[int, int, int]], table: RoutingTable) -> set[int]:
    """Positions of address spans: a marker ("jalan", "desa", "rt") and the place name after it.

    A marker that starts a keyword ("jalan rusak", "desa tertinggal") opens no address, and a
    name ends at a stop word, another marker or the start of a longer keyword ("perumahan griya
    indah lampu jalan mati": "lampu jalan" is the complaint again).
    """
    markers = table.address_markers
    keyword_starts = {start for start, _, _ in longer}
    found: set[int] = set()
    for position, word in enumerate(words):
        if word not in markers or position in keyword_starts:
            continue
        name = _place_name(words, position, markers[word], keyword_starts, table)
        if name:
            found.add(position)
            found.update(name)
    return found


def _place_name(words: list[str], marker: int, length: int, keyword_starts: set[int],
                table: RoutingTable) -> list[int]:
    name: list[int] = []
    named = 0
    for position in range(marker + 1, len(words)):
        word = words[position]
        if word.isdigit():  # "rt 03", "km 12", "jl. veteran 12"
            name.append(position)
            continue
        if named >= length or word in table.address_stops or word in table.address_markers \
                or word in table.landmarks or position in keyword_starts:
            break
        if length == 1 and len(word) > 2:  # "rt", "km", "blok" take a number or a letter code
            break
        name.append(position)
        named += 1
    return name


def _inside_longer(start: int, end: int, size: int, longer: list[tuple[int, int, int]]) -> bool:
    # Words that merely sit in the gap of a longer phrase ("kks" in "kartu KKS KIS" read as
    # "kartu kis") are not part of it: only a phrase sharing the longer one's first or last
    # word, or lying inside a gap-free match, is hidden.
    return any(
        outer_start <= start and end <= outer_end and outer_size > size
        and (start == outer_start or end == outer_end or outer_end - outer_start + 1 == outer_size)
        for outer_start, outer_end, outer_size in longer
    )


def _all_spans(readings: list[tuple[str, ...]], table: RoutingTable) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    index = table.first_word_index
    max_gap = table.settings.max_gap
    present: set[str] | None = None
    for position, candidates in enumerate(readings):
        for candidate in candidates:
            for phrase_id, tail in index.get(candidate, ()):
                if not tail:
                    spans.setdefault(phrase_id, []).append((position, position))
                    continue
                if present is None:
                    present = set().union(*readings)
                if present.issuperset(tail):  # cheap test before the positional walk
                    end = _phrase_end(tail, position, readings, max_gap)
                    if end >= 0:
                        spans.setdefault(phrase_id, []).append((position, end))
    return spans


def _phrase_end(tail: tuple[str, ...], start: int, readings: list[tuple[str, ...]], max_gap: int) -> int:
    """Position of the phrase's last word when its other words follow in order, else -1."""
    position = start
    for word in tail:
        limit = min(len(readings), position + max_gap + 2)
        for candidate_position in range(position + 1, limit):
            if word in readings[candidate_position]:
                position = candidate_position
                break
        else:
            return -1
    return position
