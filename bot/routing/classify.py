"""Scoring and the route / ask / triage decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from bot.routing.calibration import Ranking
from bot.routing.english import read_as_indonesian, to_indonesian
from bot.routing.matcher import (
    ADDRESS,
    HIDDEN,
    HIT_FACTOR_BITS,
    LANDMARK,
    TOPIC,
    Hit,
    analyse,
    find_hits,
    normalized_words,
)
from bot.routing.table import DECISIVE_WEIGHT, WORD_CACHE_LIMIT, RoutingTable, Rule

Decision = Literal["route", "ask", "triage"]
MAX_CANDIDATES = 5
# Pungli/misconduct reports go to the Inspectorate with the reporter's identity hidden, so the
# accused office never learns who complained (SP4N-LAPOR! "rahasia").
CONFIDENTIAL_AGENCY = "INSPEKTORAT"
# A leading agency's least score: a misconduct report that names no office must still be credible.
LEAD_FLOOR = 4.0


@dataclass(frozen=True, slots=True)
class Candidate:
    agency: str
    score: float
    # Evidence a citizen can read when asked to choose: the table's keywords found in the text,
    # strongest first, including the words that made a rule raise this office ("uang pelicin").
    keywords: tuple[str, ...]
    rules: tuple[str, ...] = ()  # names of the rules that raised this office (for officials, logs)


@dataclass(frozen=True, slots=True)
class RoutingResult:
    decision: Decision
    candidates: tuple[Candidate, ...]
    confidential: bool
    normalized: str
    # The office a misconduct report accuses (routed to the Inspectorate, never dispatched to it).
    subject: str | None = None
    # Calibrated probability that the top candidate is right (see calibration.py); the ratio of
    # the top score to the runner-up when no calibration was fitted.
    confidence: float = 0.0
    # The shape of the ranking the confidence was computed from (None when nothing scored).
    ranking: Ranking | None = None

    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "confidential": self.confidential,
            "subject": self.subject,
            "confidence": self.confidence,
            "candidates": [
                {"agency": c.agency, "score": c.score, "keywords": list(c.keywords)}
                for c in self.candidates
            ],
        }


# A frozen dataclass's generated __init__ sets each field through ``object.__setattr__`` (about
# 1,800 instructions a field under callgrind, a Candidate 7,500, a result 11,800): the router builds
# a result per message and a few candidates per new verdict, so it fills their slots directly
# through the slots' own descriptors (the same objects, equal to and hashing as constructed ones).
_new = object.__new__


def _slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """One setter per field, in order (unpacked below into one name each: a field added to the class
    fails at import until its builder sets it too)."""
    return tuple(cls.__dict__[each.name].__set__ for each in fields(cls))


_set_agency, _set_score, _set_keywords, _set_rules = _slot_setters(Candidate)
(_set_decision, _set_candidates, _set_confidential, _set_normalized, _set_subject, _set_confidence,
 _set_ranking) = _slot_setters(RoutingResult)


def _candidate(agency: str, score: float, keywords: tuple[str, ...], rules: tuple[str, ...]) -> Candidate:
    """``Candidate(agency, score, keywords, rules)``, built faster."""
    candidate: Candidate = _new(Candidate)
    _set_agency(candidate, agency)
    _set_score(candidate, score)
    _set_keywords(candidate, keywords)
    _set_rules(candidate, rules)
    return candidate


def _result(decision: Decision, candidates: tuple[Candidate, ...], confidential: bool, normalized: str,
            subject: str | None, confidence: float, ranking: Ranking | None) -> RoutingResult:
    """``RoutingResult(...)`` with every field given, built faster."""
    result: RoutingResult = _new(RoutingResult)
    _set_decision(result, decision)
    _set_candidates(result, candidates)
    _set_confidential(result, confidential)
    _set_normalized(result, normalized)
    _set_subject(result, subject)
    _set_confidence(result, confidence)
    _set_ranking(result, ranking)
    return result


def normalize(text: str, table: RoutingTable) -> str:
    """The text as the router sees it: NFKC, lower case, words only, English read into Indonesian,
    slang expanded."""
    return " ".join(normalized_words(to_indonesian(text), table))


def classify(text: str, table: RoutingTable) -> RoutingResult:
    words, readings = analyse(text, table)
    # An English or mixed message is read again in the table's Indonesian (english.py); an
    # Indonesian one costs a set operation.
    english = read_as_indonesian(text, words)
    if english is not None:
        words, readings = analyse(english, table)
    # Scoring reads only the hit profile, and chat messages repeat the same few profiles: each
    # profile's verdict is computed once (bounded cache on the table).
    verdict = _cached_verdict(find_hits(words, readings, table), table)
    if not verdict[1]:
        # Nothing scored: read each word once more under regional and colloquial affixes.
        looked = table.second_looks
        second: list[tuple[str, ...]] = []
        for word, reading in zip(words, readings, strict=True):
            if not reading:
                again = looked.get(word)
                reading = again if again is not None else table.second_look(word)
            second.append(reading)
        if second != readings:
            verdict = _cached_verdict(find_hits(words, second, table), table)
    decision, candidates, confidential, subject, confidence, ranking = verdict
    normalized = " ".join(words)
    calibration = table.calibration
    if calibration is not None and calibration.long_words and decision != "triage" and len(candidates) > 1:
        # A long post is asked from its own threshold (the verdict, shared by profile, used the chat one).
        threshold = calibration.threshold_for(word_count(normalized))
        decision = "route" if confidence >= threshold else "ask"
    return _result(decision, candidates, confidential, normalized, subject, confidence, ranking)


def word_count(normalized: str) -> int:
    """Words of a normalised text (what a calibration's ``long_words`` counts)."""
    return normalized.count(" ") + 1 if normalized else 0


Verdict = tuple[Decision, tuple[Candidate, ...], bool, str | None, float, Ranking | None]


def _cached_verdict(profile: tuple[Hit, ...], table: RoutingTable) -> Verdict:
    verdict: Verdict | None = table.verdict_cache.get(profile)
    if verdict is None:
        verdict = _verdict(profile, table)
        table.remember_verdict(profile, verdict)
    return verdict


def _subject(candidates: tuple[Candidate, ...], confidential: bool) -> str | None:
    """The strongest other regional office in a misconduct report: whom it accuses."""
    if not confidential:
        return None
    others = [c.agency for c in candidates[1:] if not c.agency.startswith("EXT_")]
    return others[0] if others else None


_FACTOR_MASK = (1 << HIT_FACTOR_BITS) - 1
_KIND = 0b11
_IN_LEAD = 0b10000


def _verdict(profile: tuple[Hit, ...], table: RoutingTable) -> Verdict:
    # The profile is in phrase order, not the order the phrases were found in: the sums (and so
    # the verdict shared by every message with this profile) do not depend on where each stood.
    factors = table.hit_factors
    weights = table.phrase_weights
    scores: dict[str, float] = {}
    for hit in profile:
        factor = factors[hit & _FACTOR_MASK]  # opening words, repeats, landmark/address (table.py)
        if factor:
            for agency, weight in weights[hit >> HIT_FACTOR_BITS]:
                scores[agency] = scores.get(agency, 0.0) + weight * factor
    dismissed = False
    credits: dict[str, list[tuple[float, str]]] = {}
    triggers = table.rule_triggers
    for hit in profile:
        if hit >> HIT_FACTOR_BITS in triggers:
            anywhere = {hit >> HIT_FACTOR_BITS for hit in profile}
            shown = anywhere.copy()
            in_lead: set[int] = set()
            # one pass for both; a profile holds one hit per phrase (find_hits), so a hidden one's id is not shown
            for each in profile:
                if each & _KIND == HIDDEN:
                    shown.discard(each >> HIT_FACTOR_BITS)
                elif each & _IN_LEAD:
                    in_lead.add(each >> HIT_FACTOR_BITS)
            dismissed = _apply_rules(table, shown, anywhere, in_lead, scores, credits)
            break
    routable = table.agency_set
    ordered = sorted([(-score, agency) for agency, score in scores.items() if score > 0 and agency in routable])
    ordered_all = len(ordered)
    del ordered[MAX_CANDIDATES:]
    if not ordered:
        return _decided((), dismissed, table, None)
    # Evidence is gathered only for the offices shown (most scored offices never are), in the same
    # pass as the shape of the ranking the confidence reads.
    evidence, shape = _evidence_and_shape(ordered, profile, table)
    # Scores are sums of a few weights, so the same values recur: ``round`` (costly for floats) runs once each.
    rounded = table.rounded_scores
    candidates: list[Candidate] = []
    for negative, agency in ordered:
        score = rounded.get(negative)
        if score is None:
            if len(rounded) >= WORD_CACHE_LIMIT:
                rounded.clear()
            score = rounded[negative] = round(-negative, 3)
        credited = credits.get(agency)
        candidates.append(_candidate(agency, score, *_strongest_first(
            evidence[agency] + credited if credited else evidence[agency])))
    offered = tuple(candidates)
    return _decided(offered, dismissed, table, _ranking(offered, ordered_all, shape))


def _decided(candidates: tuple[Candidate, ...], dismissed: bool, table: RoutingTable,
             ranking: Ranking | None) -> Verdict:
    confidential = bool(candidates) and candidates[0].agency == CONFIDENTIAL_AGENCY
    confidence = _confidence(candidates, ranking, table)
    decision: Decision = "triage" if dismissed else _decide(candidates, confidence, table)
    return decision, candidates, confidential, _subject(candidates, confidential), confidence, ranking


# What one pass over the profile gathers of the ranking's shape for the top and the runner-up:
# (the top's points, shared with the runner-up, seen as a landmark, in the opening words; the
# top's and the runner-up's decisive topic word, the top's address hit, the runner-up in the lead)
_Shape = tuple[float, float, float, float, bool, bool, bool, bool]


def _ranking(candidates: tuple[Candidate, ...], agencies: int, shape: _Shape) -> Ranking:
    """How ambiguous the verdict is, read off the hit profile once per profile (the verdict cache
    keeps it): whether the top's evidence is its own decisive word or a rule, whether the words that
    raised it raise the runner-up too, whether they were only seen as a place."""
    top = candidates[0]
    runner_up = candidates[1] if len(candidates) > 1 else None
    points, shared, placed, lead, top_decisive, runner_up_decisive, address_hit, runner_up_in_lead = shape
    if points:
        shared, placed, lead = shared / points, placed / points, lead / points
    return _new_ranking(Ranking, (top.score, runner_up.score if runner_up else 0.0,
                                  candidates[2].score if len(candidates) > 2 else 0.0, len(top.keywords), agencies,
                                  top_decisive or bool(top.rules),
                                  runner_up_decisive or bool(runner_up and runner_up.rules),
                                  shared, placed, address_hit, lead, runner_up_in_lead))


# ``Ranking(...)`` runs the named tuple's generated ``__new__``, a Python function that hands its
# arguments to this one: called directly, a new verdict saves that frame and gets the same tuple (a
# field added to ``Ranking`` must be added above: test_routing_fast_paths compares the two).
_new_ranking = tuple.__new__


def _evidence_and_shape(ordered: list[tuple[float, str]], profile: tuple[Hit, ...],
                        table: RoutingTable) -> tuple[dict[str, list[tuple[float, str]]], _Shape]:
    """For each office of ``ordered`` (the shown ones, best first), (points, keyword) of every scored
    phrase that counts for it, in profile order; and the shape of the ranking (``_Shape``) for the
    first two. One pass over the profile; hidden hits score nothing for anyone."""
    factors = table.hit_factors
    labels = table.phrase_labels
    weights = table.phrase_weights
    evidence: dict[str, list[tuple[float, str]]] = {agency: [] for _, agency in ordered}
    top_agency = ordered[0][1]
    runner_agency = ordered[1][1] if len(ordered) > 1 else ""
    points = shared = placed = lead = 0.0
    top_decisive = runner_up_decisive = address_hit = runner_up_in_lead = False
    for hit in profile:
        kind = hit & _KIND
        if kind == HIDDEN:
            continue
        factor = factors[hit & _FACTOR_MASK]
        phrase_id = hit >> HIT_FACTOR_BITS
        own = runner = 0.0
        for agency, weight in weights[phrase_id]:
            if factor:
                items = evidence.get(agency)
                if items is not None:
                    items.append((weight * factor, labels[phrase_id]))
            if agency == top_agency:
                own = weight
            elif agency == runner_agency:
                runner = weight
        if runner and kind == TOPIC:
            runner_up_decisive = runner_up_decisive or runner >= DECISIVE_WEIGHT
            runner_up_in_lead = runner_up_in_lead or bool(hit & _IN_LEAD)
        if not own:
            continue
        if kind == ADDRESS:
            address_hit = True
        elif kind == TOPIC and own >= DECISIVE_WEIGHT:
            top_decisive = True
        scored = own * factor
        points += scored
        if runner:
            shared += scored
        if kind == LANDMARK:
            placed += scored
        if hit & _IN_LEAD:
            lead += scored
    return evidence, (points, shared, placed, lead, top_decisive, runner_up_decisive, address_hit, runner_up_in_lead)


def _apply_rules(
    table: RoutingTable,
    found: set[int],
    anywhere: set[int],
    in_lead: set[int],
    scores: dict[str, float],
    evidence: dict[str, list[tuple[float, str]]],
) -> bool:
    """Apply the rules that hold, in table order; True when one says it is no complaint at all.

    ``found`` are the scored phrases, ``anywhere`` also those inside longer phrases (for 'none').
    A dismissing rule needs its phrase in the opening words: a thank-you that closes a long
    report ("... Terima kasih.") does not make it a non-complaint."""
    dismissed = False
    rule_triggers = table.rule_triggers
    triggered: set[int] = set()
    for phrase_id in found:
        positions = rule_triggers.get(phrase_id)
        if positions:
            triggered.update(positions)
    conditions = table.rule_conditions
    for position in sorted(triggered):  # table order, so earlier rules act first
        all_of, any_of, also_any, none_of = conditions[position]
        # as ``_rule_holds``, with set operations
        if not (all_of <= found and (not any_of or not any_of.isdisjoint(found))
                and (not also_any or not also_any.isdisjoint(found)) and none_of.isdisjoint(anywhere)):
            continue
        rule = table.rules[position]
        if rule.dismiss:
            dismissed = dismissed or any(term in in_lead for term in rule.any_of + rule.all_of)
            continue
        # what the citizen wrote that made the rule hold, as evidence for the office it raises
        words = [table.phrase_labels[term] for term in (*rule.all_of, *rule.any_of, *rule.also_any) if term in found]
        for agency, points in rule.add:
            scores[agency] = scores.get(agency, 0.0) + points
            _credit(evidence, agency, points, words, rule.name)
        for agency, factor in rule.multiply:
            if agency in scores:
                scores[agency] *= factor
        for agency, factor in rule.lead:
            raised = _take_the_lead(agency, factor, scores)
            if raised > 0:
                _credit(evidence, agency, raised, words, rule.name)
    return dismissed


def _credit(evidence: dict[str, list[tuple[float, str]]], agency: str, points: float, words: list[str],
            rule: str) -> None:
    items = evidence.setdefault(agency, [])
    items += [(points, word) for word in words]
    items.append((-1.0, RULE_PREFIX + rule))


RULE_PREFIX = "rule:"


def _take_the_lead(agency: str, factor: float, scores: dict[str, float]) -> float:
    """The agency's score becomes at least ``factor`` times the best other score (and at least
    its own): misconduct outranks the office it names, however many words name that office.
    Returns the points added."""
    best_other = max((score for other, score in scores.items() if other != agency), default=0.0)
    wanted = max(best_other * factor, scores.get(agency, 0.0), LEAD_FLOOR)
    raised = wanted - scores.get(agency, 0.0)
    if raised > 0:
        scores[agency] = wanted
    return raised


def _rule_holds(rule: Rule, found: set[int], anywhere: set[int]) -> bool:
    if not all(term in found for term in rule.all_of):
        return False
    if rule.any_of and not any(term in found for term in rule.any_of):
        return False
    if rule.also_any and not any(term in found for term in rule.also_any):
        return False
    return not any(term in anywhere for term in rule.none_of)


def _strongest_first(items: list[tuple[float, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(keywords strongest first, rule names in the order they acted)."""
    if len(items) == 1 and items[0][0] >= 0:
        return (items[0][1],), ()
    labels: list[str] = []
    rules: list[str] = []
    for points, label in items:
        if points < 0 and label not in rules:
            rules.append(label[len(RULE_PREFIX):])
    for _, label in sorted((-points, label) for points, label in items if points >= 0):
        if label not in labels:
            labels.append(label)
    return tuple(labels), tuple(rules)


def _confidence(candidates: tuple[Candidate, ...], ranking: Ranking | None, table: RoutingTable) -> float:
    if not candidates or ranking is None:
        return 0.0
    top, runner_up = ranking.top, ranking.runner_up
    if table.calibration is None:
        return round(1.0 - runner_up / top, 4) if top > 0 else 0.0
    # a pure function of a few numbers that recur from message to message: computed once each
    known: float | None = table.confidences.get(ranking)
    if known is None:
        if len(table.confidences) >= WORD_CACHE_LIMIT:
            table.confidences.clear()
        known = table.confidences[ranking] = round(table.calibration.probability(ranking), 4)
    return known


def _decide(candidates: tuple[Candidate, ...], confidence: float, table: RoutingTable) -> Decision:
    settings = table.settings
    if not candidates or candidates[0].score < settings.min_score:
        return "triage"
    if len(candidates) == 1:  # nothing to choose between
        return "route"
    if table.calibration is not None:
        return "route" if confidence >= table.calibration.route_threshold else "ask"
    top, runner_up = candidates[0].score, candidates[1].score
    if top >= runner_up * settings.route_ratio or top - runner_up >= settings.route_margin:
        return "route"
    return "ask"
