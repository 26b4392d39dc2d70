"""One catalogue, within limits: every text a citizen reads exists in Indonesian and English with the same
blanks, no developer English reaches a person, and rendered with realistic long values each text fits one phone
screen (700 characters) and its SMS form one 160-unit GSM segment."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.dialog.texts import FRAGMENTS, SMS, TEXTS, say, say_sms
from bot.dialog.wrongdoor import load_bodies
from bot.whatsapp.segments import gsm_text, gsm_units, is_gsm
from models.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
SCREEN = 700
SMS_UNITS = 160
LANGUAGES = ("id", "en")
SETTINGS = load_settings(ROOT / "config.yaml")
LONGEST_AGENCY = max((agency.name for agency in SETTINGS.agencies), key=len)
BODIES = load_bodies().bodies.values()
LONGEST_EXTERNAL = max([agency.name for agency in SETTINGS.agencies if agency.kind == "external"]
                       + [body.name for body in BODIES], key=len)
LONGEST_CONTACT = max([agency.contact or "" for agency in SETTINGS.agencies] + [body.contact for body in BODIES],
                      key=len)
CODE = "BTL-7K2M-9QX0"
LONG_STATUS = "Dalam koordinasi lanjutan"

# The longest value each blank takes in real use (names, contacts and places from the shipped config; what
# the dialog cuts before it fills a blank: summaries at 100 characters, answers at 300, three agencies).
REALISTIC: dict[str, object] = {
    "region": SETTINGS.region.name,
    "agency": LONGEST_AGENCY,
    "agency_code": "DISDUKCAPIL",
    "contact": LONGEST_CONTACT,
    "code": CODE,
    "example": CODE,
    "answer_due": "31-12-2026",
    "verify_due": "31-12-2026",
    "due": "31-12-2026",
    "created": "31-12-2026",
    "zone": "WITA",
    "status": LONG_STATUS,
    "summary": "x" * 99 + "…",
    "answer": "\nJawaban: " + "jawaban instansi " * 17 + "…",
    "options": "\n".join(f"{n}. {LONGEST_AGENCY}" for n in range(1, 4)),
    "unknown": 4,
    "length": 100_000,
    "limit": 4000,
    "hours": 720,
    "count": 1000,
    "rating": 5,
    "kind": "lampiran jenis ini",
    "place": "p" * 64,  # a deep-link payload (Telegram allows 64 characters)
    "lines": "\n".join(f"{CODE}: {LONG_STATUS}" for _ in range(10)),
    "numbers": "112, pemadam kebakaran 113, ambulans 119, polisi 110",
    "regional": "Nomor darurat daerah: " + "; ".join(["n" * 40] * 2) + ".\n",
    # Officials' replies (bot/dialog/officials.py): subjects cut at 60 characters, the longest verb and name.
    "subject": "s" * 59 + "…",
    "verb": "KOORDINASI",
    "name": max((official.name for official in SETTINGS.officials), key=len),
    "typed": "BTL-7K2M-9QX0X",
    "examples": ", ".join(agency.code for agency in SETTINGS.agencies[:5]),
}
# What the SMS forms get instead: the dialog lists at most three complaints in one segment.
REALISTIC_SMS = {**REALISTIC, "lines": "; ".join(f"{CODE}: Diproses" for _ in range(3)),
                 "options": "\n".join(f"{n}. DISDUKCAPIL" for n in range(1, 4)),
                 "numbers": "112, damkar 113, ambulans 119, polisi 110"}
# Texts about an external body name one of them (they have shorter names than the regional offices).
EXTERNAL_TEXTS = frozenset({"external_first", "external_first_where", "confirm_external", "filed_forwarded"})
# Officials are reached on WhatsApp, Telegram or e-mail, never by SMS (models/config.py: ContactChannel).
OFFICIALS_ONLY = frozenset(key for key in TEXTS if key.startswith("official_"))
# Words of the program, not of the people it serves (they must never reach a citizen reading Indonesian).
DEVELOPER_WORDS = re.compile(r"\b(file|filed|received|dispatched|reporter|illegal|transition|none|null|true|false|"
                             r"exception|traceback|error|payload|draft|state)\b|->|→|[{}]", re.IGNORECASE)


def values_for(key: str, values: dict[str, object]) -> dict[str, object]:
    return {**values, "agency": LONGEST_EXTERNAL} if key in EXTERNAL_TEXTS else values


def blanks(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_indonesian_and_english_with_the_same_blanks(key: str) -> None:
    variants = TEXTS[key]
    assert set(variants) == set(LANGUAGES)
    assert all(variants[language].strip() for language in LANGUAGES)
    assert blanks(variants["id"]) == blanks(variants["en"])


@pytest.mark.parametrize("key", sorted(SMS))
def test_every_sms_form_has_both_languages_and_only_blanks_its_full_text_can_fill(key: str) -> None:
    assert set(SMS[key]) == set(LANGUAGES)
    full = blanks(TEXTS[key]["id"]) | {"agency_code"}
    assert all(blanks(SMS[key][language]) <= full for language in LANGUAGES)


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_no_developer_english_reaches_a_person_reading_indonesian(key: str) -> None:
    rendered = say(key, "id", **REALISTIC)
    for value in REALISTIC.values():  # what the blanks held is not the catalogue's wording
        rendered = rendered.replace(str(value), " ")
    assert not DEVELOPER_WORDS.search(rendered), rendered


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_fits_one_phone_screen_with_realistic_long_values(key: str, language: str) -> None:
    rendered = say(key, language, **values_for(key, REALISTIC))
    assert len(rendered) <= SCREEN, (key, len(rendered))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(set(TEXTS) - FRAGMENTS - OFFICIALS_ONLY))
def test_every_sms_form_fits_one_gsm_segment_with_realistic_long_values(key: str, language: str) -> None:
    """Fragments (button words, labels, a line appended to another text) are measured inside their text."""
    rendered = gsm_text(say_sms(key, language, **values_for(key, REALISTIC_SMS)))
    assert is_gsm(rendered), (key, rendered)
    assert gsm_units(rendered) <= SMS_UNITS, (key, gsm_units(rendered), rendered)
