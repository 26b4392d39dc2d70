"""The entry scripts' old spellings, translated to `aduan` commands (run_bot.py, run_notifier.py and
manage.py are two-line shims over these and `main`).

    run_bot.py --console [--web] [--chat-id ID]   ->  aduan console [--web] [--chat-id ID]
    run_bot.py                                     ->  aduan telegram (the web app is `aduan web`)
    run_notifier.py [--once --check --now T]       ->  aduan notifier [--once --check --now T]
    manage.py ANYTHING                             ->  aduan ANYTHING
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.cli import main


def run_bot(argv: Sequence[str] | None = None) -> int:
    args = list(_arguments(argv))
    if "--console" in args:
        return main(["console", *(arg for arg in args if arg != "--console")])
    return main(["telegram", *args])


def run_notifier(argv: Sequence[str] | None = None) -> int:
    return main(["notifier", *_arguments(argv)])


def _arguments(argv: Sequence[str] | None) -> Sequence[str]:
    import sys

    return sys.argv[1:] if argv is None else argv
