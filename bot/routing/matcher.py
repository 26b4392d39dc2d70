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


TOPIC, LANDMARK, ADDRESS = 0, 1, 2
# Not scored: a phrase inside a longer one ("tidak" in "tidak diangkut"). Rules still see it in
# their 'none' conditions, so "sudah ... tidak diangkut" is never read as a thank-you.
HIDDEN = 3


@dataclass(frozen=True)
class PhraseHit:
    phrase_id: int
    first: int  # word position of the first occurrence
    count: int  # number of distinct occurrences
    # TOPIC, or only ever seen as a LANDMARK ("depan SD", "dekat pasar") or inside an ADDRESS
    # ("Jl. Irigasi", "desa Sungai Tabuk")
    kind: int = TOPIC


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
    address = _address_positions(words, longer, table) if table.address_markers else set()
    hits: dict[int, PhraseHit] = {}
    for phrase_id, occurrences in spans.items():
        size = len(table.phrases[phrase_id])
        # Longest match wins: "jalan" inside "lampu jalan" or "bpjs" inside "bpjs kesehatan"
        # is not a second, separate clue.
        unblocked = [(start, end) for start, end in occurrences if start not in blocked]
        starts = sorted({
            start for start, end in unblocked
            if not (longer and _inside_longer(start, end, size, longer))
        })
        if not starts:
            if unblocked and phrase_id in table.rule_terms:
                hits[phrase_id] = PhraseHit(phrase_id, unblocked[0][0], 1, HIDDEN)
            continue
        # "jalan rusak depan SD" is about the road: a keyword right after a place preposition or
        # inside an address names a place, not the problem, and only counts if it also appears
        # elsewhere.
        placed = [start for start in starts if start not in address]
        topical = [start for start in placed if not _after_landmark_word(words, start, table)]
        if topical:
            hits[phrase_id] = PhraseHit(phrase_id, topical[0], len(topical))
        elif placed:
            hits[phrase_id] = PhraseHit(phrase_id, placed[0], len(placed), LANDMARK)
        else:
            hits[phrase_id] = PhraseHit(phrase_id, starts[0], len(starts), ADDRESS)
    return hits


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
