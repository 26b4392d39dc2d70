"""The matcher's shortcuts (issue 17/18, fourth round) give what the general path gives: the lexicons
built with the table, the shortcut for new words, and the pre-checks in front of the stemmer and the
typo comparison. The golden test checks whole verdicts on samples; these check the shortcuts on
every word they cover."""

from __future__ import annotations

import copy
import random

from bot.routing import RoutingTable, classify
from bot.routing import text as tx
from bot.routing.bench import unseen_messages
from bot.routing.calibration import Ranking
from bot.routing.dictionary import Dictionary, indonesian
from bot.routing.matcher import HIT_FACTOR_BITS, _window_end, analyse, find_hits


def _read_afresh(table: RoutingTable, chunk: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """What reading a chunk gives without lexicons or caches: its words, then each word's readings."""
    pieces = [chunk] if chunk.isalpha() else tx.split_chunk(chunk)
    words = tuple(word for piece in pieces for word in table.words_for(piece))
    return words, tuple(table._readings_uncached(word) for word in words)


def _one_typo(word: str) -> set[str]:
    letters = "aeiknrstu"
    found = {word[:i] + word[i + 1:] for i in range(len(word))}
    found |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    found |= {word[:i] + c + word[i + 1:] for i in range(len(word)) for c in letters}
    found |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return found


def test_every_real_and_slang_word_in_the_lexicons_reads_as_it_reads_afresh(table: RoutingTable) -> None:
    wrong = [word for word, reading in table.lexicon.items() if _read_afresh(table, word) != ((word,), (reading,))]
    wrong += [word for word, read in table.lexicon_rewritten.items() if _read_afresh(table, word) != read]
    assert not wrong, wrong[:10]


def test_new_chunks_of_unseen_messages_read_as_they_read_afresh(table: RoutingTable) -> None:
    cold = table.with_empty_caches()
    chunks = {chunk for message in unseen_messages(table, 2_000, seed=77) for chunk in tx.text_chunks(message)}
    chunks |= {"rusakkk", "gorong2", "3kg", "sdn2", "puskesams", "jalam", "smph", "dipungut", "kerusakan"}
    wrong = [chunk for chunk in sorted(chunks) if cold.analyse_chunk(chunk) != _read_afresh(table, chunk)]
    assert not wrong, wrong[:10]


def test_numbers_read_as_they_read_afresh(table: RoutingTable) -> None:
    named = {word for word in table.vocabulary if word.isdecimal()}  # "kelas 3"
    numbers = {str(number) for number in range(1_200)} | {"0" * size for size in range(1, 6)} | {"١٢", "٣"} | named
    rewriting = copy.copy(table)  # a region whose slang writes a number out
    rewriting.slang = {**table.slang, "7": ("tujuh",)}
    for reader in (table, rewriting):
        cold = reader.with_empty_caches()
        wrong = [number for number in sorted(numbers) if cold.analyse_chunk(number) != _read_afresh(reader, number)]
        assert not wrong, wrong[:10]
    assert named and all(table.with_empty_caches().analyse_chunk(word) == ((word,), ((word,),)) for word in named)


def _window_end_word_by_word(position: int, window: int, asides: list[bool] | None, count: int) -> int:
    end = position + 1
    counted = 0
    while end < count and counted < window:
        counted += not (asides is not None and asides[end])
        end += 1
    return end


def test_a_window_over_places_said_in_passing_ends_where_counting_word_by_word_ends() -> None:
    rng = random.Random(5)
    for _ in range(20_000):
        count = rng.randint(1, 14)
        asides = None if rng.random() < 0.1 else [rng.random() < 0.4 for _ in range(count)]
        position, window = rng.randrange(count), rng.randint(1, 4)
        assert _window_end(position, window, asides, count) == _window_end_word_by_word(position, window, asides, count)


def test_a_ranking_holds_every_field(table: RoutingTable) -> None:
    cold = table.with_empty_caches()
    rankings = [result.ranking for message in unseen_messages(table, 300, seed=9)
                if (result := classify(message, cold)).ranking is not None]
    assert rankings
    assert all(type(ranking) is Ranking and len(ranking) == len(Ranking._fields) and ranking == Ranking(*ranking)
               for ranking in rankings)


def test_a_hit_profile_holds_one_hit_per_phrase(table: RoutingTable) -> None:
    # the verdict reads a hidden hit's phrase as not shown at all (classify._verdict)
    messages = unseen_messages(table, 2_000, seed=11) + ["jalan rusak jalan rusak lampu jalan mati di jalan desa"]
    profiles = [find_hits(*analyse(message, table), table) for message in messages]
    assert all(len({hit >> HIT_FACTOR_BITS for hit in profile}) == len(profile) for profile in profiles)


def test_a_word_one_typo_from_a_keyword_word_is_still_compared_with_it(table: RoutingTable) -> None:
    # the halves pre-check may only skip comparisons that could not succeed
    keywords = sorted(word for word in table.vocabulary if word.isalpha() and 5 <= len(word) < 10)[::7]
    missed = [typo for keyword in keywords for typo in sorted(_one_typo(keyword))
              if table._fuzzy(typo) != _fuzzy_without_pre_check(table, typo)]
    assert not missed, missed[:10]


def test_the_stemmer_pre_check_lets_every_stemmable_form_through(table: RoutingTable) -> None:
    roots = sorted(word for word in table.vocabulary if word.isalpha() and len(word) >= tx.MIN_STEM)
    forms = {prefix + root + tail for root in roots for prefix in ("", "di", "ke") for tail in tx.STEM_TAILS}
    missed = [form for form in sorted(forms)
              if any(root in table.vocabulary for root in tx.stem_candidates(form)) and not table._may_stem(form)]
    assert not missed, missed[:10]


class _Everything:
    """A set that holds every string: the root-ending pre-check then lets every word through."""

    def __contains__(self, item: object) -> bool:
        return True


def test_the_root_ending_pre_check_changes_no_analysis() -> None:
    words = indonesian()
    unchecked = Dictionary(words.roots)
    unchecked._endings = unchecked._short_endings = _Everything()  # type: ignore[assignment]
    rng = random.Random(17)
    roots = sorted(words.roots)
    prefixes = ("", "di", "mem", "men", "meng", "meny", "pe", "pen", "peng", "per", "ber", "ter", "ke", "se",
                "diper", "memper", "keber", "pel", "bel", "te", "be")
    endings = ("", "an", "kan", "i", "nya", "lah", "pun", "ku", "annya", "kannya")
    forms = set()
    for _ in range(20_000):
        root = rng.choice(roots)
        form = rng.choice(prefixes) + (root[1:] if rng.random() < 0.3 else root) + rng.choice(endings)
        if rng.random() < 0.3:  # and a typo
            place = rng.randrange(len(form))
            form = form[:place] + rng.choice("aeiknrstu") + form[place + 1:]
        forms.add(form)
    changed = [form for form in sorted(forms)
               if words.analyse(form) != unchecked.analyse(form) or words.is_word(form) != unchecked.is_word(form)]
    assert not changed, changed[:10]


def test_a_table_that_has_read_other_messages_keeps_their_words_but_no_verdict(table: RoutingTable) -> None:
    reader = table.with_empty_caches()
    for message in ("jalsn rusakkk di dpn sdn2", "jalsn rusakkk di dpn sdn2", "lampu pju matii"):
        classify(message, reader)
    known = reader.with_words_read()
    assert known.chunk_cache == reader.chunk_cache and "jalsn" in known.chunk_cache
    assert reader.verdict_cache and not known.verdict_cache and not known.confidences
    classify("sampahh numpuk", known)
    assert "sampahh" in known.chunk_cache and "sampahh" not in reader.chunk_cache


def _fuzzy_without_pre_check(table: RoutingTable, word: str) -> list[str]:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    choices = table._fuzzy_choices.get((word[:2], len(word)))
    if choices is None or not word.isalpha():
        return []
    allowed = 2 if len(word) >= table.settings.fuzzy_long_length else 1
    best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=allowed)
    if best is None or best[1] > 1 and best[0][:3] != word[:3]:
        return []
    return [best[0]]
