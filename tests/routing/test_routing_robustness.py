"""Any Unicode string must route without error; results stay well-formed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.routing import RoutingTable, classify, normalize, text_similarity

WEIRD_INPUTS = [
    "",
    "\x00\x01\x02\x7f",
    "\ud800\udfff lone surrogates",
    "مرحبا طريق مكسور",  # RTL
    "\u202ejalan rusak\u202c",
    "🙂" * 5000,
    "jalan rusak " * 10_000,  # ~120k characters
    "a" * 100_000,
    "٣٤٥ ١٢",  # non-ASCII digits
    "ﷺ ﷽ Ⅻ ㎞ ﬀ",  # compatibility characters that NFKC expands
]


def _well_formed(text: str, table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.decision in {"route", "ask", "triage"}
    assert len(result.candidates) <= 5
    assert all(candidate.score > 0 for candidate in result.candidates)
    json.dumps(result.to_dict())
    result.normalized.encode("utf-8")  # printable, no surrogates


def test_weird_inputs_route_without_error(table: RoutingTable) -> None:
    for text in WEIRD_INPUTS:
        _well_formed(text, table)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_string_routes_without_error(table: RoutingTable, text: str) -> None:
    _well_formed(text, table)


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_similarity_is_bounded_for_any_text(table: RoutingTable, a: str, b: str) -> None:
    score = text_similarity(a, b, table)
    assert 0.0 <= score <= 100.0


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_normalisation_is_idempotent(table: RoutingTable, text: str) -> None:
    once = normalize(text, table)
    assert normalize(once, table) == once


def test_a_verdict_shared_through_the_cache_equals_the_one_computed_afresh() -> None:
    # Messages with the same hit profile share one cached verdict; the order the phrases were
    # found in must not matter ("sampah numpuk, jalan rusak" vs "jalan rusak, sampah numpuk").
    from pathlib import Path

    from bot.routing import load_table

    path = Path(__file__).resolve().parents[2] / "bot" / "routing" / "routing.yaml"
    messages = ["jalan rusak sampah numpuk", "sampah numpuk jalan rusak", "lampu pju mati jalan rusak",
                "jalan rusak lampu pju mati", "pungli di kantor camat", "jln rsk prh dpn sdn 2 udh 3 bln",
                "air pdam gk ngalir", "blangko ktp habis", "lampu mati token listrik", "halo"]
    shared = load_table(path)
    for text in messages[::-1]:  # warm the cache in the other order
        classify(text, shared)
    for text in messages:
        assert classify(text, shared) == classify(text, load_table(path)), text
