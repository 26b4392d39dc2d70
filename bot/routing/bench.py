"""Speed of the router against the naive rapidfuzz loop it replaces, measured in the same run.

CPU seconds of this process ("messages per second on one core"); see docs/PERFORMANCE.md.
"""

from __future__ import annotations

import functools
import itertools
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bot.routing.classify import classify
from bot.routing.evaluation import read_labelled_csv
from bot.routing.lexicon import package_slang
from bot.routing.loader import load_table
from bot.routing.table import RoutingTable

# Chat-length complaint templates (hand-written, not taken from any dataset): a problem, a place,
# an urgency word; then random slang, elongation and typos so that the per-word caches meet
# plenty of words they have never seen.
_PROBLEMS = (
    "jalan rusak parah", "jln berlubang", "lampu pju mati", "lampu jalan padam", "air pdam tidak ngalir",
    "air keruh bau", "sampah numpuk tidak diangkut", "blangko ktp habis", "akta kelahiran belum jadi",
    "puskesmas tutup dokter tidak ada", "obat habis di pustu", "guru sering bolos", "pungli di sekolah",
    "bansos tidak cair", "pkh salah sasaran", "izin usaha lama", "pkl tutup trotoar", "banjir setinggi lutut",
    "pohon tumbang tutup jalan", "gaji tidak dibayar perusahaan", "pupuk subsidi langka", "gas melon langka",
    "wifi taman mati", "kepala desa tidak transparan dana desa", "sppt pbb belum datang", "honorer belum digaji",
    "kdrt di tetangga", "surat pengantar kelurahan lama", "lapangan bola rusak", "kartu bpjs tidak aktif",
    "pencairan jht lama", "listrik padam terus", "pencurian motor", "solar langka di spbu", "sertifikat tanah",
    "paspor lama jadi", "madrasah rusak", "sekolah sma pungutan", "jalan nasional berlubang", "drainase mampet",
)
_PLACES = (
    "depan sdn 2", "dekat pasar", "di rt 03", "jalan ahmad yani", "gang mawar", "dekat masjid", "handil bakti",
    "desa sungai tabuk", "kelurahan baru", "depan kantor camat", "simpang empat", "km 12", "",
)
_TAILS = ("tolong segera", "sudah 3 hari", "mohon ditindak", "parah bgt", "udh lapor blm ada respon", "", "!!!")


def synthetic_messages(count: int, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        words = " ".join((rng.choice(_PROBLEMS), rng.choice(_PLACES), rng.choice(_TAILS))).split()
        messages.append(" ".join(_noisy(word, rng) for word in words))
    return messages


def _noisy(word: str, rng: random.Random) -> str:
    roll = rng.random()
    if len(word) < 4 or roll > 0.35:
        return word
    position = rng.randrange(1, len(word))
    if roll < 0.12:  # elongation
        return word + word[-1] * rng.randint(2, 4)
    if roll < 0.24:  # swapped letters
        chars = list(word)
        chars[position - 1], chars[position] = chars[position], chars[position - 1]
        return "".join(chars)
    return word[:position] + rng.choice("aiueokrnst") + word[position + 1:]  # wrong letter


def naive_baseline(table: RoutingTable) -> Callable[[str], str | None]:
    """What the router replaces: ``fuzz.partial_ratio`` of the message against every keyword."""
    keywords = [
        (table.phrase_labels[phrase_id].lower(), weights)
        for phrase_id, weights in enumerate(table.phrase_weights)
        if weights
    ]

    def route(message: str) -> str | None:
        text = message.lower()
        scores: dict[str, float] = {}
        for keyword, weights in keywords:
            if fuzz.partial_ratio(keyword, text) >= 90:
                for agency, weight in weights:
                    scores[agency] = scores.get(agency, 0.0) + weight
        return max(sorted(scores), key=scores.__getitem__) if scores else None

    return route


def _rate(function: Callable[[str], object], messages: Sequence[str]) -> float:
    return len(messages) / _seconds(function, messages)


def unseen_messages(table: RoutingTable, count: int, seed: int = 2025) -> list[str]:
    """Chat-length messages the router has not seen: a problem phrase or two from the table's own
    vocabulary, ordinary Indonesian words drawn by Zipf's law from the 30,000-word dictionary, a place
    ("jl. <word> no 12", "desa <word>"), slang and 35 % typos. Almost every message is new, so the
    per-word caches and the verdict cache keep missing, as with real traffic of a whole province."""
    rng = random.Random(seed)
    phrases = sorted(table.phrase_labels[i] for i, weights in enumerate(table.phrase_weights) if weights)
    common = sorted(table.dictionary.roots)
    rng.shuffle(common)  # a fixed random rank; ordinary words are drawn by Zipf's law over it
    zipf = list(itertools.accumulate(1.0 / rank for rank in range(1, len(common) + 1)))
    # the table's own slang (the words people write most), not the package's long tail
    slang = sorted(word for word in table.slang if word not in package_slang())
    markers = ("jl", "jalan", "desa", "gang", "rt", "kel", "kec", "perumahan", "dusun")
    messages = []
    for _ in range(count):
        words = [*rng.choice(phrases).split()]
        if rng.random() < 0.4:
            words += rng.choice(phrases).split()
        words += rng.choices(common, cum_weights=zipf, k=rng.randint(2, 6))
        words += [rng.choice(slang) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.6:
            words += ["di", rng.choice(markers), *rng.choices(common, cum_weights=zipf), str(rng.randint(1, 40))]
        rng.shuffle(words)
        messages.append(" ".join(_noisy(word, rng) for word in words))
    return messages


def bench(table_path: Path, data_path: Path | None = None, count: int = 20_000,
          baseline_count: int = 1_000, rounds: int = 10, messages_path: Path | None = None,
          known_words_path: Path | None = None) -> dict[str, Any]:
    """Messages per second on one core (CPU seconds of this process), router vs naive baseline.

    The headline is ``unseen``: realistic messages the table has never seen (``unseen_messages``),
    timed on a table whose caches start empty and fill as the traffic flows, as a province's
    would. ``real`` (with ``messages_path``, a CSV of real texts) is stricter: every pass over the
    texts starts with every cache empty, so each word is looked up afresh. ``real_known_words``
    (with ``known_words_path`` too, a CSV of other real texts) is between the two: before each pass
    the table has read the other texts' words (the word-level caches hold them: chunks, readings,
    second looks) but scored none of the timed texts' profiles (the message-level caches are empty:
    verdicts, profiles seen, rounded scores, confidences), as a router that has served other
    citizens of the region; a known-words text equal to a timed one is left out. ``template``
    repeats 40 problem templates and flatters the verdict cache; it is kept for comparison with
    earlier rounds. Before timing, a throwaway copy of the table routes the templates: the
    interpreter's own warm-up is not the router's cost, and the timed tables' caches stay empty.
    Router and baseline run in interleaved slices so load from other processes affects both alike;
    the baseline has no cache to warm."""
    build_started = time.perf_counter()
    table = load_table(table_path)
    build_seconds = time.perf_counter() - build_started
    templates = synthetic_messages(count)
    warm_up = table.with_empty_caches()
    for message in templates[:2_000]:
        classify(message, warm_up)
    unseen = unseen_messages(table, count)
    report: dict[str, Any] = {"table_build_seconds": round(build_seconds, 3),
                              "unseen_source": "generated from the table's vocabulary, dictionary words, places and "
                                               "typos"}
    report.update(_pair("unseen", table.with_empty_caches(), unseen, baseline_count, rounds))
    if messages_path is not None:
        texts = [row.text for row in read_labelled_csv(messages_path)]
        report["real_source"] = messages_path.name
        report.update(_cold_passes("real", table.with_empty_caches, table, texts, count, baseline_count))
        if known_words_path is not None:
            timed = set(texts)
            known = [row.text for row in read_labelled_csv(known_words_path) if row.text not in timed]
            reader = table.with_empty_caches()
            for message in known:
                classify(message, reader)
            report["real_known_words_source"] = f"{known_words_path.name} ({len(known)} texts)"
            report.update(_cold_passes("real_known_words", reader.with_words_read, table, texts, count,
                                       baseline_count))
    fresh = table.with_empty_caches()
    report.update(_pair("template", fresh, templates, baseline_count, rounds))
    report["template_warm_per_second"] = round(len(templates) / _seconds(lambda m: classify(m, fresh), templates), 1)
    # names kept from earlier rounds (bench/run_all.py reads them): the unseen figures
    report["messages"] = report["unseen_messages"]
    report["router_cold_per_second"] = report["unseen_router_per_second"]
    report["baseline_per_second"] = report["unseen_baseline_per_second"]
    report["speedup_cold"] = report["unseen_speedup"]
    report["router_warm_per_second"] = report["template_warm_per_second"]
    report["speedup_warm"] = round(report["template_warm_per_second"] / report["template_baseline_per_second"], 1)
    if data_path is not None:
        report.update(_bench_long(table, data_path))
    return report


def profile(table_path: Path, count: int, messages_path: Path | None, top: int) -> str:
    """cProfile of the router over unseen messages (or a CSV's texts) on a table whose caches start
    empty, after the same interpreter warm-up as ``bench``; the ``top`` functions by own time."""
    import cProfile
    import io
    import pstats

    table = load_table(table_path)
    warm_up = table.with_empty_caches()
    for message in synthetic_messages(2_000):
        classify(message, warm_up)
    if messages_path is not None:
        texts = [row.text for row in read_labelled_csv(messages_path)]
        messages = texts * max(1, count // max(1, len(texts)))
    else:
        messages = unseen_messages(table, count)
    cold = table.with_empty_caches()
    profiler = cProfile.Profile()
    profiler.enable()
    for message in messages:
        if messages_path is not None and message is messages[0]:
            cold = table.with_empty_caches()  # each pass over a CSV starts cold again
        classify(message, cold)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _pair(name: str, table: RoutingTable, messages: Sequence[str], baseline_count: int,
          rounds: int) -> dict[str, Any]:
    router = lambda m: classify(m, table)  # noqa: E731
    baseline_route = naive_baseline(table)
    baseline_messages = messages[:baseline_count]
    router_seconds = baseline_seconds = 0.0
    for part in range(rounds):
        router_seconds += _seconds(router, messages[part::rounds])
        baseline_seconds += _seconds(baseline_route, baseline_messages[part::rounds])
    return _figures(name, messages, len(messages) / router_seconds, len(baseline_messages) / baseline_seconds,
                    len(baseline_messages))


def _cold_passes(name: str, fresh: Callable[[], RoutingTable], table: RoutingTable, texts: Sequence[str],
                 count: int, baseline_count: int) -> dict[str, Any]:
    """Every pass over ``texts`` on a new table from ``fresh`` (every cache empty, or only the
    message-level ones), until about ``count`` messages were routed; the baseline routes its share
    of the texts between passes."""
    passes = max(3, min(50, -(-count // max(1, len(texts)))))
    baseline_route = naive_baseline(table)
    baseline_texts = list(texts[:baseline_count])
    router_seconds = baseline_seconds = 0.0
    for part in range(passes):
        cold = fresh()
        router_seconds += _seconds(functools.partial(classify, table=cold), texts)
        baseline_seconds += _seconds(baseline_route, baseline_texts[part::passes])
    figures = _figures(name, texts, passes * len(texts) / router_seconds,
                       len(baseline_texts) / baseline_seconds, len(baseline_texts))
    figures[f"{name}_cold_passes"] = passes
    return figures


def _figures(name: str, messages: Sequence[str], rate: float, baseline: float, baseline_messages: int) -> dict[
        str, Any]:
    return {
        f"{name}_messages": len(messages),
        f"{name}_mean_chars": round(sum(map(len, messages)) / max(1, len(messages)), 1),
        f"{name}_router_per_second": round(rate, 1),
        f"{name}_baseline_per_second": round(baseline, 1),
        f"{name}_baseline_messages": baseline_messages,
        f"{name}_speedup": round(rate / baseline, 1),
    }


def _seconds(function: Callable[[str], object], messages: Sequence[str]) -> float:
    # CPU time of this process: "messages per second on one core" is what is asked, and on a
    # shared machine wall time also counts the moments another process held the core.
    started = time.process_time()
    for message in messages:
        function(message)
    return max(time.process_time() - started, 1e-9)


def _bench_long(table: RoutingTable, data_path: Path) -> dict[str, Any]:
    texts = [row.text for row in read_labelled_csv(data_path)]
    cold = table.with_empty_caches()
    long_baseline = texts[: max(1, len(texts) // 10)]
    return {
        "long_texts": len(texts),
        "long_mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "long_router_cold_per_second": round(_rate(lambda m: classify(m, cold), texts), 1),
        "long_baseline_per_second": round(_rate(naive_baseline(table), long_baseline), 1),
    }
