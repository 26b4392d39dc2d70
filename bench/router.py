"""Router speed benchmark: a thin wrapper around the code behind `python -m bot.classifier bench`.

    python bench/router.py [--data PATH] [--table PATH] [--count N] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.classifier import main  # noqa: E402  (path set up above so the script runs from anywhere)

if __name__ == "__main__":
    raise SystemExit(main(["bench", *sys.argv[1:]]))
