"""Validation of routing.yaml. Every problem is reported with its key path so that a regional
operator can fix the file without reading code, e.g.
``routing.yaml: agencies.PUPR.keywords['jalan rusak']: weight must be a positive number, got 'x'``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from bot.routing import text as tx
from bot.routing.table import (
    ALL_CODES,
    RoutingTable,
    RoutingTableError,
    Rule,
    Settings,
    is_positive_number,
)

TOP_LEVEL_KEYS = frozenset({"version", "settings", "slang", "stopwords", "protected", "landmarks",
                            "neutral", "agencies", "shared", "rules"})
AGENCY_KEYS = frozenset({"keywords"})
SHARED_KEYS = frozenset({"owner", "others", "keywords"})
RULE_KEYS = frozenset({"name", "all", "any", "also", "none", "add", "multiply"})


def split_words(phrase: str, slang: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Normalise a keyword the way messages are normalised (minus typo handling)."""
    words: list[str] = []
    for chunk in tx.chunks(tx.clean(phrase)):
        for piece in tx.split_chunk(chunk):
            words.extend(slang.get(piece, (piece,)))
    return tuple(words)


class TableBuilder:
    """Turns parsed YAML into a ``RoutingTable`` or raises ``RoutingTableError``."""

    def __init__(self, name: str, agency_codes: Collection[str] | None,
                 owners: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.owners = dict(owners or {})
        self.allowed = frozenset(agency_codes) if agency_codes is not None else ALL_CODES
        self.slang: dict[str, tuple[str, ...]] = {}
        self.phrase_ids: dict[tuple[str, ...], int] = {}
        self.labels: list[str] = []
        self.weights: list[dict[str, float]] = []

    def fail(self, path: str, problem: str) -> RoutingTableError:
        return RoutingTableError(f"{self.name}: {path}: {problem}")

    def build(self, raw: object, extra: Mapping[str, Mapping[str, float]] | None) -> RoutingTable:
        data = self._mapping(raw, "(top level)")
        self._no_unknown_keys(data, TOP_LEVEL_KEYS, "")
        settings = self._settings(data.get("settings", {}))
        self.slang = self._slang(data.get("slang", {}))
        stopwords = self._word_list(data.get("stopwords", []), "stopwords")
        protected = self._word_list(data.get("protected", []), "protected")
        landmarks = self._word_list(data.get("landmarks", []), "landmarks")
        agencies = self._agencies(data.get("agencies"))
        self._shared(data.get("shared", {}))
        if extra:
            self._extra_keywords(extra)
            agencies = tuple(sorted(set(agencies) | set(extra)))
        neutral = self._neutral(data.get("neutral", []))
        rules = self._rules(data.get("rules", []))
        phrases = tuple(sorted(self.phrase_ids, key=self.phrase_ids.__getitem__))
        return RoutingTable(
            source=self.name,
            settings=settings,
            agencies=agencies,
            slang=self.slang,
            stopwords=frozenset(stopwords),
            protected=frozenset(protected),
            landmarks=frozenset(landmarks),
            phrases=phrases,
            phrase_labels=tuple(self.labels),
            phrase_weights=tuple(tuple(sorted(w.items())) for w in self.weights),
            neutral=frozenset(neutral),
            rules=rules,
        )

    # --- generic shapes ---------------------------------------------------------------------
    def _mapping(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, got {_describe(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be text, got {key!r}")
        return value

    def _list(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, got {_describe(value)}")
        return value

    def _no_unknown_keys(self, data: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(where, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def _code(self, code: str, path: str) -> str:
        if code not in ALL_CODES:
            raise self.fail(path, f"unknown agency code {code!r}")
        if code not in self.allowed:
            raise self.fail(path, f"agency code {code!r} is not among the configured agencies")
        return code

    def _phrase(self, value: object, path: str) -> tuple[str, ...]:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be a non-empty text, got {_describe(value)}")
        words = split_words(value, self.slang)
        if not words:
            raise self.fail(path, f"{value!r} contains no letters or digits")
        return words

    def _phrase_id(self, words: tuple[str, ...], label: str) -> int:
        if words not in self.phrase_ids:
            self.phrase_ids[words] = len(self.labels)
            self.labels.append(label)
            self.weights.append({})
        return self.phrase_ids[words]

    # --- sections -----------------------------------------------------------------------------
    def _settings(self, raw: object) -> Settings:
        data = self._mapping(raw, "settings")
        defaults = Settings()
        allowed = frozenset(f.name for f in dataclasses.fields(Settings))
        self._no_unknown_keys(data, allowed, "settings")
        values: dict[str, Any] = {}
        for key, value in data.items():
            expected = type(getattr(defaults, key))
            if expected is int and not (isinstance(value, int) and not isinstance(value, bool)):
                raise self.fail(f"settings.{key}", f"must be a whole number, got {value!r}")
            if expected is float and not (is_positive_number(value) or value == 0):
                raise self.fail(f"settings.{key}", f"must be a number >= 0, got {value!r}")
            if isinstance(value, int) and value < 0:
                raise self.fail(f"settings.{key}", f"must not be negative, got {value!r}")
            values[key] = expected(value)
        return dataclasses.replace(defaults, **values)

    def _slang(self, raw: object) -> dict[str, tuple[str, ...]]:
        data = self._mapping(raw, "slang")
        slang: dict[str, tuple[str, ...]] = {}
        for key, value in data.items():
            path = f"slang[{key!r}]"
            source = split_words(key, {})
            if len(source) != 1:
                raise self.fail(path, "the word to replace must be a single word of letters or digits")
            if not isinstance(value, str) or not split_words(value, {}):
                raise self.fail(path, f"replacement must be a non-empty text, got {_describe(value)}")
            slang[source[0]] = split_words(value, {})
        return slang

    def _word_list(self, raw: object, path: str) -> list[str]:
        words: list[str] = []
        for position, item in enumerate(self._list(raw, path)):
            if not isinstance(item, str) or len(split_words(item, {})) != 1:
                raise self.fail(f"{path}[{position}]", f"must be a single word, got {_describe(item)}")
            words.append(split_words(item, {})[0])
        return words

    def _agencies(self, raw: object) -> tuple[str, ...]:
        if raw is None:
            raise self.fail("agencies", "is missing")
        data = self._mapping(raw, "agencies")
        for code, body in data.items():
            path = f"agencies.{code}"
            self._code(code, path)
            section = self._mapping(body, path)
            self._no_unknown_keys(section, AGENCY_KEYS, path)
            keywords = self._mapping(section.get("keywords", {}), f"{path}.keywords")
            self._add_keywords(code, keywords, f"{path}.keywords")
        return tuple(sorted(data))

    def _shared(self, raw: object) -> None:
        """Keyword groups whose owner differs between regions (street lights: Dishub, Perkim or PU).

        The owner scores the full weight; each office under ``others`` keeps the given share so it
        stays a candidate. ``owners`` from config.yaml (``routing.owners``) overrides the owner.
        """
        groups = self._mapping(raw, "shared")
        unknown = set(self.owners) - set(groups)
        if unknown:
            raise RoutingTableError(f"config: routing.owners.{sorted(unknown)[0]}: no such shared keyword group "
                                    f"in {self.name} (expected one of: {', '.join(sorted(groups))})")
        for group, body in groups.items():
            path = f"shared.{group}"
            section = self._mapping(body, path)
            self._no_unknown_keys(section, SHARED_KEYS, path)
            owner = self._shared_owner(group, section.get("owner"), path)
            keywords = self._mapping(section.get("keywords", {}), f"{path}.keywords")
            self._add_keywords(owner, keywords, f"{path}.keywords")
            for code, share in self._mapping(section.get("others", {}), f"{path}.others").items():
                self._code(code, f"{path}.others.{code}")
                if not is_positive_number(share) or share > 1:
                    raise self.fail(f"{path}.others.{code}", f"must be a share between 0 and 1, got {share!r}")
                if code != owner:
                    self._add_keywords(code, {k: w * share for k, w in keywords.items()
                                              if is_positive_number(w)}, f"{path}.keywords")

    def _shared_owner(self, group: str, declared: object, path: str) -> str:
        if group in self.owners:
            code = self.owners[group]
            if code not in self.allowed:
                raise RoutingTableError(f"config: routing.owners.{group}: unknown agency code {code!r}")
            return code
        if not isinstance(declared, str):
            raise self.fail(f"{path}.owner", f"must be an agency code, got {_describe(declared)}")
        return self._code(declared, f"{path}.owner")

    def _add_keywords(self, code: str, keywords: Mapping[str, Any], path: str) -> None:
        for keyword, weight in keywords.items():
            where = f"{path}[{keyword!r}]"
            if not is_positive_number(weight):
                raise self.fail(where, f"weight must be a positive number, got {weight!r}")
            words = self._phrase(keyword, where)
            weights = self.weights[self._phrase_id(words, keyword)]
            # Two spellings of one phrase ("pambakal" is slang for "kepala desa") keep the
            # stronger weight, so an addition from config.yaml never weakens the shipped table.
            weights[code] = max(weights.get(code, 0.0), float(weight))

    def _extra_keywords(self, extra: Mapping[str, Mapping[str, float]]) -> None:
        for code, keywords in extra.items():
            path = f"extra keywords of {code}"
            self._code(code, path)
            if not isinstance(keywords, Mapping):
                raise self.fail(path, f"must be a mapping of keyword to weight, got {_describe(keywords)}")
            self._add_keywords(code, keywords, path)

    def _neutral(self, raw: object) -> list[int]:
        return [
            self._phrase_id(self._phrase(item, f"neutral[{position}]"), str(item))
            for position, item in enumerate(self._list(raw, "neutral"))
        ]

    def _rules(self, raw: object) -> tuple[Rule, ...]:
        rules: list[Rule] = []
        for position, item in enumerate(self._list(raw, "rules")):
            rules.append(self._rule(item, f"rules[{position}]"))
        return tuple(rules)

    def _rule(self, raw: object, path: str) -> Rule:
        data = self._mapping(raw, path)
        self._no_unknown_keys(data, RULE_KEYS, path)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{path}.name", f"must be a non-empty text, got {_describe(name)}")
        path = f"rules[{name!r}]"
        all_of = self._rule_terms(data.get("all", []), f"{path}.all")
        any_of = self._rule_terms(data.get("any", []), f"{path}.any")
        none_of = self._rule_terms(data.get("none", []), f"{path}.none")
        also_any = self._rule_terms(data.get("also", []), f"{path}.also")
        if not all_of and not any_of:
            raise self.fail(path, "needs at least one phrase under 'all' or 'any'")
        add = self._rule_effects(data.get("add", {}), f"{path}.add", allow_zero=False)
        multiply = self._rule_effects(data.get("multiply", {}), f"{path}.multiply", allow_zero=True)
        if not add and not multiply:
            raise self.fail(path, "needs 'add' or 'multiply'")
        return Rule(name, all_of, any_of, none_of, add, multiply, also_any)

    def _rule_terms(self, raw: object, path: str) -> tuple[int, ...]:
        return tuple(
            self._phrase_id(self._phrase(item, f"{path}[{position}]"), str(item))
            for position, item in enumerate(self._list(raw, path))
        )

    def _rule_effects(self, raw: object, path: str, allow_zero: bool) -> tuple[tuple[str, float], ...]:
        effects: list[tuple[str, float]] = []
        for code, value in self._mapping(raw, path).items():
            where = f"{path}.{code}"
            self._code(code, where)
            valid = is_positive_number(value) or (allow_zero and value == 0 and not isinstance(value, bool))
            if not valid:
                kind = "a number >= 0" if allow_zero else "a positive number"
                raise self.fail(where, f"must be {kind}, got {value!r}")
            effects.append((code, float(value)))
        return tuple(effects)


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    return f"{type(value).__name__} {value!r}"
