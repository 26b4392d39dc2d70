"""Command line for the complaint router.

    python -m bot.classifier classify "TEXT" [--json]
    python -m bot.classifier evaluate PATH.csv [--json]
    python -m bot.classifier cross-validate PATH.csv [PATH.csv ...] [--folds 5] [--inspect 0,1,2] [--json]
    python -m bot.classifier calibrate PATH.csv [PATH.csv ...] [--output FILE]
    python -m bot.classifier learn [--database URL] [--write] [--json]
    python -m bot.classifier bench [--data PATH] [--json]
    python -m bot.classifier duplicates PAIRS.yaml [--threshold N] [--json]

Every command takes ``--table PATH`` (default: the table shipped in bot/routing/) and
``--config PATH`` (a config.yaml whose routing section and agencies' keywords are added).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.routing import DUPLICATE_THRESHOLD, RoutingTable, RoutingTableError, classify, load_table, text_similarity
from bot.routing.bench import bench
from bot.routing.builder import RegionRouting, region_from_settings
from bot.routing.calibration import KNOWN_FEATURES, save_calibration
from bot.routing.evaluation import (
    AskPolicy,
    cross_validate,
    decide_probability,
    evaluate,
    fit_calibration,
    fold_errors,
    read_labelled_csv,
    score_sets,
    threshold_figures,
)
from bot.routing.loader import CALIBRATION_FILE, SHIPPED_TABLE


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.config = _region_config(args)
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

    folds = commands.add_parser("cross-validate", help="held-out figures per fold (calibration fitted on the rest)")
    folds.add_argument("csv", type=Path, nargs="+")
    folds.add_argument("--folds", type=int, default=5)
    folds.add_argument("--inspect", default="", help="comma-separated folds whose wrong rows to print (for tuning)")
    folds.add_argument("--learn", action="store_true",
                       help="route each fold with the keywords `learn --from` proposes on the other folds")
    folds.add_argument("--learn-limit", type=int, default=200, help="most proposals per fold with --learn")
    folds.set_defaults(handler=_cross_validate)

    fit = commands.add_parser("calibrate", help="fit the confidence calibration on labelled CSVs and save it")
    fit.add_argument("csv", type=Path, nargs="+")
    fit.add_argument("--output", type=Path, default=None, help=f"default: {CALIBRATION_FILE} beside the table")
    fit.add_argument("--folds", type=int, default=5)
    fit.set_defaults(handler=_calibrate)

    learn = commands.add_parser("learn", help="propose keyword changes from officials' decisions")
    learn.add_argument("--database", default=None, help="database URL (default: DATABASE_URL)")
    learn.add_argument("--from", dest="labelled", type=Path, nargs="+", default=None, metavar="CSV",
                       help="learn from labelled CSV files (columns text, accept) instead of the database")
    learn.add_argument("--write", action="store_true", help="write the proposals into --config's routing section")
    learn.set_defaults(handler=_learn)

    speed = commands.add_parser("bench", help="messages per second vs the naive baseline")
    speed.add_argument("--data", type=Path, default=None, help="CSV of real texts (long-text figure)")
    speed.add_argument("--messages", type=Path, default=None, help="CSV of unseen chat messages to time")
    speed.add_argument("--known-words", type=Path, default=None, metavar="CSV",
                       help="CSV of other real texts whose words the router reads before each pass over --messages "
                            "(the real_known_words figure: word caches warm, verdict caches empty)")
    speed.add_argument("--count", type=int, default=20_000, help="generated chat messages")
    speed.add_argument("--profile", type=int, default=0, metavar="N",
                       help="instead of timing: profile the router on the unseen messages (or --messages) with "
                            "every cache empty and print the N costliest functions")
    speed.set_defaults(handler=_bench)

    pairs = commands.add_parser("duplicates", help="precision/recall of the duplicate detector")
    pairs.add_argument("pairs", type=Path)
    pairs.add_argument("--threshold", type=float, default=DUPLICATE_THRESHOLD)
    pairs.set_defaults(handler=_duplicates)

    for sub in (folds, fit):
        _policy_options(sub)
    for sub in (one, many, folds, fit, learn, speed, pairs):
        sub.add_argument("--table", type=Path, default=SHIPPED_TABLE, help="routing table to use")
        sub.add_argument("--config", type=Path, default=None,
                         help="config.yaml with the region's additions (default: the desk's own, ADUAN_CONFIG or "
                              "./config.yaml, when it exists)")
        sub.add_argument("--no-config", action="store_true", help="the shipped table alone, without a region")
        sub.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _policy_options(parser: argparse.ArgumentParser) -> None:
    """What the confidence model reads and what its ask thresholds are chosen for (AskPolicy)."""
    default = AskPolicy()
    parser.add_argument("--max-ask", type=float, default=default.max_ask_rate,
                        help="most citizens any labelled set may be asked (share)")
    parser.add_argument("--min-accuracy", type=float, default=default.min_accuracy,
                        help="least routed accuracy, where never asking reaches it")
    parser.add_argument("--max-accuracy-drop", type=float, default=default.max_accuracy_drop,
                        help="routed accuracy asking may cost on short (chat) messages")
    parser.add_argument("--long-words", type=int, default=default.long_words,
                        help="from this many words a message is a LAPOR!-style post with its own threshold (0: none)")
    parser.add_argument("--long-max-accuracy-drop", type=float, default=default.long_max_accuracy_drop,
                        help="routed accuracy asking may cost on long posts")
    parser.add_argument("--features", default=",".join(default.features),
                        help=f"comma-separated features of the confidence model, 'bias' first; known: "
                             f"{', '.join(KNOWN_FEATURES)}")


def _policy(args: argparse.Namespace) -> AskPolicy:
    names = tuple(name.strip() for name in args.features.split(",") if name.strip())
    unknown = [name for name in names if name not in KNOWN_FEATURES]
    if unknown or not names or names[0] != "bias":
        raise ValueError(f"--features: 'bias' first, then any of {', '.join(KNOWN_FEATURES)}; got {args.features}")
    return AskPolicy(args.max_ask, args.min_accuracy, args.max_accuracy_drop, args.long_words,
                     args.long_max_accuracy_drop, names)


def _region_config(args: argparse.Namespace) -> Path | None:
    """The config.yaml whose region the router runs with: the one given, else the desk's own (the
    router as deployed, with the region's places, slang and words), none with --no-config."""
    if args.no_config:
        return None
    if args.config is not None:
        return Path(args.config)
    from models.environment import Environment

    default = Environment.read().aduan_config
    return default if default.is_file() else None


def _table(args: argparse.Namespace) -> RoutingTable:
    return load_table(args.table, region=_region(args))


def _region(args: argparse.Namespace) -> RegionRouting:
    if args.config is None:
        return RegionRouting()
    from models.config import ConfigError, load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    return region_from_settings(settings)


def _classify(args: argparse.Namespace) -> int:
    result = classify(args.text, _table(args))
    if args.json:
        payload = result.to_dict() | {"normalized": result.normalized}
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print(f"decision: {result.decision}{'  (confidential)' if result.confidential else ''}"
          f"  confidence {result.confidence:.2f}")
    if result.subject:
        print(f"subject (the office accused): {result.subject}")
    print(f"normalised: {result.normalized}")
    for rank, candidate in enumerate(result.candidates, start=1):
        print(f"{rank}. {candidate.agency:<26} {candidate.score:7.2f}  {', '.join(candidate.keywords)}")
    if not result.candidates:
        print("no candidate: goes to the admin queue (triage)")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    report = evaluate(read_labelled_csv(args.csv), _table(args))
    report["config"] = str(args.config) if args.config else None
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_figures(report, ("n", "accuracy", "resolved_accuracy", "top3_accuracy", "coverage", "routed_accuracy",
                            "regional_accuracy", "external_accuracy", "triage_accuracy", "ask_rate", "triage_rate",
                            "per_second"))
    print("most frequent confusions (expected -> got):")
    for item in report["confusions"]:
        print(f"  {item['count']:3d}  {item['expected']} -> {item['got']}")
    return 0


def _cross_validate(args: argparse.Namespace) -> int:
    table = _table(args)
    sets = {path.stem: read_labelled_csv(path) for path in args.csv}
    learner = _fold_learner(args, table) if args.learn else None
    report = cross_validate(sets, table, args.folds, _policy(args), learner)
    inspect = {int(part) for part in args.inspect.split(",") if part.strip()}
    if inspect:
        report["errors"] = {name: fold_errors(rows, table, args.folds, inspect) for name, rows in sets.items()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for name, figures in report["overall"].items():
        print(f"{name:<24} " + "  ".join(f"{key} {value}" for key, value in figures.items()))
    for entry in report["per_fold"]:
        cells = "  ".join(f"{name}: {entry[name]['accuracy']:.3f}/{entry[name]['ask_rate']:.3f}" for name in sets)
        print(f"  fold {entry['fold']} (thresholds {entry['route_threshold']:.2f}, long "
              f"{entry['long_route_threshold']:.2f})  accuracy/ask  {cells}")
        if "learned_keywords" in entry:
            print(f"    {entry['learned_keywords']}")
    for name, rows in report.get("errors", {}).items():
        print(f"--- wrong rows of {name} in folds {sorted(inspect)} ({len(rows)})")
        for row in rows:
            print(f"{row['id']} [{row['accept']}] {row['decision']} {row['candidates']}\n    {row['text'][:300]}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    table = _table(args)
    scored = score_sets({path.stem: read_labelled_csv(path) for path in args.csv}, table, args.folds)
    policy = _policy(args)
    calibration = fit_calibration(scored, policy)
    output = args.output or args.table.with_name(CALIBRATION_FILE)
    # figures of the chosen threshold on rows the weights were fitted on (the folds' figures, with
    # weights fitted out of fold, come from cross-validate)
    lines = []
    for name, items in scored.items():
        probabilities = [(item, decide_probability(item, calibration)) for item in items]
        figures = threshold_figures(probabilities, calibration.route_threshold, calibration.long_words,
                                    calibration.long_route_threshold)
        lines.append(f"{name}: accuracy {figures['accuracy']:.3f}, resolved {figures['resolved_accuracy']:.3f}, "
                     f"ask {figures['ask_rate']:.3f}")
    note = (f"fitted on {sum(map(len, scored.values()))} labelled rows ({', '.join(scored)}); thresholds chosen by "
            f"{args.folds}-fold cross-validation, for messages under {policy.long_words} words and for longer posts "
            f"apart: most resolved with every set asked <= {policy.max_ask_rate}, routed accuracy at most "
            f"{policy.max_accuracy_drop} (long: {policy.long_max_accuracy_drop}) under never asking and >= "
            f"{policy.min_accuracy} where never asking reaches it\n# in sample: " + "; ".join(lines))
    save_calibration(calibration, output, note)
    print(json.dumps(calibration.to_data()) if args.json else f"wrote {output}: {calibration.to_data()}")
    return 0


def _learn(args: argparse.Namespace) -> int:
    from bot.routing.learn import examples_from_database, examples_from_rows, learn_command

    table = _table(args)
    if args.labelled:
        examples = examples_from_rows([row for path in args.labelled for row in read_labelled_csv(path)], table)
    else:
        from models.db import database_url
        from models.environment import Environment

        examples = examples_from_database(database_url(Environment.read(), args.database))
    return learn_command(table, examples, args.config, args.write, args.json, _rebuild(args))


def _rebuild(args: argparse.Namespace) -> Callable[[dict[str, dict[str, float]]], RoutingTable]:
    """The table with learned weights added as the region's own (``routing.keywords``)."""
    region = _region(args)

    def rebuild(weights: dict[str, dict[str, float]]) -> RoutingTable:
        merged = {code: {**region.keyword_weights.get(code, {}), **words} for code, words in weights.items()}
        return load_table(args.table, region=dataclasses.replace(region, keyword_weights={
            **region.keyword_weights, **merged}))

    return rebuild


def _fold_learner(args: argparse.Namespace, table: RoutingTable) -> Callable[[list[Any]], RoutingTable]:
    """For ``cross-validate --learn``: the table ``learn --from`` would make from a fold's training rows."""
    from bot.routing.learn import as_weights, examples_from_rows, propose

    rebuild = _rebuild(args)

    def learned(rows: list[Any]) -> RoutingTable:
        proposals = propose(examples_from_rows(rows, table), table, limit=args.learn_limit, rebuild=rebuild)
        made = rebuild(as_weights(proposals))
        made.source = f"{len(proposals)} learned: " + ", ".join(f"{p.agency}:{p.phrase}" for p in proposals)
        return made

    return learned


def _bench(args: argparse.Namespace) -> int:
    if args.profile:
        from bot.routing.bench import profile

        print(profile(args.table, args.count, args.messages, args.profile))
        return 0
    report = bench(args.table, args.data, count=args.count, messages_path=args.messages,
                   known_words_path=args.known_words)
    if args.json:
        print(json.dumps(report))
        return 0
    _print_figures(report, tuple(report))
    return 0


def _duplicates(args: argparse.Namespace) -> int:
    report = duplicate_report(_read_pairs(args.pairs), _table(args), args.threshold)
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
