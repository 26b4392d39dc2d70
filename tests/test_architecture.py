"""The rooms of docs/ARCHITECTURE.md and their one-way flow, as import-linter contracts over the real
import graph (pyproject.toml, [tool.importlinter]): models imports nothing above it, the wings do not
import each other, web imports from the wings only their blueprints, the notifier no wing and not web,
the command line sits on top, and no package's modules import each other in a circle."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def test_every_layer_rule_of_the_architecture_is_a_contract() -> None:
    by_type: dict[str, list[dict[str, object]]] = {}
    for contract in contracts():
        by_type.setdefault(str(contract["type"]), []).append(contract)
    [layers] = by_type["layers"]
    assert layers["layers"][0] == "bot.cli" and layers["layers"][-1] == "models"  # type: ignore[index]
    forbidden = {tuple(c["source_modules"]): set(c["forbidden_modules"]) for c in by_type["forbidden"]}  # type: ignore[arg-type]
    assert {"bot", "notifier", "web"} <= forbidden[("models",)]
    assert {"bot.whatsapp", "bot.telegram", "web"} <= forbidden[("notifier",)]
    assert {"bot.whatsapp", "bot.telegram", "notifier"} <= forbidden[("web",)]
    [independent] = by_type["independence"]
    assert set(independent["modules"]) == {"bot.whatsapp", "bot.telegram", "bot.console"}  # type: ignore[arg-type]
    [acyclic] = by_type["acyclic_siblings"]
    assert set(acyclic["ancestors"]) == {"models", "bot", "notifier", "web"}  # type: ignore[arg-type]


def test_the_code_keeps_every_contract() -> None:
    result = subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " broken" in result.stdout and "0 broken" in result.stdout
