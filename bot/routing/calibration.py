"""Calibrated confidence: how likely the top candidate is right, from the shape of the scores.

A small logistic model over three features of the ranking (the top score, how far ahead of the
runner-up it is, how much evidence it has) is fitted on labelled complaints by cross-validation
(``python -m bot.classifier calibrate``) and kept as data in ``calibration.yaml`` next to the
table. The router routes when the probability reaches ``route_threshold`` and otherwise asks the
citizen to pick from the top three. Without a calibration file the older ratio/margin rule decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

FEATURES = ("bias", "log_top_score", "runner_up_share", "log_evidence")


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]  # one per FEATURES entry
    route_threshold: float  # route when P(top is right) >= this, else ask

    def probability(self, scores: Sequence[float], evidence: int) -> float:
        bias, top_weight, share_weight, evidence_weight = self.weights
        _, log_top, share, log_evidence = features(scores, evidence)
        return _sigmoid(bias + top_weight * log_top + share_weight * share + evidence_weight * log_evidence)

    def probability_of(self, top: float, runner_up: float, evidence: int) -> float:
        """``probability`` from the two leading scores (the router's hot path: no feature tuple)."""
        bias, top_weight, share_weight, evidence_weight = self.weights
        share = runner_up / top if top > 0 else 1.0
        return _sigmoid(bias + top_weight * math.log1p(top) + share_weight * share
                        + evidence_weight * math.log1p(evidence))

    def to_data(self) -> dict[str, object]:
        return {"features": list(FEATURES), "weights": [round(w, 4) for w in self.weights],
                "route_threshold": round(self.route_threshold, 4)}


def features(scores: Sequence[float], evidence: int) -> tuple[float, ...]:
    """Scale-free description of a ranking: big lead and much evidence mean a safe top."""
    top = scores[0] if scores else 0.0
    runner_up = scores[1] if len(scores) > 1 else 0.0
    return (1.0, math.log1p(top), runner_up / top if top > 0 else 1.0, math.log1p(evidence))


def _sigmoid(value: float) -> float:
    if value < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def fit_weights(rows: Sequence[tuple[tuple[float, ...], bool]], ridge: float = 1.0,
                rounds: int = 50) -> tuple[float, ...]:
    """Logistic regression by Newton's method with a small ridge (no intercept penalty)."""
    size = len(FEATURES)
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
    """Gaussian elimination with partial pivoting (the system is 4 x 4)."""
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
    if tuple(data.get("features", ())) != FEATURES or len(weights) != len(FEATURES):
        raise ValueError(f"{path.name}: features must be {list(FEATURES)} with one weight each")
    threshold = float(data.get("route_threshold", 0.5))
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"{path.name}: route_threshold must be between 0 and 1, got {threshold}")
    return Calibration(weights, threshold)


def save_calibration(calibration: Calibration, path: Path, note: str) -> None:
    header = ("# Fitted by `python -m bot.classifier calibrate` (see docs/ROUTING.md, 'Calibration').\n"
              f"# {note}\n")
    path.write_text(header + yaml.safe_dump(calibration.to_data(), sort_keys=False), encoding="utf-8")
