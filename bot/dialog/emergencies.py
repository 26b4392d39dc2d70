"""Is somebody in danger now? Emergency kinds recognised from `understanding/emergency.yaml`.

The words are data (Indonesian, slang, Banjar, Javanese); this module only loads and matches them. A kind
matches when one of its phrases is in the message, together with a phrase of each sign group it needs, and
no negative phrase ("bekas kebakaran tahun lalu", "rawan banjir") says it is about the past or a risk.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.dialog.messages import Reply
from bot.dialog.texts import say, say_sms
from models.config import EMERGENCY_KINDS, ConfigError, NumberKind, Settings, describe_error

VOCABULARY = Path(__file__).with_name("understanding") / "emergency.yaml"
_NOT_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"(\w)\1{2,}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _normalized_all(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Stored as they will be compared (once, at load), never empty."""
    return tuple(form for form in (normalized(str(phrase)) for phrase in phrases) if form)


class EmergencyKind(_Strict):
    phrases: tuple[str, ...]
    needs: tuple[str, ...] = ()

    @field_validator("phrases")
    @classmethod
    def _normal_phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _normalized_all(value)


class EmergencyVocabulary(_Strict):
    kinds: dict[str, EmergencyKind]
    signs: dict[str, tuple[str, ...]] = {}
    negatives: tuple[str, ...] = ()

    @field_validator("negatives")
    @classmethod
    def _normal_negatives(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _normalized_all(value)

    @field_validator("signs")
    @classmethod
    def _normal_signs(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {name: _normalized_all(phrases) for name, phrases in value.items()}

    @model_validator(mode="after")
    def _coherent(self) -> EmergencyVocabulary:
        unknown = sorted(set(self.kinds) - set(EMERGENCY_KINDS))
        if unknown:
            raise ValueError(f"kinds: {', '.join(unknown)} is not one of {', '.join(EMERGENCY_KINDS)}")
        for name, kind in self.kinds.items():
            for index, sign in enumerate(kind.needs):
                if sign not in self.signs:
                    raise ValueError(f"kinds.{name}.needs[{index}]: {sign!r} is not a group under 'signs'")
        return self

    def kind_of(self, text: str) -> str | None:
        """The emergency kind `text` describes, or None; the first kind in the file's order wins."""
        padded = f" {normalized(text)} "
        if not padded.strip() or _any(padded, self.negatives):
            return None
        for name, kind in self.kinds.items():
            if _any(padded, kind.phrases) and all(_any(padded, self.signs[sign]) for sign in kind.needs):
                return name
        return None


def normalized(text: str) -> str:
    """Lower case, punctuation as spaces, letters typed three times or more squeezed to one."""
    squeezed = _REPEATS.sub(r"\1", text.lower())
    return " ".join(_NOT_WORD.sub(" ", squeezed).replace("_", " ").split())


def _any(padded: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {phrase} " in padded for phrase in phrases)


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY) -> EmergencyVocabulary:
    """Read and check the vocabulary; a mistake names the key at fault."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return EmergencyVocabulary.model_validate(raw)
    except ValidationError as error:
        raise ConfigError("\n".join(f"{path.name}: {describe_error(item)}" for item in error.errors())) from None


def emergency_kind(text: str) -> str | None:
    return load_vocabulary().kind_of(text)


NUMBER_ORDER: tuple[NumberKind, ...] = ("general", "fire", "ambulance", "police")


def numbers_text(settings: Settings, language: str) -> str:
    """ "112, damkar 113, ambulans 119, polisi 110": the general number bare, the others with their label."""
    numbers = settings.emergency.national_numbers
    parts = []
    for kind in NUMBER_ORDER:
        number = numbers.get(kind)
        if number:
            parts.append(number if kind == "general" else f"{say(f'number_{kind}', language)} {number}")
    return ", ".join(parts)


def first_reply(settings: Settings, code: str, agency_code: str, language: str) -> Reply:
    """What an emergency is answered with first: whom to call now, then that it is filed and on its way."""
    numbers = numbers_text(settings, language)
    regional = settings.emergency.regional_numbers
    local = say("emergency_regional", language, numbers="; ".join(regional.values())) if regional else ""
    agency = settings.agency(agency_code)
    text = say("emergency_first", language, numbers=numbers, regional=local, code=code, agency=agency.name)
    short = say_sms("emergency_first", language, numbers=numbers, code=code, agency_code=agency.code)
    return Reply(text, short=short, data={"code": code, "emergency": True})
