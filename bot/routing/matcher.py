"""From raw text to matched keyword phrases.

Each distinct word is looked up once per table (cached), then phrases are found through an
index keyed by their first word, so the cost grows with the message, not with the size of the
keyword table.
"""

from __future__ import annotations

from bot.routing import text as tx
from bot.routing.table import ADDRESS, HIDDEN, HIT_FACTOR_BITS, LANDMARK, MAX_REPEATS, TOPIC, RoutingTable

__all__ = ["ADDRESS", "HIDDEN", "HIT_FACTOR_BITS", "LANDMARK", "TOPIC", "Hit", "analyse", "find_hits", "hit",
           "normalized_words"]


# One found phrase as scoring reads it, packed in one int (see ``hit``): phrase id, first seen in
# the opening words or not, further mentions (capped), kind. A message's hits, sorted, are its
# "hit profile": the verdict depends on nothing else, so it is cached per profile (classify.py).
Hit = int


def analyse(text: str, table: RoutingTable) -> tuple[list[str], list[tuple[str, ...]]]:
    """Normalised words of ``text`` and, for each, the vocabulary words it stands for."""
    words: list[str] = []
    readings: list[tuple[str, ...]] = []
    known_words = table.chunk_words
    known_readings = table.chunk_readings
    for chunk in tx.text_chunks(text):
        chunk_words = known_words.get(chunk)
        if chunk_words is None:
            chunk_words, chunk_readings = table.analyse_chunk(chunk)
        else:
            chunk_readings = known_readings[chunk]
        words += chunk_words
        readings += chunk_readings
    return words, readings




def normalized_words(text: str, table: RoutingTable) -> list[str]:
    return analyse(text, table)[0]


def find_hits(words: list[str], readings: list[tuple[str, ...]], table: RoutingTable) -> tuple[Hit, ...]:
    """Every table phrase present in ``words`` (neutral phrases mask the words they cover), sorted."""
    asides = _place_asides(words, table) if not table.place_openers.isdisjoint(words) else None
    spans = _all_spans(readings, table, asides)
    if not spans:
        return ()
    sizes = table.phrase_sizes
    neutral = table.neutral
    masking = table.masking_multiword
    blocked: set[int] = set()
    longer: list[tuple[int, int, int]] = []
    for phrase_id, occurrences in spans.items():
        if phrase_id in neutral:
            for start, end in occurrences:
                blocked.update(range(start, end + 1))
        if phrase_id in masking:
            longer += [(start, end, sizes[phrase_id]) for start, end in occurrences]
    address = _address_positions(words, longer, table) if not table.address_markers.keys().isdisjoint(words) \
        else _NO_POSITIONS
    landmarks = table.landmarks
    lead_words = table.settings.lead_words
    addressed = _addressed_positions(words, table) if not table.addressing.isdisjoint(words) else _NO_POSITIONS
    decisive = table.decisive
    places = table.place_nouns
    prepositions = table.prepositions
    towards, routes = table.towards, table.routes  # "jalan ke sekolah": the school is where the road goes
    hits: list[Hit] = []
    for phrase_id, occurrences in spans.items():
        # Longest match wins: "jalan" inside "lampu jalan" or "bpjs" inside "bpjs kesehatan"
        # is not a second, separate clue.
        unblocked = [span for span in occurrences if span[0] not in blocked] if blocked else occurrences
        if longer:
            size = sizes[phrase_id]
            starts = sorted({start for start, end in unblocked if not _inside_longer(start, end, size, longer)})
        elif len(unblocked) == 1:
            starts = [unblocked[0][0]]
        else:
            starts = sorted({start for start, _ in unblocked})
        if not starts:
            if unblocked and phrase_id in table.rule_terms:
                hits.append(phrase_id << HIT_FACTOR_BITS | (unblocked[0][0] < lead_words) << 4 | HIDDEN)
            continue
        # "jalan rusak depan SD" is about the road: a keyword inside an address or one or two
        # words after a place preposition ("di depan kantor PDAM") names a place, not the
        # problem, and only counts if it also appears elsewhere.
        if len(starts) == 1:  # most phrases: the lists below reduce to this one position
            start = starts[0]
            if start in address:
                kind = ADDRESS
            elif start and (words[start - 1] in landmarks or start > 1 and words[start - 2] in landmarks
                            or phrase_id in places and words[start - 1] in prepositions
                            or start > 1 and words[start - 1] in towards and words[start - 2] in routes):
                kind = LANDMARK
            else:
                kind = TOPIC
            in_lead = start < lead_words or start in addressed and phrase_id in decisive
            hits.append(phrase_id << HIT_FACTOR_BITS | in_lead << 4 | kind)
            continue
        placed = [start for start in starts if start not in address] if address else starts
        topical = [start for start in placed
                   if not (start and (words[start - 1] in landmarks or start > 1 and words[start - 2] in landmarks
                                      or phrase_id in places and words[start - 1] in prepositions
                                      or start > 1 and words[start - 1] in towards and words[start - 2] in routes))]
        chosen, kind = (topical, TOPIC) if topical else (placed, LANDMARK) if placed else (starts, ADDRESS)
        in_lead = chosen[0] < lead_words or phrase_id in decisive and not addressed.isdisjoint(chosen)
        hits.append(phrase_id << HIT_FACTOR_BITS | in_lead << 4
                    | min(len(chosen) - 1, MAX_REPEATS) << 2 | kind)  # as ``hit`` packs it
    hits.sort()
    return tuple(hits)


_NO_POSITIONS: frozenset[int] = frozenset()


def _addressed_positions(words: list[str], table: RoutingTable) -> frozenset[int]:
    """Positions right after an addressing word ("mohon DLH", "kepada dinas pu"), one word apart
    at most ("mohon kiranya dinas ...")."""
    addressing = table.addressing
    return frozenset(position + step for position, word in enumerate(words) if word in addressing
                     for step in (1, 2))


def hit(phrase_id: int, in_lead: bool, repeats: int, kind: int) -> Hit:
    """Packed so that hits sort by phrase id first; ``HIT_FACTOR_BITS`` low bits pick the factor."""
    return phrase_id << HIT_FACTOR_BITS | in_lead << 4 | repeats << 2 | kind


def _address_positions(words: list[str], longer: list[tuple[int, int, int]], table: RoutingTable) -> set[int]:
    """Positions of address spans: a marker ("jalan", "desa", "rt") and the place name after it.

    A marker that starts a keyword ("jalan rusak", "desa tertinggal") opens no address, and a
    name ends at a stop word, another marker or the start of a longer keyword ("perumahan griya
    indah lampu jalan mati": "lampu jalan" is the complaint again).
    """
    markers = table.address_markers
    keyword_starts = {start for start, _, _ in longer}
    found: set[int] = set()
    for position in [i for i, word in enumerate(words) if word in markers and i not in keyword_starts]:
        name = _place_name(words, position, markers[words[position]], keyword_starts, table)
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
    for outer_start, outer_end, outer_size in longer:
        if outer_start <= start and end <= outer_end and outer_size > size and (
                start == outer_start or end == outer_end or outer_end - outer_start + 1 == outer_size):
            return True
    return False


def _place_asides(words: list[str], table: RoutingTable) -> list[bool]:
    """Positions of a place said in passing: "jalan [di handil bakti] rusak", "lampu [dpn sdn 2]
    mati". A preposition or landmark word opens it and the place name runs to the next word that
    ends an address (a condition such as "rusak", a verb, "yang"...), at most ``MAX_ASIDE`` words.
    A phrase may reach over such a place: it does not count as a gap between its words."""
    asides = [False] * len(words)
    openers = table.place_openers
    stops = table.address_stops
    position = 0
    while position < len(words):
        if words[position] not in openers:
            position += 1
            continue
        end = position
        while end + 1 < len(words) and end - position < MAX_ASIDE and (
                words[end + 1] in openers or words[end + 1] not in stops):
            end += 1
        if end + 1 < len(words):  # something follows the place: it may finish a phrase
            for inside in range(position, end + 1):
                asides[inside] = True
        position = end + 1
    return asides


# Longest place said in passing, in words (preposition included): "di depan sdn 2 handil".
MAX_ASIDE = 5


def _all_spans(readings: list[tuple[str, ...]], table: RoutingTable,
               asides: list[bool] | None = None) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    singles = table.single_word_index
    pair_starts = table.pair_starts
    window = table.settings.max_gap + 1
    for position, candidates in enumerate(readings):
        for candidate in candidates:
            ids = singles.get(candidate)
            if ids is not None:
                for phrase_id in ids:
                    found = spans.get(phrase_id)
                    if found is None:
                        spans[phrase_id] = [(position, position)]
                    else:
                        found.append((position, position))
            if candidate in pair_starts:
                # Longer phrases are looked up by their first two words, with the second among
                # the next few words: the cost does not grow with how many phrases start with
                # "jalan" or "lampu".
                for phrase_id, end in _phrases_from(candidate, position, readings, window, table, asides):
                    spans.setdefault(phrase_id, []).append((position, end))
    return spans


def _phrases_from(first: str, position: int, readings: list[tuple[str, ...]], window: int,
                  table: RoutingTable, asides: list[bool] | None) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    seen: set[str] = set()
    pair_index = table.pair_index
    for following in _within(readings, position, window, asides):
        for second in following:
            if second in seen:
                continue
            seen.add(second)
            for phrase_id, tail in pair_index.get((first, second), ()):
                end = _phrase_end(tail, position, readings, window - 1, asides)
                if end >= 0:
                    found.append((phrase_id, end))
    return found


def _within(readings: list[tuple[str, ...]], position: int, window: int,
            asides: list[bool] | None) -> list[tuple[str, ...]]:
    """The readings of the next ``window`` words, and of the places said in passing among them."""
    if asides is None:
        return readings[position + 1: position + 1 + window]
    end = position + 1
    counted = 0
    while end < len(readings) and counted < window:
        counted += not asides[end]
        end += 1
    return readings[position + 1: end]


def _phrase_end(tail: tuple[str, ...], start: int, readings: list[tuple[str, ...]], max_gap: int,
                asides: list[bool] | None = None) -> int:
    """Position of the phrase's last word when its other words follow in order, else -1."""
    position = start
    for word in tail:
        for offset, candidates in enumerate(_within(readings, position, max_gap + 1, asides)):
            if word in candidates:
                position += offset + 1
                break
        else:
            return -1
    return position
