"""Is somebody in danger now? Emergency kinds recognised from `understanding/emergency.yaml`.

The words are data (Indonesian, slang, Banjar, Javanese); this module only loads and matches them. A kind
matches when one of its phrases is in the message, together with a phrase of each sign group it needs, and
no negative phrase ("bekas kebakaran tahun lalu", "rawan banjir") says it is about the past or a risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.dialog.understanding import HERE, Vocabulary, read_vocabulary
from models.config import EMERGENCY_KINDS, ConfigError

VOCABULARY = HERE / "emergency.yaml"


@dataclass(frozen=True)
class EmergencyRules:
    """Each meaning of the vocabulary on its own (a word may be a sign of two things), and how they combine."""

    meanings: dict[str, Vocabulary]
    kinds: tuple[str, ...]
    needs: dict[str, tuple[str, ...]]
    negative: str

    def kind_of(self, text: str) -> str | None:
        """The emergency kind `text` describes, or None; the first kind in the file's order wins."""
        if self._says(self.negative, text):
            return None
        for kind in self.kinds:
            if self._says(kind, text) and all(self._says(sign, text) for sign in self.needs.get(kind, ())):
                return kind
        return None

    def _says(self, meaning: str, text: str) -> bool:
        return bool(self.meanings[meaning].matches(text))


@cache
def load_rules(path: Path = VOCABULARY) -> EmergencyRules:
    """Read and check the vocabulary and its rules; a mistake names the key at fault."""
    try:
        vocabulary = read_vocabulary(path)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    meanings = {meaning: Vocabulary(meaning, [p for p in vocabulary.phrases if p.meaning == meaning])
                for meaning in vocabulary.meanings}
    kinds = tuple(str(kind) for kind in raw.get("kinds", ()))
    needs = {str(kind): tuple(str(sign) for sign in signs) for kind, signs in (raw.get("needs") or {}).items()}
    negative = str(raw.get("negative", ""))
    for problem in _problems(path.name, meanings, kinds, needs, negative):
        raise ConfigError(problem)
    return EmergencyRules(meanings, kinds, needs, negative)


def _problems(name: str, meanings: dict[str, Vocabulary], kinds: tuple[str, ...], needs: dict[str, tuple[str, ...]],
              negative: str) -> list[str]:
    problems = [f"{name}: kinds[{index}]: {kind!r} is not one of {', '.join(EMERGENCY_KINDS)}"
                for index, kind in enumerate(kinds) if kind not in EMERGENCY_KINDS]
    problems += [f"{name}: kinds[{index}]: {kind!r} has no phrases under 'meanings'"
                 for index, kind in enumerate(kinds) if kind not in meanings]
    for kind, signs in needs.items():
        problems += [f"{name}: needs.{kind}[{index}]: {sign!r} is not a meaning" for index, sign in enumerate(signs)
                     if sign not in meanings]
    if negative not in meanings:
        problems.append(f"{name}: negative: {negative!r} is not a meaning")
    return problems


def emergency_kind(text: str) -> str | None:
    return load_rules().kind_of(text)

