"""The command line contract other tools rely on."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.classifier", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)


def _labelled_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "accept"])
        writer.writerows(rows)
    return path


def test_classify_prints_json_with_decision_and_candidates() -> None:
    completed = _run("classify", "air pdam gk ngalir", "--json")
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["decision"] == "route"
    assert payload["candidates"][0]["agency"] == "PDAM"
    assert payload["confidential"] is False


def test_classify_prints_a_readable_ranking() -> None:
    completed = _run("classify", "lampu pju mati")
    assert completed.returncode == 0
    assert "decision: route" in completed.stdout
    assert "DISHUB" in completed.stdout


def test_evaluate_prints_one_json_object_with_contract_keys(tmp_path: Path) -> None:
    path = _labelled_csv(tmp_path / "mini.csv", [("1", "jalan rusak parah", "PUPR"), ("2", "paspor lama jadi", "EXT_*"),
                                                  ("3", "halo", "PUPR|PERKIM")])
    completed = _run("evaluate", str(path), "--json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    for key in ("n", "accuracy", "top3_accuracy", "coverage", "routed_accuracy",
                "regional_accuracy", "external_accuracy", "per_second"):
        assert key in report
    assert report["n"] == 3
    assert report["accuracy"] == round(2 / 3, 4)
    assert report["external_accuracy"] == 1.0


def test_bad_table_path_is_a_clear_error(tmp_path: Path) -> None:
    completed = _run("classify", "jalan rusak", "--table", str(tmp_path / "missing.yaml"))
    assert completed.returncode == 2
    assert "cannot read file" in completed.stderr


def test_bench_reports_router_and_baseline_rates() -> None:
    completed = _run("bench", "--count", "300", "--json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["router_cold_per_second"] > 0
    assert report["baseline_per_second"] > 0
    assert "speedup_cold" in report


def test_bench_times_real_texts_again_after_reading_other_texts_words(tmp_path: Path) -> None:
    timed = _labelled_csv(tmp_path / "timed.csv", [("1", "jalsn rusak parah di dpn sdn 2", "PUPR"),
                                                   ("2", "sampahh numpuk sdh 3 hari", "DLH")])
    other = _labelled_csv(tmp_path / "other.csv", [("a", "jalsn berlubang", "PUPR"),
                                                   ("b", "sampahh numpuk sdh 3 hari", "DLH")])
    completed = _run("bench", "--count", "300", "--messages", str(timed), "--known-words", str(other), "--json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["real_known_words_speedup"] > 0 and report["real_speedup"] > 0
    assert report["real_known_words_source"] == "other.csv (1 texts)"  # the timed text is left out


def test_evaluate_measures_the_router_as_the_desk_runs_it_with_its_regions_places(tmp_path: Path) -> None:
    # config.yaml names "Anjir Pasar" as a village: with the region, its "pasar" is a place, not a market.
    path = _labelled_csv(tmp_path / "places.csv", [
        ("1", "pohon tumbang di anjir pasar menutup jalan, belum dipotong", "DLH|PERKIM|PUPR|BPBD")])
    with_region = json.loads(_run("evaluate", str(path), "--json").stdout)
    shipped_only = json.loads(_run("evaluate", str(path), "--json", "--no-config").stdout)
    assert with_region["config"] == "config.yaml"
    assert shipped_only["config"] is None


def test_learn_reads_labelled_csv_files_and_writes_nothing_without_approval(tmp_path: Path) -> None:
    ferry = ["getek ke seberang penuh sesak", "getek terbalik kemarin sore", "tarif getek naik sepihak",
             "getek tidak ada pelampung"]
    path = _labelled_csv(tmp_path / "decisions.csv", [(f"g{number}", text, "DISHUB") for number, text in
                                                      enumerate(ferry)]
                         + [("o1", "jalan rusak parah", "PUPR"), ("o2", "halo min", "TRIAGE")])
    completed = _run("learn", "--from", str(path), "--json", "--no-config")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["examples"] == 5  # the TRIAGE row teaches no office
    assert ("DISHUB", "getek") in {(p["agency"], p["phrase"]) for p in report["proposals"]}
    assert "written" not in report
