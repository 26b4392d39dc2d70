"""Keyword suggestions from rerouted complaints."""

from __future__ import annotations

from bot.routing import RoutingTable, suggest_keywords

MOVED = [
    "kapal klotok terbalik di sungai barito",
    "jadwal klotok ke desa seberang tidak jelas",
    "tarif klotok naik sepihak",
    "klotok penuh penumpang tanpa pelampung",
]
OTHERS = [
    "jalan rusak parah",
    "sampah numpuk di pasar",
    "air pdam mati",
    "lampu jalan padam",
    "sungai tercemar limbah",
]


def test_words_common_in_moved_complaints_are_suggested(table: RoutingTable) -> None:
    suggestions = suggest_keywords(MOVED, OTHERS, table)
    assert suggestions[0][0] == "klotok"
    assert all(score > 0 for _, score in suggestions)


def test_suggestions_are_limited_and_deterministic(table: RoutingTable) -> None:
    first = suggest_keywords(MOVED, OTHERS, table, limit=3)
    assert len(first) <= 3
    assert first == suggest_keywords(MOVED, OTHERS, table, limit=3)


def test_stopwords_and_single_anecdotes_are_not_suggested(table: RoutingTable) -> None:
    terms = {term for term, _ in suggest_keywords(MOVED, OTHERS, table, limit=50)}
    assert "di" not in terms and "ke" not in terms
    assert "barito" not in terms  # seen in one moved complaint only


def test_nothing_moved_means_no_suggestion(table: RoutingTable) -> None:
    assert suggest_keywords([], OTHERS, table) == []
