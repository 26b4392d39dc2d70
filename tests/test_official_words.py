"""The officials' vocabulary (bot/dialog/understanding/officials.yaml) read as real officials type it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog.official_words import checked, kind_named, parse_command
from bot.dialog.understanding import read_vocabulary
from models.codes import example_code
from models.lifecycle import Kind

CODE = example_code("BTL")

READ_AS = [
    # (what the official typed, verb, code?, the rest, weak?)
    ("TERIMA", "TERIMA", None, "", False),
    ("terima", "TERIMA", None, "", False),
    ("Diterima, terima kasih infonya", "TERIMA", None, "terima kasih infonya", False),
    ("siap, segera kami tindak lanjuti", "TERIMA", None, "segera kami tindak lanjuti", False),
    ("Baik pak, segera kami tindak lanjuti 🙏", "TERIMA", None, "", False),
    ("nggih siap", "TERIMA", None, "", True),
    ("Inggih, segera kami tindak lanjuti", "TERIMA", None, "segera kami tindak lanjuti", False),
    ("siaap, kami tl hari ini", "TERIMA", None, "kami tl hari ini", False),
    ("bkn wewenang kami, itu PLN", "BUKAN", None, "itu PLN", False),
    ("siap", "TERIMA", None, "", True),
    (f"terima {CODE.lower()}", "TERIMA", CODE, "", False),
    (f"TERIMA {CODE.replace('-', ' ')}", "TERIMA", CODE, "", False),
    ("jawab: sudah diperbaiki kemarin", "JAWAB", None, "sudah diperbaiki kemarin", False),
    ("Jawaban : Lubang sudah ditambal\nTerima kasih", "JAWAB", None, "Lubang sudah ditambal\nTerima kasih", False),
    (f"jawab {CODE.lower()} sudah ditambal", "JAWAB", CODE, "sudah ditambal", False),
    ("bukan wewenang kami", "BUKAN", None, "", False),
    ("Bukan kewenangan kami, itu jalan provinsi", "BUKAN", None, "itu jalan provinsi", False),
    ("bukan tupoksi kami pak", "BUKAN", None, "pak", False),
    (f"BUKAN {CODE} ini jalan provinsi", "BUKAN", CODE, "ini jalan provinsi", True),
    ("koordinasi: menunggu anggaran", "KOORDINASI", None, "menunggu anggaran", False),
    ("masih koordinasi dengan PLN", "KOORDINASI", None, "dengan PLN", False),
    ("selesai", "SELESAI", None, "", False),
    (f"alihkan {CODE} perkim", "ALIHKAN", CODE, "perkim", False),
    (f"jenis {CODE} aspirasi", "JENIS", CODE, "aspirasi", False),
    ("ubah jenis: permintaan informasi", "JENIS", None, "permintaan informasi", False),
]
NOT_COMMANDS = ["terima kasih", "Terima kasih banyak pak", "terimakasih", "makasih min", "matur nuwun",
                "bukan begitu maksud saya", "ok", "assalamualaikum", "jalan di depan rumah saya rusak parah",
                f"cek {CODE}", ""]


@pytest.mark.parametrize(("typed", "verb", "code", "rest", "weak"), READ_AS)
def test_an_officials_reply_is_read_as_its_verb_code_and_words(typed: str, verb: str, code: str | None,
                                                               rest: str, weak: bool) -> None:
    command = parse_command(typed, "BTL")
    assert command is not None
    assert (command.verb, command.code, command.rest, command.weak) == (verb, code, rest, weak)


@pytest.mark.parametrize("typed", NOT_COMMANDS)
def test_thanks_greetings_and_citizen_words_are_no_command(typed: str) -> None:
    assert parse_command(typed, "BTL") is None


def test_a_mistyped_code_is_named_never_acted_on() -> None:
    command = parse_command("TERIMA BTL-AAAA-0000", "BTL")
    assert command is not None and command.code is None and command.typed_code == "BTL-AAAA-0000"


@pytest.mark.parametrize(("typed", "kind"), [("aspirasi", Kind.ASPIRATION), ("usulan warga", Kind.ASPIRATION),
                                             ("Permintaan informasi", Kind.INFORMATION),
                                             ("keluhan", Kind.COMPLAINT), ("gosip", None)])
def test_kinds_are_understood_by_their_everyday_names(typed: str, kind: Kind | None) -> None:
    assert kind_named(typed) == kind


def test_a_misspelt_verb_in_the_vocabulary_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "officials.yaml"
    path.write_text("meanings:\n  TERIMAH:\n    id: [terima]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"officials\.yaml: meanings\.TERIMAH: not a verb"):
        checked(read_vocabulary(path), "officials.yaml")
