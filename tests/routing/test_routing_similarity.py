"""Duplicate ("serupa") detection and distances."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.routing import DUPLICATE_THRESHOLD, RoutingTable, distance_m, text_similarity

REPO_ROOT = Path(__file__).resolve().parents[2]
PAIRS = Path(__file__).with_name("duplicate_pairs.yaml")

SAME_PROBLEM = [
    ("jalan rusak parah di jalan ahmad yani depan sdn 2", "jln ahmad yani dpn sdn 2 rsk parah"),
    ("lampu pju mati di jalan merdeka", "lampu jalan merdeka padam sudah seminggu"),
    ("sampah menumpuk tidak diangkut di tps pasar lama", "tps pasar lama penuh sampah numpuk belum diangkut"),
    ("puskesmas tutup jam 10 pagi", "puskesams sudah tutup pukul 10 pagi"),
    ("lampu merah simpang empat mati", "traffic light di simpang empat mati total"),
]
DIFFERENT_PROBLEMS = [
    ("lampu pju mati di jalan merdeka", "jalan merdeka rusak berlubang"),
    ("blangko ktp habis di dukcapil", "akta kelahiran anak belum jadi di dukcapil"),
    ("wifi taman kota mati", "lampu taman kota mati"),
    ("pungli di kantor kelurahan", "pelayanan kantor kelurahan lambat"),
    ("drainase tersumbat di gang mawar", "lampu jalan di gang mawar mati"),
]


@pytest.mark.parametrize(("a", "b"), SAME_PROBLEM)
def test_same_problem_in_other_words_counts_as_duplicate(a: str, b: str, table: RoutingTable) -> None:
    assert text_similarity(a, b, table) >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PROBLEMS)
def test_different_problems_sharing_words_are_not_duplicates(a: str, b: str, table: RoutingTable) -> None:
    assert text_similarity(a, b, table) < DUPLICATE_THRESHOLD


def test_similarity_is_symmetric_and_identity_is_maximal(table: RoutingTable) -> None:
    a, b = "air pdam mati", "air pdam tidak mengalir sejak pagi"
    assert text_similarity(a, b, table) == text_similarity(b, a, table)
    assert text_similarity(a, a, table) == pytest.approx(100.0)


def test_empty_text_is_similar_to_nothing(table: RoutingTable) -> None:
    assert text_similarity("", "jalan rusak", table) == 0.0


def test_distance_between_known_points() -> None:
    # Marabahan to Banjarmasin is roughly 36 km
    assert distance_m(-2.9920, 114.7530, -3.3186, 114.5944) == pytest.approx(40_000, rel=0.15)
    assert distance_m(-3.0, 114.0, -3.0, 114.0) == 0.0
    # one degree of latitude is ~111 km
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195, rel=0.001)


def test_duplicates_cli_reports_precision_and_recall_on_the_pairs_file() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bot.classifier", "duplicates", str(PAIRS), "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    report = json.loads(completed.stdout)
    assert report["pairs"] >= 40
    assert report["precision"] >= 0.8
    assert report["recall"] >= 0.8
