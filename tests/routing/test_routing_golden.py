"""The matcher's speed work changes no verdict: routing a fixed sample gives exactly what it gave
before (issue 17/18, third round).

The sample: every row of the two dev sets (by id, skipped when the data is absent; their texts never
enter the project), the committed blind samples and 1,500 generated unseen messages (their texts are
in the golden file: made from the table's vocabulary and dictionary words, no dev data). It is routed
on a frozen copy of the table (``data/golden/``), so tuning the shipped table does not touch this
test: only a change to the code that reads a table does. Each verdict (decision, candidates with
scores, evidence words and rules, confidentiality, subject, confidence, normalised text) is kept as
a short hash. Every message is routed twice on one table, so the caches' second answers are checked
as well as the cold ones.

Regenerate (only when a behaviour change is intended, and say so in the commit message):
``.venv/bin/python tests/routing/test_routing_golden.py --write``
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from bot.routing import RoutingResult, RoutingTable, classify, load_table
from bot.routing.bench import unseen_messages
from bot.routing.evaluation import read_labelled_csv

HERE = Path(__file__).resolve().parent
GOLDEN_TABLE = HERE / "data" / "golden" / "routing.yaml"
GOLDEN_FILE = HERE / "data" / "golden" / "verdicts.json"
SHARED = HERE.parents[2] / "shared" / "data"
DEV_SETS = {"lapor": SHARED / "lapor2017_dev.csv", "chat": SHARED / "chat_dev.csv"}
COMMITTED = {"blind_chat": HERE / "data" / "blind_chat_odd_sample.csv",
             "blind_lapor": HERE / "data" / "blind_lapor_odd_sample.csv",
             # the fourth round's blind-written sets, both halves (only their verdicts' hashes are kept)
             **{f"blind4:{path.stem}": path for path in sorted((HERE / "data" / "blind").glob("*.csv"))}}
UNSEEN_COUNT = 1_500


def fingerprint(result: RoutingResult) -> str:
    shown = [result.decision, result.confidential, result.subject, result.confidence, result.normalized,
             [[c.agency, c.score, list(c.keywords), list(c.rules)] for c in result.candidates]]
    return hashlib.sha1(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:16]


def sample(sets: dict[str, Path]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, path in sets.items():
        for row in read_labelled_csv(path):
            texts[f"{name}:{row.id}"] = row.text
    return texts


def route_all(texts: dict[str, str], table: RoutingTable) -> dict[str, str]:
    return {key: fingerprint(classify(text, table)) for key, text in texts.items()}


@pytest.fixture(scope="module")
def golden() -> dict[str, object]:
    return json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def golden_table() -> RoutingTable:
    return load_table(GOLDEN_TABLE)


def _differences(texts: dict[str, str], expected: dict[str, str], table: RoutingTable) -> list[str]:
    cold = route_all(texts, table)
    warm = route_all(texts, table)
    return [key for key in texts if not (cold[key] == warm[key] == expected[key])]


def test_unseen_and_committed_messages_get_the_verdicts_they_got_before(golden: dict[str, object],
                                                                           golden_table: RoutingTable) -> None:
    unseen: dict[str, str] = golden["unseen_texts"]  # type: ignore[assignment]
    texts = {**unseen, **sample(COMMITTED)}
    expected: dict[str, str] = golden["verdicts"]  # type: ignore[assignment]
    changed = _differences(texts, expected, golden_table.with_empty_caches())
    assert not changed, [(key, texts[key], classify(texts[key], golden_table).to_dict()) for key in changed[:5]]


@pytest.mark.skipif(not all(path.is_file() for path in DEV_SETS.values()), reason="dev sets not available")
def test_every_dev_row_gets_the_verdict_it_got_before(golden: dict[str, object], golden_table: RoutingTable) -> None:
    texts = sample(DEV_SETS)
    expected: dict[str, str] = golden["verdicts"]  # type: ignore[assignment]
    changed = _differences(texts, expected, golden_table.with_empty_caches())
    assert not changed, [(key, classify(texts[key], golden_table).to_dict()) for key in changed[:5]]


def _write() -> None:
    table = load_table(GOLDEN_TABLE)
    unseen = {f"unseen:{i}": text for i, text in enumerate(unseen_messages(table, UNSEEN_COUNT, seed=1818))}
    texts = {**unseen, **sample(COMMITTED), **sample(DEV_SETS)}
    verdicts = route_all(texts, table.with_empty_caches())
    GOLDEN_FILE.write_text(json.dumps({"unseen_texts": unseen, "verdicts": verdicts}, ensure_ascii=False,
                                      indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(verdicts)} verdicts written to {GOLDEN_FILE}")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write()
