"""The router on the labelled development sets, measured by cross-validation (skipped when absent).

Paths: env ROUTER_DEV_CSV / ROUTER_CHAT_CSV, else ../shared/data/{lapor2017_dev,chat_dev}.csv
relative to the repo root. The data stays outside the project; only aggregate figures are
checked. Issue 18: every row of the LAPOR! dev set has been read, so raw dev accuracy no longer
tells how the router does on unseen complaints; the figures that count are the held-out folds
(calibration fitted on the other folds), and dev accuracy itself may fall when fitted rules go.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.routing import RoutingTable
from bot.routing.evaluation import cross_validate, read_labelled_csv

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
DEV_CSV = Path(os.environ.get("ROUTER_DEV_CSV", DATA / "lapor2017_dev.csv"))
CHAT_CSV = Path(os.environ.get("ROUTER_CHAT_CSV", DATA / "chat_dev.csv"))

pytestmark = pytest.mark.skipif(not (DEV_CSV.is_file() and CHAT_CSV.is_file()),
                                reason=f"dev sets not available at {DEV_CSV} and {CHAT_CSV}")


@pytest.fixture(scope="module")
def folds(table: RoutingTable) -> dict[str, Any]:
    sets = {"lapor": read_labelled_csv(DEV_CSV), "chat": read_labelled_csv(CHAT_CSV)}
    return cross_validate(sets, table, folds=5)  # type: ignore[no-any-return]


# Floors a little under the measured fold figures (docs/ROUTING.md, "Measured figures"): LAPOR!
# 0.887 / resolved 0.910 / top-3 0.974, chat 0.897 / resolved 0.923 / top-3 0.963 (five folds,
# calibration and ask threshold chosen out of fold). The ask threshold resolves as many reports as
# it can (routed right, or asked with a right office among the three offered) while asking at most
# one citizen in ten and routing at least 0.86 straight (issue 18, second round).
def test_lapor_style_complaints_are_resolved_on_held_out_folds(folds: dict[str, Any]) -> None:
    lapor = folds["overall"]["lapor"]
    assert lapor["accuracy"] >= 0.88
    assert lapor["resolved_accuracy"] >= 0.90
    assert lapor["top3_accuracy"] >= 0.965


def test_chat_messages_are_resolved_on_held_out_folds(folds: dict[str, Any]) -> None:
    chat = folds["overall"]["chat"]
    assert chat["accuracy"] >= 0.87
    assert chat["resolved_accuracy"] >= 0.90
    assert chat["top3_accuracy"] >= 0.945


def test_at_most_one_citizen_in_ten_is_asked_to_choose(folds: dict[str, Any]) -> None:
    for figures in folds["overall"].values():
        assert figures["ask_rate"] <= 0.10


def test_every_fold_reports_the_contract_keys(folds: dict[str, Any]) -> None:
    for entry in folds["per_fold"]:
        for name in ("lapor", "chat"):
            assert set(entry[name]) >= {"n", "accuracy", "resolved_accuracy", "top3_accuracy", "ask_rate"}
