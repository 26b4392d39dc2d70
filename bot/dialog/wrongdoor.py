"""No wrong door: a complaint for a body outside the local government (PLN, BPJS, police, Pertamina, Telkom)
is answered first with where to go, and that the report is kept and forwarded there anyway.

The body comes from the router (its top candidate is an external agency of config.yaml) and, when the citizen
named a narrower body inside it (Telkom inside "Kementerian/Lembaga Pusat"), from `understanding/external.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.dialog.emergencies import normalized
from bot.dialog.messages import Reply
from bot.dialog.texts import say, say_sms
from bot.routing import RoutingResult
from models.config import EXTERNAL_AGENCY_CODES, ConfigError, Settings, describe_error

BODIES = Path(__file__).with_name("understanding") / "external.yaml"


@dataclass(frozen=True)
class ExternalBody:
    agency_code: str  # the config agency the report is forwarded to
    name: str
    contact: str


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    agency: str
    name: str
    contact: str
    words: tuple[str, ...]

    def named_in(self, padded: str) -> bool:
        return any(f" {normalized(word)} " in padded for word in self.words)


class _Bodies(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    bodies: tuple[_Body, ...] = ()


@lru_cache(maxsize=4)
def load_bodies(path: Path = BODIES) -> tuple[_Body, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        bodies = _Bodies.model_validate(raw).bodies
    except ValidationError as error:
        raise ConfigError("\n".join(f"{path.name}: {describe_error(item)}" for item in error.errors())) from None
    for index, body in enumerate(bodies):
        if body.agency not in EXTERNAL_AGENCY_CODES:
            raise ConfigError(f"{path.name}: bodies[{index}].agency: {body.agency!r} is not an external agency code")
    return bodies


def external_body(text: str, result: RoutingResult, settings: Settings) -> ExternalBody | None:
    """Where the citizen should go, when the router is sure the complaint belongs outside the local government."""
    if result.decision == "triage" or not result.candidates or result.confidential:
        return None
    top = result.candidates[0].agency
    if not settings.has_agency(top) or settings.agency(top).kind != "external":
        return None
    padded = f" {normalized(text)} "
    for body in load_bodies():
        if body.agency == top and body.named_in(padded):
            return ExternalBody(top, body.name, body.contact)
    agency = settings.agency(top)
    return ExternalBody(top, agency.name, agency.contact or "")


def first_reply(body: ExternalBody, language: str) -> Reply:
    values = {"agency": body.name, "contact": body.contact}
    return Reply(say("external_first", language, **values), short=say_sms("external_first", language, **values))
