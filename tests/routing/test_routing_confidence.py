"""The confidence model that sees ambiguity (issue 18, fifth round): what a verdict's Ranking reads
off the hit profile, how the fitted calibration weighs it, long posts' own threshold, the data
file's format and the accuracy cap on the ask threshold."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bot.routing import RoutingTable, build_table, classify
from bot.routing.calibration import (
    ORIGINAL_FEATURES,
    Calibration,
    Ranking,
    features,
    load_calibration,
    save_calibration,
)
from bot.routing.evaluation import LabelledText, Scored, choose_threshold
from bot.routing.loader import CALIBRATION_FILE, SHIPPED_TABLE

SHIPPED_CALIBRATION = SHIPPED_TABLE.with_name(CALIBRATION_FILE)
FLOODS: dict[str, Any] = {"PUPR": {"banjir": 3, "saluran": 3}, "BPBD": {"banjir": 3, "bpbd": 6, "pengungsi": 3},
          "DINKES": {"puskesmas": 3}}


def _table(keywords: dict[str, Any], calibration: Calibration | None = None, **extra: Any) -> RoutingTable:
    table = build_table({"agencies": {code: {"keywords": words} for code, words in keywords.items()}, **extra})
    table.calibration = calibration
    return table


def _shipped() -> Calibration:
    calibration = load_calibration(SHIPPED_CALIBRATION)
    assert calibration is not None
    return calibration


def _ranking(**changes: Any) -> Ranking:
    plain = Ranking(top=9.0, runner_up=6.0, third=0.0, evidence=1, agencies=2, top_decisive=False,
                    runner_up_decisive=False, shared_share=0.0, placed_share=0.0, address_hit=False,
                    lead_share=1.0, runner_up_in_lead=True)
    return plain._replace(**changes)


def test_the_ranking_tells_an_office_named_from_a_word_two_offices_share() -> None:
    table = _table(FLOODS)
    shared = classify("banjir lagi di kampung kami", table).ranking
    named = classify("bpbd tolong banjir", table).ranking
    assert shared is not None and named is not None
    assert shared.shared_share == 1.0 and not shared.top_decisive
    assert named.top_decisive and named.shared_share == pytest.approx(1 / 3)  # banjir's 4.5 of BPBD's 13.5


def test_an_office_seen_only_as_a_landmark_is_placed_evidence_not_decisive() -> None:
    table = _table({"DINKES": {"puskesmas": 6}, "DLH": {"sampah": 3}}, landmarks=["depan"])
    ranking = classify("ada kejadian di depan puskesmas", table).ranking
    assert ranking is not None
    assert ranking.placed_share == 1.0 and not ranking.top_decisive


def test_the_shipped_confidence_trusts_a_decisive_word_more_and_a_landmark_less() -> None:
    calibration = _shipped()
    plain = calibration.probability(_ranking())
    assert calibration.probability(_ranking(top_decisive=True)) > plain
    assert calibration.probability(_ranking(placed_share=1.0)) < plain
    assert calibration.probability(_ranking(runner_up=8.5)) < plain  # a close runner-up


def test_a_three_way_tie_is_asked_and_the_same_report_naming_the_office_is_routed() -> None:
    table = _table(FLOODS, _shipped())
    tie = classify("banjir di depan puskesmas", table)
    named = classify("laporan untuk bpbd: banjir di depan puskesmas", table)
    assert tie.decision == "ask" and len(tie.candidates) == 3
    assert named.decision == "route" and named.top() is not None and named.top().agency == "BPBD"  # type: ignore[union-attr]


def test_a_long_post_is_asked_from_its_own_threshold_and_a_chat_message_from_the_chat_one() -> None:
    unsure_of_everything = Calibration((0.0,), 0.0, ("bias",), long_words=6, long_route_threshold=0.9)
    table = _table(FLOODS, unsure_of_everything)
    short = classify("banjir, saluran penuh", table)
    long = classify("sudah tiga hari banjir karena saluran penuh sampah di kampung kami", table)
    assert short.decision == "route" and long.decision == "ask"
    assert short.confidence == long.confidence == 0.5


def test_the_original_four_feature_file_gives_the_confidence_it_gave(tmp_path: Path) -> None:
    path = tmp_path / CALIBRATION_FILE
    path.write_text("features: [bias, log_top_score, runner_up_share, log_evidence]\n"
                    "weights: [2.4407, 0.1777, -2.5668, 0.6655]\nroute_threshold: 0.69\n", encoding="utf-8")
    calibration = load_calibration(path)
    assert calibration is not None and calibration.features == ORIGINAL_FEATURES
    ranking = _ranking(top=12.0, runner_up=4.5, evidence=2)
    by_hand = 2.4407 + 0.1777 * math.log1p(12.0) - 2.5668 * 4.5 / 12.0 + 0.6655 * math.log1p(2)
    assert calibration.probability(ranking) == pytest.approx(1 / (1 + math.exp(-by_hand)))


def test_a_fitted_calibration_is_written_with_its_features_and_long_threshold_and_read_back(tmp_path: Path) -> None:
    fitted = Calibration((0.5, 1.25, -0.75), 0.6, ("bias", "top_decisive", "placed_share"), 25, 0.7)
    path = tmp_path / CALIBRATION_FILE
    save_calibration(fitted, path, "fitted by a test")
    assert load_calibration(path) == fitted


def test_a_calibration_naming_an_unknown_feature_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / CALIBRATION_FILE
    path.write_text("features: [bias, moon_phase]\nweights: [1.0, 2.0]\nroute_threshold: 0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="moon_phase"):
        load_calibration(path)


def _held_out(rows: list[tuple[bool, bool, float]]) -> list[tuple[Scored, float]]:
    """(top right, right in the top three, probability) -> scored rows with two candidates."""
    table = _table({"DLH": {"sampah": 3}, "PUPR": {"drainase": 3}, "DINKES": {"puskesmas": 1}})
    result = classify("sampah drainase puskesmas", table)
    items = []
    for number, (top_right, in_three, probability) in enumerate(rows):
        accept = {result.candidates[0].agency} if top_right else {result.candidates[1].agency} if in_three else {"X"}
        items.append((Scored(LabelledText("t", frozenset(accept), str(number)), result, 0), probability))
    return items


def test_the_ask_threshold_costs_no_more_routed_accuracy_than_the_policy_allows() -> None:
    # eight sure and right, one right but unsure (0.45), one wrong with the right office second (0.5):
    # asking both resolves one more row but costs the unsure right one its straight routing (0.1)
    rows = [(True, True, 0.95)] * 8 + [(True, True, 0.45), (False, True, 0.5)]
    held_out = {"set": _held_out(rows)}
    assert choose_threshold(held_out, max_ask_rate=0.2, min_accuracy=0.5, max_accuracy_drop=0.2) == pytest.approx(0.51)
    assert choose_threshold(held_out, max_ask_rate=0.2, min_accuracy=0.5, max_accuracy_drop=0.05) == 0.0


@pytest.mark.parametrize("ranking", [
    _ranking(), _ranking(top=0.0, runner_up=0.0, agencies=0), _ranking(top_decisive=True, address_hit=True),
    _ranking(third=5.5, shared_share=0.25, placed_share=0.5, lead_share=0.0, runner_up_in_lead=False),
])
def test_the_routers_written_out_probability_is_the_fitted_models_sum_of_features(ranking: Ranking) -> None:
    calibration = _shipped()
    terms = sum(weight * value for weight, value in zip(calibration.weights, features(ranking, calibration.features),
                                                         strict=True))
    assert calibration.probability(ranking) == pytest.approx(1 / (1 + math.exp(-terms)))


def test_the_ask_threshold_asks_only_where_it_resolves_more_within_the_caps() -> None:
    # ten rows: eight right at the top (sure), one right only second (unsure), one wrong (unsure)
    rows = [(True, True, 0.95)] * 8 + [(False, True, 0.5), (False, False, 0.4)]
    # asking both unsure rows resolves one more; asking only the wrong one gains nothing; no ask
    # allowed: never ask
    assert choose_threshold({"set": _held_out(rows)}, max_ask_rate=0.2, min_accuracy=0.5) == pytest.approx(0.51)
    assert choose_threshold({"set": _held_out(rows)}, max_ask_rate=0.0, min_accuracy=0.5) == 0.0
