"""Emergency vocabulary, by table: how people really write a fire, a flood with people trapped, a collapsed
bridge with victims or a medical emergency, and the look-alikes that are not emergencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog.emergencies import emergency_kind, load_rules
from models.config import ConfigError

EMERGENCIES = [
    ("kebakaran di pasar Marabahan!! api besar", "fire"),
    ("tolonggg rumah tetangga terbakar di handil bakti", "fire"),
    ("Pak ada kebakaran di gg. 3 no 12, cepat kirim damkar", "fire"),
    ("rumah di RT 02 tebakar, apinya besar banar", "fire"),  # Banjar
    ("omahe pak lurah kobong, geni gedhe", "fire"),  # Javanese
    ("tabung gas meledak di warung", "fire"),
    ("kbakaran di blok C2 sekarang", "fire"),
    ("banjir bandang, ada warga terjebak di atap rumah", "flood"),
    ("air naik terus, nenek saya tidak bisa keluar rumah, minta evakuasi", "flood"),
    ("banjir, ada anak hanyut di sungai barito", "flood"),
    ("banyu naik, kami kada kawa kaluar", "flood"),  # Banjar
    ("kebanjiran, simbah ora iso metu", "flood"),  # Javanese
    ("tanggul jebol warga terjebak butuh evakuasi segera", "flood"),
    ("jembatan ambruk ada korban jatuh ke sungai", "collapse"),
    ("jembatan putus di km 7, motor jatuh dan orangnya luka", "collapse"),
    ("titian rabah, ada nang luka", "collapse"),  # Banjar
    ("bangunan sekolah runtuh, murid tertimpa", "collapse"),
    ("longsor menimbun rumah, ada korban tertimbun", "collapse"),
    ("ada orang pingsan di depan kantor camat", "medical"),
    ("bapak saya kejang kejang tolong kirim ambulans", "medical"),
    ("ibu hamil pecah ketuban, butuh ambulans sekarang", "medical"),
    ("anak tetangga kesetrum tidak sadarkan diri", "medical"),
    ("mbah semaput neng dalan", "medical"),  # Javanese
    ("my father had a heart attack, need an ambulance", "medical"),
]

NOT_EMERGENCIES = [
    "bekas kebakaran tahun lalu belum dibersihkan",
    "desa kami rawan banjir tiap hujan, mohon normalisasi sungai",
    "langganan banjir kalau hujan deras",
    "jalan tergenang banjir setinggi lutut",
    "banjir di jalan, tolong diperbaiki drainasenya",
    "jembatan rusak parah di RT 02 RW 07",
    "jembatan putus sejak bulan lalu, warga memutar jauh",
    "mohon sosialisasi pencegahan kebakaran di pasar",
    "hidran di depan pasar tidak berfungsi",
    "warga tidak sadar membuang sampah ke sungai",
    "klaim bpjs untuk stroke ditolak",
    "pendataan korban banjir belum merata",
    "lampu jalan mati di depan SDN 2",
    "",
]


@pytest.mark.parametrize(("text", "kind"), EMERGENCIES)
def test_an_emergency_is_recognised_whatever_way_it_is_written(text: str, kind: str) -> None:
    assert emergency_kind(text) == kind


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_the_past_a_risk_or_an_ordinary_complaint_is_not_an_emergency(text: str) -> None:
    assert emergency_kind(text) is None


def test_a_sign_that_is_not_a_meaning_is_named_in_the_error(tmp_path: Path) -> None:
    broken = tmp_path / "emergency.yaml"
    broken.write_text("kinds: [flood]\nneeds: {flood: [stuck]}\nnegative: not_now\n"
                      "meanings:\n  flood: {id: [banjir]}\n  not_now: {id: [rawan banjir]}\n")
    with pytest.raises(ConfigError, match=r"needs.flood\[0\]: 'stuck' is not a meaning"):
        load_rules(broken)


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "emergency.yaml"
    broken.write_text("kinds: [tsunami]\nnegative: not_now\nmeanings:\n  tsunami: {id: [tsunami]}\n"
                      "  not_now: {id: [dulu]}\n")
    with pytest.raises(ConfigError, match=r"kinds\[0\]: 'tsunami' is not one of"):
        load_rules(broken)


def test_a_yaml_boolean_among_the_phrases_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "emergency.yaml"
    broken.write_text("kinds: [fire]\nnegative: not_now\nmeanings:\n  fire: {id: [kebakaran, yes]}\n"
                      "  not_now: {id: [dulu]}\n")
    with pytest.raises(ConfigError, match="quote it"):
        load_rules(broken)
