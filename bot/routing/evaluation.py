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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.routing.calibration import Calibration, features, fit_weights
from bot.routing.classify import RoutingResult, classify
from bot.routing.table import REGIONAL_CODES, RoutingTable

EXTERNAL_WILDCARD = "EXT_*"
TRIAGE = "TRIAGE"
# The citizen is asked at most this often when the threshold is fitted (the issue: one in eight).
MAX_ASK_RATE = 0.10
# Fitting the threshold maximises resolved accuracy plus this share of accuracy: asking a citizen
# is worth it when the top is less than 0.77 times as likely as the top three to be right.
ACCURACY_WEIGHT = 0.3


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
class _Scored:
    row: LabelledText
    result: RoutingResult  # decided without calibration: "triage" is final, route/ask is redecided


def _score(rows: Sequence[LabelledText], table: RoutingTable) -> list[_Scored]:
    with table.calibrated(None):
        return [_Scored(row, classify(row.text, table)) for row in rows]


def fit_calibration(rows: Sequence[LabelledText], table: RoutingTable,
                    max_ask_rate: float = MAX_ASK_RATE) -> Calibration:
    """Fit the confidence model on ``rows``, then the threshold that maximises accuracy plus
    resolved accuracy while asking at most ``max_ask_rate`` of the citizens."""
    scored = _score(rows, table)
    samples = [
        (features([c.score for c in s.result.candidates], len(s.result.candidates[0].keywords)),
         routed_top_correct(s))
        for s in scored if s.result.decision != "triage" and not is_triage_row(s.row.accept)
    ]
    weights = fit_weights(samples)
    best: tuple[float, float] | None = None
    for step in range(0, 91):
        threshold = step / 100
        figures = _figures(scored, Calibration(weights, threshold))
        if figures["ask_rate"] > max_ask_rate:
            break
        value = ACCURACY_WEIGHT * figures["accuracy"] + figures["resolved_accuracy"]
        if best is None or value > best[0] + 1e-9:
            best = (value, threshold)
    return Calibration(weights, best[1] if best else 0.0)


def routed_top_correct(scored: _Scored) -> bool:
    top = scored.result.top()
    return top is not None and accepts(scored.row.accept, top.agency)


def _figures(scored: Sequence[_Scored], calibration: Calibration) -> dict[str, float]:
    n = len(scored) or 1
    correct = resolved_count = asked = 0
    for item in scored:
        decision = _calibrated_decision(item.result, calibration)
        top_right = routed_top_correct(item)
        if is_triage_row(item.row.accept):
            correct += decision == "triage"
            resolved_count += decision == "triage"
            continue
        asked += decision == "ask"
        correct += decision == "route" and top_right
        in_three = any(accepts(item.row.accept, c.agency) for c in item.result.candidates[:3])
        resolved_count += (decision == "route" and top_right) or (decision == "ask" and in_three)
    return {"accuracy": correct / n, "resolved_accuracy": resolved_count / n, "ask_rate": asked / n}


def _calibrated_decision(result: RoutingResult, calibration: Calibration) -> str:
    if result.decision == "triage":
        return "triage"
    if len(result.candidates) == 1:
        return "route"
    scores = [c.score for c in result.candidates]
    confident = calibration.probability(scores, len(result.candidates[0].keywords)) >= calibration.route_threshold
    return "route" if confident else "ask"


FOLD_KEYS = ("accuracy", "resolved_accuracy", "top3_accuracy", "ask_rate", "triage_rate", "routed_accuracy")


def cross_validate(sets: Mapping[str, Sequence[LabelledText]], table: RoutingTable, folds: int = 5,
                   max_ask_rate: float = MAX_ASK_RATE) -> dict[str, Any]:
    """For each fold: calibration fitted on the other folds of every set, figures on this fold.

    The keyword table itself is not fitted here; a tuning change is judged by how these held-out
    figures move (and by folds whose rows were not read while making it)."""
    per_fold: list[dict[str, Any]] = []
    pooled: dict[str, list[tuple[LabelledText, RoutingResult]]] = {name: [] for name in sets}
    for fold in range(folds):
        training = [row for rows in sets.values() for row in rows if fold_of(row, folds) != fold]
        calibration = fit_calibration(training, table, max_ask_rate)
        entry: dict[str, Any] = {"fold": fold, "route_threshold": calibration.route_threshold}
        with table.calibrated(calibration):
            for name, rows in sets.items():
                held = [row for row in rows if fold_of(row, folds) == fold]
                results = [classify(row.text, table) for row in held]
                pooled[name].extend(zip(held, results, strict=True))
                figures = summarise(held, results, 0.0)
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
