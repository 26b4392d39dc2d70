#!/usr/bin/env python3
"""Run every benchmark and write docs/PERFORMANCE.md.

    .venv/bin/python bench/run_all.py [--data ../shared/data/lapor2017_dev.csv] [--quick] [--out docs/PERFORMANCE.md]

Each benchmark runs as its own subprocess with --json, so one that fails or hangs (each has a time
limit) shows as "failed: <reason>" in the table and the others still run. The machine is shared, so
every figure is put next to a baseline measured in the same run (the naive router, the bare /livez
endpoint, the provider's rate limit, the same work in a small table, a bare interpreter) and judged
by the ratio. --quick shrinks the sizes (100,000 instead of 1,000,000 complaints, shorter levels) for
a smoke run of a few minutes; the full run takes about a quarter of an hour. Each benchmark's stderr
and JSON are kept in a temporary directory printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support import postgres_admin_url, server_version  # noqa: E402

WEBHOOK_P99_TARGET_MS = 50.0
WEBHOOK_RATE_TARGET = 400.0
WEB_WORKERS = 2
ESCALATION_MS_TARGET = 0.2


@dataclass
class Step:
    """One benchmark subprocess: its name, arguments (after the interpreter) and time limit."""

    name: str
    arguments: list[str]
    timeout: float
    skipped: str | None = None


@dataclass
class Outcome:
    step: Step
    data: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0
    exit_code: int | None = None
    # 1-minute load average when the benchmark started and when it ended: the machine is shared.
    load: tuple[float, float] = (0.0, 0.0)


@dataclass
class Row:
    benchmark: str
    figure: str
    baseline: str
    ratio: str
    target: str
    command: str
    load: str = ""


@dataclass
class Run:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)


# --- the steps ----------------------------------------------------------------------------------


def plan(data: Path | None, quick: bool) -> list[Step]:
    """The benchmarks in running order, with the quick sizes when asked."""
    data_args = ["--data", str(data)] if data else []

    def sized(full: list[str], small: list[str]) -> list[str]:
        return small if quick else full

    # the router's real-text row and its folds also read the chat dev set next to the LAPOR! one
    chat = data.with_name("chat_dev.csv") if data else None
    chat_args = ["--messages", str(chat)] if chat and chat.is_file() else []
    fold_sets = [str(data), *([str(chat)] if chat_args else [])] if data else []
    return [
        Step("router", ["bench/router.py", *data_args, *chat_args, "--json", *sized([], ["--count", "5000"])], 300),
        Step("router_accuracy", ["-m", "bot.classifier", "cross-validate", *fold_sets, "--json"] if data else [],
             240, skipped=None if data else "no data"),
        Step("webhook", ["bench/webhook.py", "--json", *sized([], ["--seconds", "1", "--levels", "4,16"])], 420),
        Step("dispatch", ["bench/dispatch.py", "--json",
                          *sized([], ["--messages", "600", "--recipients", "300"])], 400),
        Step("relay", ["bench/relay.py", "--json", *sized([], ["--complaints", "20"])], 240),
        Step("dispatch_telegram_latency", ["bench/dispatch.py", "--json", "--provider", "telegram", "--latency-ms",
                                           "300", *sized(["--messages", "900"], ["--messages", "300"])], 400),
        Step("dispatch_whatsapp_latency", ["bench/dispatch.py", "--json", "--provider", "whatsapp", "--latency-ms",
                                           "300", *sized(["--messages", "2400"], ["--messages", "800"])], 400),
        Step("relay_backlog", ["bench/relay.py", "--json", "--latency-ms", "300", "--backlog", "1000",
                               "--complaints", "30"], 300),
        Step("webhook_wrk", ["bench/webhook_wrk.py", "--json", *sized([], ["--seconds", "3"])], 900),
        Step("escalation", ["bench/escalation.py", "--json",
                            *sized([], ["--due", "1000", "--large", "100000"])], 1500),
        Step("digest", ["bench/digest.py", "--json", *sized([], ["--large", "100000"])], 1200),
        Step("memory", ["bench/memory.py", "--json", *data_args, *sized([], ["--notifications", "400"])], 420),
        Step("startup", ["bench/startup.py", "--json", *sized([], ["--runs", "5"])], 300),
    ]


def run_step(step: Step, logs: Path) -> Outcome:
    """Run one benchmark; its last stdout line must be its JSON object."""
    if step.skipped:
        return Outcome(step, error=f"skipped: {step.skipped}")
    started = time.monotonic()
    stderr_path = logs / f"{step.name}.stderr.txt"
    try:
        with stderr_path.open("wb") as stderr:
            finished = subprocess.run([sys.executable, *step.arguments], cwd=ROOT, stdout=subprocess.PIPE,
                                      stderr=stderr, timeout=step.timeout, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(step, error=f"failed: no result within {step.timeout:.0f} s",
                       seconds=time.monotonic() - started)
    outcome = Outcome(step, seconds=time.monotonic() - started, exit_code=finished.returncode)
    (logs / f"{step.name}.json").write_bytes(finished.stdout)
    try:
        outcome.data = json.loads(finished.stdout.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        outcome.error = f"failed: {last_line(stderr_path) or f'exit {finished.returncode}, no JSON'}"
    return outcome


def last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


# --- formatting ---------------------------------------------------------------------------------


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def times(value: float) -> str:
    return f"{value:,.1f}×" if value >= 10 else f"{value:.2f}×"


def verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def shown_command(step: Step) -> str:
    interpreter = Path(sys.executable)
    shown = os.path.relpath(interpreter, ROOT) if interpreter.is_relative_to(ROOT) else "python"
    return "`" + " ".join([shown, *(relative(argument) for argument in step.arguments)]) + "`"


def relative(argument: str) -> str:
    """Paths under or next to the project are shown relative to it, as one would type them there."""
    if not argument.startswith("/"):
        return argument
    return os.path.relpath(argument, ROOT)


# --- rows per benchmark -------------------------------------------------------------------------


ROUTER_SPEED_TARGET = "≥ 20,000 msg/s and ≥ 50× naive"


def router_rows(data: dict[str, Any], command: str) -> list[Row]:
    """Unseen generated traffic (caches fill as it flows) and real texts (every cache empty at each
    pass) carry the issue's target; the repeated templates are for comparison with earlier rounds."""
    rows = []
    for key, label in (("unseen", f"{number(data['unseen_messages'])} unseen generated chat messages, caches "
                                  "empty at start"),
                       ("real", f"{number(data.get('real_messages', 0))} real chat texts "
                                f"({data.get('real_source', '')}), every cache empty at each pass")):
        if f"{key}_router_per_second" not in data:
            continue
        rate, ratio = data[f"{key}_router_per_second"], data[f"{key}_speedup"]
        met = rate >= 20_000 and ratio >= 50
        rows.append(Row(f"Router, {label}", f"{number(rate)} msg/s",
                        f"naive fuzzy match: {number(data[f'{key}_baseline_per_second'])} msg/s", times(ratio),
                        f"{ROUTER_SPEED_TARGET}: {verdict(met)}", command))
    rows.append(Row(f"Router, {number(data['template_messages'])} repeated template messages, warm caches",
                    f"{number(data['router_warm_per_second'])} msg/s",
                    f"naive: {number(data['template_baseline_per_second'])} msg/s", times(data["speedup_warm"]),
                    "— (flatters the caches, for comparison)", command))
    if "long_router_cold_per_second" in data:
        ratio = data["long_router_cold_per_second"] / data["long_baseline_per_second"]
        rows.append(Row(f"Router, {data['long_texts']} dev-set texts ({number(data['long_mean_chars'])} chars)",
                        f"{number(data['long_router_cold_per_second'])} msg/s",
                        f"naive: {number(data['long_baseline_per_second'])} msg/s", times(ratio),
                        "— (long texts, for information)", command))
    return rows


# Issue 18's targets (for the hidden sets; here measured on the dev sets' held-out folds)
LAPOR_TARGET = "accuracy ≥ 0.86, resolved ≥ 0.90, ask ≤ 0.12"
CHAT_TARGET = "accuracy ≥ 0.90"


def accuracy_rows(data: dict[str, Any], command: str) -> list[Row]:
    rows = []
    for name, figures in data["overall"].items():
        chat = "chat" in name
        met = figures["accuracy"] >= 0.90 if chat else (
            figures["accuracy"] >= 0.86 and figures["resolved_accuracy"] >= 0.90 and figures["ask_rate"] <= 0.12)
        figure = (f"accuracy {figures['accuracy']:.3f}, resolved {figures['resolved_accuracy']:.3f}, "
                  f"ask {figures['ask_rate'] * 100:.1f} %, top-3 {figures['top3_accuracy']:.3f} (n={figures['n']})")
        rows.append(Row(f"Router accuracy, {name} ({data['folds']} held-out folds)", figure, "—", "—",
                        f"{CHAT_TARGET if chat else LAPOR_TARGET}: {verdict(met)}", command))
    return rows


def webhook_rows(data: dict[str, Any], command: str) -> list[Row]:
    rows = []
    for backend, result in data["backends"].items():
        name = f"Webhook, signed WhatsApp inbound, {backend_label(backend)}, gunicorn -w {WEB_WORKERS}"
        if "skipped" in result:
            rows.append(Row(name, f"skipped: {result['skipped']}", "", "", "", command))
            continue
        level = webhook_headline(result)
        met = level["per_second"] >= WEBHOOK_RATE_TARGET and level["p99_ms"] <= WEBHOOK_P99_TARGET_MS
        bare = result["best_bare"]["per_second"]
        rows.append(Row(name, f"{number(level['per_second'])} req/s, p50 {level['p50_ms']:.1f} ms, p99 "
                        f"{level['p99_ms']:.1f} ms (concurrency {level['concurrency']})",
                        f"bare `/livez`: {number(bare)} req/s", times(level["per_second"] / bare),
                        f"≥ {number(WEBHOOK_RATE_TARGET)} req/s with p99 ≤ {WEBHOOK_P99_TARGET_MS:.0f} ms "
                        f"(docs/WHATSAPP.md): {verdict(met)}", command))
    return rows


def webhook_headline(result: dict[str, Any]) -> dict[str, Any]:
    """The fastest level within the latency target, else the fastest level at all."""
    levels = [level for level in result["levels"] if level["endpoint"] == "webhook"]
    within = [level for level in levels if level["p99_ms"] <= WEBHOOK_P99_TARGET_MS]
    return max(within or levels, key=lambda level: level["per_second"])


def dispatch_rows(data: dict[str, Any], command: str) -> list[Row]:
    met = data["share_of_limit"] >= 0.9 and data["too_many_requests"] == 0
    provider = {"telegram": "Telegram", "whatsapp": "WhatsApp (one Twilio sender)"}[data.get("provider", "telegram")]
    latency = data.get("latency_ms") or 0
    answer = f", provider answers in {latency:.0f} ms" if latency else ""
    in_flight = f", {data['in_flight']} in flight" if latency and "in_flight" in data else ""
    return [Row(f"Dispatch, {number(data['messages'])} {provider} messages to {number(data['recipients'])} chats"
                f"{answer}",
                f"{data['per_second']:.1f} msg/s, {data['too_many_requests']} × HTTP 429{in_flight}",
                f"provider limit: {data['limit_per_second']}/s (enforced by the fake provider)",
                f"{data['share_of_limit']:.3f}", f"≥ 0.9 of the limit, no 429: {verdict(met)}", command)]


def relay_rows(data: dict[str, Any], command: str) -> list[Row]:
    backlog = data.get("backlog_per_channel") or 0
    target = 1.0 if backlog else 5.0
    met = data["p95_seconds"] <= target and data["handed_over"] == data["complaints"]
    busy = (f", {number(backlog)} digests queued per channel (Telegram, WhatsApp), providers answer in "
            f"{data.get('latency_ms', 0):.0f} ms; {number(data['digests_sent_by_last_alert'])} digests out by the "
            "last alert") if backlog else ""
    return [Row(f"Relay, confirmation → agency admin's alert ({data['complaints']} complaints{busy})",
                f"p95 {data['p95_seconds']:.2f} s (p50 {data['p50_seconds']:.2f} s, max {data['max_seconds']:.2f} s)",
                f"notifier wake interval {data['wake_seconds']:g} s",
                f"{data['p95_seconds'] / target:.2f} of target", f"p95 ≤ {target:g} s: {verdict(met)}", command)]


WRK_RATIO_TARGET = 0.25


def webhook_wrk_rows(data: dict[str, Any], command: str) -> list[Row]:
    rows = []
    for backend, by_worker in data["backends"].items():
        if "skipped" in by_worker:
            rows.append(Row(f"Webhook under wrk, {backend_label(backend)}", f"skipped: {by_worker['skipped']}",
                            "", "", "", command))
            continue
        for worker, result in by_worker.items():
            threads = " --threads 4" if worker == "gthread" else ""
            best, bare = result["best_webhook"], result["best_bare"]
            met = result["ratio"] >= WRK_RATIO_TARGET and best["p99_ms"] <= WEBHOOK_P99_TARGET_MS
            rows.append(Row(
                f"Webhook under wrk, realistic complaint conversations, {backend_label(backend)}, "
                f"gunicorn -w {WEB_WORKERS} -k {worker}{threads}",
                f"{number(best['per_second'])} req/s, p50 {best['p50_ms']:.1f} ms, p99 {best['p99_ms']:.1f} ms "
                f"({best['connections']} connections)",
                f"bare `/livez`, same server and wrk: {number(bare['per_second'])} req/s",
                f"{result['ratio']:.3f}", f"≥ {WRK_RATIO_TARGET} of bare, p99 ≤ {WEBHOOK_P99_TARGET_MS:.0f} ms: "
                f"{verdict(met)}", command))
    return rows


def escalation_rows(data: dict[str, Any], command: str) -> list[Row]:
    rows = []
    for backend, result in data["backends"].items():
        name = f"Escalation sweep, {number(data['due'])} due, {backend_label(backend)}"
        if "skipped" in result:
            rows.append(Row(name, f"skipped: {result['skipped']}", "", "", "", command))
            continue
        met = result["ms_per_due"] <= ESCALATION_MS_TARGET
        rows.append(Row(f"{name}, per due complaint",
                        f"{result['ms_per_due']:.3f} ms ({result['small_seconds']:.2f} s)",
                        f"raw-SQL floor of the same writes: {result['floor_ms_per_due']:.3f} ms",
                        times(result["floor_ratio"]),
                        f"≤ {ESCALATION_MS_TARGET} ms per due complaint: {verdict(met)}", command))
        if "ratio" in result:
            rows.append(Row(f"{name}, among {number(data['large'])} vs among {number(data['due'])}",
                            f"{result['large_seconds']:.2f} s",
                            f"among {number(data['due'])}: {result['small_seconds']:.2f} s", times(result["ratio"]),
                            f"≤ 2×: {verdict(result['ratio'] <= 2 and result['same_writes'])}", command))
    return rows


def digest_rows(data: dict[str, Any], command: str) -> list[Row]:
    rows = []
    for backend, result in data["backends"].items():
        name = (f"Morning digests + monthly recap, {number(data['large'])} vs {number(data['work'])} complaints, "
                f"{backend_label(backend)}")
        if "skipped" in result:
            rows.append(Row(name, f"skipped: {result['skipped']}", "", "", "", command))
            continue
        large, small = result["large"], result["small"]
        same = "" if result["same_output"] else " — **outputs differ**"
        rows.append(Row(name, f"{large['daily_seconds'] * 1000:,.0f} ms (digests {result['digest_ratio']:.2f}×, "
                        f"recap {result['recap_ratio']:.2f}×){same}",
                        f"{number(data['work'])} complaints: {small['daily_seconds'] * 1000:,.0f} ms",
                        times(result["daily_ratio"]), f"≤ 2×: {verdict(result['daily_ratio'] <= 2)}", command))
    return rows


MEMORY_LABELS = {"console_bot": "console bot (`run_bot.py --console`, 10 filings)",
                 "router_cli": "router CLI (`python -m bot.classifier classify`)",
                 "router_evaluate": "router CLI (`evaluate`, dev set)",
                 "notifier": "notifier (`run_notifier.py` loop, delivering)"}


def memory_rows(data: dict[str, Any], command: str, web_workers: list[float] | None) -> list[Row]:
    baseline = data["baseline"]["peak_rss_mb"]
    base_text = f"`python -c 'import sqlalchemy, flask'`: {baseline:.1f} MB"
    rows = []
    if web_workers:
        peak = max(web_workers)
        rows.append(Row("Peak RSS, web app worker (gunicorn, after the webhook run)", f"{peak:.1f} MB", base_text,
                        times(peak / baseline), "— (capacity planning)", "`bench/webhook.py --json` (VmHWM)"))
    for key, label in MEMORY_LABELS.items():
        if key in data:
            figure = data[key]
            rows.append(Row(f"Peak RSS, {label}", f"{figure['peak_rss_mb']:.1f} MB", base_text,
                            times(figure["ratio_to_baseline"]), "— (capacity planning)", command))
    return rows


STARTUP_TARGET_SECONDS = 0.5


def startup_rows(data: dict[str, Any], command: str) -> list[Row]:
    """One row per read-only command, against the floor any database command pays (importing the ORM)."""
    figures = data["commands"]
    bare, floor = figures["bare"], figures["sqlalchemy"]
    baseline = (f"`python -c 'import sqlalchemy.orm'`: {floor['median_seconds']:.3f} s; bare interpreter "
                f"{bare['median_seconds']:.3f} s")
    rows = []
    for name, figure in figures.items():
        if "meets_target" not in figure:
            continue
        rows.append(Row(f"Start-up, read-only `manage.py {name}` (median of {data['runs']})",
                        f"{figure['median_seconds']:.3f} s (CPU {figure['median_cpu_seconds']:.3f} s)", baseline,
                        f"{times(figure['ratio_to_sqlalchemy'])} the floor, {times(figure['ratio_to_bare'])} bare",
                        f"≤ {STARTUP_TARGET_SECONDS} s: {verdict(figure['meets_target'])}", command))
    return rows


def backend_label(name: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(name, name)


# --- the document -------------------------------------------------------------------------------


ROW_BUILDERS: dict[str, Callable[[dict[str, Any], str], list[Row]]] = {
    "router": router_rows, "router_accuracy": accuracy_rows, "webhook": webhook_rows, "dispatch": dispatch_rows,
    "relay": relay_rows, "escalation": escalation_rows, "digest": digest_rows,
    "dispatch_telegram_latency": dispatch_rows, "dispatch_whatsapp_latency": dispatch_rows,
    "relay_backlog": relay_rows, "webhook_wrk": webhook_wrk_rows, "startup": startup_rows,
}
TITLES = {"router": "Router speed", "router_accuracy": "Router accuracy, dev sets' held-out folds",
          "webhook": "Webhook (signed WhatsApp inbound, gunicorn)", "dispatch": "Dispatch under Telegram's limits",
          "relay": "Relay, confirmation → admin alert", "escalation": "Escalation sweep, per due and 1M vs 10k",
          "digest": "Morning digests + monthly recap, 1M vs 10k", "memory": "Peak RSS per process",
          "dispatch_telegram_latency": "Dispatch, Telegram answering in 300 ms",
          "dispatch_whatsapp_latency": "Dispatch, Twilio answering in 300 ms",
          "relay_backlog": "Relay behind 1,000 queued digests", "webhook_wrk": "Webhook under wrk",
          "startup": "Start-up of the read-only commands"}
TARGETS = {"router": ROUTER_SPEED_TARGET, "router_accuracy": f"LAPOR!: {LAPOR_TARGET}; chat: {CHAT_TARGET}",
           "webhook": "≥ 400 req/s, p99 ≤ 50 ms", "dispatch": "≥ 0.9 of the limit", "relay": "p95 ≤ 5 s",
           "escalation": "≤ 0.2 ms per due complaint, ≤ 2×", "digest": "≤ 2×", "memory": "—",
           "dispatch_telegram_latency": "≥ 0.9 of the limit", "dispatch_whatsapp_latency": "≥ 0.9 of the limit",
           "relay_backlog": "p95 ≤ 1 s", "webhook_wrk": "≥ 0.25 of bare, p99 ≤ 50 ms", "startup": "≤ 0.5 s"}


def table_rows(run: Run) -> list[Row]:
    rows: list[Row] = []
    for name, outcome in run.outcomes.items():
        command = shown_command(outcome.step)
        if outcome.data is None:
            built = [Row(TITLES[name], outcome.error or "failed", "", "", TARGETS[name], command)]
        elif name == "memory":
            built = memory_rows(outcome.data, command, web_worker_peaks(run))
        else:
            built = ROW_BUILDERS[name](outcome.data, command)
        for row in built:
            row.load = f"{outcome.load[0]:.1f} → {outcome.load[1]:.1f}"
        rows += built
    return rows


def web_worker_peaks(run: Run) -> list[float] | None:
    webhook = run.outcomes.get("webhook")
    if webhook is None or webhook.data is None:
        return None
    peaks: list[float] | None = webhook.data["backends"]["sqlite"].get("worker_peak_rss_mb")
    return peaks


def machine() -> list[tuple[str, str]]:
    admin = postgres_admin_url()
    try:
        postgres = server_version(admin) if admin else "not reachable"
    except Exception as error:  # noqa: BLE001  (the document says why instead of failing the run)
        postgres = f"not reachable ({type(error).__name__})"
    return [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores"),
        ("RAM", f"{memory_gib():.1f} GiB"),
        ("OS", f"{os_name()} (Linux {platform.release()})"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", f"{postgres} (server on the same machine, loopback)"),
        ("Commit", git_revision()),
    ]


def cpu_model() -> str:
    for line in read_text("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in read_text("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def os_name() -> str:
    for line in read_text("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.system()


def read_text(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def git_revision() -> str:
    """Read-only: the commit the tree is based on, and whether it had local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' with uncommitted changes in the tree' if dirty else ''}"


def escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def render(run: Run, quick: bool, machine_facts: list[tuple[str, str]]) -> str:
    total = time.monotonic() - run.started
    rows = table_rows(run)
    lines = [
        "# Performance",
        "",
        "Generated by `bench/run_all.py`; do not edit by hand, run it again"
        f"{' (this was a `--quick` smoke run with reduced sizes)' if quick else ''}.",
        "The machine is shared with other work, so absolute figures move from run to run; each one stands",
        "next to a baseline measured in the same run, and the ratio is the figure to compare across runs.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {escape(value)} |" for key, value in machine_facts],
        f"| Date | {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} |",
        f"| Load average (1/5/15 min) | before {fmt_load(run.load_before)}, after {fmt_load(os.getloadavg())} |",
        f"| Total run time | {total / 60:.1f} min |",
        "",
        "## Figures",
        "",
        "| benchmark | figure | baseline (same run) | ratio | target from the issues | command | load (1 min) |",
        "|---|---|---|---|---|---|---|",
        *[f"| {' | '.join(escape(cell) for cell in vars(row).values())} |" for row in rows],
        "",
        *notes(),
        "",
        *capacity_section(run),
        "",
        *run_log(run),
    ]
    return "\n".join(lines) + "\n"


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def notes() -> list[str]:
    return [
        "Notes on the targets:",
        "",
        "- Webhook: docs/WHATSAPP.md records the promise as ≥ 400 req/s with p99 ≤ 50 ms; the figure is the",
        "  fastest concurrency level that keeps p99 within 50 ms (the fastest level at all if none does).",
        "  Client, gunicorn and the database share the same cores, so the bare `/livez` of the same app is",
        "  the ceiling the ratio is taken against.",
        "- Dispatch: the baseline is Telegram's published 30 messages/s, enforced by a fake provider that",
        "  answers 429 exactly when Telegram would; the ratio is the share of it the notifier achieves.",
        "- Relay: nothing to compare against but the promise, so the ratio is p95 / 5 s (p95 / 1 s behind a backlog).",
        "- Dispatch and relay with 300 ms: the fake providers answer each request 300 ms after it arrives (Telegram",
        "  and Twilio take 150-400 ms from Indonesia); the limits are counted when a request arrives, as at the",
        "  provider. 'In flight' is the dispatcher's lane width at the end (notifier/lanes.py: rate × latency).",
        "- Webhook under wrk: wrk (C, epoll) posts pre-signed realistic conversations (bench/conversations.py:",
        "  complaint text from the blind-written samples, a place, no photo, a privacy choice, 'ya'), every",
        "  MessageSid new; the ratio is against `/livez` of the same gunicorn at the same connection counts, and",
        "  the figure is the fastest level with p99 ≤ 50 ms (the fastest at all if none).",
        "- Escalation: a morning's mix of due steps (agency head, regional leaders, reminders). The floor replays",
        "  the very rows the sweep wrote through the driver with prebuilt statements, one transaction per batch,",
        "  in three forms (executemany, multi-row VALUES, one JSON document per statement); the fastest counts.",
        "- Digest: the small and the large database hold the same recent complaints (so the same open work and",
        "  the same month to recap; the script checks both produce identical digests and recaps), the large one",
        "  adds finished history. The target ≤ 2× is the one the escalation sweep has: the queries are meant to",
        "  cost the open work and the month, not the table's history (index reads, not scans), and 2× leaves",
        "  room for deeper B-trees and a colder cache. The figure is what the notifier's 07:00 `daily` job",
        "  computes on the first working day of a month, median of three runs, each rolled back.",
        "- Start-up: each read-only command as an operator types it (`manage.py complaints list` …) on a",
        "  database with the demo week, run in alternation with a bare interpreter and with",
        "  `python -c 'import sqlalchemy.orm'`, the floor of any command that reads the database; the target",
        "  (issue 17) is the whole process, start to exit. `run_notifier.py --once` writes, so it is not among them.",
        "- Memory: peak resident set (wait4's `ru_maxrss`, or `VmHWM` from `/proc` for processes still running)",
        "  against a bare interpreter that imports SQLAlchemy and Flask, measured in the same run.",
    ]


def capacity_section(run: Run) -> list[str]:
    """Per-process figures docs/DEPLOYMENT.md can cite."""
    lines = ["## Per-process figures for capacity planning", "",
             "| process | throughput | peak memory |", "|---|---|---|"]
    webhook, memory, dispatch = (run.outcomes.get(name) for name in ("webhook", "memory", "dispatch"))
    memory_data = memory.data if memory and memory.data else {}
    backends = webhook.data["backends"] if webhook and webhook.data else {}
    lines += [web_worker_line(name, result) for name, result in backends.items() if "levels" in result]
    lines += notifier_lines(dispatch, memory_data)
    lines += [f"| {MEMORY_LABELS[key]} | — | {memory_data[key]['peak_rss_mb']:.0f} MB |"
              for key in ("console_bot", "router_cli") if key in memory_data]
    lines += ["", f"A web worker is one gunicorn sync worker sharing {os.cpu_count()} cores with the load "
              "generator and the database:",
              "the per-worker figure is the measured total divided by the workers, a floor rather than a ceiling.",
              "A notifier's sends are bounded by the providers' limits (Telegram 30/s, WhatsApp 80/s per sender),",
              "not by the process; the second notifier line is one process delivering through the log transport."]
    return lines


def web_worker_line(backend: str, result: dict[str, Any]) -> str:
    level = webhook_headline(result)
    peaks = result.get("worker_peak_rss_mb") or []
    memory = f"{max(peaks):.0f} MB" if peaks else "—"
    return (f"| web worker, {backend_label(backend)} | {level['per_second'] / WEB_WORKERS:,.0f} inbound msgs/s "
            f"per worker (p99 {level['p99_ms']:.0f} ms) | {memory} |")


def notifier_lines(dispatch: Outcome | None, memory_data: dict[str, Any]) -> list[str]:
    notifier = memory_data.get("notifier", {})
    peak = f"{notifier['peak_rss_mb']:.0f} MB" if notifier else "—"
    lines = []
    if dispatch and dispatch.data:
        lines.append(f"| notifier, Telegram-bound | {dispatch.data['per_second']:.1f} sends/s "
                     f"({dispatch.data['share_of_limit']:.2f} of 30/s) | {peak} |")
    if notifier.get("sends_per_second"):
        lines.append(f"| notifier, `run_notifier.py` loop, WhatsApp bucket 80/s, log transport | "
                     f"{notifier['sends_per_second']:.1f} sends/s | {peak} |")
    return lines


def run_log(run: Run) -> list[str]:
    lines = ["## Run log", "", "| benchmark | exit | seconds |", "|---|---|---|"]
    for name, outcome in run.outcomes.items():
        status = outcome.error if outcome.error else f"exit {outcome.exit_code}"
        lines.append(f"| {name} | {escape(status)} | {outcome.seconds:.0f} |")
    return lines


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="labelled CSV (text, accept) for the router rows")
    parser.add_argument("--quick", action="store_true", help="reduced sizes for a smoke run")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--only", default=None, help="comma-separated benchmark names (for trying one out)")
    args = parser.parse_args()
    data = args.data.resolve() if args.data and args.data.is_file() else None
    if args.data and data is None:
        print(f"no data at {args.data}: the router accuracy row is skipped", file=sys.stderr)
    steps = plan(data, args.quick)
    if args.only:
        steps = [step for step in steps if step.name in args.only.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="bench-run-"))
    run = Run()
    for position, step in enumerate(steps, start=1):
        print(f"[{position}/{len(steps)}] {step.name} ...", end=" ", flush=True)
        load_before = os.getloadavg()[0]
        outcome = run.outcomes[step.name] = run_step(step, logs)
        outcome.load = (load_before, os.getloadavg()[0])
        print(f"{outcome.error or 'ok'} ({outcome.seconds:.0f} s)", flush=True)
    document = render(run, args.quick, machine())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(document, encoding="utf-8")
    print(f"wrote {args.out} in {(time.monotonic() - run.started) / 60:.1f} min; logs and JSON in {logs}")
    return 0 if all(outcome.data is not None or outcome.step.skipped for outcome in run.outcomes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
