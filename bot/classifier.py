"""Command line for the complaint router.

    python -m bot.classifier classify "TEXT" [--table PATH] [--json]
    python -m bot.classifier evaluate PATH.csv [--table PATH] [--json]
    python -m bot.classifier bench [--data PATH] [--table PATH] [--json]
    python -m bot.classifier duplicates PAIRS.yaml [--table PATH] [--threshold N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.routing import DUPLICATE_THRESHOLD, RoutingTableError, classify, load_table, text_similarity
from bot.routing.evaluation import bench, evaluate, read_labelled_csv

DEFAULT_TABLE = Path(__file__).resolve().parents[1] / "routing.yaml"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except RoutingTableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.classifier", description="Complaint router")
    commands = parser.add_subparsers(dest="command", required=True)

    one = commands.add_parser("classify", help="route one text")
    one.add_argument("text")
    one.set_defaults(handler=_classify)

    many = commands.add_parser("evaluate", help="accuracy on a CSV with columns text, accept")
    many.add_argument("csv", type=Path)
    many.set_defaults(handler=_evaluate)

    speed = commands.add_parser("bench", help="messages per second vs the naive baseline")
    speed.add_argument("--data", type=Path, default=None, help="CSV of real texts (long-text figure)")
    speed.add_argument("--count", type=int, default=20_000, help="synthetic chat messages")
    speed.set_defaults(handler=_bench)

    pairs = commands.add_parser("duplicates", help="precision/recall of the duplicate detector")
    pairs.add_argument("pairs", type=Path)
    pairs.add_argument("--threshold", type=float, default=DUPLICATE_THRESHOLD)
    pairs.set_defaults(handler=_duplicates)

    for sub in (one, many, speed, pairs):
        sub.add_argument("--table", type=Path, default=DEFAULT_TABLE, help="routing.yaml to use")
        sub.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _classify(args: argparse.Namespace) -> int:
    table = load_table(args.table)
    result = classify(args.text, table)
    if args.json:
        payload = result.to_dict() | {"normalized": result.normalized}
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print(f"decision: {result.decision}{'  (confidential)' if result.confidential else ''}")
    print(f"normalised: {result.normalized}")
    for rank, candidate in enumerate(result.candidates, start=1):
        print(f"{rank}. {candidate.agency:<26} {candidate.score:7.2f}  {', '.join(candidate.keywords)}")
    if not result.candidates:
        print("no candidate: goes to the admin queue (triage)")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    table = load_table(args.table)
    report = evaluate(read_labelled_csv(args.csv), table)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_figures(report, ("n", "accuracy", "top3_accuracy", "coverage", "routed_accuracy",
                            "regional_accuracy", "external_accuracy", "ask_rate", "triage_rate",
                            "per_second"))
    print("most frequent confusions (expected -> got):")
    for item in report["confusions"]:
        print(f"  {item['count']:3d}  {item['expected']} -> {item['got']}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    report = bench(args.table, args.data, count=args.count)
    if args.json:
        print(json.dumps(report))
        return 0
    _print_figures(report, tuple(report))
    print("router figures use a table built in this run: 'cold' starts with empty per-word caches")
    print("that fill during the timed pass; 'warm' repeats the same messages.")
    return 0


def _duplicates(args: argparse.Namespace) -> int:
    table = load_table(args.table)
    report = duplicate_report(_read_pairs(args.pairs), table, args.threshold)
    if args.json:
        print(json.dumps(report))
        return 0
    _print_figures(report, ("pairs", "threshold", "precision", "recall", "true_positive",
                            "false_positive", "false_negative"))
    for miss in report["mistakes"]:
        print(f"  {miss['kind']:<15} {miss['score']:6.1f}  {miss['a']!r} / {miss['b']!r}")
    return 0


def _read_pairs(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = data.get("pairs") if isinstance(data, dict) else None
    if not isinstance(pairs, list):
        raise ValueError(f"{path}: expected a mapping with a 'pairs' list")
    for position, pair in enumerate(pairs):
        if not (isinstance(pair, dict) and isinstance(pair.get("a"), str) and isinstance(pair.get("b"), str)
                and isinstance(pair.get("same"), bool)):
            raise ValueError(f"{path}: pairs[{position}] needs text 'a', text 'b' and true/false 'same'")
    return pairs


def duplicate_report(pairs: list[dict[str, Any]], table: Any, threshold: float) -> dict[str, Any]:
    true_positive = false_positive = false_negative = 0
    mistakes = []
    for pair in pairs:
        score = text_similarity(pair["a"], pair["b"], table)
        predicted = score >= threshold
        if predicted and pair["same"]:
            true_positive += 1
        elif predicted:
            false_positive += 1
            mistakes.append({"kind": "false positive", "score": score, "a": pair["a"], "b": pair["b"]})
        elif pair["same"]:
            false_negative += 1
            mistakes.append({"kind": "false negative", "score": score, "a": pair["a"], "b": pair["b"]})
    flagged = true_positive + false_positive
    actual = true_positive + false_negative
    return {
        "pairs": len(pairs),
        "threshold": threshold,
        "precision": round(true_positive / flagged, 4) if flagged else 0.0,
        "recall": round(true_positive / actual, 4) if actual else 0.0,
        "true_positive": true_positive,
        "false_positive": false_positive,
        "false_negative": false_negative,
        "mistakes": mistakes,
    }


def _print_figures(report: dict[str, Any], keys: Sequence[str]) -> None:
    for key in keys:
        print(f"{key:<28} {report[key]}")


if __name__ == "__main__":
    raise SystemExit(main())
