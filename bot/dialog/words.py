"""Recognising what a citizen typed: commands, yes/no, skips, numbers.

Commands and plain words both work (`/lapor`, `lapor`, `LAPOR`); the checks are
tolerant of punctuation and a few common spellings.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

CANCEL = {"batal", "cancel", "stop", "berhenti", "batalkan"}
HELP = {"bantuan", "help", "menu", "tolong", "?", "info", "petunjuk"}
REPORT = {"lapor", "report", "aduan", "adu", "pengaduan", "melapor", "laporan"}
STATUS = {"cek", "status", "lacak", "track", "check", "checking", "cek status"}
START = {"start", "mulai", "halo", "hai", "hi", "hello", "assalamualaikum", "pagi", "siang", "sore", "malam", "p"}
ENGLISH = {"english", "inggris", "en", "english please", "in english", "english pls", "bahasa inggris",
           "english language", "can you speak english", "do you speak english", "speak english"}
INDONESIAN = {"bahasa", "indonesia", "id", "bahasa indonesia"}
YES = {"ya", "y", "iya", "iye", "yes", "ok", "oke", "okay", "benar", "betul", "bener", "setuju", "yoi", "siap", "yup"}
NO = {"tidak", "tdk", "gak", "ga", "nggak", "ngga", "enggak", "no", "n", "bukan", "tak", "kada", "belum", "blm"}
SKIP = {"lewati", "lewat", "skip", "-", "tidak ada", "ga ada", "gak ada", "tdk ada", "nanti", "none", "no photo"}
UNKNOWN = {"tidak tahu", "tdk tahu", "gak tahu", "gak tau", "ga tau", "ga tahu", "nggak tahu", "tidak tau",
           "entah", "don't know", "dont know", "unknown", "tidak tahu instansinya"}
OTHER = {"pilih lain", "lain", "lainnya", "other", "yang lain", "bukan itu", "salah", "ganti"}
CONTINUE = {"lanjut", "lanjutkan", "continue", "kirim saja"}
ERASE_WITH_MEDIA = {"ya foto", "ya + foto", "ya dan foto", "ya, foto", "hapus foto juga", "yes photos",
                    "yes photo", "yes + photos"}
ERASE = ("hapus data saya", "hapus data", "hapus identitas saya", "delete my data", "hapus akun saya")


def clean(text: str) -> str:
    """NFKC, no control or direction-override characters, no lone surrogates, trimmed."""
    text = _SURROGATES.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", text).strip()


def simple(text: str) -> str:
    """Lower case, punctuation trimmed at the ends, a leading slash and @botname dropped."""
    lowered = text.lower().strip().removeprefix("/")
    lowered = re.sub(r"^(\S+?)@\w+", r"\1", lowered)
    return lowered.strip(" .,!?;:\"'()[]") or lowered


def first_word(text: str) -> str:
    words = simple(text).split()
    return words[0] if words else ""


def is_one_of(text: str, words: set[str]) -> bool:
    return simple(text) in words


def choice_number(text: str, upper: int) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
    if not match:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= upper else None


def is_erase_request(text: str) -> bool:
    return simple(text) in ERASE
