"""Understanding as data: the vocabularies under bot/dialog/understanding/, read by table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog.lookup import tracking_code
from bot.dialog.understanding import HERE, read_vocabulary, vocabulary
from bot.dialog.understanding.reading import feedback_answer, rating_in, small_talk, writes_english
from models.codes import new_code

FEEDBACK = [
    ("ya sudah beres, terima kasih", "yes"),
    ("alhamdulillah sudah diperbaiki", "yes"),
    ("Alhamdulillah sdh diperbaiki pak, makasih banyak", "yes"),
    ("YA", "yes"),
    ("udh beres min 👍", "yes"),
    ("sudah bujur", "yes"),
    ("sudah bujur, makasih pian", "yes"),
    ("wis rampung", "yes"),
    ("sampun, matur nuwun", "yes"),
    ("lampunya gak mati lagi", "yes"),
    ("alhamdulillah sudah tidak bocor lagi", "yes"),
    ("yes it's fixed, thanks", "yes"),
    ("belum, lubangnya masih ada", "no"),
    ("masih sama aja", "no"),
    ("blm pak", "no"),
    ("durung", "no"),
    ("urung", "no"),
    ("kada, masih haja", "no"),
    ("BELUM!!! masih rusak", "no"),
    ("not yet", "no"),
    ("sebagian sudah, yg ujung masih berlubang", "partly"),
    ("sudah tapi masih ada yang bocor", "partly"),
    ("yg 2 udh ditambal tp yg 1 masih bolong", "partly"),
    ("only partly", "partly"),
    ("terima kasih", None),
    ("ok", None),
    ("jalan rusak parah di RT 02 RW 07", None),
    ("ya pak jadi begini, di depan rumah saya ada pohon tumbang menutup jalan dari tadi pagi", None),
]

RATINGS = [
    ("4", 4), ("5", 5), ("empat", 4), ("⭐⭐⭐⭐", 4), ("⭐️⭐️⭐️⭐️⭐️", 5), ("bagus banget", 5), ("lumayan", 3),
    ("nilai 4 ya pak", 4), ("4/5", 4), ("saya kasih bintang 5", 5), ("mantap pak terima kasih", 5),
    ("jelek", 2), ("bagus banar", 5), ("apik tenan", 5), ("excellent", 5),
    ("jalan rusak 3 bulan", None), ("RT 02 RW 07", None), ("9", None), ("terima kasih", None),
]

SMALL_TALK = [
    ("terima kasih", "thanks"), ("makasih banyak pak", "thanks"), ("matur nuwun", "thanks"),
    ("tarima kasih banar", "thanks"), ("thank you", "thanks"), ("ok", "ack"), ("siap", "ack"),
    ("ok siap pak, ditunggu kabarnya", "ack"), ("👍", "ack"), ("🙏🙏", "ack"), ("assalamualaikum", "greeting"),
    ("pagi min", "greeting"), ("Selamat siang bapak ibu", "greeting"), ("wkwkwk", "laughter"),
    ("jalan rusak", None), ("?", None), ("pak jalan depan rumah saya berlubang", None),
]


@pytest.mark.parametrize(("text", "meaning"), FEEDBACK)
def test_a_natural_answer_to_is_it_solved_is_read_as_yes_no_or_partly(text: str, meaning: str | None) -> None:
    assert feedback_answer(text) == meaning


@pytest.mark.parametrize(("text", "rating"), RATINGS)
def test_a_rating_is_read_from_digits_words_and_stars(text: str, rating: int | None) -> None:
    assert rating_in(text) == rating


@pytest.mark.parametrize(("text", "kind"), SMALL_TALK)
def test_politeness_is_small_talk_and_a_problem_is_not(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(("text", "english"), [
    ("the road in front of my house is broken", True), ("hello, I want to report a pothole", True),
    ("jalan rusak di depan rumah saya", False), ("ok", False), ("yes", False),
])
def test_english_is_told_from_indonesian(text: str, english: bool) -> None:
    assert writes_english(text) is english


@pytest.mark.parametrize("text", ["jalan rusak parah di RT 02 RW 07", "Gg. 3 No 12 got mampet", "Blok C2 banjir",
                                  "Km 7 jalan berlubang", "Jl. A. Yani km 12,5 lampu mati", "rumah no 12 rt 3 rw 4"])
def test_an_address_is_never_a_tracking_code(text: str) -> None:
    assert tracking_code(text, "BTL") is None


def test_a_real_code_is_found_however_it_is_typed() -> None:
    import random

    code = new_code("BTL", random.Random(7))
    for typed in (code, code.lower(), code.replace("-", " "), code.replace("-", ""), f"laporan no {code} gimana"):
        assert tracking_code(typed, "BTL") == code, typed


def test_every_shipped_vocabulary_loads_and_quotes_its_booleans() -> None:
    for path in sorted(HERE.glob("*.yaml")):
        assert read_vocabulary(path).phrases, path.name
    assert {"yes", "no", "partly"} <= vocabulary("feedback").meanings


def test_an_unquoted_yaml_boolean_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("meanings:\n  yes_words:\n    en: [yes, yeah]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="meanings.yes_words.en"):
        read_vocabulary(path)
