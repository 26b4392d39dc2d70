"""Regression floors on the blind-written sets of the fourth and eighth rounds (issue 18; data/blind/README.md).

Each kind of message is pooled over its sets, and the tunable ODD halves are kept apart from the
held-out EVEN halves, whose rows are never read: a change that costs the router on messages
nobody tuned for shows here first. Figures when the floors were set (shipped table alone, accuracy /
top-3): chat ODD 0.886 / 0.952, EVEN 0.813 / 0.901; LAPOR!-style ODD 0.896 / 0.966, EVEN 0.889 /
0.959; regional ODD 0.859 / 0.922, EVEN 0.856 / 0.919. The floors sit two points under them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing import RoutingTable
from bot.routing.evaluation import LabelledText, evaluate, read_labelled_csv

BLIND = Path(__file__).resolve().parent / "data" / "blind"
# The sets each floor pools (by file-name prefix): a later round's sets get floors of their own, so a
# harder new set neither hides a loss on the older ones nor lowers their floors.
ROUNDS = {"chat": ("chat4", "chat5", "chat6", "chat7", "chat7b"), "lapor": ("lapor4", "lapor5", "lapor6"),
          "regional": ("regional4", "regional6"), "chat8": ("chat8",), "lapor7": ("lapor7",),
          "chat9": ("chat9",), "lapor8": ("lapor8",),
          "regional9": ("regional9",), "lapor9": ("lapor9",),
          "chat10": ("chat10",), "chat11": ("chat11",), "lapor10": ("lapor10",), "lapor11": ("lapor11",),
          "lapor12": ("lapor12",), "chat12": ("chat12",), "lapor13": ("lapor13",), "lapor14": ("lapor14",),
          "chat13": ("chat13",), "regional10": ("regional10",), "lapor15": ("lapor15",),
          "regional11": ("regional11",), "chat14": ("chat14",), "lapor16": ("lapor16",),
          "chat15": ("chat15",), "regional12": ("regional12",), "lapor17": ("lapor17",),
          "chat16": ("chat16",), "regional13": ("regional13",), "lapor18": ("lapor18",),
          "chat17": ("chat17",), "regional14": ("regional14",)}
FLOORS = {  # (kind, half): (accuracy, top-3 accuracy)
    ("chat", "odd"): (0.87, 0.93),
    ("chat", "even_heldout"): (0.79, 0.87),
    ("lapor", "odd"): (0.87, 0.94),
    ("lapor", "even_heldout"): (0.87, 0.94),
    ("regional", "odd"): (0.84, 0.90),
    ("regional", "even_heldout"): (0.83, 0.89),
    # the eighth round (2026-12-05), when set: chat8 ODD 0.890 / 0.955, EVEN 0.880 / 0.950; lapor7 ODD
    # 0.847 / 0.913, EVEN 0.787 / 0.880 (the EVEN halves as before their ODD halves were tuned on). With
    # the ambiguity-aware confidence merged after (it asks more: accuracy down, resolved up): chat8 EVEN
    # 0.885 / 0.950, lapor7 EVEN 0.760 / 0.880 (resolved 0.800, ask 0.067).
    ("chat8", "odd"): (0.87, 0.93),
    ("chat8", "even_heldout"): (0.86, 0.93),
    ("lapor7", "odd"): (0.82, 0.89),
    ("lapor7", "even_heldout"): (0.76, 0.86),
    # the ninth round (2026-12-05 evening), measured whole before any tuning: chat9 0.900 / 0.947, lapor8
    # 0.890 / 0.940. After tuning on the ODD halves: chat9 ODD 0.933 / 0.973, EVEN 0.893 / 0.940 (unchanged);
    # lapor8 ODD 0.940 / 0.973, EVEN 0.893 / 0.953 (0.880 / 0.940 before).
    ("chat9", "odd"): (0.91, 0.95),
    ("chat9", "even_heldout"): (0.87, 0.92),
    ("lapor8", "odd"): (0.92, 0.95),
    ("lapor8", "even_heldout"): (0.87, 0.93),
    # regional9 (Banjar and Javanese villages), whole before tuning 0.870 / 0.920; after tuning on its ODD
    # half: ODD 0.893 / 0.947 -> 0.927 / 0.967, EVEN 0.847 / 0.893 -> 0.853 / 0.907.
    ("regional9", "odd"): (0.90, 0.94),
    ("regional9", "even_heldout"): (0.83, 0.88),
    # lapor9 (LAPOR! posts from all over Indonesia, a third for national bodies), whole before tuning 0.830 /
    # 0.917; after tuning on its ODD half: ODD 0.827 / 0.940 -> 0.867 / 0.967, EVEN 0.827 / 0.893 -> 0.833 / 0.893
    # (before = the session's starting commit).
    ("lapor9", "odd"): (0.85, 0.94),
    ("lapor9", "even_heldout"): (0.81, 0.87),
    # chat10 (Barito Kuala: address traps, two problems, non-complaints), whole before tuning 0.883 / 0.947;
    # ODD 0.867 / 0.920 -> 0.920 / 0.960, EVEN 0.887 / 0.960 -> 0.893 / 0.973 (before = the session's start).
    ("chat10", "odd"): (0.90, 0.94),
    ("chat10", "even_heldout"): (0.87, 0.94),
    # the tenth round (2026-12-05 night), accuracy / top-3 on the starting commit -> after tuning on the ODD
    # halves: chat11 (slang, Banjar and Javanese chat) ODD 0.860 / 0.907 -> 0.940 / 0.973, EVEN 0.867 / 0.953 ->
    # 0.873 / 0.953; lapor10 (LAPOR! 2017 from all over Indonesia) ODD 0.887 / 0.960 -> 0.933 / 0.980, EVEN 0.913 /
    # 0.967 unchanged; lapor11 (Kalimantan, Sulawesi, Sumatra posts, another office's words) ODD 0.860 / 0.953 ->
    # 0.927 / 0.973, EVEN 0.827 / 0.940 unchanged; lapor12 (city posts, BPJS, transport) ODD 0.867 / 0.960 ->
    # 0.900 / 0.973, EVEN 0.873 / 0.987 unchanged.
    ("chat11", "odd"): (0.92, 0.95),
    ("chat11", "even_heldout"): (0.85, 0.93),
    ("lapor10", "odd"): (0.91, 0.96),
    ("lapor10", "even_heldout"): (0.89, 0.94),
    ("lapor11", "odd"): (0.90, 0.95),
    ("lapor11", "even_heldout"): (0.80, 0.92),
    ("lapor12", "odd"): (0.88, 0.95),
    ("lapor12", "even_heldout"): (0.85, 0.96),
    # the tenth round's second batch, on the starting commit (shipped table alone) -> after tuning on the ODD
    # halves: chat12 (Kalsel villagers, traders, farmers; Banjar and Javanese) ODD 0.867 / 0.940 -> 0.900 / 0.967,
    # EVEN 0.847 / 0.913 -> 0.860 / 0.907; lapor13 (45 % national bodies) ODD 0.907 / 0.973 -> 0.933 / 0.987, EVEN
    # 0.913 / 0.987 -> 0.920 / 0.987; lapor14 (short SMS 1708 posts) ODD 0.913 / 0.953 -> 0.947 / 0.993, EVEN
    # 0.920 / 0.953 unchanged.
    ("chat12", "odd"): (0.88, 0.94),
    ("chat12", "even_heldout"): (0.84, 0.89),
    ("lapor13", "odd"): (0.91, 0.96),
    ("lapor13", "even_heldout"): (0.90, 0.96),
    ("lapor14", "odd"): (0.92, 0.97),
    ("lapor14", "even_heldout"): (0.90, 0.93),
    # the third batch: chat13 (everyday Indonesian chat, every office) ODD 0.887 / 0.960 -> 0.933 / 0.987, EVEN
    # 0.893 / 0.953 -> 0.913 / 0.953; regional10 (Banjar, Javanese, Madurese short chat) ODD 0.893 / 0.927 ->
    # 0.947 / 0.967, EVEN 0.847 / 0.940 -> 0.853 / 0.947.
    ("chat13", "odd"): (0.91, 0.96),
    ("chat13", "even_heldout"): (0.89, 0.93),
    ("regional10", "odd"): (0.92, 0.94),
    ("regional10", "even_heldout"): (0.83, 0.92),
    # lapor15 (LAPOR! 2017 in the dev set's proportions) ODD 0.947 / 0.993 -> 0.967 / 0.993, EVEN 0.920 / 0.993 ->
    # 0.927 / 0.993.
    ("lapor15", "odd"): (0.94, 0.97),
    ("lapor15", "even_heldout"): (0.90, 0.97),
    # regional11 (Kalimantan villages; Banjar, Javanese, Dayak; one office's words, another's duty) ODD 0.813 /
    # 0.880 -> 0.893 / 0.940, EVEN 0.853 / 0.913 -> 0.867 / 0.913.
    ("regional11", "odd"): (0.87, 0.92),
    ("regional11", "even_heldout"): (0.84, 0.89),
    # chat14 (Barito Kuala WhatsApp, real place names) ODD 0.887 / 0.920 -> 0.960 / 0.967, EVEN 0.867 / 0.920 ->
    # 0.873 / 0.927.
    ("chat14", "odd"): (0.94, 0.95),
    ("chat14", "even_heldout"): (0.85, 0.90),
    # lapor16 (2017 city posts: Semarang, Bandung, Jakarta) ODD 0.807 / 0.967 -> 0.867 / 0.987, EVEN 0.873 / 0.960
    # unchanged.
    ("lapor16", "odd"): (0.84, 0.96),
    ("lapor16", "even_heldout"): (0.85, 0.94),
    # chat15 (heavy slang, Banjar and Javanese words) ODD 0.887 / 0.947 -> 0.940 / 0.967, EVEN 0.880 / 0.940 ->
    # 0.913 / 0.960.
    ("chat15", "odd"): (0.92, 0.95),
    ("chat15", "even_heldout"): (0.89, 0.94),
    # regional12 (almost all Banjar or Javanese) ODD 0.860 / 0.960 -> 0.927 / 0.987, EVEN 0.767 / 0.847 -> 0.813 /
    # 0.880.
    ("regional12", "odd"): (0.90, 0.96),
    ("regional12", "even_heldout"): (0.79, 0.86),
    # lapor17 (messy 2017 LAPOR! posts) ODD 0.887 / 0.973 -> 0.933 / 0.980, EVEN 0.920 / 0.980 -> 0.913 / 0.987
    # (one more asked).
    ("lapor17", "odd"): (0.91, 0.96),
    ("lapor17", "even_heldout"): (0.89, 0.96),
    # chat16 (short plain chat) ODD 0.947 / 0.993 -> 0.980 / 1.000, EVEN 0.880 / 0.940 -> 0.893 / 0.940.
    ("chat16", "odd"): (0.96, 0.98),
    ("chat16", "even_heldout"): (0.87, 0.92),
    # regional13 (Kalsel villagers; easily confused services) ODD 0.867 / 0.953 -> 0.907 / 0.973, EVEN 0.853 / 0.913
    # -> 0.893 / 0.947.
    ("regional13", "odd"): (0.88, 0.95),
    ("regional13", "even_heldout"): (0.87, 0.92),
    # lapor18 (2017 posts from nine big cities) ODD 0.907 / 0.973 -> 0.927 / 0.980, EVEN 0.900 / 0.947 -> 0.907 /
    # 0.953.
    ("lapor18", "odd"): (0.90, 0.96),
    ("lapor18", "even_heldout"): (0.88, 0.93),
    # chat17 (hurried slangy chat, 40 % Banjar, 20 % Javanese) ODD 0.807 / 0.920 -> 0.887 / 0.960, EVEN 0.833 /
    # 0.893 -> 0.833 / 0.907.
    ("chat17", "odd"): (0.86, 0.94),
    ("chat17", "even_heldout"): (0.81, 0.88),
    # regional14 (everyday words instead of official terms; Banjar and Javanese) ODD 0.820 / 0.913 -> 0.900 / 0.973,
    # EVEN 0.787 / 0.873 -> 0.820 / 0.900.
    ("regional14", "odd"): (0.88, 0.95),
    ("regional14", "even_heldout"): (0.80, 0.88),
}


def pooled(kind: str, half: str) -> list[LabelledText]:
    paths = sorted(BLIND / f"{name}_{half}.csv" for name in ROUNDS[kind])
    assert paths, f"no {kind} {half} set in {BLIND}"
    return [row for path in paths for row in read_labelled_csv(path)]


@pytest.mark.parametrize(("kind", "half"), sorted(FLOORS))
def test_blind_written_messages_keep_their_routing(kind: str, half: str, table: RoutingTable) -> None:
    figures = evaluate(pooled(kind, half), table)
    accuracy, top3 = FLOORS[(kind, half)]
    assert figures["accuracy"] >= accuracy, figures["confusions"]
    assert figures["top3_accuracy"] >= top3
    assert figures["ask_rate"] <= 0.10
