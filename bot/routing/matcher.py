"""From raw text to matched keyword phrases.

Each distinct word is looked up once per table (cached), then phrases are found through an
index keyed by their first word, so the cost grows with the message, not with the size of the
keyword table.
"""

from __future__ import annotations

from itertools import compress

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
    lexicon = table.lexicon
    rewritten = table.lexicon_rewritten
    cache = table.chunk_cache
    for chunk in tx.text_chunks(text):
        reading = lexicon.get(chunk)
        if reading is not None:  # most chunks: a real word, its readings fixed by the table
            words.append(chunk)
            readings.append(reading)
            continue
        # slang (fixed by the table as well), a chunk seen before, or a new one
        chunk_words, chunk_readings = rewritten.get(chunk) or cache.get(chunk) or table.read_chunk(chunk)
        words += chunk_words
        readings += chunk_readings
    return words, readings


def normalized_words(text: str, table: RoutingTable) -> list[str]:
    return analyse(text, table)[0]


def find_hits(words: list[str], readings: list[tuple[str, ...]], table: RoutingTable) -> tuple[Hit, ...]:
    """Every table phrase present in ``words`` (neutral phrases mask the words they cover), sorted."""
    # Places said in passing matter only to phrases of two or more words: _all_spans finds them
    # when it meets the first one.
    present = table.context_words.intersection(words)  # the words the steps below look for, in one pass
    spans = _all_spans(readings, table, words if not table.place_openers.isdisjoint(present) else None)
    if not spans:
        return ()
    sizes = table.phrase_sizes
    neutral = table.neutral
    masking = table.masking_multiword
    blocked: set[int] = set()
    longer: list[tuple[int, int, int]] = []
    if not (neutral.isdisjoint(spans) and masking.isdisjoint(spans)):  # most messages: neither
        for phrase_id, occurrences in spans.items():
            if phrase_id in neutral:
                for start, end in occurrences:
                    blocked.update(range(start, end + 1))
            if phrase_id in masking:
                longer += [(start, end, sizes[phrase_id]) for start, end in occurrences]
    address = _address_positions(words, longer, table) if not table.address_markers.keys().isdisjoint(present) \
        else _NO_POSITIONS
    landmarks = table.landmarks
    placed_as: dict[int, int] = {}
    if not landmarks.isdisjoint(present):
        for position, word in enumerate(words):
            if word in landmarks:
                placed_as[position + 1] = placed_as[position + 2] = LANDMARK
    # "jalan ke sekolah", "jembatan menuju pasar": where a way leads is a landmark too.
    towards, routes = table.towards, table.routes
    if not towards.isdisjoint(present):
        for position in range(2, len(words)):
            if words[position - 1] in towards and words[position - 2] in routes:
                placed_as[position] = LANDMARK
    for position in address:
        placed_as[position] = ADDRESS
    # A kind of place right after a preposition ("mengemis di lampu merah") says where, not what.
    places = table.place_nouns
    after_preposition = {position + 1 for position, word in enumerate(words) if word in table.prepositions} \
        if not places.isdisjoint(spans) else _NO_POSITIONS
    # An office's decisive keyword right after "mohon", "kepada"... is the office addressed: it
    # counts as if it stood in the opening words.
    addressed = _addressed_positions(words, table) if not table.addressing.isdisjoint(present) else _NO_POSITIONS
    decisive = table.decisive
    # Positions at which a one-word phrase lies inside a longer one (``_inside_longer`` for a
    # phrase of one word): the longer phrase's first and last words, and every word of a gap-free
    # match.
    hides_word: set[int] = set()
    for outer_start, outer_end, outer_size in longer:
        if outer_end - outer_start + 1 == outer_size:
            hides_word.update(range(outer_start, outer_end + 1))
        else:
            hides_word.add(outer_start)
            hides_word.add(outer_end)
    lead_words = table.settings.lead_words

    def _placed(phrase_id: int, start: int) -> int:
        kind = placed_as.get(start, TOPIC)
        if kind == TOPIC and start in after_preposition and phrase_id in places:
            return LANDMARK
        return kind

    def _in_lead(phrase_id: int, start: int) -> bool:
        return start < lead_words or start in addressed and phrase_id in decisive

    plain = not after_preposition and not addressed  # most messages
    hits: list[Hit] = []
    for phrase_id, occurrences in spans.items():
        # Longest match wins: "jalan" inside "lampu jalan" or "bpjs" inside "bpjs kesehatan"
        # is not a second, separate clue.
        unblocked = [span for span in occurrences if span[0] not in blocked] if blocked else occurrences
        if longer:
            size = sizes[phrase_id]
            if len(unblocked) == 1:  # most phrases: the sets below reduce to this one start or none
                start, end = unblocked[0]
                hidden = start in hides_word if size == 1 else _inside_longer(start, end, size, longer)
                starts = _NO_STARTS if hidden else [start]
            elif size == 1:
                starts = sorted({start for start, _ in unblocked if start not in hides_word})
            else:
                starts = sorted({start for start, end in unblocked if not _inside_longer(start, end, size, longer)})
        elif len(unblocked) == 1:  # most phrases: the lists below reduce to this one position
            start = unblocked[0][0]
            if plain:  # as _in_lead and _placed give it when no position is addressed or after a preposition
                hits.append(phrase_id << HIT_FACTOR_BITS | (start < lead_words) << 4 | placed_as.get(start, TOPIC))
            else:
                hits.append(phrase_id << HIT_FACTOR_BITS | _in_lead(phrase_id, start) << 4
                            | _placed(phrase_id, start))
            continue
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
            if plain:  # as above
                hits.append(phrase_id << HIT_FACTOR_BITS | (start < lead_words) << 4 | placed_as.get(start, TOPIC))
            else:
                hits.append(phrase_id << HIT_FACTOR_BITS | _in_lead(phrase_id, start) << 4
                            | _placed(phrase_id, start))
            continue
        placed = [start for start in starts if start not in address] if address else starts
        topical = [start for start in placed if _placed(phrase_id, start) != LANDMARK]
        chosen, kind = (topical, TOPIC) if topical else (placed, LANDMARK) if placed else (starts, ADDRESS)
        in_lead = chosen[0] < lead_words or phrase_id in decisive and not addressed.isdisjoint(chosen)
        hits.append(phrase_id << HIT_FACTOR_BITS | in_lead << 4
                    | min(len(chosen) - 1, MAX_REPEATS) << 2 | kind)  # as ``hit`` packs it
    hits.sort()
    return tuple(hits)


_NO_POSITIONS: frozenset[int] = frozenset()
_NO_STARTS: list[int] = []  # never changed


def _addressed_positions(words: list[str], table: RoutingTable) -> frozenset[int]:
    """Positions right after an addressing word ("mohon DLH", "kepada dinas pu"), one word apart
    at most ("mohon kiranya dinas ...")."""
    addressing = table.addressing
    return frozenset(position + step for position, word in enumerate(words) if word in addressing
                     for step in (1, 2))


def _place_asides(words: list[str], table: RoutingTable) -> tuple[list[bool], int, int] | None:
    """Positions of a place said in passing: "jalan [di handil bakti] rusak", "lampu [dpn sdn 2]
    mati". A preposition or landmark word opens it and the place name runs to the next word that
    ends an address (a condition such as "rusak", a verb, "yang"...), at most ``MAX_ASIDE`` words.
    A phrase may reach over such a place: it does not count as a gap between its words.
    (The positions, the first and the last of them), or None when the message says no such place."""
    count = len(words)
    asides: list[bool] | None = None
    openers = table.place_openers
    stops = table.address_stops
    covered = first = last = -1
    # Only the openers' positions are visited (a few per message), found in one C-level pass.
    for position in compress(range(count), map(openers.__contains__, words)):
        if position <= covered:
            continue
        end = position
        for word in words[position + 1:position + 1 + MAX_ASIDE]:
            if word in stops and word not in openers:
                break
            end += 1
        if end + 1 < count:  # something follows the place: it may finish a phrase
            if asides is None:
                asides = [False] * count
                first = position
            asides[position:end + 1] = [True] * (end + 1 - position)
            last = end
        covered = end
    return None if asides is None else (asides, first, last)


# Longest place said in passing, in words (preposition included): "di depan sdn 2 handil".
MAX_ASIDE = 5


def _window_end(position: int, window: int, asides: list[bool] | None, count: int) -> int:
    """End (exclusive) of the ``window`` words after ``position``, a place said in passing not
    counted among them."""
    end = position + 1 + window
    if asides is not None:
        # The window grows by as many words as the places in what it last took in hold: each step
        # counts them in one C-level pass instead of a Python step per word.
        missing = asides[position + 1:end].count(True)
        while missing and end < count:
            taken, end = end, end + missing
            missing = asides[taken:end].count(True)
    return end if end < count else count


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
    # A phrase read over a gap that ends on a marker opening a place name is two addresses, not a
    # keyword: "jalan pendidikan desa pasar lama" names a street and a village, it is not "jalan desa"
    # ("jalan poros desa ke kecamatan" still is).
    keyword_starts = {start for start, end, size in longer
                      if end - start + 1 == size or not _opens_place(words, end, table)}
    authorities = table.authorities
    found: set[int] = set()
    # Only the markers' positions are visited (a few per message), found in one C-level pass.
    for position in compress(range(len(words)), map(markers.__contains__, words)):
        if position in keyword_starts or position and words[position - 1] in authorities:
            continue
        name = _place_name(words, position, markers[words[position]], keyword_starts, table)
        if name:
            found.add(position)
            found.update(name)
    return found


def _opens_place(words: list[str], position: int, table: RoutingTable) -> bool:
    marker_length = table.address_markers.get(words[position])
    return marker_length is not None and bool(_place_name(words, position, marker_length, set(), table))


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


def _all_spans(readings: list[tuple[str, ...]], table: RoutingTable,
               words: list[str] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Phrase id -> (first, last position) of each of its matches. ``words`` is given when the
    message holds a word that opens a place said in passing (``_place_asides``); such places are
    found when the first phrase of two or more words is met (never in messages without one), and
    only windows that may hold one are counted word by word."""
    spans: dict[int, list[tuple[int, int]]] = {}
    starts = table.phrase_starts
    window = table.settings.max_gap + 1
    count = len(readings)
    asides: list[bool] | None = None
    first_aside, last_aside = count, -1  # no place said in passing (yet)
    for position, candidates in enumerate(readings):
        for candidate in candidates:
            entry = starts.get(candidate)
            if entry is None:  # most readings start no phrase
                continue
            ids, following = entry
            for phrase_id in ids:
                found = spans.get(phrase_id)
                if found is None:
                    spans[phrase_id] = [(position, position)]
                else:
                    found.append((position, position))
            if following is None:
                continue
            if words is not None:  # the first phrase that may reach over a place: find the places once
                places = _place_asides(words, table)
                words = None
                if places is not None:
                    asides, first_aside, last_aside = places
            # Longer phrases are looked up by their first two words, with the second among the
            # next few words (its first position there): the cost does not grow with how many
            # phrases start with "jalan" or "lampu".
            seen: tuple[str, ...] = ()  # second words met (most windows: none or one)
            stop = position + 1 + window
            if stop > count:
                stop = count
            if first_aside < stop and position < last_aside:  # a place said in passing may lie in the window
                stop = _window_end(position, window, asides, count)
            for second_position in range(position + 1, stop):
                for second in readings[second_position]:
                    entries = following.get(second)
                    if entries is None or second in seen:
                        continue
                    seen += (second,)
                    for phrase_id, rest in entries:
                        end = _phrase_end(rest, second_position, readings, window - 1, asides) \
                            if rest else second_position
                        if end >= 0:
                            found = spans.get(phrase_id)
                            if found is None:
                                spans[phrase_id] = [(position, end)]
                            else:
                                found.append((position, end))
    return spans


def _phrase_end(tail: tuple[str, ...], start: int, readings: list[tuple[str, ...]], max_gap: int,
                asides: list[bool] | None = None) -> int:
    """Position of the phrase's last word when its other words follow in order, else -1."""
    position = start
    window = max_gap + 1
    count = len(readings)
    for word in tail:
        limit = position + 1 + window
        if asides is not None and True in asides[position + 1:limit]:  # as _window_end, inline
            limit = _window_end(position, window, asides, count)
        elif limit > count:
            limit = count
        for candidate_position in range(position + 1, limit):
            if word in readings[candidate_position]:
                position = candidate_position
                break
        else:
            return -1
    return position
