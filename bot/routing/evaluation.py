"""Accuracy on labelled CSVs, cross-validation by folds and fitting the confidence calibration.

Reads files, so it is kept apart from the pure routing modules. A row's ``accept`` lists the
agencies that count as right ('|'-joined, ``EXT_*`` for any outside body); ``TRIAGE`` marks a
message that is no complaint and is right only when the router sends it to the admin queue.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.routing.calibration import DEFAULT_FEATURES, Calibration, features, fit_weights
from bot.routing.classify import RoutingResult, classify, word_count
from bot.routing.table import REGIONAL_CODES, RoutingTable

EXTERNAL_WILDCARD = "EXT_*"
TRIAGE = "TRIAGE"
# The ask threshold is chosen to resolve as many reports as possible (routed right, or asked with a
# right office among the three offered) while each labelled set asks at most this share of its
# citizens (the issue: at most one in eight) ...
MAX_ASK_RATE = 0.10
# ... and keeps at least this share routed straight to a right office.
MIN_ACCURACY = 0.86


@dataclass(frozen=True)
class LabelledText:
    text: str
    accept: frozenset[str]
    id: str = ""


def read_labelled_csv(path: Path) -> list[LabelledText]:
    """Rows of a CSV with columns ``text`` and ``accept`` (and ``id``, else the row number)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "accept"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s): {', '.join(sorted(missing))}")
        return [
            LabelledText(row["text"] or "",
                         frozenset(c.strip() for c in (row["accept"] or "").split("|") if c.strip()),
                         (row.get("id") or "").strip() or str(number))
            for number, row in enumerate(reader, start=1)
        ]


def accepts(accept: frozenset[str], agency: str | None) -> bool:
    if agency is None:
        return False
    if agency in accept:
        return True
    return agency.startswith("EXT_") and EXTERNAL_WILDCARD in accept


def is_triage_row(accept: frozenset[str]) -> bool:
    return accept == {TRIAGE}


def is_regional_row(accept: frozenset[str]) -> bool:
    return any(code in REGIONAL_CODES for code in accept)


def routed_correctly(row: LabelledText, result: RoutingResult) -> bool:
    if is_triage_row(row.accept):
        return result.decision == "triage"
    top = result.top()
    return result.decision == "route" and top is not None and accepts(row.accept, top.agency)


def resolved(row: LabelledText, result: RoutingResult) -> bool:
    """Routed right, or asked with a right agency among the choices offered (the top three)."""
    if routed_correctly(row, result):
        return True
    return result.decision == "ask" and in_top3(row, result)


def in_top3(row: LabelledText, result: RoutingResult) -> bool:
    if is_triage_row(row.accept):
        return result.decision == "triage"
    return any(accepts(row.accept, c.agency) for c in result.candidates[:3])


def evaluate(rows: Sequence[LabelledText], table: RoutingTable) -> dict[str, Any]:
    """Accuracy figures; a row counts as correct only when routed to an accepted agency."""
    started = time.perf_counter()
    results = [classify(row.text, table) for row in rows]
    elapsed = time.perf_counter() - started
    return summarise(rows, results, elapsed)


def summarise(rows: Sequence[LabelledText], results: Sequence[RoutingResult], elapsed: float) -> dict[str, Any]:
    n = len(rows)
    pairs = list(zip(rows, results, strict=True))
    correct = [routed_correctly(row, result) for row, result in pairs]
    routed = [result.decision == "route" for result in results]
    triage_rows = [i for i, row in enumerate(rows) if is_triage_row(row.accept)]
    regional = [i for i, row in enumerate(rows) if is_regional_row(row.accept)]
    external = [i for i, row in enumerate(rows) if not is_regional_row(row.accept) and i not in set(triage_rows)]
    decisions = Counter(result.decision for result in results)
    return {
        "n": n,
        "accuracy": _share(sum(correct), n),
        "resolved_accuracy": _share(sum(resolved(row, result) for row, result in pairs), n),
        "top3_accuracy": _share(sum(in_top3(row, result) for row, result in pairs), n),
        "coverage": _share(sum(routed), n),
        "routed_accuracy": _share(sum(c for c, r in zip(correct, routed, strict=True) if r), sum(routed)),
        "regional_accuracy": _share(sum(correct[i] for i in regional), len(regional)),
        "external_accuracy": _share(sum(correct[i] for i in external), len(external)),
        "triage_accuracy": _share(sum(correct[i] for i in triage_rows), len(triage_rows)),
        "n_regional": len(regional),
        "n_external": len(external),
        "n_triage": len(triage_rows),
        "ask_rate": _share(decisions["ask"], n),
        "triage_rate": _share(decisions["triage"], n),
        "confusions": _confusions(rows, results),
        "seconds": round(elapsed, 4),
        "per_second": round(n / elapsed, 1) if elapsed > 0 else 0.0,
    }


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _confusions(rows: Sequence[LabelledText], results: Sequence[RoutingResult], limit: int = 10) -> list[
        dict[str, Any]]:
    counter: Counter[tuple[str, str]] = Counter()
    for row, result in zip(rows, results, strict=True):
        if routed_correctly(row, result):
            continue
        top = result.top()
        got = result.decision if result.decision != "route" or top is None else top.agency
        expected = "|".join(sorted(row.accept)) if len(row.accept) <= 3 else "any regional"
        counter[(expected, got)] += 1
    return [
        {"expected": expected, "got": got, "count": count}
        for (expected, got), count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    ]


# --- calibration and cross-validation ------------------------------------------------------------


def fold_of(row: LabelledText, folds: int) -> int:
    """Deterministic fold of a row, from its id (stable when rows are added or reordered)."""
    return int(hashlib.md5(row.id.encode("utf-8")).hexdigest(), 16) % folds


@dataclass(frozen=True)
class Scored:
    """A labelled row and its routing without calibration: "triage" is final, route/ask is
    decided again for each calibration tried (scoring does not depend on it)."""

    row: LabelledText
    result: RoutingResult
    fold: int

    def sample(self, names: Sequence[str]) -> tuple[tuple[float, ...], bool] | None:
        """(features, top is right) for fitting the probability, None when nothing is to decide."""
        ranking = self.result.ranking
        if self.result.decision == "triage" or is_triage_row(self.row.accept) or ranking is None:
            return None
        return features(ranking, names), self.top_right()

    def top_right(self) -> bool:
        top = self.result.top()
        return top is not None and accepts(self.row.accept, top.agency)


def score_sets(sets: Mapping[str, Sequence[LabelledText]], table: RoutingTable,
               folds: int = 5) -> dict[str, list[Scored]]:
    with table.calibrated(None):
        return {name: [Scored(row, classify(row.text, table), fold_of(row, folds)) for row in rows]
                for name, rows in sets.items()}


def decide(result: RoutingResult, calibration: Calibration) -> RoutingResult:
    """The routing under ``calibration`` (what classify returns with it loaded)."""
    if result.decision == "triage" or not result.candidates:
        return result
    candidates = result.candidates
    confidence = round(calibration.probability(result.ranking), 4) if result.ranking is not None else 0.0
    routed = len(candidates) == 1 or confidence >= calibration.threshold_for(word_count(result.normalized))
    return replace(result, decision="route" if routed else "ask", confidence=confidence)


@dataclass(frozen=True)
class AskPolicy:
    """What the ask thresholds are chosen for (``calibrate`` and ``cross-validate`` options)."""

    max_ask_rate: float = MAX_ASK_RATE  # every labelled set asks at most this share of its citizens
    min_accuracy: float = MIN_ACCURACY  # routed straight and right, where never asking reaches it
    # Routed accuracy that asking may cost, pooled over the rows of a length class: a chat citizen
    # whose top was right loses a turn when asked ...
    max_accuracy_drop: float = 0.01
    # ... while a post of ``long_words`` words or more (0: one class) is LAPOR!-style, its writer
    # waits for a disposition anyway and may be asked more readily.
    long_words: int = 25
    long_max_accuracy_drop: float = 0.015
    features: tuple[str, ...] = DEFAULT_FEATURES


def fit_calibration(sets: Mapping[str, Sequence[Scored]], policy: AskPolicy | None = None,
                    groups: Sequence[int] | None = None) -> Calibration:
    """The probability model fitted on every row, and the ask thresholds chosen by cross-validation
    over ``groups`` (fold ids): for short messages and for long posts apart, the threshold that
    maximises resolved accuracy within the policy's caps (see ``choose_threshold``)."""
    policy = policy or AskPolicy()
    names = policy.features
    groups = sorted({item.fold for items in sets.values() for item in items}) if groups is None else groups
    held_out: dict[str, list[tuple[Scored, float]]] = {name: [] for name in sets}
    for group in groups:
        weights = _weights([item for items in sets.values() for item in items if item.fold != group], names)
        for name, items in sets.items():
            held_out[name] += [(item, decide_probability(item, Calibration(weights, 0.0, names)))
                               for item in items if item.fold == group]
    sizes = {name: len(items) for name, items in held_out.items()}
    weights = _weights([item for items in sets.values() for item in items], names)
    if not policy.long_words:
        threshold = choose_threshold(held_out, policy.max_ask_rate, policy.min_accuracy, policy.max_accuracy_drop)
        return Calibration(weights, threshold, names)
    short, long = _by_length(held_out, policy.long_words)
    threshold = choose_threshold(short, policy.max_ask_rate, policy.min_accuracy, policy.max_accuracy_drop, sizes)
    long_threshold = choose_threshold(long, policy.max_ask_rate, policy.min_accuracy,
                                      policy.long_max_accuracy_drop, sizes)
    if long_threshold == threshold:  # one threshold for all: no word count per message
        return Calibration(weights, threshold, names)
    return Calibration(weights, threshold, names, policy.long_words, long_threshold)


HeldOut = Mapping[str, Sequence[tuple[Scored, float]]]


def _by_length(held_out: HeldOut, long_words: int) -> tuple[dict[str, list[tuple[Scored, float]]],
                                                            dict[str, list[tuple[Scored, float]]]]:
    short: dict[str, list[tuple[Scored, float]]] = {name: [] for name in held_out}
    long: dict[str, list[tuple[Scored, float]]] = {name: [] for name in held_out}
    for name, items in held_out.items():
        for item, probability in items:
            side = long if word_count(item.result.normalized) >= long_words else short
            side[name].append((item, probability))
    return short, long


def _weights(items: Sequence[Scored], names: Sequence[str]) -> tuple[float, ...]:
    return fit_weights([sample for item in items if (sample := item.sample(names)) is not None])


def decide_probability(item: Scored, calibration: Calibration) -> float:
    """P(top is right) of a scored row under ``calibration`` (0 without candidates)."""
    ranking = item.result.ranking
    if ranking is None:
        return 0.0
    return round(calibration.probability(ranking), 4)


THRESHOLDS = tuple(step / 100 for step in range(0, 96))


# Resolved accuracy gained by asking more citizens counts only beyond this (a fifth of a point,
# about one row in five hundred): below it the higher threshold asks people for nothing.
RESOLVED_TOLERANCE = 0.002


def choose_threshold(held_out: HeldOut, max_ask_rate: float, min_accuracy: float, max_accuracy_drop: float = 1.0,
                     sizes: Mapping[str, int] | None = None) -> float:
    """The lowest threshold whose resolved accuracy (pooled over the sets' rows) is within
    ``RESOLVED_TOLERANCE`` of the best one that keeps every set's ask rate (asked rows over
    ``sizes``, default the rows given) within ``max_ask_rate``, pooled accuracy within
    ``max_accuracy_drop`` of never asking and at or above ``min_accuracy`` where never asking
    reaches it (0: never ask)."""
    rows = [pair for items in held_out.values() for pair in items]
    if not rows:
        return 0.0
    never = threshold_figures(rows, 0.0)["accuracy"]
    floor = max(never - max_accuracy_drop, min_accuracy if never >= min_accuracy else 0.0)
    feasible: list[tuple[float, float]] = []
    for threshold in THRESHOLDS:
        pooled = threshold_figures(rows, threshold)
        if pooled["accuracy"] < floor - 1e-9 or any(
                threshold_figures(items, threshold)["asked"] > max_ask_rate * (sizes or {}).get(name, len(items))
                for name, items in held_out.items() if items):
            continue
        feasible.append((pooled["resolved_accuracy"], threshold))
    if not feasible:
        return 0.0
    best = max(value for value, _ in feasible)
    return min(threshold for value, threshold in feasible if value >= best - RESOLVED_TOLERANCE)


def threshold_figures(items: Sequence[tuple[Scored, float]], threshold: float, long_words: int = 0,
                      long_threshold: float = 0.0) -> dict[str, float]:
    """accuracy, resolved accuracy and ask rate (and count) of held-out rows when asking below
    ``threshold`` (``long_threshold`` for texts of ``long_words`` words or more)."""
    correct = resolved_count = asked = 0
    for item, probability in items:
        result = item.result
        if is_triage_row(item.row.accept):
            correct += result.decision == "triage"
            resolved_count += result.decision == "triage"
            continue
        if result.decision == "triage":
            continue
        limit = long_threshold if long_words and word_count(result.normalized) >= long_words else threshold
        ask = len(result.candidates) > 1 and probability < limit
        asked += ask
        right = item.top_right() and not ask
        correct += right
        resolved_count += right or (ask and any(accepts(item.row.accept, c.agency) for c in result.candidates[:3]))
    n = len(items) or 1
    return {"accuracy": correct / n, "resolved_accuracy": resolved_count / n, "ask_rate": asked / n,
            "asked": float(asked)}


FOLD_KEYS = ("accuracy", "resolved_accuracy", "top3_accuracy", "ask_rate", "triage_rate", "routed_accuracy")


# Makes a fold's table from the fold's training rows (``learn``: keywords learned from them).
FoldTable = Callable[[list[LabelledText]], RoutingTable]


def cross_validate(sets: Mapping[str, Sequence[LabelledText]], table: RoutingTable, folds: int = 5,
                   policy: AskPolicy | None = None, fold_table: FoldTable | None = None) -> dict[str, Any]:
    """For each fold: calibration fitted on the other folds of every set (its threshold chosen by
    cross-validation inside them, see ``fit_calibration``), figures on this fold.

    The keyword table itself is not fitted here unless ``fold_table`` is given: then each fold's
    rows are routed by the table it makes from the other folds' rows (what ``learn --from`` would
    add), so a learning procedure is judged on rows it never saw. Otherwise a tuning change is judged
    by how these held-out figures move (and by folds whose rows were not read while making it)."""
    scored = score_sets(sets, table, folds)
    per_fold: list[dict[str, Any]] = []
    pooled: dict[str, list[tuple[LabelledText, RoutingResult]]] = {name: [] for name in sets}
    for fold in range(folds):
        training = {name: [item for item in items if item.fold != fold] for name, items in scored.items()}
        calibration = fit_calibration(training, policy)
        entry: dict[str, Any] = {"fold": fold, "route_threshold": calibration.route_threshold,
                                 "long_route_threshold": calibration.threshold_for(calibration.long_words)}
        learned = fold_table([item.row for items in training.values() for item in items]) if fold_table else None
        if learned is not None:
            entry["learned_keywords"] = learned.source
        for name, items in scored.items():
            held = [item for item in items if item.fold == fold]
            if learned is not None:
                with learned.calibrated(None):
                    held = [replace(item, result=classify(item.row.text, learned)) for item in held]
            results = [decide(item.result, calibration) for item in held]
            pooled[name].extend(zip((item.row for item in held), results, strict=True))
            figures = summarise([item.row for item in held], results, 0.0)
            entry[name] = {key: figures[key] for key in ("n", *FOLD_KEYS)}
        per_fold.append(entry)
    overall = {}
    for name, pairs in pooled.items():
        figures = summarise([p[0] for p in pairs], [p[1] for p in pairs], 0.0)
        overall[name] = {key: figures[key] for key in ("n", *FOLD_KEYS)}
    return {"folds": folds, "overall": overall, "per_fold": per_fold}


def fold_errors(rows: Sequence[LabelledText], table: RoutingTable, folds: int,
                inspect: set[int]) -> list[dict[str, Any]]:
    """Rows routed wrongly, from the folds a tuner may read (the others stay unread)."""
    found = []
    for row in rows:
        if fold_of(row, folds) not in inspect:
            continue
        result = classify(row.text, table)
        if not routed_correctly(row, result):
            found.append({"id": row.id, "accept": "|".join(sorted(row.accept)), "decision": result.decision,
                          "candidates": [(c.agency, c.score, list(c.keywords)[:4]) for c in result.candidates[:3]],
                          "text": row.text})
    return found
