"""The shape of routing.yaml, validated with pydantic like config.yaml.

Every problem is reported with its key path, in the same form as config.yaml's errors, e.g.
``routing.yaml: agencies.PUPR.keywords['jalan rusak']: weight must be a positive number, got 'x'``.
Only the shape and the values are checked here; ``builder.py`` turns a valid file into a table.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from bot.routing import text as tx
from models.config import ALL_AGENCY_CODES, describe_error


class RoutingTableError(ValueError):
    """A routing table that cannot be used; the message names the file, key path and problem."""


def words_of(phrase: str) -> tuple[str, ...]:
    """A phrase's words as messages are split (no slang, no typo handling)."""
    return tuple(piece for chunk in tx.chunks(tx.clean(phrase)) for piece in tx.split_chunk(chunk))


def _weight(value: object) -> float:
    if not _is_number(value) or not value > 0:  # type: ignore[operator]
        raise ValueError(f"weight must be a positive number, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _factor(value: object) -> float:
    if not _is_number(value) or value < 0:  # type: ignore[operator]
        raise ValueError(f"must be a number >= 0, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _share(value: object) -> float:
    if not _is_number(value) or not 0 < value <= 1:  # type: ignore[operator]
        raise ValueError(f"must be a share between 0 and 1, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _code(value: object) -> str:
    if not isinstance(value, str) or value not in ALL_AGENCY_CODES:
        raise ValueError(f"unknown agency code {value!r}")
    return value


def _phrase(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty text, got {value!r}")
    if not words_of(value):
        raise ValueError(f"{value!r} contains no letters or digits")
    return value


def _word(value: object) -> str:
    if not isinstance(value, str) or len(words_of(value)) != 1:
        raise ValueError(f"must be a single word, got {value!r}")
    return words_of(value)[0]


Weight = Annotated[float, BeforeValidator(_weight)]
Factor = Annotated[float, BeforeValidator(_factor)]
Share = Annotated[float, BeforeValidator(_share)]
Code = Annotated[str, BeforeValidator(_code)]
Phrase = Annotated[str, BeforeValidator(_phrase)]
Word = Annotated[str, BeforeValidator(_word)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SettingsModel(_Strict):
    """Tunable numbers of the router; the defaults are the shipped values' fallbacks."""

    fuzzy_min_length: StrictInt = Field(default=5, ge=3)  # shorter words only match exactly
    fuzzy_long_length: StrictInt = Field(default=10, ge=4)  # from this length two typos are tolerated
    max_gap: StrictInt = Field(default=2, ge=0)  # words allowed between the words of a phrase
    lead_words: StrictInt = Field(default=15, ge=0)  # the opening words (the subject of a report) ...
    lead_bonus: Factor = 0.5  # ... count this much extra
    repeat_bonus: Factor = 0.25  # each further mention of a keyword adds this share (at most 2)
    landmark_factor: Factor = 0.3  # weight of a keyword only seen after a place preposition
    address_factor: Factor = 0.0  # weight of a keyword only seen inside an address
    min_score: Factor = 2.0  # below this nothing is credible -> triage
    route_ratio: Factor = 1.3  # without calibration: top must beat the runner-up by this factor ...
    route_margin: Factor = 2.0  # ... or by this many points, else ask


class AgencyModel(_Strict):
    keywords: dict[Phrase, Weight] = {}


class SharedModel(_Strict):
    owner: Code
    others: dict[Code, Share] = {}
    keywords: dict[Phrase, Weight] = {}


class RuleModel(_Strict):
    name: Annotated[str, Field(min_length=1)]
    # Which agency duty the rule encodes, in one sentence an agency would sign.
    duty: Annotated[str, Field(min_length=10)]
    all: list[Phrase] = Field(default_factory=list)
    any: list[Phrase] = Field(default_factory=list)
    also: list[Phrase] = Field(default_factory=list)
    none: list[Phrase] = Field(default_factory=list)
    add: dict[Code, Weight] = {}  # points added to the agency's score
    multiply: dict[Code, Factor] = {}  # the agency's score is scaled (0 removes it)
    # the agency leads: its score becomes at least this factor times the best other score
    lead: dict[Code, Annotated[float, Field(ge=1.0)]] = {}
    dismiss: bool = False  # not a complaint at all: the admin queue (triage) decides

    @model_validator(mode="after")
    def _acts_on_something(self) -> RuleModel:
        if not self.all and not self.any:
            raise ValueError("needs at least one phrase under 'all' or 'any'")
        if not (self.add or self.multiply or self.lead or self.dismiss):
            raise ValueError("needs 'add', 'multiply', 'lead' or 'dismiss'")
        return self


class AddressModel(_Strict):
    """Words that open an address span ("jl. pemuda", "desa karang indah", "rt 03") and how many
    words after them belong to the place's name."""

    markers: dict[Word, StrictInt] = {}
    # Words that end a span early: what follows them is the complaint again ("di jl x yang rusak").
    stop: list[Word] = Field(default_factory=list)
    # Prepositions that, like the landmarks, open a place said in passing ("jalan di handil bakti
    # rusak"): a keyword phrase may reach over it.
    prepositions: list[Word] = Field(default_factory=list)
    # Kinds of place that, right after a preposition, say where it happened, not what ("anak mengemis
    # di lampu merah" is about begging children, not the traffic light).
    place_nouns: list[Phrase] = Field(default_factory=list)
    # "jalan ke sekolah rusak": after a route word and one of ``towards``, a keyword is the route's
    # destination (a landmark), not the problem.
    routes: list[Word] = Field(default_factory=list)
    towards: list[Word] = Field(default_factory=list)
    # Words after which a marker names a government, not a place: "mohon pemerintah kabupaten awasi
    # pilkades" asks the regency; "awasi pilkades" is no regency's name.
    authorities: list[Word] = Field(default_factory=list)


class RoutingFile(_Strict):
    version: StrictInt = 1
    settings: SettingsModel = SettingsModel()
    slang: dict[Word, Phrase] = {}
    # put indoNLP's colloquial-Indonesian table (PyPI) under ``slang`` (see bot/routing/lexicon.py)
    package_slang: StrictBool = False
    stopwords: list[Word] = Field(default_factory=list)
    # Real words the dictionary lacks (acronyms, regional words) that must never be "corrected".
    known_words: list[Word] = Field(default_factory=list)
    landmarks: list[Word] = Field(default_factory=list)
    # Words a citizen uses to address an office ("mohon DLH pangkas", "kepada Dinas PU"): an office's
    # decisive keyword right after one counts as if it stood in the opening words.
    addressing: list[Word] = Field(default_factory=list)
    address: AddressModel = AddressModel()
    neutral: list[Phrase] = Field(default_factory=list)
    agencies: dict[Code, AgencyModel]
    shared: dict[str, SharedModel] = {}
    rules: list[RuleModel] = Field(default_factory=list)


def validate_file(raw: Any, name: str) -> RoutingFile:
    if not isinstance(raw, dict):
        raise RoutingTableError(f"{name}: the top level must be a mapping, got {type(raw).__name__}")
    try:
        return RoutingFile.model_validate(raw)
    except ValidationError as error:
        lines = [f"{name}: {describe_error(item)}" for item in error.errors()]
        raise RoutingTableError("\n".join(lines)) from None
