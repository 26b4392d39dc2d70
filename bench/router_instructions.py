"""Instructions per cold message, counted by valgrind (callgrind): a figure the machine's load does
not move, for comparing two states of the router's code on a shared machine.

    python bench/router_instructions.py [--count 20000]
    python bench/router_instructions.py --messages /work/shared/data/chat_dev.csv [--passes 10]

Runs this script twice under ``valgrind --tool=callgrind`` with ``PYTHONHASHSEED=0``: once only
loading the table and preparing the messages, once also routing them; the difference divided by
the messages routed is the router's cost per message. Without ``--messages`` the messages are
``count`` generated unseen ones (``bench.unseen_messages``) on a table whose caches start empty
and fill as they flow (the bench's ``unseen`` figure); with ``--messages`` (a CSV of real texts)
each of ``passes`` passes over the texts starts with every cache empty (the bench's ``real``
figure). Needs valgrind on PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _route(count: int, messages_path: str | None, passes: int, route: bool) -> None:
    from bot.routing import classify, load_table
    from bot.routing.bench import synthetic_messages, unseen_messages
    from bot.routing.evaluation import read_labelled_csv

    table = load_table()
    warm_up = table.with_empty_caches()
    for message in synthetic_messages(2_000):
        classify(message, warm_up)
    if messages_path is None:
        messages = unseen_messages(table, count)
        passes = 1
    else:
        messages = [row.text for row in read_labelled_csv(Path(messages_path))]
    if not route:
        return
    for _ in range(passes):
        cold = table.with_empty_caches()  # each pass starts cold again
        for message in messages:
            classify(message, cold)


def _instructions(arguments: list[str], route: bool) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         *arguments, "--under-valgrind", "route" if route else "load"],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="generated unseen messages")
    parser.add_argument("--messages", default=None, help="CSV of real texts, every pass cold (instead of --count)")
    parser.add_argument("--passes", type=int, default=10, help="passes over --messages")
    parser.add_argument("--under-valgrind", choices=("load", "route"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.under_valgrind is not None:
        _route(args.count, args.messages, args.passes, args.under_valgrind == "route")
        return
    arguments = ["--count", str(args.count), "--passes", str(args.passes)]
    if args.messages is not None:
        arguments += ["--messages", args.messages]
    difference = _instructions(arguments, route=True) - _instructions(arguments, route=False)
    if args.messages is None:
        routed = args.count
        print(f"{difference // routed} instructions per cold unseen message ({routed} messages)")
    else:
        from bot.routing.evaluation import read_labelled_csv

        texts = len(read_labelled_csv(Path(args.messages)))
        routed = texts * args.passes
        print(f"{difference // routed} instructions per real message, every cache empty at each pass "
              f"({Path(args.messages).name}: {texts} texts x {args.passes} passes)")


if __name__ == "__main__":
    main()
