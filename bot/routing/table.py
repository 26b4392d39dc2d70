"""The routing table: keyword/slang/rule data loaded from ``routing.yaml`` and precomputed indexes.

A ``RoutingTable`` is built once and then only read. Its per-word caches are the one mutable
part; they are bounded, live on the table (never at module level) and only ever memoise pure
functions, so sharing a table between threads or requests is safe.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.routing import text as tx
from bot.routing.calibration import Calibration, Ranking
from bot.routing.dictionary import Dictionary, family_key, is_act_noun, is_verb_form
from bot.routing.regional import regional_roots
from models.config import ALL_AGENCY_CODES, EXTERNAL_AGENCY_CODES, REGIONAL_AGENCY_CODES

# The agency codes are the domain's; the router only reads them.
REGIONAL_CODES: tuple[str, ...] = REGIONAL_AGENCY_CODES
EXTERNAL_CODES: tuple[str, ...] = EXTERNAL_AGENCY_CODES
ALL_CODES: frozenset[str] = ALL_AGENCY_CODES

# Bounds of the per-word caches: plenty for a region's vocabulary of chat words, small enough
# that a flood of random strings cannot grow memory without limit (the cache is then reset).
WORD_CACHE_LIMIT = 200_000


# How a phrase was seen: as the topic, only after a place preposition ("depan SD"), only inside an
# address ("Jl. Irigasi"), or HIDDEN inside a longer phrase ("tidak" in "tidak diangkut": not
# scored, but rules still see it in their 'none' conditions, so "sudah ... tidak diangkut" is never
# read as a thank-you).
TOPIC, LANDMARK, ADDRESS, HIDDEN = 0, 1, 2, 3
# An office's own name or a programme only it runs (routing.yaml: weights 4-6 are decisive).
DECISIVE_WEIGHT = 5.0
MAX_REPEATS = 2  # further mentions of a phrase that add to its score
# A hit packs (phrase id, in the opening words, further mentions, kind) in one int (matcher.hit);
# its low bits index ``RoutingTable.hit_factors``.
HIT_FACTOR_BITS = 5


@dataclass(frozen=True)
class Settings:
    """Tunable numbers of the router (``settings:`` in routing.yaml)."""

    fuzzy_min_length: int = 5  # shorter words only match exactly ("gas" never hits "petugas")
    fuzzy_long_length: int = 10  # from this length two typos are tolerated instead of one
    max_gap: int = 2  # words allowed between the words of a phrase ("jalan di depan rusak")
    lead_words: int = 15  # the opening words (the subject of a report) ...
    lead_bonus: float = 0.5  # ... count this much extra
    repeat_bonus: float = 0.25  # each further mention of a keyword adds this share (at most 2)
    landmark_factor: float = 0.3  # weight of a keyword only seen after "depan", "dekat", ...
    address_factor: float = 0.0  # weight of a keyword only seen inside an address ("Jl. Irigasi")
    min_score: float = 2.0  # below this nothing is credible -> triage
    route_ratio: float = 1.3  # top must beat the runner-up by this factor ...
    route_margin: float = 2.0  # ... or by this many points, else ask


@dataclass(frozen=True)
class Rule:
    """A context rule: when the conditions hold, add to and/or scale agency scores."""

    name: str
    all_of: tuple[int, ...]  # phrase ids that must all be present
    any_of: tuple[int, ...]  # at least one must be present (ignored when empty)
    none_of: tuple[int, ...]  # none may be present
    add: tuple[tuple[str, float], ...]
    multiply: tuple[tuple[str, float], ...]
    also_any: tuple[int, ...] = ()  # a second "at least one of" group (ignored when empty)
    lead: tuple[tuple[str, float], ...] = ()  # agency -> at least factor x the best other score
    dismiss: bool = False  # not a complaint: decision triage


@dataclass
class RoutingTable:
    """Precomputed routing data. Treat as read-only; build it with ``load_table``."""

    source: str
    settings: Settings
    agencies: tuple[str, ...]
    slang: Mapping[str, tuple[str, ...]]
    stopwords: frozenset[str]
    known_words: frozenset[str]  # real words the dictionary lacks (acronyms, regional words)
    landmarks: frozenset[str]  # place prepositions: what follows them is a landmark
    address_markers: Mapping[str, int]  # "jalan", "desa", "rt" ... -> words of the name after them
    address_stops: frozenset[str]  # words that end an address name ("rusak", "yang")
    place_openers: frozenset[str]  # landmarks and prepositions that open a place said in passing
    addressing: frozenset[str]  # "mohon", "kepada": an office named right after is addressed
    prepositions: frozenset[str]  # "di", "ke": before a place noun, what follows is where, not what
    place_nouns: frozenset[int]  # phrases naming a kind of place ("lampu merah", "terminal")
    towards: frozenset[str]  # "ke", "menuju": after a route word, what follows is its destination
    routes: frozenset[str]  # "jalan", "jembatan": ways that lead somewhere
    authorities: frozenset[str]  # "pemerintah": a marker right after it names a government, not a place
    dictionary: Dictionary
    phrases: tuple[tuple[str, ...], ...]  # phrase id -> its normalised words
    phrase_labels: tuple[str, ...]  # phrase id -> keyword as written in the table
    phrase_weights: tuple[tuple[tuple[str, float], ...], ...]  # phrase id -> (agency, weight)
    neutral: frozenset[int]  # phrase ids whose words must not trigger other keywords
    rules: tuple[Rule, ...]
    # fitted numbers that turn scores into a probability (None: the ratio/margin rule decides)
    calibration: Calibration | None = None
    vocabulary: frozenset[str] = field(init=False)
    # word -> one-word phrases it is; (first word, second word) -> (phrase id, words after the first)
    single_word_index: dict[str, tuple[int, ...]] = field(init=False)
    pair_index: dict[tuple[str, str], tuple[tuple[int, tuple[str, ...]], ...]] = field(init=False)
    pair_starts: frozenset[str] = field(init=False)  # first words of phrases of two or more words
    # word -> (one-word phrases it is, second word -> (phrase id, words after the second) of the
    # longer phrases it starts, or None): one look-up per reading finds both (matcher._all_spans)
    phrase_starts: dict[str, tuple[tuple[int, ...], dict[str, tuple[tuple[int, tuple[str, ...]], ...]] | None]] = (
        field(init=False))
    _exact_words: frozenset[str] = field(init=False)
    _not_typos: frozenset[str] = field(init=False)
    _fuzzy_choices: dict[tuple[str, int], list[str]] = field(init=False)
    # ``_fuzzy_choices`` by the typed word's length, then its first two letters: (choices, h, the
    # choices' first h letters, their last length - 1 - h letters) (``_one_typo_halves``; h is 0
    # where two typos are allowed)
    _typo_buckets: list[dict[str, tuple[list[str], int, frozenset[str], frozenset[str]]]] = field(init=False)
    _stem_heads: frozenset[str] = field(init=False)
    # family key -> affixed keyword words (word, is a verb form, names the act)
    _families: dict[str, tuple[tuple[str, bool, bool], ...]] = field(init=False)
    _family_roots: RootIndex = field(init=False)  # roots of the families, for a quick look
    _vocabulary_roots: RootIndex = field(init=False)  # keyword words, for a quick look
    # every word some step of ``find_hits`` looks for in a message (openers, markers, landmarks, ...):
    # a message's own such words are found in one pass, then each step asks only them
    context_words: frozenset[str] = field(init=False)
    rule_triggers: dict[int, tuple[int, ...]] = field(init=False)
    rule_terms: frozenset[int] = field(init=False)  # phrases rules look for even when hidden
    agency_set: frozenset[str] = field(init=False)
    # phrases that carry weight (or are neutral): only these hide shorter phrases inside them;
    # a phrase used only as a rule condition ("pns daerah") must not hide "pns".
    masking: frozenset[int] = field(init=False)
    # low bits of a hit (in the opening words, further mentions, kind) -> factor on the phrase's weights
    hit_factors: tuple[float, ...] = field(init=False)
    phrase_sizes: tuple[int, ...] = field(init=False)
    masking_multiword: frozenset[int] = field(init=False)  # masking phrases of two or more words
    decisive: frozenset[int] = field(init=False)  # phrases weighing DECISIVE_WEIGHT or more for an office
    # chunk as written (one the lexicons below lack) -> (its canonical words, the vocabulary words
    # each stands for)
    chunk_cache: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = field(init=False,
                                                                                       default_factory=dict)
    _readings_cache: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)
    # Real words (the dictionary's roots, the table's own words) -> the vocabulary words each stands
    # for, computed once when the table is built: most words of a message are such words, and a
    # chunk found here needs no cache. Not a cache: fixed by the table, never filled by traffic.
    lexicon: dict[str, tuple[str, ...]] = field(init=False)
    # The same for the table's slang and the real words written differently once read ("gk" ->
    # "tidak"): chunk -> (its words, their readings), as ``analyse_chunk`` gives them.
    lexicon_rewritten: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = field(init=False)
    second_looks: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)
    # Scoring depends only on which phrases were found and how (see classify.py): chat messages
    # repeat the same few combinations, so the verdict for each is computed once.
    verdict_cache: dict[Any, Any] = field(init=False, default_factory=dict)
    # Hashes of profiles seen once: a verdict is kept from a profile's second message on, so the
    # many profiles of unseen traffic that never recur cost no cache entry (ints are cheap).
    _seen_profiles: set[int] = field(init=False, default_factory=set)
    # score -> the score rounded as shown, and a verdict's ranking -> calibrated confidence:
    # pure functions of values that recur, each computed once (classify.py)
    rounded_scores: dict[float, float] = field(init=False, default_factory=dict)
    confidences: dict[Ranking, float] = field(init=False, default_factory=dict)
    # per rule, its phrase conditions as sets: (all of, any of, also any of, none of)
    rule_conditions: tuple[tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int]], ...] = field(
        init=False)

    def __post_init__(self) -> None:
        vocabulary = {word for phrase in self.phrases for word in phrase}
        self.vocabulary = frozenset(vocabulary)
        singles: dict[str, list[int]] = {}
        pairs: dict[tuple[str, str], list[tuple[int, tuple[str, ...]]]] = {}
        for phrase_id, phrase in enumerate(self.phrases):
            if len(phrase) == 1:
                singles.setdefault(phrase[0], []).append(phrase_id)
            else:
                pairs.setdefault((phrase[0], phrase[1]), []).append((phrase_id, phrase[1:]))
        self.single_word_index = {word: tuple(ids) for word, ids in singles.items()}
        self.pair_index = {pair: tuple(entries) for pair, entries in pairs.items()}
        self.pair_starts = frozenset(first for first, _ in pairs)
        following: dict[str, dict[str, tuple[tuple[int, tuple[str, ...]], ...]]] = {}
        for (first, second), entries in self.pair_index.items():
            following.setdefault(first, {})[second] = tuple((phrase_id, tail[1:]) for phrase_id, tail in entries)
        self.phrase_starts = {word: (self.single_word_index.get(word, ()), following.get(word))
                              for word in self.single_word_index.keys() | following.keys()}
        self.rule_triggers = _rule_triggers(self.rules)
        self.rule_terms = frozenset(term for rule in self.rules for term in rule.none_of)
        self.rule_conditions = tuple((frozenset(rule.all_of), frozenset(rule.any_of), frozenset(rule.also_any),
                                      frozenset(rule.none_of)) for rule in self.rules)
        self.agency_set = frozenset(self.agencies)
        self.masking = frozenset(
            phrase_id for phrase_id, weights in enumerate(self.phrase_weights) if weights
        ) | self.neutral
        self.hit_factors = _hit_factors(self.settings)
        self.phrase_sizes = tuple(len(phrase) for phrase in self.phrases)
        self.masking_multiword = frozenset(i for i in self.masking if self.phrase_sizes[i] > 1)
        self.decisive = frozenset(i for i, weights in enumerate(self.phrase_weights)
                                  if any(weight >= DECISIVE_WEIGHT for _, weight in weights))
        self._exact_words = frozenset(
            vocabulary | set(self.slang) | self.stopwords | self.known_words | self.landmarks
            | set(self.address_markers)
        )
        self._fuzzy_choices = _fuzzy_buckets(vocabulary, self.settings)
        self._typo_buckets = _typo_buckets(self._fuzzy_choices, self.settings)
        self._abbreviations = _skeleton_index(vocabulary)
        self._stem_heads = frozenset(word[:MIN_HEAD] for word in vocabulary if len(word) >= tx.MIN_STEM)
        self._families = _word_families(vocabulary, self.dictionary)
        self._family_roots = _by_head(key.split(":")[1] for key in self._families)
        self._vocabulary_roots = _by_head(word for word in vocabulary if len(word) >= MIN_HEAD and word.isalpha())
        # Words the table itself knows are never "typo-corrected" into a keyword.
        self._not_typos = frozenset(set(self.slang) | self.stopwords | self.known_words | self.landmarks
                                    | set(self.address_markers))
        self.lexicon, self.lexicon_rewritten = self._lexicon()
        self.context_words = (self.place_openers | self.address_markers.keys() | self.landmarks | self.towards
                              | self.addressing)

    def _lexicon(self) -> tuple[dict[str, tuple[str, ...]],
                                dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
        """What ``analyse_chunk`` gives each real word and slang word written as one chunk, computed
        without its caches: words that stand for themselves -> their readings, the others (slang,
        double letters read away) -> (words, readings). Built with set operations where the answer
        is plain (a keyword word stands for itself; a real word the stemmer cannot read stands for
        nothing), so building the table stays cheap."""
        exact = self._exact_words
        slang = self.slang.keys()
        # such chunks are split first (analyse_chunk); slang and double letters are read first (words_for)
        real = {word for word in self.dictionary.roots | exact if word.isalpha()}
        as_written = {word for word in real - slang if word in exact or not tx.may_repeat(word)}
        lexicon = dict.fromkeys(as_written, NOTHING)
        vocabulary = self.vocabulary
        heads = self._stem_heads
        for word in as_written:
            if word in vocabulary:
                lexicon[word] = (word,)
            # not a keyword word, but a real one (a root or the table's own): only the stemmer
            # can read it, when its opening letters allow (as in _readings_uncached)
            elif word[:MIN_HEAD] in heads or word[2:2 + MIN_HEAD] in heads:
                lexicon[word] = self._readings_uncached(word)
        rewritten: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {}
        for word in real - as_written:
            words = self.words_for(word)
            readings = tuple(lexicon[each] if each in lexicon else self._readings_uncached(each) for each in words)
            if words == (word,):
                lexicon[word] = readings[0]
            else:
                rewritten[word] = (words, readings)
        return lexicon, rewritten

    # --- per-word steps, memoised on the table ------------------------------------------------
    def analyse_chunk(self, chunk: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """Canonical words of one alphanumeric chunk and the vocabulary words each stands for."""
        reading = self.lexicon.get(chunk)
        if reading is not None:
            return (chunk,), (reading,)
        known = self.lexicon_rewritten.get(chunk) or self.chunk_cache.get(chunk)
        return known if known is not None else self.read_chunk(chunk)

    def read_chunk(self, chunk: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """``analyse_chunk`` of a chunk that neither the lexicons nor the cache hold (it is then
        cached). Only for such chunks: the lexicons hold every real and slang word written as one
        chunk, so one of letters only and without a letter twice in a row is a new word as written."""
        words: tuple[str, ...]
        readings: tuple[tuple[str, ...], ...]
        if chunk.isalpha() and tx.repeated_character(chunk) is None:  # most new chunks
            words, readings = (chunk,), (self._new_word_readings(chunk),)
        elif chunk.isdecimal() and chunk not in self.slang:
            # A number ("rt 03", "no 12"), as the steps below read it: one word, standing for itself where a
            # phrase names it ("kelas 3") and for nothing else (no stem, relative, typo or shorthand has digits).
            words, readings = (chunk,), ((chunk,) if chunk in self.vocabulary else NOTHING,)
        else:
            words, readings = self._read_written_chunk(chunk)
        cache = self.chunk_cache
        if len(cache) >= WORD_CACHE_LIMIT:
            cache.clear()
        cache[chunk] = words, readings
        return words, readings

    def _read_written_chunk(self, chunk: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """``read_chunk`` of a chunk holding digits ("3kg", "kata2", a number the slang rewrites) or a
        character twice in a row (slang, elongation and double letters read away)."""
        words: tuple[str, ...]
        if chunk.isalpha():
            words = self.words_for(chunk)
        else:
            words = tuple(word for piece in tx.split_chunk(chunk) for word in self.words_for(piece))
        if len(words) == 1:  # most chunks: one word, whose readings need no cache of their own
            return words, (self._readings_uncached(words[0]),)
        return words, tuple(self.readings(word) for word in words)

    def words_for(self, raw: str) -> tuple[str, ...]:
        """Canonical words for one raw token: elongations collapsed, slang expanded."""
        known = self.slang.get(raw)
        if known is not None:
            return known
        # "pppk" is a word, not an elongation; without a character twice in a row (most words) the
        # steps below change nothing
        if raw in self._exact_words or tx.repeated_character(raw) is None:
            return (raw,)
        word = tx.collapse_elongation(raw)
        if word not in self._exact_words:
            undoubled = tx.undouble(word)
            if undoubled in self._exact_words:
                word = undoubled
        return self.slang.get(word, (word,))

    def resolve(self, word: str) -> frozenset[str]:
        """Vocabulary words that ``word`` stands for: exact, typo-tolerant, and via its roots."""
        return frozenset(self.readings(word))

    def readings(self, word: str) -> tuple[str, ...]:
        """``resolve`` as a tuple (what the matcher keeps per word: tuples of strings are cheap for
        the garbage collector, which skips them once it has seen them)."""
        cached = self._readings_cache.get(word)
        if cached is None:
            cached = self._readings_uncached(word)
            _remember(self._readings_cache, word, cached)
        return cached

    @contextmanager
    def calibrated(self, calibration: Calibration | None) -> Iterator[RoutingTable]:
        """Use another calibration for a while (cross-validation); verdicts cached meanwhile are dropped."""
        previous = self.calibration
        self.calibration = calibration
        self.verdict_cache.clear()
        self.confidences.clear()
        try:
            yield self
        finally:
            self.calibration = previous
            self.verdict_cache.clear()
            self.confidences.clear()

    def with_empty_caches(self) -> RoutingTable:
        """The same table with every cache empty (for timing cold starts; indexes are shared)."""
        fresh = copy.copy(self)
        fresh.chunk_cache = {}
        fresh._readings_cache = {}
        fresh.second_looks = {}
        fresh.verdict_cache = {}
        fresh._seen_profiles = set()
        fresh.rounded_scores = {}
        fresh.confidences = {}
        return fresh

    def with_words_read(self) -> RoutingTable:
        """The same table with its word-level caches (chunks, readings, second looks) holding what this
        one's hold, copied so that what the copy reads is not remembered here, and its message-level ones
        (verdicts, profiles seen, rounded scores, confidences) empty: a router that has read other
        messages' words before, meeting messages whose hit profiles it has never scored (the bench)."""
        fresh = self.with_empty_caches()
        fresh.chunk_cache = dict(self.chunk_cache)
        fresh._readings_cache = dict(self._readings_cache)
        fresh.second_looks = dict(self.second_looks)
        return fresh

    def cached_verdict(self, key: Any) -> Any:
        return self.verdict_cache.get(key)

    def remember_verdict(self, key: Any, verdict: Any) -> None:
        fingerprint = hash(key)
        if fingerprint in self._seen_profiles:
            _remember(self.verdict_cache, key, verdict)
        else:
            if len(self._seen_profiles) >= WORD_CACHE_LIMIT:
                self._seen_profiles.clear()
            self._seen_profiles.add(fingerprint)

    def cache_sizes(self) -> dict[str, int]:
        return {
            "chunks": len(self.chunk_cache),
            "readings": len(self._readings_cache),
        }

    def _readings_uncached(self, word: str) -> tuple[str, ...]:
        if word in self.vocabulary:
            return (word,)
        # A real word is never "corrected" into a keyword: "musim" stays "musim", "mbok" is not
        # "mabuk". Root words and the table's own words are a set look-up; only the stemmer reads them.
        if word in self._not_typos or word in self.dictionary.roots:
            return self._stemmed(word) or NOTHING
        return self._new_word_readings(word)

    def _stemmed(self, word: str) -> tuple[str, ...]:
        """Keyword words the small stemmer finds in ``word`` (empty for most words)."""
        # A root the stemmer can find starts the word, or follows "di"/"ke": a word whose opening
        # letters start no keyword word has none (most words; one set look-up each).
        heads = self._stem_heads
        if (word[:MIN_HEAD] in heads or word[2:2 + MIN_HEAD] in heads and word.startswith(("di", "ke"))) \
                and self._may_stem(word):
            return tuple(root for root in tx.stem_candidates(word) if root in self.vocabulary)
        return NOTHING

    def _new_word_readings(self, word: str) -> tuple[str, ...]:
        """Readings of a word that is neither a keyword word nor a real one (nor the table's own):
        its stems, else its family's keyword words, else a typo or shorthand guess the affix
        analysis does not rule out. The pre-checks of each step are written out here, since most
        new words pass none of them (a call each would cost more than the checks)."""
        heads = self._stem_heads
        if (word[:MIN_HEAD] in heads or word[2:2 + MIN_HEAD] in heads and word.startswith(("di", "ke"))) \
                and self._may_stem(word):
            matches = tuple(root for root in tx.stem_candidates(word) if root in self.vocabulary)
            if matches:
                return matches
        # An affixed real word may stand for its family's keywords (``_relatives``: only verbs and
        # act nouns of six or more letters have some).
        if len(word) >= MIN_RELATIVE and (word.endswith("an") or word.startswith(_VERB_OR_ACT)):
            relatives = self._relatives(word)
            if relatives:
                return relatives
        # The affix analysis guards a typo guess only when one exists (``_fuzzy`` and its buckets).
        length = len(word)
        by_length = self._typo_buckets
        entry = by_length[length].get(word[:2]) if length < len(by_length) else None
        guesses = self._closest(word, entry) if entry is not None and word.isalpha() else []
        if not guesses and tx.two_vowels(word) is None:
            guesses = self._abbreviation(word)
        if guesses and not self.dictionary.is_word(word):
            return tuple(guesses)
        return NOTHING

    def _may_stem(self, word: str) -> bool:
        """Is a keyword word the stemmer may find in ``word`` there whole, followed only by endings
        the stemmer takes off (``tx.STEM_TAILS``)? Most words whose opening letters start a keyword
        word are not its forms ("pelantikan" starts like "pelayanan"): a few string tests instead
        of the stemmer's readings."""
        by_head = self._vocabulary_roots[0]
        tails = tx.STEM_TAILS
        for root in by_head.get(word[:MIN_HEAD], ()):
            if word.startswith(root) and word[len(root):] in tails:
                return True
        if word.startswith(("di", "ke")):
            for root in by_head.get(word[2:2 + MIN_HEAD], ()):
                if word.startswith(root, 2) and word[2 + len(root):] in tails:
                    return True
        return False

    def second_look(self, word: str) -> tuple[str, ...]:
        """Keyword words ``word`` may stand for under regional or colloquial affixes, for messages
        in which the first look found no keyword (see regional.py); cached per word."""
        cached = self.second_looks.get(word)
        if cached is None:
            cached = NOTHING
            if len(word) >= MIN_RELATIVE - 1 and word.isalpha() and word not in self.vocabulary \
                    and _may_hold_root(word, self._vocabulary_roots, _REGIONAL_PLACES):
                vocabulary = self.vocabulary
                for root in regional_roots(word):
                    if root in vocabulary and len(root) >= MIN_HEAD:
                        cached = (root,)
                        break
            _remember(self.second_looks, word, cached)
        return cached

    def _relatives(self, word: str) -> tuple[str, ...]:
        """Keyword words of the same family as an affixed real word: "dipungut" -> "pungutan",
        "tergenang" -> "genangan", "diperbaiki" -> "perbaikan". Only words in which a family's
        root can start (after a prefix, nasal letter restored) are analysed."""
        if len(word) < MIN_RELATIVE or not self._families:
            return NOTHING
        if not (word.endswith("an") or word.startswith(_VERB_OR_ACT)) or not _may_hold_root(
                word, self._family_roots, _ROOT_PLACES):
            return NOTHING
        analysis = self.dictionary.analyse(word)
        if analysis is None or not (analysis[0] or analysis[2]):
            return NOTHING
        # A verb stands for its family's verbs and for the act it names (dipungut -> pungutan,
        # tergenang -> genangan); a noun stands only for the verbs (pemungutan -> dipungut), never
        # for other nouns or agents ("pekerjaan" is not "pekerja", "penjualan" not "jualan").
        verb = is_verb_form(analysis[0])
        if not verb and not is_act_noun(analysis[0], analysis[2]):
            return NOTHING
        family = self._families.get(family_key(analysis[0], analysis[1]), ())
        return tuple(relative for relative, relative_verb, act in family
                     if relative != word and (relative_verb or verb and act))

    def _abbreviation(self, word: str) -> list[str]:
        """Chat shorthand drops vowels ("smph", "sklh", "kshtan"): a word with at most one vowel
        stands for the one keyword word with the same consonants in the same order."""
        if tx.two_vowels(word) is not None:  # most words: the skeleton is not needed
            return []
        consonants = tx.skeleton(word)
        if len(word) - len(consonants) > 1 or not word.isalpha():
            return []
        found = self._abbreviations.get(consonants)
        return [found] if found is not None and found[0] == word[0] else []

    def _fuzzy(self, word: str) -> list[str]:
        # Only keyword words with the same first two letters and a length within reach are
        # compared (usually none or a handful): most words of a message cost one dict look-up.
        length = len(word)
        by_length = self._typo_buckets
        entry = by_length[length].get(word[:2]) if length < len(by_length) else None
        if entry is None or not word.isalpha():
            return []
        return self._closest(word, entry)

    def _closest(self, word: str, entry: tuple[list[str], int, frozenset[str], frozenset[str]]) -> list[str]:
        """``_fuzzy`` once the word's bucket is found."""
        choices, split, openings, closings = entry
        length = len(word)
        # a word one typo from a choice keeps its opening or its closing letters (most words keep
        # neither and are not compared at all); ``split`` is 0 where two typos are allowed
        if split and word[:split] not in openings and word[split + 1:] not in closings:
            return []
        allowed = 2 if length >= self.settings.fuzzy_long_length else 1
        # OSA counts a swapped pair ("puskesams") as one typo.
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=allowed)
        if best is None:
            return []
        # Two edits on a long word reach unrelated place names ("petudungan" is not
        # "perundungan"); accept them only when the first three letters agree.
        if best[1] > 1 and best[0][:3] != word[:3]:
            return []
        return [best[0]]


def _may_hold_root(word: str, roots: tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]],
                   places: Places) -> bool:
    """Does one of ``roots`` sit whole in ``word`` at one of the places' starts (after prefixes), or
    without its first letter at one of their swallowed starts (a nasal prefix swallowed it:
    "memukul" holds "ukul" of "pukul" at 3)? ``roots`` groups them by their first letters and by the
    letters after their first one: a few string tests, so most words are never analysed."""
    by_head, by_second = roots
    starts, swallowed_at, head_slices, second_slices = places
    # most words: none of the letters at those places start a root (two C-level passes)
    if by_head.keys().isdisjoint(map(word.__getitem__, head_slices)) and by_second.keys().isdisjoint(
            map(word.__getitem__, second_slices)):
        return False
    for start in starts:
        for root in by_head.get(word[start:start + MIN_HEAD], ()):
            if word.startswith(root, start):
                return True
    for start in swallowed_at:
        for root in by_second.get(word[start:start + MIN_HEAD - 1], ()):
            if word.startswith(root[1:], start):
                return True
    return False


# (starts, swallowed starts, slices of a root's first letters at the starts, slices of the letters
# after its first one at the swallowed starts)
Places = tuple[tuple[int, ...], tuple[int, ...], tuple[slice, ...], tuple[slice, ...]]


def _places(starts: tuple[int, ...], swallowed_at: tuple[int, ...]) -> Places:
    return (starts, swallowed_at, tuple(slice(start, start + MIN_HEAD) for start in starts),
            tuple(slice(start, start + MIN_HEAD - 1) for start in swallowed_at))


RootIndex = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]
_SWALLOWED = frozenset("ptksbcdg")  # first letters a nasal prefix may swallow (memukul, menulis)


def _by_head(words: Iterable[str]) -> RootIndex:
    """Words grouped by their first letters, and by the letters after their first one."""
    by_head: dict[str, set[str]] = {}
    by_second: dict[str, set[str]] = {}
    for word in words:
        by_head.setdefault(word[:MIN_HEAD], set()).add(word)
        if word[0] in _SWALLOWED:
            by_second.setdefault(word[1:MIN_HEAD], set()).add(word)
    return ({head: tuple(sorted(group)) for head, group in by_head.items()},
            {head: tuple(sorted(group)) for head, group in by_second.items()})


def _word_families(vocabulary: Collection[str],
                   dictionary: Dictionary) -> dict[str, tuple[tuple[str, bool, bool], ...]]:
    """Family key -> the keyword words that are affixed forms in it (roots of four or more letters;
    a keyword that is itself a root is matched by the stemmer channel, not by its relatives)."""
    families: dict[str, list[tuple[str, bool, bool]]] = {}
    for word in sorted(vocabulary):
        if not word.isalpha() or word in dictionary.roots:
            continue
        analysis = dictionary.analyse(word)
        if analysis is None or not (analysis[0] or analysis[2]) or len(analysis[1]) < MIN_HEAD:
            continue
        prefixes, root, suffix = analysis
        member = (word, is_verb_form(prefixes), is_act_noun(prefixes, suffix))
        families.setdefault(family_key(prefixes, root), []).append(member)
    return {key: tuple(words) for key, words in families.items()}


def _hit_factors(settings: Settings) -> tuple[float, ...]:
    """The opening words usually state the problem; later words are often addresses or side
    remarks. Repeated mentions add a little, with a cap so long texts do not run away. A keyword
    inside an address (``address_factor`` 0) is a place, not evidence; hidden ones score nothing."""
    factors = [0.0] * (1 << HIT_FACTOR_BITS)
    for lead in (0, 1):
        for repeats in range(MAX_REPEATS + 1):
            factor = 1.0 + (settings.lead_bonus if lead else 0.0)
            factor *= 1.0 + settings.repeat_bonus * repeats
            low = lead << 4 | repeats << 2
            factors[low | TOPIC] = factor
            factors[low | LANDMARK] = factor * settings.landmark_factor
            factors[low | ADDRESS] = factor * settings.address_factor
            factors[low | HIDDEN] = 0.0
    return tuple(factors)


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= WORD_CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def _rule_triggers(rules: tuple[Rule, ...]) -> dict[int, tuple[int, ...]]:
    # A rule can only hold when one of its 'all' or 'any' phrases is present, so only rules
    # triggered by a found phrase are evaluated.
    triggers: dict[int, list[int]] = {}
    for position, rule in enumerate(rules):
        for phrase_id in set(rule.all_of) | set(rule.any_of):
            triggers.setdefault(phrase_id, []).append(position)
    return {phrase_id: tuple(positions) for phrase_id, positions in triggers.items()}


VOWELS = frozenset("aeiou")
MIN_HEAD = tx.MIN_STEM  # opening letters of a root the stemmer may find
MIN_RELATIVE = 6  # shorter words are not analysed for relatives
# Where a root may start: after up to two Indonesian prefixes (di-, ter-, meng-, diper-, memper-),
# or at 3/4 when a nasal swallowed its first letter (mem-, men-, meng-, meny-, pe- alike); after
# the regional ones (n-, ng-, ny-, mang-).
_ROOT_STARTS = (0, 2, 3, 4, 5, 6)
_NASAL_ROOT_STARTS = (3, 4)
_REGIONAL_ROOT_STARTS = (0, 1, 2, 3, 4)
_REGIONAL_NASAL_STARTS = (1, 2, 3, 4)
_ROOT_PLACES = _places(_ROOT_STARTS, _NASAL_ROOT_STARTS)
_REGIONAL_PLACES = _places(_REGIONAL_ROOT_STARTS, _REGIONAL_NASAL_STARTS)
# Shapes of the words that have relatives: verbs (di-, me-, ter-) and act nouns (pe-...-an, -an).
_VERB_OR_ACT = ("di", "me", "ter", "pe")
NOTHING: tuple[str, ...] = ()  # what most words stand for
# Shorter skeletons ("pk", "rt") stand for too many words to guess from.
MIN_SKELETON = 3


def _skeleton_index(vocabulary: Collection[str]) -> dict[str, str]:
    """Consonant skeleton -> the only keyword word of five or more letters that has it."""
    owners: dict[str, set[str]] = {}
    for word in vocabulary:
        if len(word) >= 5 and word.isalpha():
            owners.setdefault(tx.skeleton(word), set()).add(word)
    return {shape: next(iter(words)) for shape, words in owners.items()
            if len(words) == 1 and len(shape) >= MIN_SKELETON}


def _typo_buckets(buckets: Mapping[tuple[str, int], list[str]],
                  settings: Settings) -> list[dict[str, tuple[list[str], int, frozenset[str], frozenset[str]]]]:
    """``buckets`` indexed by length (a list) and first letters, each with its halves."""
    halves = _one_typo_halves(buckets, settings)
    by_length: list[dict[str, tuple[list[str], int, frozenset[str], frozenset[str]]]] = [
        {} for _ in range(max((length for _, length in buckets), default=0) + 1)]
    for (head, length), choices in buckets.items():
        split, openings, closings = halves.get((head, length), (0, frozenset(), frozenset()))
        by_length[length][head] = (choices, split, openings, closings)
    return by_length


def _one_typo_halves(buckets: Mapping[tuple[str, int], list[str]],
                     settings: Settings) -> dict[tuple[str, int], tuple[int, frozenset[str], frozenset[str]]]:
    """A word of n letters one typo (OSA: one letter replaced, dropped, added, or two swapped) from a
    choice shares with it its first h letters or its last n - 1 - h letters: the typo touches at
    most two neighbouring letters, and when they lie among the first h, the last n - 1 - h are
    untouched (a dropped or added letter shifts only what precedes the end). So the word is compared
    only when one of its two halves is a choice's. h is at least 3, since the bucket already
    holds words with the same first two letters."""
    halves: dict[tuple[str, int], tuple[int, frozenset[str], frozenset[str]]] = {}
    for (head, length), choices in buckets.items():
        if length >= settings.fuzzy_long_length:
            continue
        split = max(3, length // 2)
        closing = length - 1 - split
        halves[head, length] = (split, frozenset(choice[:split] for choice in choices),
                                frozenset(choice[len(choice) - closing:] for choice in choices))
    return halves


def _fuzzy_buckets(vocabulary: Collection[str], settings: Settings) -> dict[tuple[str, int], list[str]]:
    """(first two letters, length of a typed word) -> keyword words a typo of that length may stand for.

    Typos rarely hit the first two letters, while real words one letter away from a keyword
    often differ there (talang/tilang, maria/marka). One edit changes the length by at most one
    (two edits, allowed from ``fuzzy_long_length`` letters, by two), so longer or shorter words
    are never compared. Lists stay in alphabetical order: ties go to the first, as before."""
    words = sorted(word for word in vocabulary if len(word) >= settings.fuzzy_min_length and word.isalpha())
    buckets: dict[tuple[str, int], list[str]] = {}
    longest = max((len(word) for word in words), default=0) + 2
    for length in range(settings.fuzzy_min_length, longest + 1):
        allowed = 2 if length >= settings.fuzzy_long_length else 1
        for word in words:
            if abs(len(word) - length) <= allowed:
                buckets.setdefault((word[:2], length), []).append(word)
    return buckets
