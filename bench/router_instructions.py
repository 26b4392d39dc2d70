"""Instructions per cold unseen message, counted by valgrind (callgrind): a figure the machine's load
does not move, for comparing two states of the router's code on a shared machine.

    python bench/router_instructions.py [--count 20000]

Runs this script twice under ``valgrind --tool=callgrind`` with ``PYTHONHASHSEED=0``: once only
loading the table and generating the messages, once also routing them on a table whose caches are
empty; the difference divided by the count is the router's cost per message. Needs valgrind on PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _route(count: int, passes: int) -> None:
    from bot.routing import classify, load_table
    from bot.routing.bench import synthetic_messages, unseen_messages

    table = load_table()
    warm_up = table.with_empty_caches()
    for message in synthetic_messages(2_000):
        classify(message, warm_up)
    messages = unseen_messages(table, count)
    for _ in range(passes):
        cold = table.with_empty_caches()
        for message in messages:
            classify(message, cold)


def _instructions(count: int, passes: int) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         "--count", str(count), "--passes", str(passes)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--passes", type=int, default=None, help=argparse.SUPPRESS)  # the runs under valgrind
    args = parser.parse_args()
    if args.passes is not None:
        _route(args.count, args.passes)
        return
    per_message = (_instructions(args.count, 1) - _instructions(args.count, 0)) // args.count
    print(f"{per_message} instructions per cold unseen message ({args.count} messages)")


if __name__ == "__main__":
    main()
