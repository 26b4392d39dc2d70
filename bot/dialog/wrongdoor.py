"""No wrong door: a complaint for a body outside the local government (PLN, BPJS, police, Pertamina, Telkom)
is answered first with where to go, and that the report is kept and forwarded there anyway.

The body comes from the router (its top candidate is an external agency of config.yaml) and, when the citizen
named a narrower body inside it (Telkom inside "Kementerian/Lembaga Pusat"), from `understanding/external.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.dialog.messages import Reply
from bot.dialog.texts import say, say_sms
from bot.dialog.understanding import HERE, Vocabulary, read_vocabulary
from bot.routing import RoutingResult
from models.config import EXTERNAL_AGENCY_CODES, ConfigError, Settings, describe_error

BODIES = HERE / "external.yaml"


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


class _Bodies(BaseModel):
    bodies: dict[str, _Body] = {}


@dataclass(frozen=True)
class NamedBodies:
    bodies: dict[str, _Body]
    vocabulary: Vocabulary

    def named(self, text: str, agency_code: str) -> _Body | None:
        """The first body of `agency_code` the text names."""
        for meaning in self.vocabulary.meanings_in(text):
            body = self.bodies.get(meaning)
            if body is not None and body.agency == agency_code:
                return body
        return None


@lru_cache(maxsize=4)
def load_bodies(path: Path = BODIES) -> NamedBodies:
    try:
        vocabulary = read_vocabulary(path)
        bodies = _Bodies.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).bodies
    except ValueError as error:  # pydantic's ValidationError is one
        lines = ([describe_error(item) for item in error.errors()] if isinstance(error, ValidationError)
                 else [str(error)])
        raise ConfigError("\n".join(f"{path.name}: {line}" for line in lines)) from None
    for key, body in bodies.items():
        if body.agency not in EXTERNAL_AGENCY_CODES:
            raise ConfigError(f"{path.name}: bodies.{key}.agency: {body.agency!r} is not an external agency code")
        if key not in vocabulary.meanings:
            raise ConfigError(f"{path.name}: bodies.{key}: no phrases under 'meanings'")
    return NamedBodies(bodies, vocabulary)


def external_body(text: str, result: RoutingResult, settings: Settings) -> ExternalBody | None:
    """Where the citizen should go, when the router is sure the complaint belongs outside the local government."""
    if result.decision == "triage" or not result.candidates or result.confidential:
        return None
    top = result.candidates[0].agency
    if not settings.has_agency(top) or settings.agency(top).kind != "external":
        return None
    body = load_bodies().named(text, top)
    if body is not None:
        return ExternalBody(top, body.name, body.contact)
    agency = settings.agency(top)
    return ExternalBody(top, agency.name, agency.contact or "")


def first_reply(body: ExternalBody, language: str, then: Reply | None = None) -> Reply:
    """Where to go; with `then`, the location question follows in the same message (its SMS form too)."""
    values = {"agency": body.name, "contact": body.contact}
    told = Reply(say("external_first", language, **values), short=say_sms("external_first", language, **values))
    if then is None:
        return told
    return replace(then, text=f"{told.text}\n\n{then.text}",
                   short=say_sms("external_first_where", language, **values))
