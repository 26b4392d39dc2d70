"""Normalisation: what the router sees of a message."""

from __future__ import annotations

import pytest

from bot.routing import RoutingTable, normalize
from bot.routing.text import collapse_elongation, split_chunk, stem_candidates

CASES = [
    ("Jln RSK parah!!!", "jalan rusak parah"),
    ("air pdam gk ngalir", "air pdam tidak mengalir"),
    ("rusakkk matiii", "rusak mati"),
    ("sampahh numpuk", "sampah menumpuk"),
    ("ijin usaha blm keluar", "izin usaha belum keluar"),
    ("akte lahir, antri lama", "akta lahir antre lama"),
    ("pkm tutup", "puskesmas tutup"),
    ("ektp sdh jadi?", "ktp sudah jadi"),
    ("dpn sdn 2", "depan sd 2"),
    ("gorong2 mampet", "gorong gorong tersumbat"),
    ("gas 3kg langka", "gas 3 kg langka"),
    ("ＦＵＬＬＷＩＤＴＨ ｊａｌａｎ", "fullwidth jalan"),
    ("pambakal kada datang", "kepala desa tidak datang"),
    ("pppk", "pppk"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_text_is_normalised_for_matching(raw: str, expected: str, table: RoutingTable) -> None:
    assert normalize(raw, table) == expected


def test_control_characters_and_emoji_are_separators(table: RoutingTable) -> None:
    assert normalize("jalan\x00rusak\u200b🙂\u202eparah", table) == "jalan rusak parah"


def test_lone_surrogates_do_not_break_normalisation(table: RoutingTable) -> None:
    assert normalize("jalan \ud800 rusak", table) == "jalan rusak"


def test_elongation_keeps_legitimate_double_letters() -> None:
    assert collapse_elongation("saat") == "saat"
    assert collapse_elongation("tidakkkk") == "tidak"


def test_reduplication_only_for_real_words() -> None:
    assert split_chunk("anak2") == ["anak", "anak"]
    assert split_chunk("sdn2") == ["sdn", "2"]
    assert split_chunk("3kg") == ["3", "kg"]


def test_stemming_offers_roots_without_replacing_the_word() -> None:
    assert "rusak" in stem_candidates("kerusakan")
    assert "macet" in stem_candidates("kemacetan")
    assert "jalan" in stem_candidates("jalannya")
    assert "kerusakan" not in stem_candidates("kerusakan")


def test_stemmer_leaves_unrelated_words_alone() -> None:
    # nasal and ber-/se- prefixes are deliberately not stripped
    assert "pohon" not in stem_candidates("memohon")
    assert "ikan" not in stem_candidates("berikan")
    assert "karang" not in stem_candidates("sekarang")


def test_stemmed_form_is_an_extra_channel(table: RoutingTable) -> None:
    assert "rusak" in table.resolve("kerusakan")
    assert normalize("kerusakan jalan", table) == "kerusakan jalan"


def test_typos_are_matched_to_the_vocabulary(table: RoutingTable) -> None:
    assert table.resolve("puskesams") == frozenset({"puskesmas"})
    assert table.resolve("jalam") == frozenset({"jalan"})


def test_protected_words_are_not_typo_corrected(table: RoutingTable) -> None:
    assert "sampah" not in table.resolve("sampai")
    assert "tanah" not in table.resolve("tanam")


def test_short_words_are_never_fuzzy(table: RoutingTable) -> None:
    assert table.resolve("gaz") == frozenset()
