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

from bot.routing.calibration import Calibration, features, fit_weights
from bot.routing.classify import RoutingResult, classify
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

    def sample(self) -> tuple[tuple[float, ...], bool] | None:
        """(features, top is right) for fitting the probability, None when nothing is to decide."""
        if self.result.decision == "triage" or is_triage_row(self.row.accept) or not self.result.candidates:
            return None
        candidates = self.result.candidates
        return features([c.score for c in candidates], len(candidates[0].keywords)), self.top_right()

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
    confidence = round(calibration.probability([c.score for c in candidates], len(candidates[0].keywords)), 4)
    routed = len(candidates) == 1 or confidence >= calibration.route_threshold
    return replace(result, decision="route" if routed else "ask", confidence=confidence)


def fit_calibration(sets: Mapping[str, Sequence[Scored]], max_ask_rate: float = MAX_ASK_RATE,
                    min_accuracy: float = MIN_ACCURACY, groups: Sequence[int] | None = None) -> Calibration:
    """The probability model fitted on every row, and the ask threshold chosen by cross-validation
    over ``groups`` (fold ids): the one that maximises resolved accuracy (mean over the sets) while
    every set asks at most ``max_ask_rate`` of its citizens and keeps ``accuracy`` at or above
    ``min_accuracy``; ties go to the lower threshold (fewer citizens asked)."""
    groups = sorted({item.fold for items in sets.values() for item in items}) if groups is None else groups
    held_out: dict[str, list[tuple[Scored, float]]] = {name: [] for name in sets}
    for group in groups:
        weights = _weights([item for items in sets.values() for item in items if item.fold != group])
        for name, items in sets.items():
            held_out[name] += [(item, _probability(item, weights)) for item in items if item.fold == group]
    threshold = choose_threshold(held_out, max_ask_rate, min_accuracy)
    return Calibration(_weights([item for items in sets.values() for item in items]), threshold)


def _weights(items: Sequence[Scored]) -> tuple[float, ...]:
    return fit_weights([sample for item in items if (sample := item.sample()) is not None])


def _probability(item: Scored, weights: tuple[float, ...]) -> float:
    return decide_probability(item, Calibration(weights, 0.0))


def decide_probability(item: Scored, calibration: Calibration) -> float:
    """P(top is right) of a scored row under ``calibration`` (0 without candidates)."""
    candidates = item.result.candidates
    if not candidates:
        return 0.0
    return round(calibration.probability([c.score for c in candidates], len(candidates[0].keywords)), 4)


THRESHOLDS = tuple(step / 100 for step in range(0, 96))


# Resolved accuracy gained by asking more citizens counts only beyond this (half a point, about
# the weight of one row per labelled set): below it the higher threshold asks people for nothing.
RESOLVED_TOLERANCE = 0.005


def choose_threshold(held_out: Mapping[str, Sequence[tuple[Scored, float]]], max_ask_rate: float,
                     min_accuracy: float) -> float:
    """The lowest threshold whose mean resolved accuracy is within ``RESOLVED_TOLERANCE`` of the
    best one that keeps every set within ``max_ask_rate`` and ``min_accuracy`` (0: never ask)."""
    feasible: list[tuple[float, float]] = []
    for threshold in THRESHOLDS:
        figures = [threshold_figures(items, threshold) for items in held_out.values()]
        if any(f["ask_rate"] > max_ask_rate or f["accuracy"] < min_accuracy for f in figures):
            continue
        feasible.append((sum(f["resolved_accuracy"] for f in figures) / max(1, len(figures)), threshold))
    if not feasible:
        return 0.0
    best = max(value for value, _ in feasible)
    return min(threshold for value, threshold in feasible if value >= best - RESOLVED_TOLERANCE)


def threshold_figures(items: Sequence[tuple[Scored, float]], threshold: float) -> dict[str, float]:
    """accuracy, resolved accuracy and ask rate of held-out rows when asking below ``threshold``."""
    correct = resolved_count = asked = 0
    for item, probability in items:
        result = item.result
        if is_triage_row(item.row.accept):
            correct += result.decision == "triage"
            resolved_count += result.decision == "triage"
            continue
        if result.decision == "triage":
            continue
        ask = len(result.candidates) > 1 and probability < threshold
        asked += ask
        right = item.top_right() and not ask
        correct += right
        resolved_count += right or (ask and any(accepts(item.row.accept, c.agency) for c in result.candidates[:3]))
    n = len(items) or 1
    return {"accuracy": correct / n, "resolved_accuracy": resolved_count / n, "ask_rate": asked / n}


FOLD_KEYS = ("accuracy", "resolved_accuracy", "top3_accuracy", "ask_rate", "triage_rate", "routed_accuracy")


# Makes a fold's table from the fold's training rows (``learn``: keywords learned from them).
FoldTable = Callable[[list[LabelledText]], RoutingTable]


def cross_validate(sets: Mapping[str, Sequence[LabelledText]], table: RoutingTable, folds: int = 5,
                   max_ask_rate: float = MAX_ASK_RATE, min_accuracy: float = MIN_ACCURACY,
                   fold_table: FoldTable | None = None) -> dict[str, Any]:
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
        calibration = fit_calibration(training, max_ask_rate, min_accuracy)
        entry: dict[str, Any] = {"fold": fold, "route_threshold": calibration.route_threshold}
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
