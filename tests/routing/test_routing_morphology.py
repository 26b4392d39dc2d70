"""Affixed forms, the package slang layer, the second look at messages with no keyword, readable
evidence, and the fold-chosen ask threshold (issue 18, second round)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.routing import RoutingTable, build_table, classify, normalize
from bot.routing.dictionary import indonesian

ANALYSES = [
    ("kerusakan", "rusak"),  # ke-...-an, not ke-rusa-kan
    ("berikan", "beri"),  # beri-kan, not ber-ikan
    ("pencari", "cari"),  # pe-cari, not pencar-i
    ("memukul", "pukul"),  # the nasal swallowed the p
    ("meminta", "minta"),
    ("pembenahan", "benah"),
    ("diperbaiki", "baik"),
    ("keberadaan", "ada"),
    ("penerangan", "terang"),
]


@pytest.mark.parametrize(("word", "root"), ANALYSES)
def test_an_affixed_word_is_read_to_its_root_simplest_reading_first(word: str, root: str) -> None:
    analysis = indonesian().analyse(word)
    assert analysis is not None and analysis[1] == root


def _table(keywords: dict[str, dict[str, float]], **extra: Any) -> RoutingTable:
    return build_table({"agencies": {code: {"keywords": words} for code, words in keywords.items()}, **extra})


def test_a_verb_stands_for_the_keyword_that_names_its_act() -> None:
    table = _table({"PUPR": {"genangan": 3, "perbaikan": 4}, "INSPEKTORAT": {"pungutan": 4}})
    assert classify("air tergenang di depan rumah", table).top().agency == "PUPR"  # type: ignore[union-attr]
    assert classify("jalan desa belum diperbaiki", table).top().agency == "PUPR"  # type: ignore[union-attr]
    assert classify("siswa dipungut 50 ribu", table).top().agency == "INSPEKTORAT"  # type: ignore[union-attr]


def test_nouns_and_other_families_are_not_relatives() -> None:
    table = _table({"SATPOLPP": {"jualan": 3}, "PUPR": {"jalanan": 3}, "PERKIM": {"penerangan": 3}})
    assert "jualan" not in table.resolve("penjualan")  # a sale is not a street vendor's goods
    assert "jalanan" not in table.resolve("berjalan")  # walking is its own family (ber-)
    assert "penerangan" not in table.resolve("keterangan")  # a certificate is not street lighting


def test_the_package_slang_never_rewrites_the_tables_own_words(table: RoutingTable) -> None:
    assert normalize("smp sma pkk", table) == "smp sma pkk"  # schools and the family-welfare movement
    assert normalize("slalu", table) == "selalu"  # a package entry the project table lacks


def test_the_package_slang_is_off_unless_the_table_asks_for_it() -> None:
    plain = _table({"DLH": {"sampah": 3}})
    layered = _table({"DLH": {"sampah": 3}}, package_slang=True)
    assert normalize("slalu", plain) == "slalu"
    assert normalize("slalu", layered) == "selalu"


def test_a_message_without_keywords_is_read_again_under_regional_affixes(table: RoutingTable) -> None:
    result = classify("tadi malam ada urang mambegal kawan ulun", table)  # Banjar ma- + begal
    assert result.top() is not None and result.top().agency == "EXT_POLRI"  # type: ignore[union-attr]


def test_a_message_with_keywords_is_not_read_again() -> None:
    table = _table({"EXT_POLRI": {"begal": 4}, "DLH": {"sampah": 3}})
    result = classify("sampah numpuk, ada yang mambegal", table)
    assert [c.agency for c in result.candidates] == ["DLH"]


def test_offered_choices_carry_words_a_citizen_can_read(table: RoutingTable) -> None:
    result = classify("petugas disdukcapil minta uang pelicin 200 ribu buat bikin KTP", table)
    inspectorate = result.candidates[0]
    assert inspectorate.agency == "INSPEKTORAT"
    assert inspectorate.keywords and not any(word.startswith("rule:") for c in result.candidates for word in c.keywords)
    assert "uang pelicin" in inspectorate.keywords
    assert inspectorate.rules  # the rule that raised it is still named, apart from the words

