"""Calibrated confidence: how likely the top candidate is right, from the shape of the ranking.

A small logistic model over features of the ranking (how strong the top is, how far ahead of the
runner-up, how much evidence it has, whether that evidence is decisive or shared with other offices)
is fitted on labelled complaints (``python -m bot.classifier calibrate``) and kept as data in
``calibration.yaml`` next to the table, which names the features it uses. The router routes when the
probability reaches ``route_threshold`` and otherwise asks the citizen to pick from the top three.
Without a calibration file the older ratio/margin rule decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import yaml


class Ranking(NamedTuple):
    """What the confidence reads of one verdict: a few numbers per hit profile (classify.py)."""

    top: float  # the top candidate's score
    runner_up: float  # the second's (0 when alone)
    third: float  # the third's (0 when fewer)
    evidence: int  # keywords (and rule words) shown for the top
    agencies: int  # offices that scored at all
    top_decisive: bool  # the top's own name or programme (weight >= 5) is the topic, or a rule raised it
    runner_up_decisive: bool  # the same for the runner-up
    shared_share: float  # share of the top's keyword points from words that also score for the runner-up
    placed_share: float  # share of the top's keyword points seen only as a landmark ("depan SD")
    address_hit: bool  # a word of the top's stood inside an address span (and so scored nothing)
    lead_share: float  # share of the top's keyword points from the opening words (a post's title)
    runner_up_in_lead: bool  # a word of the runner-up's stood in the opening words


# Every feature a calibration may name, in the order ``feature_values`` gives them. The first four
# are the original model's.
KNOWN_FEATURES = ("bias", "log_top_score", "runner_up_share", "log_evidence", "margin", "third_share", "log_agencies",
                  "top_decisive", "runner_up_decisive", "shared_share", "placed_share", "address_hit", "lead_share",
                  "runner_up_in_lead")
ORIGINAL_FEATURES = KNOWN_FEATURES[:4]
# What ``calibrate`` fits by default: every known feature.
DEFAULT_FEATURES = KNOWN_FEATURES
_POSITION = {name: position for position, name in enumerate(KNOWN_FEATURES)}


def feature_values(r: Ranking) -> tuple[float, ...]:
    """Every known feature of a ranking, in ``KNOWN_FEATURES`` order (one call, no look-ups by name:
    it runs once per new ranking on the router's path)."""
    top = r.top
    log_top = math.log1p(top)
    return (1.0, log_top, r.runner_up / top if top > 0 else 1.0, math.log1p(r.evidence),
            log_top - math.log1p(r.runner_up), r.third / top if top > 0 else 1.0, math.log(max(1, r.agencies)),
            float(r.top_decisive), float(r.runner_up_decisive), r.shared_share, r.placed_share, float(r.address_hit),
            r.lead_share, float(r.runner_up_in_lead))


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]  # one per entry of ``features``
    route_threshold: float  # route when P(top is right) >= this, else ask
    features: tuple[str, ...] = ORIGINAL_FEATURES
    # Messages of at least ``long_words`` words (0: no such class) are LAPOR!-style posts, whose
    # writers wait for a disposition anyway: they are asked from their own threshold, while a chat
    # citizen asked needlessly loses a turn.
    long_words: int = 0
    long_route_threshold: float = 0.0

    def threshold_for(self, words: int) -> float:
        """The route threshold of a message of ``words`` normalised words."""
        return self.long_route_threshold if self.long_words and words >= self.long_words else self.route_threshold

    def probability(self, ranking: Ranking) -> float:
        """sigmoid(weights . feature_values(ranking)), written out: it runs once per new ranking on the
        router's path, and a loop over fourteen named terms cost four times the old four-term sum.
        Unused features weigh 0 and add exactly nothing, so a four-feature file gives what it gave."""
        (top, runner_up, third, evidence, agencies, top_decisive, runner_up_decisive, shared, placed, address_hit,
         lead, runner_up_in_lead) = ranking
        (bias, w_top, w_share, w_evidence, w_margin, w_third, w_agencies, w_decisive, w_runner_decisive, w_shared,
         w_placed, w_address, w_lead, w_runner_lead) = self._all_weights
        log_top = math.log1p(top)
        total = (bias + w_top * log_top + w_share * (runner_up / top if top > 0 else 1.0)
                 + w_evidence * math.log1p(evidence) + w_margin * (log_top - math.log1p(runner_up))
                 + w_third * (third / top if top > 0 else 1.0) + w_agencies * math.log(max(1, agencies))
                 + w_decisive * top_decisive + w_runner_decisive * runner_up_decisive + w_shared * shared
                 + w_placed * placed + w_address * address_hit + w_lead * lead + w_runner_lead * runner_up_in_lead)
        return _sigmoid(total)

    @cached_property
    def _all_weights(self) -> tuple[float, ...]:
        """One weight per ``KNOWN_FEATURES`` entry, 0 for the features this calibration does not use."""
        weights = [0.0] * len(KNOWN_FEATURES)
        for name, weight in zip(self.features, self.weights, strict=True):
            weights[_POSITION[name]] = weight
        return tuple(weights)

    def to_data(self) -> dict[str, object]:
        data: dict[str, object] = {"features": list(self.features), "weights": [round(w, 4) for w in self.weights],
                                   "route_threshold": round(self.route_threshold, 4)}
        if self.long_words:
            data |= {"long_words": self.long_words, "long_route_threshold": round(self.long_route_threshold, 4)}
        return data


def features(ranking: Ranking, names: Sequence[str] = ORIGINAL_FEATURES) -> tuple[float, ...]:
    """The named features of a ranking, in order (for fitting)."""
    values = feature_values(ranking)
    return tuple(values[_POSITION[name]] for name in names)


def _sigmoid(value: float) -> float:
    if value < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def fit_weights(rows: Sequence[tuple[tuple[float, ...], bool]], ridge: float = 1.0,
                rounds: int = 50) -> tuple[float, ...]:
    """Logistic regression by Newton's method with a small ridge (no penalty on the first feature,
    the bias)."""
    size = len(rows[0][0]) if rows else 1
    weights = [0.0] * size
    for _ in range(rounds):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for x, label in rows:
            p = _sigmoid(sum(w * v for w, v in zip(weights, x, strict=True)))
            for i in range(size):
                gradient[i] += (p - float(label)) * x[i]
                for j in range(size):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(1, size):
            gradient[i] += ridge * weights[i]
            hessian[i][i] += ridge
        hessian[0][0] += 1e-6
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return tuple(weights)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is one row per feature)."""
    size = len(vector)
    rows = [row[:] + [value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(column + 1, size):
            factor = rows[r][column] / rows[column][column]
            for c in range(column, size + 1):
                rows[r][c] -= factor * rows[column][c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        solution[r] = (rows[r][size] - sum(rows[r][c] * solution[c] for c in range(r + 1, size))) / rows[r][r]
    return solution


def load_calibration(path: Path) -> Calibration | None:
    """The fitted numbers next to a table, or None when none were fitted for it."""
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    weights = tuple(float(w) for w in data.get("weights", ()))
    names = tuple(str(name) for name in data.get("features", ()))
    unknown = [name for name in names if name not in _POSITION]
    if unknown:
        raise ValueError(f"{path.name}: unknown feature(s) {unknown}; known: {list(KNOWN_FEATURES)}")
    if not names or names[0] != "bias" or len(weights) != len(names):
        raise ValueError(f"{path.name}: features must start with 'bias' and have one weight each")
    thresholds = {key: float(data.get(key, default)) for key, default in
                  (("route_threshold", 0.5), ("long_route_threshold", 0.0))}
    for key, threshold in thresholds.items():
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"{path.name}: {key} must be between 0 and 1, got {threshold}")
    long_words = int(data.get("long_words", 0))
    if long_words < 0:
        raise ValueError(f"{path.name}: long_words must be 0 (no long messages) or more, got {long_words}")
    return Calibration(weights, thresholds["route_threshold"], names, long_words, thresholds["long_route_threshold"])


def save_calibration(calibration: Calibration, path: Path, note: str) -> None:
    header = ("# Fitted by `python -m bot.classifier calibrate` (see docs/ROUTING.md, 'Calibration').\n"
              f"# {note}\n")
    path.write_text(header + yaml.safe_dump(calibration.to_data(), sort_keys=False), encoding="utf-8")
