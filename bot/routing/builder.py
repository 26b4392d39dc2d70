"""From a validated routing.yaml plus a region's additions (config.yaml) to a ``RoutingTable``.

Checks that need more than one value at a time live here (an agency code the region does not
have, an owner for a keyword group that does not exist); every message names the key path.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.routing.dictionary import indonesian
from bot.routing.lexicon import base_slang
from bot.routing.schema import RoutingFile, RoutingTableError, RuleModel, words_of
from bot.routing.table import ALL_CODES, RoutingTable, Rule, Settings
from bot.routing.text import MIN_STEM

# Verb prefixes: a word formed with one of them ends a place name (see _verbs_in_keywords).
_VERB_PREFIXES = frozenset(("di", "me", "ter", "ber"))


@dataclass(frozen=True)
class RegionRouting:
    """What config.yaml adds to the shipped table (see ``models.config.RoutingConfig``)."""

    # agencies[i].keywords: words a region adds; two spellings of one phrase keep the stronger weight
    extra_keywords: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    owners: Mapping[str, str] = field(default_factory=dict)  # shared group -> owning agency
    places: Collection[str] = ()  # place names: landmarks, never topics
    slang: Mapping[str, str] = field(default_factory=dict)
    # routing.keywords: weights that replace the shipped ones (0 removes a keyword from an agency)
    keyword_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


def region_from_settings(settings: Any) -> RegionRouting:
    """What a config.yaml adds to the shipped table (``settings`` is ``models.config.Settings``)."""
    routing = settings.routing
    return RegionRouting(
        extra_keywords={agency.code: agency.keywords for agency in settings.agencies if agency.keywords},
        owners=routing.owners, places=routing.places, slang=routing.slang, keyword_weights=routing.keywords,
    )


class TableBuilder:
    def __init__(self, name: str, agency_codes: Collection[str] | None, region: RegionRouting) -> None:
        self.name = name
        self.region = region
        self.allowed = frozenset(agency_codes) if agency_codes is not None else ALL_CODES
        self.slang: dict[str, tuple[str, ...]] = {}
        self.phrase_ids: dict[tuple[str, ...], int] = {}
        self.labels: list[str] = []
        self.weights: list[dict[str, float]] = []

    def fail(self, path: str, problem: str) -> RoutingTableError:
        return RoutingTableError(f"{self.name}: {path}: {problem}")

    def build(self, data: RoutingFile) -> RoutingTable:
        self.slang = {word: words_of(value) for word, value in data.slang.items()}
        self._region_slang()
        # every word the table and the region name: the package's slang and the possessive forms keep off them
        table_words = self._table_words(data)
        if data.package_slang:
            self.slang = {**base_slang(self.slang, table_words, indonesian().roots), **self.slang}
        agencies = self._agencies(data)
        self._shared(data)
        self._region_keywords()
        self._possessive_slang(data, table_words)
        neutral = [self._phrase_id(self._words(p), p) for p in data.neutral]
        places = [self._phrase_id(self._words(p), p) for p in self.region.places if words_of(p)]
        rules = tuple(self._rule(rule, position) for position, rule in enumerate(data.rules))
        return RoutingTable(
            source=self.name,
            settings=Settings(**data.settings.model_dump()),
            agencies=tuple(sorted(agencies | {c for c in self.region.extra_keywords if c in self.allowed})),
            slang=self.slang,
            stopwords=frozenset(data.stopwords),
            known_words=frozenset(data.known_words),
            landmarks=frozenset(data.landmarks),
            address_markers=dict(data.address.markers),
            address_stops=frozenset(data.address.stop) | self._verbs_in_keywords(),
            place_openers=frozenset(data.landmarks) | frozenset(data.address.prepositions),
            addressing=frozenset(data.addressing),
            prepositions=frozenset(data.address.prepositions),
            towards=frozenset(data.address.towards),
            routes=frozenset(data.address.routes),
            authorities=frozenset(data.address.authorities),
            place_nouns=frozenset(self._phrase_id(self._words(p), p) for p in data.address.place_nouns),
            dictionary=indonesian(),
            phrases=tuple(sorted(self.phrase_ids, key=self.phrase_ids.__getitem__)),
            phrase_labels=tuple(self.labels),
            phrase_weights=tuple(tuple(sorted((c, w) for c, w in weights.items() if w > 0))
                                 for weights in self.weights),
            neutral=frozenset(neutral) | frozenset(places),
            rules=rules,
        )

    def _possessive_slang(self, data: RoutingFile, table_words: set[str]) -> None:
        """"airnya", "rumbisnya", "dalane": a word the table reads, with the possessive of
        Indonesian and Banjar (-nya) or Javanese (-ne after a vowel, -e after a consonant) attached,
        reads as that word. The stemmer finds roots of four letters or more in their -nya forms
        ("jalannya"); keyword words shorter than that ("air", "api", "ktp") and the table's own slang
        ("banyu", "dalan", "rumbis") are spelled out here. Function words are left out ("adanya" is
        the noun "existence", not "ada"); a form that is itself a root word, slang or a word of the
        table keeps its own reading."""
        own = {word: self.slang[word] for word in (*data.slang, *self.region.slang) if word in self.slang}
        forms: dict[str, tuple[str, ...]] = {}
        for word, reading in own.items():
            forms[word + "nya"] = reading
            forms[word + ("ne" if word[-1] in "aiueo" else "e")] = reading
        stopwords = set(data.stopwords)
        for words in self.phrase_ids:
            for word in words:
                if len(word) < MIN_STEM and word.isalpha() and word not in stopwords:
                    forms[word + "nya"] = (word,)
        roots, slang = indonesian().roots, self.slang
        slang.update({form: reading for form, reading in forms.items()
                      if form not in roots and form not in table_words and form not in slang})

    def _verbs_in_keywords(self) -> frozenset[str]:
        """Keyword words that are verbs (di-, me-, ter-, ber- forms): a street or a village is not
        named "tergenang" or "berlubang", so such a word ends a place name ("jalan tergenang air"
        is a flooded road, not an address)."""
        dictionary = indonesian()
        verbs = set()
        for words in self.phrase_ids:
            for word in words:
                reading = dictionary.analyse(word) if word not in dictionary.roots else None
                if reading is not None and reading[0].split("+")[0] in _VERB_PREFIXES:
                    verbs.add(word)
        return frozenset(verbs)

    def _table_words(self, data: RoutingFile) -> set[str]:
        """Every word the table and the region name: never rewritten by the package's slang."""
        phrases = [*data.neutral, *self.region.places]
        phrases += [keyword for agency in data.agencies.values() for keyword in agency.keywords]
        phrases += [keyword for group in data.shared.values() for keyword in group.keywords]
        phrases += [term for rule in data.rules for term in (*rule.all, *rule.any, *rule.none, *rule.also)]
        phrases += [keyword for keywords in self.region.extra_keywords.values() for keyword in keywords]
        phrases += [keyword for keywords in self.region.keyword_weights.values() for keyword in keywords]
        words = {word for phrase in phrases for word in words_of(phrase)}
        return words | set(data.stopwords) | set(data.known_words) | set(data.landmarks) | set(data.address.markers)

    def _words(self, phrase: str) -> tuple[str, ...]:
        """A keyword normalised the way messages are (slang applied, no typo handling)."""
        return tuple(word for piece in words_of(phrase) for word in self.slang.get(piece, (piece,)))

    def _phrase_id(self, words: tuple[str, ...], label: str) -> int:
        if words not in self.phrase_ids:
            self.phrase_ids[words] = len(self.labels)
            self.labels.append(label)
            self.weights.append({})
        return self.phrase_ids[words]

    def _code(self, code: str, path: str) -> str:
        if code not in ALL_CODES:
            raise self.fail(path, f"unknown agency code {code!r}")
        if code not in self.allowed:
            raise self.fail(path, f"agency code {code!r} is not among the configured agencies")
        return code

    def _add(self, code: str, keywords: Mapping[str, float], path: str) -> None:
        for keyword, weight in keywords.items():
            words = self._words(keyword)
            if not words:
                raise self.fail(f"{path}[{keyword!r}]", f"{keyword!r} contains no letters or digits")
            weights = self.weights[self._phrase_id(words, keyword)]
            weights[code] = max(weights.get(code, 0.0), float(weight))

    def _agencies(self, data: RoutingFile) -> set[str]:
        for code, agency in data.agencies.items():
            self._add(self._code(code, f"agencies.{code}"), agency.keywords, f"agencies.{code}.keywords")
        return set(data.agencies)

    def _shared(self, data: RoutingFile) -> None:
        """Keyword groups whose owner differs between regions (street lights: Dishub, Perkim or PU).

        The owner scores the full weight; each office under ``others`` keeps its share so it stays a
        candidate. ``routing.owners`` in config.yaml names a region's own owner.
        """
        unknown = set(self.region.owners) - set(data.shared)
        if unknown:
            raise RoutingTableError(f"config: routing.owners.{sorted(unknown)[0]}: no such shared keyword group "
                                    f"in {self.name} (expected one of: {', '.join(sorted(data.shared))})")
        for group, body in data.shared.items():
            owner = self.region.owners.get(group, body.owner)
            if owner not in self.allowed:
                where = f"config: routing.owners.{group}" if group in self.region.owners else f"{self.name}: shared"
                raise RoutingTableError(f"{where}: unknown agency code {owner!r}")
            self._add(owner, body.keywords, f"shared.{group}.keywords")
            for code, share in body.others.items():
                if code != owner and code in self.allowed:
                    self._add(code, {k: w * share for k, w in body.keywords.items()}, f"shared.{group}.keywords")

    def _region_slang(self) -> None:
        for word, value in self.region.slang.items():
            source, target = words_of(word), words_of(value)
            if len(source) != 1 or not target:
                raise RoutingTableError(f"config: routing.slang[{word!r}]: needs one word and a non-empty "
                                        f"replacement, got {value!r}")
            self.slang[source[0]] = target

    def _region_keywords(self) -> None:
        for code, keywords in self.region.extra_keywords.items():
            path = f"extra keywords of {code}"
            self._code(code, path)
            for keyword, weight in keywords.items():
                if not isinstance(weight, int | float) or isinstance(weight, bool) or not weight > 0:
                    raise self.fail(f"{path}[{keyword!r}]", f"weight must be a positive number, got {weight!r}")
            self._add(code, keywords, path)
        for code, keywords in self.region.keyword_weights.items():
            path = f"config: routing.keywords.{code}"
            if code not in self.allowed:
                raise RoutingTableError(f"{path}: unknown agency code {code!r}")
            for keyword, weight in keywords.items():
                words = self._words(keyword)
                if not words or weight < 0:
                    raise RoutingTableError(f"{path}[{keyword!r}]: needs words and a weight >= 0, got {weight!r}")
                self.weights[self._phrase_id(words, keyword)][code] = float(weight)

    def _rule(self, rule: RuleModel, position: int) -> Rule:
        path = f"rules[{position}]"
        for code in (*rule.add, *rule.multiply, *rule.lead):
            self._code(code, f"{path}.{code}")

        def ids(phrases: list[str]) -> tuple[int, ...]:
            return tuple(self._phrase_id(self._words(p), p) for p in phrases)

        return Rule(rule.name, ids(rule.all), ids(rule.any), ids(rule.none), tuple(rule.add.items()),
                    tuple(rule.multiply.items()), ids(rule.also), tuple(rule.lead.items()), rule.dismiss)

